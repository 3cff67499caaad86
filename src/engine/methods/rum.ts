// RUM, the Refined-Unlearning Meta-algorithm (Zhao et al., NeurIPS 2024, "What makes unlearning
// hard and what to do about it"): the forget set is split by how much the model memorised each
// example, and an unlearning method runs on each subset in turn, least memorised first. Here the
// method is any classifier row (`methodOptions.rum.inner`, SalUn by default) with its own recipe on
// every subset: the paper's RUM^F, one method throughout.
//
// From the authors' code (github.com/kairanzhao/RUM):
//   proxy   "holdout retraining" (memorization_proxy/heldout_retrain.py, the proxy main_rum_proxy.py
//           is wired for): fine-tune a copy of θo on held-out data (their test set; here the run's
//           test rows), then score each forget example by the symmetric KL between θo's and the
//           copy's softmax, ½·(KL(p‖q) + KL(q‖p)) with probabilities clamped at 1e-10. A high score
//           is an example whose prediction moves when the model sees other data: memorised.
//           Their fine-tune runs SGD at lr 0.1 (momentum 0.9, weight decay 5e-4) for up to 30
//           epochs with early stopping; the row's proxyEpochs and proxyLr say what is used here.
//   split   their benchmark builds its forget set from the k lowest, k middle and k highest scores;
//           a user's forget set is given, so it is cut into thirds by score (our reading).
//   order   low → medium → high (main_forget.py), each step starting from the previous step's
//           model, with Dr plus the subsets not yet unlearned as its retain set.
// A saliency mask, when the inner method uses one, is the run's (from all of Df on θo); the
// authors compute one per subset, also on θo.
import type { MethodName } from '../../protocol/methods';
import { forEachLogProbBatch } from '../metrics/evaluate';
import { classifierOf, cloneModel, type Classifier } from '../models/io';
import { subSeed } from '../rng';
import { UserError } from '../../store/errors';
import { fit } from '../train/fit';
import type { UnlearnInput } from './input';

export interface RumOptions {
  /** Epochs of the proxy's fine-tune on held-out rows. */
  proxyEpochs: number;
  /** Rate of that fine-tune. */
  proxyLr: number;
}

/** How many subsets, and their names in the log, in the order they are unlearned. */
export const RUM_SUBSETS = ['low', 'medium', 'high'] as const;

const CLAMP = 1e-10;

/** ½·(KL(p‖q) + KL(q‖p)) of two rows of log-probabilities, probabilities clamped at 1e-10 as the authors'. */
export function symmetricKl(lp: Float32Array, lq: Float32Array): number {
  let kl = 0;
  for (let c = 0; c < lp.length; c++) {
    const p = Math.max(CLAMP, Math.exp(lp[c]));
    const q = Math.max(CLAMP, Math.exp(lq[c]));
    kl += p * (Math.log(p) - Math.log(q)) + q * (Math.log(q) - Math.log(p));
  }
  return kl / 2;
}

/** The forget rows cut into thirds by score, lowest first (ties keep the forget set's order). */
export function splitByScore(forget: Int32Array, scores: Float64Array): Int32Array[] {
  const order = Array.from(forget.keys()).sort((a, b) => scores[a] - scores[b] || a - b);
  const n = forget.length;
  return RUM_SUBSETS.map((_, s) => Int32Array.from(order.slice(Math.floor((s * n) / 3), Math.floor(((s + 1) * n) / 3)), (k) => forget[k]));
}

async function logProbRows(clf: Classifier, u: UnlearnInput): Promise<Float32Array[]> {
  const rows: Float32Array[] = [];
  await forEachLogProbBatch(
    clf,
    u.train,
    u.forget,
    (lp) => [lp],
    ([lp], _from, labels) => {
      const classes = lp.length / labels.length;
      for (let i = 0; i < lp.length; i += classes) rows.push(lp.slice(i, i + classes));
    },
    u.signal,
  );
  return rows;
}

/** The holdout-retraining score of every forget row, in u.forget's order. */
export async function memorisationScores(u: UnlearnInput, o: RumOptions): Promise<Float64Array> {
  if (!u.test || u.test.indices.length === 0)
    throw new UserError('RUM needs held-out rows for its memorisation proxy and this run has no test rows.', 'Use data with a test split.');
  const before = await logProbRows(u.clf, u);
  const proxy = classifierOf(await cloneModel(u.clf.model));
  // Before the first unlearning batch: without these lines the progress bar sits at 0 while it works.
  const t0 = Date.now();
  u.log?.('info', `RUM: memorisation proxy, a copy of θo fine-tuned on ${u.test.indices.length} held-out rows for ${o.proxyEpochs} epochs`);
  try {
    await fit({
      clf: proxy,
      set: u.test.set,
      indices: u.test.indices,
      recipe: { epochs: o.proxyEpochs, lr: o.proxyLr, schedule: 'constant', momentum: 0.9, weightDecay: 5e-4, batchSize: u.recipe.batchSize },
      seed: subSeed(u.seed, 'rum-proxy'),
      signal: u.signal,
      pool: u.pool,
      onEpoch: (epoch, loss) => u.log?.('info', `RUM: memorisation proxy epoch ${epoch}/${o.proxyEpochs}, loss ${loss.toFixed(4)}`),
    });
    const after = await logProbRows(proxy, u);
    u.log?.('info', `RUM: memorisation scores of ${before.length} forget rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return Float64Array.from(before, (lp, i) => symmetricKl(lp, after[i]));
  } finally {
    proxy.model.dispose();
  }
}

/** RUM around `inner`; `run` applies a method to an input (the registry's dispatcher). */
export async function rum(u: UnlearnInput, o: RumOptions, inner: MethodName, innerEpochs: number, run: (v: UnlearnInput) => Promise<void>): Promise<void> {
  const scores = await memorisationScores(u, o);
  const subsets = splitByScore(u.forget, scores);
  let pending = subsets.slice();
  for (const [s, subset] of subsets.entries()) {
    pending = pending.slice(1);
    const retain = Int32Array.from([...u.retain, ...pending.flatMap((p) => Array.from(p))]).sort();
    u.log?.('info', `RUM: the ${RUM_SUBSETS[s]}-memorisation third, ${subset.length} rows, ${inner} (${retain.length} retain rows)`);
    let stopped = false;
    await run({
      ...u,
      method: inner,
      forget: subset,
      retain,
      seed: subSeed(u.seed, `rum-${RUM_SUBSETS[s]}`),
      onBatch: (epoch, done, total) => u.onBatch?.(s * innerEpochs + epoch, done, total),
      onEpoch: async (epoch, loss) => {
        await u.onEpoch?.(s * innerEpochs + epoch, loss);
        stopped = u.stop?.aborted === true;
      },
    });
    if (stopped) return;
  }
}
