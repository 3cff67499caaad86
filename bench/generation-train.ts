// Seconds per DDPM training step (θo's, the generation demo's expensive part) at a given image
// size, U-Net and batch, on one backend: what the demo's scale was chosen from.
//
//   npm run -s build && node out/bench/generation-train.js [--backend wasm] [--pool 2] [--widths 16,32,32] [--batch 64] [--steps 10]
import { selectBackend } from '../src/engine/backend/select';
import type { BackendChoice } from '../src/protocol/config';
import { loadIdxFolder } from '../src/engine/data/idxFolder';
import { defaultDataDir } from '../src/store/data/idxLayout';
import { allIndices } from '../src/engine/data/dataset';
import { unlearnGeneration } from '../src/engine/generation/unlearn';
import { buildUnet, parameterCount } from '../src/engine/generation/unet';
import { averagePool } from '../src/engine/pipeline/generation/data';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

async function main(): Promise<void> {
  const backend = await selectBackend(arg('backend', 'wasm') as BackendChoice);
  const set = averagePool(loadIdxFolder(defaultDataDir()).train, Number(arg('pool', '2')));
  const widths = arg('widths', '16,32,32').split(',').map(Number);
  const batch = Number(arg('batch', '64'));
  const steps = Number(arg('steps', '10'));
  const model = buildUnet({
    height: set.height,
    width: set.width,
    channels: set.channels,
    numClasses: set.numClasses,
    widths,
    groups: 8,
    embedDim: Number(arg('embed', '64')),
    seed: 1,
  });
  // The first step builds kernels: timed apart.
  const warm = await unlearnGeneration({
    method: 'retrain',
    model,
    forget: { set, indices: [] },
    retain: { set, indices: allIndices(set.n) },
    iterations: 1,
    lr: 1e-3,
    beta: 0,
    eta: 0,
    seed: 1,
    batchSize: batch,
  });
  const r = await unlearnGeneration({
    method: 'retrain',
    model,
    forget: { set, indices: [] },
    retain: { set, indices: allIndices(set.n) },
    iterations: steps,
    lr: 1e-3,
    beta: 0,
    eta: 0,
    seed: 2,
    batchSize: batch,
  });
  console.log(
    JSON.stringify({
      backend: backend.name,
      image: `${set.height}×${set.width}`,
      widths,
      weights: parameterCount(model),
      batch,
      firstStep: warm.seconds,
      secondsPerStep: r.seconds / steps,
      loss: r.losses.at(-1),
    }),
  );
}

void main();
