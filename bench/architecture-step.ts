// Wall time of one training step (forward, backward, SGD with momentum and weight decay) of a
// built-in architecture at a given batch and image size: the paper's scale (ResNet-18 on 32×32×3)
// priced on a backend. The first step (kernel set-up, XNNPACK packing caches) is reported apart.
// The process's CPU time per step is printed beside the wall time: on a shared machine the wall
// time includes waiting for a core, the CPU time does not (one-thread backends only).
//
//   node out/bench/architecture-step.js [--model resnet18] [--backend wasm] [--batch 32] [--size 32]
//                                       [--channels 3] [--steps 3] [--onnx model.onnx]
// --onnx: the same step on an imported ONNX graph (its import time printed too), to compare an
// imported network with its built-in twin on one backend.
import { selectBackend } from '../src/engine/backend/select';
import { isArchitectureName, type BackendChoice } from '../src/protocol/config';
import { buildArchitecture } from '../src/engine/models/architectures';
import { classifierOf } from '../src/engine/models/io';
import { importOnnx } from '../src/engine/models/onnx/importOnnx';
import { readOnnx } from '../src/engine/models/onnx/onnxFile';
import { makeRng } from '../src/engine/rng';
import { trainableVariables, trainPass } from '../src/engine/train/loop';
import { Sgd } from '../src/engine/train/sgd';
import { tf } from '../src/engine/tf';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const model = arg('model', 'resnet18');
  if (!isArchitectureName(model)) throw new Error(`--model ${model} is not a built-in architecture`);
  const batch = Number(arg('batch', '32'));
  const size = Number(arg('size', '32'));
  const channels = Number(arg('channels', '3'));
  const steps = Number(arg('steps', '3'));
  const chosen = await selectBackend(arg('backend', 'wasm') as BackendChoice);
  const shape = { height: size, width: size, channels, numClasses: 10 };
  const onnxPath = arg('onnx', '');
  let clf;
  if (onnxPath) {
    const t0 = performance.now();
    const { graph } = await readOnnx(onnxPath);
    clf = classifierOf(importOnnx(graph).model);
    console.log(`import of ${onnxPath}: ${(performance.now() - t0).toFixed(0)} ms`);
  } else clf = classifierOf(buildArchitecture(model, shape, 1));
  const vars = trainableVariables(clf);
  const sgd = new Sgd(vars, { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
  const rand = makeRng(1);
  const set = {
    images: Float32Array.from({ length: batch * size * size * channels }, () => rand()),
    labels: Int32Array.from({ length: batch }, (_, i) => i % 10),
    n: batch,
    height: size,
    width: size,
    channels,
    numClasses: 10,
    source: 'random',
  };
  const indices = Array.from({ length: batch }, (_, i) => i);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await trainPass({ clf, vars, optimizer: sgd, set, indices, batchSize: batch, loss: 'ce', rand, shuffle: false });
    const c = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const timed = times.slice(1);
  const weights = vars.reduce((n, v) => n + v.size, 0);
  console.log(`${onnxPath || model} ${size}×${size}×${channels}, ${weights} trainable weights, batch ${batch} on ${chosen.name} (${chosen.detail})`);
  console.log(
    `first step ${times[0].toFixed(0)} ms; next ${steps}: wall median ${median(timed).toFixed(0)} ms, min ${Math.min(...timed).toFixed(0)} ms; CPU median ${median(cpuTimes.slice(1)).toFixed(0)} ms, min ${Math.min(...cpuTimes.slice(1)).toFixed(0)} ms`,
  );
  console.log(`tensors after: ${tf.memory().numTensors}`);
}

void main();
