// Seconds per SalUn-gen iteration (one forget and one retain batch, θo's targets, masked Adam) for
// the default U-Net on 28×28×1 data with 10 classes, on one backend; random images (the cost does
// not depend on their content). The first iteration includes the backend's warm-up and is shown
// apart; the saliency pass over one forget batch is timed too.
//
//   node out/bench/generation-unlearn-step.js [--backend wasm|tensorflow|cpu] [--batch 32] [--iterations 3]
//   (tensorflow: SALUN_TFJS_NODE_DIR=.cache/tfjs-node)
import { cpus, loadavg } from 'node:os';
import { selectBackend } from '../src/engine/backend/select';
import type { ImageSet } from '../src/engine/data/dataset';
import { computeGenerationSaliency, generationMask } from '../src/engine/generation/saliency';
import { linearSchedule } from '../src/engine/generation/schedule';
import { buildUnet, DEFAULT_UNET, parameterCount } from '../src/engine/generation/unet';
import { unlearnGeneration } from '../src/engine/generation/unlearn';
import { GENERATION_UNLEARN_RECIPE as R } from '../src/engine/generation/unlearnRecipe';
import { makeRng } from '../src/engine/rng';
import { tf } from '../src/engine/tf';
import type { BackendChoice } from '../src/protocol/backends';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function randomImages(n: number, seed: number): ImageSet {
  const rand = makeRng(seed);
  return {
    images: Float32Array.from({ length: n * 784 }, () => rand()),
    labels: Int32Array.from({ length: n }, (_, i) => i % 10),
    n,
    height: 28,
    width: 28,
    channels: 1,
    numClasses: 10,
    source: 'random',
  };
}

async function main(): Promise<void> {
  const backend = arg('backend', 'wasm') as BackendChoice;
  const batch = Number(arg('batch', '32'));
  const iterations = Number(arg('iterations', '3'));
  await selectBackend(backend);
  const cfg = { height: 28, width: 28, channels: 1, numClasses: 10, ...DEFAULT_UNET, widths: [...DEFAULT_UNET.widths], seed: 1 };
  const frozen = buildUnet(cfg);
  const model = buildUnet(cfg);
  const set = randomImages(10 * batch, 2);
  const forget = Int32Array.from({ length: batch }, (_, i) => 10 * i + 7);
  const retain = Int32Array.from({ length: 10 * batch }, (_, i) => i).filter((i) => i % 10 !== 7);
  const t0 = performance.now();
  const scores = await computeGenerationSaliency(frozen, set, forget, { schedule: linearSchedule(), batchSize: batch, seed: 3 });
  const saliencySeconds = (performance.now() - t0) / 1000;
  const mask = generationMask(scores, R.ratio);
  const stamps: number[] = [performance.now()];
  await unlearnGeneration({
    method: 'salun',
    model,
    frozen,
    forget: { set, indices: forget },
    retain: { set, indices: retain },
    mask,
    iterations,
    lr: R.lr,
    beta: R.beta,
    eta: R.eta,
    seed: 4,
    batchSize: batch,
    onProgress: () => stamps.push(performance.now()),
  });
  const per = stamps.slice(1).map((s, i) => (s - stamps[i]) / 1000);
  const steady = per.slice(1);
  console.log(
    JSON.stringify({
      backend: tf.getBackend(),
      weights: parameterCount(model),
      widths: cfg.widths,
      image: '28x28x1',
      batch,
      saliencySeconds: +saliencySeconds.toFixed(2),
      iterationSeconds: per.map((s) => +s.toFixed(2)),
      steadyMeanSeconds: steady.length ? +(steady.reduce((a, b) => a + b, 0) / steady.length).toFixed(2) : null,
      cores: cpus().length,
      loadAverage1m: +loadavg()[0].toFixed(1),
    }),
  );
  [model, frozen].forEach((m) => m.dispose());
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
