// How well does the Retrain-free verdict (src/engine/metrics/verdict.ts) predict the Avg. Gap it
// is meant to stand in for? On the bundled Fashion-MNIST subset with the MLP, per scenario: θo
// (cached), Retrain on Dr (cached), then several methods × recipes, good and bad on purpose (rates
// that barely move θo, rates that destroy it), each measured twice: the Avg. Gap against Retrain,
// and the verdict from θu's per-sample outputs on Df, held-out data and Dr alone. Prints one row per
// model and, per scenario, Pearson and Spearman correlation with the Avg. Gap of
//   verdict score   mean |z| over the verdict's five figures (its own standardised gaps)
//   verdict points  the run's score in points (verdictStep.ts): mean of |acc gap|, |MIA gap|, |RA − RA(θo)|
//                   and |TA − TA(θo)|, the Avg. Gap's four terms estimated without Retrain
//   points (3)      the first definition: the same without the TA term
//   naive           |UA − (100 − TA)| + |RA − RA(θo)|
// The verdict was written before any of these numbers existed; random 10% is the scenario the
// issue names, random 50% and class-wise are the ones it was not designed on.
//
//   node scripts/build.mjs && node out/bench/verdict-correlation.js [--scenarios random10,random50,class0]
//     [--seed 1] [--backend wasm] [--workspace /tmp/salun-verdict-bench] [--splits 200] [--held-out N] [--fresh a,b]
// --fresh a,b names the scenarios nothing was designed on (default: all but the first).
// --held-out N keeps N rows of the training file out of θo and Retrain and compares Df with them
// (data.heldOut) instead of the test set.
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { BackendChoice, ForgetSpec, MethodName } from '../src/protocol/config';
import { DEFAULT_RATIO, defaultTrainRecipe } from '../src/protocol/defaults';
import { defaultUnlearnRecipe } from '../src/protocol/methods';
import { avgGap, type Metrics } from '../src/protocol/results';
import { collectSampleOutputs, unseenReference } from '../src/engine/metrics/sampleOutputs';
import { retrainFreeVerdict, type Verdict } from '../src/engine/metrics/verdict';
import type { Classifier } from '../src/engine/models/io';
import { classifierOf } from '../src/engine/models/io';
import { evaluateModel } from '../src/engine/pipeline/classification/evaluateModel';
import { applyMethod, retrainReference } from '../src/engine/pipeline/classification/methodStep';
import { prepare, startBackend, type Prepared, type PrepareConfig } from '../src/engine/pipeline/classification/prepare';
import type { JobContext } from '../src/engine/pipeline/shared/jobContext';
import { versions } from '../src/engine/pipeline/shared/versions';
import { verdictPoints } from '../src/engine/pipeline/classification/verdictStep';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

interface Recipe {
  method: MethodName;
  lr: number;
  epochs: number;
}

// Fixed before the first run: each method at a rate that barely forgets, its default, and one that over-forgets.
const RECIPES: Recipe[] = [
  { method: 'rl', lr: 0.001, epochs: 5 },
  { method: 'rl', lr: 0.005, epochs: 5 },
  { method: 'rl', lr: 0.02, epochs: 5 },
  { method: 'rl', lr: 0.005, epochs: 1 },
  { method: 'salun', lr: 0.002, epochs: 5 },
  { method: 'salun', lr: 0.005, epochs: 5 },
  { method: 'salun', lr: 0.02, epochs: 5 },
  { method: 'ft', lr: 0.01, epochs: 5 },
  { method: 'ft', lr: 0.05, epochs: 5 },
  { method: 'ga', lr: 1e-4, epochs: 5 },
  { method: 'ga', lr: 1e-3, epochs: 5 },
  { method: 'ga', lr: 1e-2, epochs: 5 },
];

function scenarioSpec(name: string, seed: number): ForgetSpec {
  const random = /^random(\d+)$/.exec(name);
  if (random) return { kind: 'random', fraction: Number(random[1]) / 100, seed };
  const cls = /^class(\d+)$/.exec(name);
  if (cls) return { kind: 'class', classIndex: Number(cls[1]) };
  throw new Error(`unknown scenario ${name}: random<percent> or class<index>`);
}

interface Point {
  label: string;
  metrics: Metrics;
  gap: number;
  verdict: Verdict;
  naive: number;
  points: number;
  points3: number;
}

function ranks(x: number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(x.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

function pearson(x: number[], y: number[]): number {
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function correlations(name: string, pts: Point[]): string[] {
  const gap = pts.map((p) => p.gap);
  const line = (what: string, x: number[]): string =>
    `  ${what.padEnd(15)} n ${pts.length}  Pearson ${pearson(x, gap).toFixed(3)}  Spearman ${pearson(ranks(x), ranks(gap)).toFixed(3)}`;
  return [
    `${name}: correlation with the Avg. Gap`,
    line(
      'verdict score',
      pts.map((p) => p.verdict.score),
    ),
    line(
      'verdict points',
      pts.map((p) => p.points),
    ),
    line(
      'points (3)',
      pts.map((p) => p.points3),
    ),
    line(
      'naive',
      pts.map((p) => p.naive),
    ),
  ];
}

async function measure(
  label: string,
  clf: Classifier,
  p: Prepared,
  ref: { metrics: Metrics; raOriginal: number; taOriginal: number },
  ctx: JobContext,
  splits: number,
  seed: number,
): Promise<Point> {
  const metrics = await evaluateModel(clf, p, ctx.signal, ctx.emit, label);
  const reference = unseenReference(p.data.test, p.heldOut, p.split.forgottenClass);
  const verdict = retrainFreeVerdict(
    {
      forget: await collectSampleOutputs(clf, p.data.train, p.split.forget),
      heldOut: await collectSampleOutputs(clf, reference.set, reference.indices),
      retain: await collectSampleOutputs(clf, p.data.train, p.split.retain),
      originalRetainAccuracy: ref.raOriginal,
      unseenClass: reference.wholeClass,
    },
    { seed, splits },
  );
  return {
    label,
    metrics,
    gap: avgGap(metrics, ref.metrics),
    verdict,
    naive: Math.abs(metrics.UA - (100 - metrics.TA)) + Math.abs(metrics.RA - ref.raOriginal),
    points: verdictPoints(verdict.figures, { accuracy: metrics.TA, original: ref.taOriginal }),
    points3: verdictPoints(verdict.figures),
  };
}

function row(pt: Point): string {
  const m = pt.metrics;
  const z = pt.verdict.figures.map((f) => `${f.name.slice(0, 4)} ${f.z.toFixed(1)}`).join(' ');
  return `  ${pt.label.padEnd(24)} UA ${m.UA.toFixed(1).padStart(5)} RA ${m.RA.toFixed(1).padStart(5)} TA ${m.TA.toFixed(1).padStart(5)} MIA ${m.MIA.toFixed(1).padStart(5)} | gap ${pt.gap.toFixed(2).padStart(5)} | ${pt.verdict.label.padEnd(15)} score ${pt.verdict.score.toFixed(2).padStart(6)} (${z}) points ${pt.points.toFixed(2)} (3: ${pt.points3.toFixed(2)}) naive ${pt.naive.toFixed(2)}`;
}

async function scenario(name: string, seed: number, backendChoice: BackendChoice, ctx: JobContext, splits: number, heldOut: number): Promise<Point[]> {
  const config: PrepareConfig = {
    data: { kind: 'default', ...(heldOut > 0 ? { heldOut } : {}) },
    model: { kind: 'builtin', architecture: 'mlp' },
    forget: scenarioSpec(name, seed),
    train: defaultTrainRecipe('mlp'),
    seed,
    backend: backendChoice,
  };
  const backend = await startBackend(config, ctx);
  const p = await prepare(config, ctx, backend);
  const t0 = Date.now();
  const pts: Point[] = [];
  try {
    const r = await retrainReference({ model: config.model, train: config.train, seed }, p, ctx);
    const original = await evaluateModel(p.original, p, ctx.signal, ctx.emit, 'original');
    let retrainMetrics: Metrics;
    let retrainPoint: Point;
    try {
      retrainMetrics = await evaluateModel(classifierOf(r.model), p, ctx.signal, ctx.emit, 'retrain');
      // Retrain's own verdict: a sanity check (it should look unseen), not a point of the correlation (its gap is 0 by definition).
      retrainPoint = await measure(
        'Retrain (not correlated)',
        classifierOf(r.model),
        p,
        { metrics: retrainMetrics, raOriginal: original.RA, taOriginal: original.TA },
        ctx,
        splits,
        seed,
      );
    } finally {
      r.model.dispose();
    }
    const ref = { metrics: retrainMetrics, raOriginal: original.RA, taOriginal: original.TA };
    const unseen = unseenReference(p.data.test, p.heldOut, p.split.forgottenClass);
    console.log(
      `\n## ${name} (seed ${seed}): forget ${p.split.forget.length}, retain ${p.split.retain.length}, held-out ${unseen.indices.length} (${unseen.source}); backend ${backend.name} (${backend.detail})`,
    );
    console.log(`  θo from ${p.originalFrom}, Retrain from ${r.from}`);
    console.log(row(retrainPoint));
    const push = (pt: Point): void => {
      pts.push(pt);
      console.log(row(pt));
    };
    push(await measure('original (θo)', p.original, p, ref, ctx, splits, seed));
    for (const rc of RECIPES) {
      const spec = {
        method: rc.method,
        saliency: { ratio: DEFAULT_RATIO },
        unlearn: { ...defaultUnlearnRecipe(rc.method), lr: rc.lr, epochs: rc.epochs },
        seed,
      };
      const label = `${rc.method} lr ${rc.lr} × ${rc.epochs}`;
      // A recipe that diverges leaves no model to score: said, not dropped silently.
      const out = await applyMethod(p, spec, ctx, { path: (...parts: string[]) => join(ctx.workspaceDir, 'saliency', name, ...parts) }).catch((e: unknown) => {
        console.log(`  ${label.padEnd(24)} failed, not scored: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      });
      if (!out) continue;
      try {
        push(await measure(label, out.theta, p, ref, ctx, splits, seed));
      } finally {
        out.theta.model.dispose();
      }
    }
  } finally {
    p.original.model.dispose();
  }
  console.log(correlations(name, pts).join('\n'));
  console.log(`  (${((Date.now() - t0) / 1000).toFixed(0)} s after θo)`);
  return pts;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const seed = Number(arg('seed', '1'));
  const splits = Number(arg('splits', '200'));
  const backend = arg('backend', 'wasm') as BackendChoice;
  const heldOut = Number(arg('held-out', '0'));
  const ctx: JobContext = {
    workspaceDir: arg('workspace', '/tmp/salun-verdict-bench'),
    signal: new AbortController().signal,
    emit: (e) => {
      if (e.type === 'log' && e.level !== 'info') console.error(e.message);
    },
  };
  const v = versions();
  console.log(
    `# verdict vs Avg. Gap: bundled Fashion-MNIST subset, MLP (θo and Retrain ${defaultTrainRecipe('mlp').epochs} epochs), seed ${seed}, ${splits} held-out halvings, α 0.05; unseen reference: ${heldOut > 0 ? `${heldOut} training rows held out of θo and Retrain` : 'the test set'}`,
  );
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores; ${v.platform}; Node ${v.node}, tfjs ${v.tfjs}; ${new Date().toISOString()}`);
  const names = arg('scenarios', 'random10,random50,class0').split(',');
  // The scenarios nothing was designed on (default: all but the first); named when a later change was designed on more.
  const fresh = arg('fresh', names.slice(1).join(',')).split(',');
  const all = new Map<string, Point[]>();
  for (const name of names) all.set(name, await scenario(name, seed, backend, ctx, splits, heldOut));
  if (all.size > 1) console.log('\n' + correlations('all scenarios pooled', [...all.values()].flat()).join('\n'));
  const freshPoints = fresh.flatMap((n) => all.get(n) ?? []);
  if (freshPoints.length) console.log(correlations(`not designed on (${fresh.join(', ')}, pooled)`, freshPoints).join('\n'));
  console.log(`\nwall time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
