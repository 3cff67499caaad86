// The automatic recipe (salun-auto, rl-auto; docs/verdict.md): a method's unlearning rate and stop epoch chosen from the
// Retrain-free figures alone (metrics/verdict.ts). A method gets no Retrain model (UnlearnInput has
// none), so the choice cannot look at one.
//
// The rule (autoRule.ts does the arithmetic):
//   1. Rates: the recipe's rate r (0.005 by default) times {0.2, 0.4, 1, 2}, times
//      min(1, 0.1 / (|Df|/|D|)). Why the scale: each epoch's random-label pass takes |Df|/B steps,
//      so its push on θ grows with lr·|Df|; DEFAULT_UNLEARN was tuned at |Df|/|D| = 0.1, and
//      holding lr·|Df| at that reference keeps a larger Df from getting a larger push per epoch. A
//      smaller Df is not scaled up: rates above 2r cost retain accuracy on the reference protocol.
//      Defaults: 10% and class-wise (10 classes) → {0.001, 0.002, 0.005, 0.01}; 50% → ÷5.
//   2. Each rate runs the method's own epochs (the recipe's, 5 by default) from θo on the FULL data
//      with the base method's loss, shuffles and random labels (SalUn's for salun-auto, inside its
//      saliency mask; RL's for rl-auto). After every epoch the model is judged on fixed seeded
//      slices of at most 1,000 rows each of Df, of held-out data (data.heldOut's rows, else the
//      test set; for class-wise forgetting only the forgotten class's) and of Dr, by the verdict
//      (50 halvings).
//   3. Score = the Avg. Gap estimated without Retrain (autoRule.ts): mean(|acc(Df) − acc(held-out)|,
//      |MIA(held-out) − MIA(Df)|, |RA − RA(θo)|, |TA − TA(θo)|) in points, on slices of Df, held-out
//      data, Dr and the test rows; for class-wise forgetting acc(held-out) is 0 (verdict.ts,
//      unseenClass). The Avg. Gap's four terms, held-out data standing in for Retrain's UA and MIA
//      and θo for its RA and TA.
//      Why RA counts in full: a score of mean(|acc gap|, |MIA gap|, max(0, RA lost − k·σ_RA)),
//      where a point of RA counts a third as much as in the Avg. Gap, minus a noise allowance
//      Retrain does not need, chooses candidates that lose 9–10 points of RA for a zero accuracy
//      gap, even with unbiased held-out rows (random 10%: salun-auto Avg. Gap 5.09 against SalUn's
//      3.17; bench/results/auto-recipe-*.txt).
//   4. The lowest score wins; ties go to the lower rate, then the earlier epoch. No epoch 0: θo is
//      reported beside the candidates, not chosen.
//   5. Because the search ran on the full data, the chosen (rate, epoch) model is kept as it was
//      (a snapshot of every weight, batch-norm statistics included), not trained again: the search
//      IS the unlearning, and its whole time (every candidate's training and evaluation) is the
//      method's time. Cost: (number of rates) × the fixed recipe's epochs plus the evaluations.
// Known bias of the test set as the reference: it need not be a perfect stand-in for unseen
// training data (on the bundled subset Retrain's Df accuracy sits ≈3 points above TA at 10%
// random), so driving the accuracy gap to 0 can forget past Retrain. data.heldOut removes it:
// rows of the training file kept out of θo are unseen exactly as Df is for Retrain.
//
// auto.json (protocol/autoRecipe.ts) in the run folder holds every candidate, the choice and the
// cost; the run's log gets a short section. The caller's onEpoch runs once, on the chosen model.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AutoCandidate, AutoReport } from '../../protocol/autoRecipe';
import { writeJsonAtomic } from '../../store/runs/atomic';
import type { ImageSet } from '../data/dataset';
import { accuracyPercent, collectSampleOutputs } from '../metrics/sampleOutputs';
import { retrainFreeVerdict, type FigureName } from '../metrics/verdict';
import type { Classifier } from '../models/io';
import { makeRng, shuffleInPlace, subSeed } from '../rng';
import { tf, type T } from '../tf';
import { autoRates, autoScore, chooseCandidate } from './autoRule';
import { sgdEpochs, type PassPlan } from './epochs';
import type { UnlearnInput } from './input';

/** Rows of each slice the figures are computed on: enough for a retain σ under a point, cheap per epoch. */
export const AUTO_SLICE_ROWS = 1000;
const VERDICT_SPLITS = 50;

export const AUTO_RULE =
  "score = mean(|acc(Df) − acc(held-out)|, |MIA(held-out) − MIA(Df)|, |RA − RA(θo)|, |TA − TA(θo)|) in points on seeded slices (class-wise: acc(held-out) = 0); lowest wins, ties to the lower rate then the earlier epoch; rates = recipe lr × {0.2, 0.4, 1, 2} × min(1, 0.1 / (|Df|/|D|)), each for the recipe's epochs on the full data; the chosen model is kept from the search";

export interface AutoPlan extends PassPlan {
  /** The method whose loss is searched over (its name in auto.json). */
  base: string;
}

type Figures = AutoReport['original'];

interface Slices {
  forget: Int32Array;
  heldOutSet: ImageSet;
  heldOut: Int32Array;
  /** Df is a whole class: the verdict's accuracy reference is 0. */
  wholeClass: boolean;
  retain: Int32Array;
  testSet: ImageSet;
  test: Int32Array;
}

/** θo's accuracies on the retain and test slices, in percent: the references of the RA and TA terms. */
interface Originals {
  retain: number;
  test: number;
}

function seededSlice(rows: ArrayLike<number>, k: number, seed: number): Int32Array {
  const copy = shuffleInPlace(Int32Array.from(rows), makeRng(seed));
  return copy.subarray(0, Math.min(k, copy.length)).sort();
}

function slicesOf(u: UnlearnInput): Slices {
  if (!u.heldOut || u.heldOut.indices.length < 2)
    throw new RangeError(`${u.method}: needs held-out data (at least 2 rows) to judge its candidates without Retrain`);
  if (!u.test || u.test.indices.length < 1) throw new RangeError(`${u.method}: needs the run's test rows to estimate the TA term without Retrain`);
  return {
    forget: seededSlice(u.forget, AUTO_SLICE_ROWS, subSeed(u.seed, 'auto-forget')),
    heldOutSet: u.heldOut.set,
    heldOut: seededSlice(u.heldOut.indices, AUTO_SLICE_ROWS, subSeed(u.seed, 'auto-held-out')),
    wholeClass: u.heldOut.wholeClass,
    retain: seededSlice(u.retain, AUTO_SLICE_ROWS, subSeed(u.seed, 'auto-retain')),
    testSet: u.test.set,
    test: seededSlice(u.test.indices, AUTO_SLICE_ROWS, subSeed(u.seed, 'auto-test')),
  };
}

async function figuresOf(clf: Classifier, u: UnlearnInput, s: Slices, originals: Originals): Promise<Figures> {
  const forget = await collectSampleOutputs(clf, u.train, s.forget, u.signal);
  const heldOut = await collectSampleOutputs(clf, s.heldOutSet, s.heldOut, u.signal);
  const retain = await collectSampleOutputs(clf, u.train, s.retain, u.signal);
  // One seed for every candidate: the same halvings and attack folds, so candidates differ by their model only.
  const v = retrainFreeVerdict(
    { forget, heldOut, retain, originalRetainAccuracy: originals.retain, unseenClass: s.wholeClass },
    { seed: subSeed(u.seed, 'auto-verdict'), splits: VERDICT_SPLITS },
  );
  const fig = (n: FigureName): { gap: number; threshold: number } => v.figures.find((f) => f.name === n) ?? { gap: NaN, threshold: NaN };
  const testGap = (await accuracyOn(clf, s.testSet, s.test, u.signal)) - originals.test;
  const figures = { accuracyGap: fig('accuracy').gap, miaGap: fig('mia').gap, retainGap: fig('retain').gap, retainThreshold: fig('retain').threshold, testGap };
  return { ...figures, label: v.label, score: autoScore(figures) };
}

async function accuracyOn(clf: Classifier, set: ImageSet, rows: Int32Array, signal?: AbortSignal): Promise<number> {
  return accuracyPercent((await collectSampleOutputs(clf, set, rows, signal)).correct);
}

/** Every weight, batch-norm statistics included, as tensors that survive the variables' updates. */
function snapshot(clf: Classifier): T.Tensor[] {
  return clf.model.getWeights().map((w) => tf.clone(w));
}

interface SearchState {
  candidates: AutoCandidate[];
  losses: number[];
  best?: { index: number; weights: T.Tensor[] };
  evaluationMs: number;
  stoppedEarly: boolean;
}

/** Runs one rate from θo; judges and keeps the best model so far after every epoch. */
async function runRate(u: UnlearnInput, plan: AutoPlan, lr: number, at: number, of: number, s: Slices, originals: Originals, st: SearchState): Promise<void> {
  const epochs = u.recipe.epochs;
  let epochStart = Date.now();
  await sgdEpochs(
    {
      ...u,
      recipe: { ...u.recipe, lr },
      // The search's epochs mapped onto the run's progress bar: rate `at` of `of`, each `epochs` long.
      onBatch: (epoch, done, total) => {
        const x = (at * epochs + epoch - 1 + done / Math.max(1, total)) / of;
        const whole = Math.min(epochs - 1, Math.floor(x));
        u.onBatch?.(whole + 1, Math.round((x - whole) * total), total);
      },
      onEpoch: async (epoch, loss) => {
        const trainSeconds = (Date.now() - epochStart) / 1000;
        const evalStart = Date.now();
        const f = await figuresOf(u.clf, u, s, originals);
        st.candidates.push({ lr, epoch, ...f, trainSeconds });
        st.losses.push(loss);
        const index = chooseCandidate(st.candidates);
        if (index === st.candidates.length - 1) {
          if (st.best) tf.dispose(st.best.weights);
          st.best = { index, weights: snapshot(u.clf) };
        }
        st.evaluationMs += Date.now() - evalStart;
        epochStart = Date.now();
      },
    },
    plan,
  );
}

function fmt(x: number, digits = 1): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
}

function logSection(u: UnlearnInput, r: AutoReport): void {
  const log = (m: string): void => u.log?.('info', `${u.method}: ${m}`);
  log(
    `searched lr ${r.rates.values.map((v) => v.toPrecision(2)).join(', ')} (recipe ${r.rates.center} × {0.2, 0.4, 1, 2} × ${r.rates.scale.toFixed(2)} for |Df|/|D| = ${r.rates.forgetShare.toFixed(2)}) × ${r.epochs} epochs on the full data, judged on ${r.slices.forget} Df / ${r.slices.heldOut} held-out (${r.slices.heldOutFrom}) / ${r.slices.retain} Dr rows, without Retrain`,
  );
  log(`θo: acc gap ${fmt(r.original.accuracyGap)}, MIA gap ${fmt(r.original.miaGap)}, score ${r.original.score.toFixed(2)}`);
  for (const lr of r.rates.values) {
    const mine = r.candidates.filter((c) => c.lr === lr);
    if (mine.length === 0) continue;
    const best = mine[chooseCandidate(mine)];
    log(
      `lr ${lr.toPrecision(2)}: scores ${mine.map((c) => c.score.toFixed(2)).join(' ')} by epoch; best epoch ${best.epoch} (acc gap ${fmt(best.accuracyGap)}, MIA gap ${fmt(best.miaGap)}, RA ${fmt(best.retainGap)}, TA ${fmt(best.testGap ?? NaN)})`,
    );
  }
  log(`chose lr ${r.chosen.lr.toPrecision(2)}, epoch ${r.chosen.epoch}: ${r.chosen.why}`);
  log(
    `search ${r.cost.searchSeconds.toFixed(1)} s (${r.cost.evaluationSeconds.toFixed(1)} s of it evaluation) = ${r.cost.share.toFixed(1)}× the chosen recipe's own ${r.cost.recipeSeconds.toFixed(1)} s of training; details in auto.json`,
  );
}

function reportOf(u: UnlearnInput, plan: AutoPlan, rates: AutoReport['rates'], s: Slices, original: Figures, st: SearchState, searchMs: number): AutoReport {
  const index = st.best?.index ?? chooseCandidate(st.candidates);
  const c = st.candidates[index];
  const recipeSeconds = st.candidates.filter((k) => k.lr === c.lr && k.epoch <= c.epoch).reduce((t, k) => t + k.trainSeconds, 0);
  const label = c.label === 'looks unseen' ? 'the verdict on the slices: looks unseen' : `the verdict on the slices: ${c.label}`;
  return {
    method: u.method,
    base: plan.base,
    rule: AUTO_RULE,
    rates,
    epochs: u.recipe.epochs,
    slices: { forget: s.forget.length, heldOut: s.heldOut.length, retain: s.retain.length, heldOutFrom: u.heldOut?.source ?? 'none', test: s.test.length },
    original,
    candidates: st.candidates,
    chosen: {
      lr: c.lr,
      epoch: c.epoch,
      score: c.score,
      why: `lowest score ${c.score.toFixed(2)} of ${st.candidates.length} candidates (acc gap ${fmt(c.accuracyGap)}, MIA gap ${fmt(c.miaGap)}, RA ${fmt(c.retainGap)}, TA ${fmt(c.testGap ?? NaN)} vs θo); ${label}`,
    },
    model: 'kept from the search',
    cost: { searchSeconds: searchMs / 1000, recipeSeconds, share: searchMs / 1000 / Math.max(1e-3, recipeSeconds), evaluationSeconds: st.evaluationMs / 1000 },
    stoppedEarly: st.stoppedEarly,
  };
}

/** The automatic recipe over a base method's passes (registry.ts: SalUn's for salun-auto, RL's for rl-auto). */
export async function autoRecipe(u: UnlearnInput, plan: AutoPlan): Promise<AutoReport> {
  const t0 = Date.now();
  const s = slicesOf(u);
  const originals = { retain: await accuracyOn(u.clf, u.train, s.retain, u.signal), test: await accuracyOn(u.clf, s.testSet, s.test, u.signal) };
  const original = await figuresOf(u.clf, u, s, originals);
  const rates = autoRates(u.recipe.lr, u.forget.length, u.retain.length);
  const start = snapshot(u.clf);
  const st: SearchState = { candidates: [], losses: [], evaluationMs: Date.now() - t0, stoppedEarly: false };
  try {
    for (const [at, lr] of rates.values.entries()) {
      u.clf.model.setWeights(start);
      await runRate(u, plan, lr, at, rates.values.length, s, originals, st);
      if (u.stop?.aborted && (at < rates.values.length - 1 || st.candidates.length % u.recipe.epochs !== 0)) {
        st.stoppedEarly = true;
        break;
      }
    }
    if (!st.best) throw new Error(`${u.method}: the search judged no candidate`);
    u.clf.model.setWeights(st.best.weights);
    const report = reportOf(u, plan, rates, s, original, st, Date.now() - t0);
    if (u.folder) {
      const path = u.folder.path('auto.json');
      mkdirSync(dirname(path), { recursive: true });
      writeJsonAtomic(path, report);
    }
    logSection(u, report);
    // The caller evaluates once, the chosen model; a stop request reads as the epochs the chosen model had.
    await u.onEpoch?.(st.stoppedEarly ? report.chosen.epoch : u.recipe.epochs, st.losses[st.best.index]);
    return report;
  } finally {
    tf.dispose(start);
    if (st.best) tf.dispose(st.best.weights);
  }
}
