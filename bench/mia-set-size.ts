// How much the MIA's member/non-member balance moves MIA-Efficacy (an attack fitted on unequal sets
// reached 100 for RL and SalUn on full Fashion-MNIST but ≈15 on the bundled subset, which is why
// prepare.ts draws equally many members and non-members): the same unlearned model, its attack
// fitted on all 10,000 test images against the 9,000 retain members, and on balanced subsets of
// both, with the forget/member/non-member confidence distributions printed. With --dump the
// confidences go to JSON for an independent fit with scikit-learn's SVC.
//
//   node scripts/build.mjs && node out/bench/mia-set-size.js [--method salun] [--lr 0.005] [--seed 1]
//     [--data /usr/share/datasets/fashion-mnist] [--train-subset 10000] [--workspace DIR]
//
// θo comes from the model cache of <workspace> (the table's, when --workspace points at it).
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { MethodName } from '../src/protocol/config';
import { DEFAULT_RATIO, defaultTrainRecipe } from '../src/protocol/defaults';
import { defaultUnlearnRecipe } from '../src/protocol/methods';
import { predictPerSample } from '../src/engine/metrics/evaluate';
import { miaEfficacy } from '../src/engine/metrics/mia';
import { applyMethod } from '../src/engine/pipeline/classification/methodStep';
import { prepare, startBackend, type PrepareConfig } from '../src/engine/pipeline/classification/prepare';
import type { JobContext } from '../src/engine/pipeline/shared/jobContext';
import { makeRng, shuffleInPlace } from '../src/engine/rng';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

function quantiles(a: Float32Array): string {
  const s = Float32Array.from(a).sort();
  const q = (p: number): string => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(4);
  const below = (t: number): string => ((100 * s.filter((v) => v < t).length) / s.length).toFixed(1);
  return `q10 ${q(0.1)} q25 ${q(0.25)} q50 ${q(0.5)} q75 ${q(0.75)} · <0.9: ${below(0.9)}% <0.99: ${below(0.99)}% <0.999: ${below(0.999)}%`;
}

async function main(): Promise<void> {
  const method = arg('method', 'salun') as MethodName;
  const seed = Number(arg('seed', '1'));
  const workspace = arg('workspace', '/work/tables');
  const ctx: JobContext = {
    workspaceDir: workspace,
    signal: new AbortController().signal,
    emit: (e) => {
      if (e.type === 'log') console.error(e.message);
    },
  };
  const config: PrepareConfig = {
    data: { kind: 'idx', dir: arg('data', '/usr/share/datasets/fashion-mnist') },
    model: { kind: 'builtin', architecture: 'cnn' },
    forget: { kind: 'random', fraction: 0.1, seed },
    train: defaultTrainRecipe('cnn'),
    seed,
    backend: 'wasm',
    trainSubset: Number(arg('train-subset', '10000')),
  };
  const backend = await startBackend(config, ctx);
  const p = await prepare(config, ctx, backend);
  const recipe = { ...defaultUnlearnRecipe(method), lr: Number(arg('lr', String(defaultUnlearnRecipe(method).lr))) };
  const out = await applyMethod(p, { method, saliency: { ratio: DEFAULT_RATIO }, unlearn: recipe, seed }, ctx, {
    path: (...parts: string[]) => join(mkdtempSync(join(tmpdir(), 'mia-')), ...parts),
  });
  for (const [name, clf] of [
    ['original', p.original],
    [`${method} lr ${recipe.lr}`, out.theta],
  ] as const) {
    const forget = await predictPerSample(clf, p.data.train, p.split.forget);
    const retain = await predictPerSample(clf, p.data.train, p.split.retain);
    const test = await predictPerSample(clf, p.data.test, p.testIndices);
    const members = Float32Array.from(p.miaRetainPositions, (i) => retain.confidence[i]);
    // For an independent check of the same fit with scikit-learn (bench/mia-crosscheck.py's SVC).
    const dump = arg('dump', '');
    if (dump)
      writeFileSync(
        `${dump}-${name.split(' ')[0]}.json`,
        JSON.stringify({ members: [...members], test: [...test.confidence], forget: [...forget.confidence] }),
      );
    console.log(`\n${name}`);
    console.log(`  forget  ${quantiles(forget.confidence)}`);
    console.log(`  members ${quantiles(members)}`);
    console.log(`  test    ${quantiles(test.confidence)}`);
    for (const n of [test.confidence.length, 5000, 2000, 1000]) {
      const order = Int32Array.from({ length: test.confidence.length }, (_, i) => i);
      shuffleInPlace(order, makeRng(7));
      const t = Float32Array.from(order.subarray(0, n), (i) => test.confidence[i]);
      const m = members.subarray(0, n);
      const r = miaEfficacy({ retainConfidence: m, testConfidence: t, forgetConfidence: forget.confidence });
      console.log(
        `  MIA with ${m.length} members / ${t.length} non-members: efficacy ${r.efficacy.toFixed(2)} (support vectors ${r.supportVectorCount}, converged ${r.converged})`,
      );
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
