// Wall time of one evaluateGeneration (UA, retained accuracy, FID-classifier) at the demo's scale: the default U-Net
// for 28×28×1 with 10 classes, the built-in cnn as the judge, real test images of the bundled
// Fashion-MNIST subset as the FID-classifier reference, and the sample grid written as a PNG. Both
// networks are freshly initialised (untrained): the figures time the work, their values mean nothing.
//
//   npm run -s build && node out/bench/generation-eval.js [--backend wasm] [--per-class 8] [--steps 20] [--grid out.png]
import { selectBackend } from '../src/engine/backend/select';
import type { BackendChoice } from '../src/protocol/config';
import { defaultDataDir } from '../src/store/data/idxLayout';
import { loadIdxFolder } from '../src/engine/data/idxFolder';
import { evaluateGeneration } from '../src/engine/generation/evaluateGeneration';
import { writeSampleGrid } from '../src/engine/generation/sampleGrid';
import { buildUnet, DEFAULT_UNET, parameterCount } from '../src/engine/generation/unet';
import { buildArchitecture } from '../src/engine/models/architectures';
import { classifierOf } from '../src/engine/models/io';
import { tf } from '../src/engine/tf';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

async function main(): Promise<void> {
  const backend = await selectBackend(arg('backend', 'wasm') as BackendChoice);
  const perClass = Number(arg('per-class', '8'));
  const steps = Number(arg('steps', '20'));
  const { test } = loadIdxFolder(defaultDataDir());
  const classes = Array.from({ length: 10 }, (_, k) => k);
  const unet = buildUnet({ height: 28, width: 28, channels: 1, numClasses: 10, ...DEFAULT_UNET, widths: [...DEFAULT_UNET.widths], seed: 1 });
  const clf = classifierOf(buildArchitecture('cnn', { height: 28, width: 28, channels: 1, numClasses: 10 }, 1));
  const t0 = Date.now();
  const r = await evaluateGeneration({
    model: unet,
    classifier: clf,
    forgetClass: 7,
    classes,
    samplesPerClass: perClass,
    ddimSteps: steps,
    guidance: 1,
    seed: 0,
    reference: { realTest: test },
  });
  const total = (Date.now() - t0) / 1000;
  const grid = arg('grid', '');
  if (grid) writeSampleGrid(grid, { images: r.samples.images, rows: 10, columns: perClass, height: 28, width: 28, channels: 1 }, { markedRows: [7] });
  console.log(
    JSON.stringify(
      {
        backend: backend.name,
        unetWeights: parameterCount(unet),
        samples: r.samples.n,
        ddimSteps: steps,
        guidance: 1,
        realTest: test.n,
        seconds: { total, ...r.seconds },
        ua: r.ua,
        retainedMean: r.retainedAccuracy.mean,
        fidClassifier: r.fidClassifier,
        tensors: tf.memory().numTensors,
      },
      null,
      1,
    ),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
