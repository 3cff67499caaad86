// One training step of a built-in model on the native `tensorflow` backend, timed with and without
// our fused kernels (src/engine/backend/native/kernels.ts), and where the step's kernel calls go.
//
//   SALUN_TFJS_NODE_DIR=.cache/tfjs-node node out/bench/native-step.js [--model cnn] [--batch 128]
//       [--steps 20] [--threads 1] [--plain] [--profile]
// --threads N: TensorFlow's intra- and inter-op pools (TF_NUM_INTRAOP_THREADS / _INTEROP_), set
// before libtensorflow starts. --plain: tfjs-node's own kernels only. --profile: kernel calls per
// step (tf.profile), after the timing.
import { loadNative, startNative } from '../src/engine/backend/native/backend';
import { buildArchitecture } from '../src/engine/models/architectures';
import { crossEntropy, logProbs } from '../src/engine/models/forward';
import { classifierOf } from '../src/engine/models/io';
import { trainableVariables } from '../src/engine/train/loop';
import { Sgd } from '../src/engine/train/sgd';
import { tf } from '../src/engine/tf';
import type { ArchitectureName } from '../src/protocol/config';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function start(plain: boolean): Promise<void> {
  const dir = process.env.SALUN_TFJS_NODE_DIR;
  if (plain) {
    loadNative('tensorflow', dir);
    await tf.setBackend('tensorflow');
    return;
  }
  const r = await startNative('tensorflow', dir);
  if (!r.ok) throw new Error(r.why);
}

async function main(): Promise<void> {
  const model = arg('model', 'cnn') as ArchitectureName;
  const batch = Number(arg('batch', '128'));
  const steps = Number(arg('steps', '20'));
  const threads = arg('threads', '');
  const plain = process.argv.includes('--plain');
  if (threads) {
    process.env.TF_NUM_INTRAOP_THREADS = threads;
    process.env.TF_NUM_INTEROP_THREADS = threads;
  }
  await start(plain);
  const shape =
    model === 'resnet18' || model === 'vgg16-bn'
      ? { height: 32, width: 32, channels: 3, numClasses: 10 }
      : { height: 28, width: 28, channels: 1, numClasses: 10 };
  const clf = classifierOf(buildArchitecture(model, shape, 1));
  const vars = trainableVariables(clf);
  const names = vars.map((v) => v.name);
  const sgd = new Sgd(vars, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  const pixels = shape.height * shape.width * shape.channels;
  const x = tf.tensor(
    new Float32Array(batch * pixels).map(() => Math.random()),
    [batch, shape.height, shape.width, shape.channels],
  );
  const y = tf.tensor1d(
    Int32Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const step = async (): Promise<void> => {
    const { value, grads } = tf.variableGrads(() => crossEntropy(logProbs(clf, x, true), y), vars);
    await value.data();
    value.dispose();
    sgd.step(names.map((n) => grads[n]));
    Object.values(grads).forEach((g) => g.dispose());
  };
  for (let i = 0; i < 3; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    await step();
    times.push(performance.now() - t);
  }
  const sorted = times.slice().sort((a, b) => a - b);
  const label = `${model}, batch ${batch}, ${threads ? `${threads} thread${threads === '1' ? '' : 's'}` : 'default threads'}, ${plain ? 'tfjs-node kernels only' : 'fused kernels'}`;
  console.log(
    `${label}: ${sorted[sorted.length >> 1].toFixed(1)} ms/step median (min ${sorted[0].toFixed(1)}) over ${steps} steps; ${tf.memory().numTensors} tensors held`,
  );
  if (!process.argv.includes('--profile')) return;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  const prof = await tf.profile(async () => {
    await step();
  });
  for (const k of prof.kernels) {
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.calls++;
    byKernel.set(k.name, e);
  }
  console.log(`${prof.kernels.length} kernel calls per step`);
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) {
    console.log(`${name.padEnd(28)} ${e.ms.toFixed(2).padStart(8)} ms ${String(e.calls).padStart(5)} calls`);
  }
}

void main();
