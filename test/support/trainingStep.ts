// One SGD training step of a built-in network from given weights, on any backend: the unit suite
// holds wasm to cpu with it, the backend suites webgpu and tensorflow.
import type { BackendName } from '../../src/protocol/backends';
import type { ArchitectureName } from '../../src/protocol/config';
import type { ImageSet } from '../../src/engine/data/dataset';
import { buildArchitecture, type InputShape } from '../../src/engine/models/architectures';
import { classifierOf } from '../../src/engine/models/io';
import { makeRng } from '../../src/engine/rng';
import { trainableVariables, trainPass } from '../../src/engine/train/loop';
import { Sgd } from '../../src/engine/train/sgd';
import { tf } from '../../src/engine/tf';

/** 4→2→1→1 through the stages: stride 2 on even and on odd sizes, the 1×1 shortcuts, BN over 4 samples at 1×1. */
export const STEP: InputShape = { height: 4, width: 4, channels: 3, numClasses: 10 };

export function randomImages(n: number, s: InputShape, seed: number): ImageSet {
  const rand = makeRng(seed);
  const images = Float32Array.from({ length: n * s.height * s.width * s.channels }, () => rand());
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 3) % s.numClasses);
  return { images, labels, n, height: s.height, width: s.width, channels: s.channels, numClasses: s.numClasses, source: 'random' };
}

export interface StepResult {
  loss: number;
  /** Every weight after the step (trainable and the BN moving statistics), in model.weights order. */
  weights: Float32Array[];
  names: string[];
  /** Kernels the step ran (when profiled: profiling reads every output back, slow on cpu). */
  kernels: Set<string>;
  /** Tensors the step left behind (the pass must hold its memory flat). */
  leaked: number;
}

/** One SGD step (the authors' momentum and weight decay) on a batch of 4, from the given weights. */
export async function oneStep(backend: BackendName, name: ArchitectureName, start: Float32Array[], set: ImageSet, profile: boolean): Promise<StepResult> {
  await tf.setBackend(backend);
  const model = buildArchitecture(name, STEP, 1);
  const initial = start.map((a, i) => tf.tensor(a, model.weights[i].shape as number[]));
  model.setWeights(initial);
  tf.dispose(initial);
  const clf = classifierOf(model);
  const vars = trainableVariables(clf);
  const sgd = new Sgd(vars, { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
  let loss = NaN;
  const pass = async (): Promise<void> => {
    ({ meanLoss: loss } = await trainPass({
      clf,
      vars,
      optimizer: sgd,
      set,
      indices: [0, 1, 2, 3],
      batchSize: 4,
      loss: 'ce',
      rand: makeRng(1),
      shuffle: false,
    }));
  };
  const before = tf.memory().numTensors;
  const kernels = profile ? (await tf.profile(pass)).kernels.map((k) => k.name) : (await pass(), []);
  const leaked = tf.memory().numTensors - before;
  const weights = await Promise.all(model.weights.map(async (w) => (await w.read().data()).slice() as Float32Array));
  const names = model.weights.map((w) => w.originalName);
  sgd.dispose();
  model.dispose();
  return { loss, weights, names, kernels: new Set(kernels), leaked };
}

/** max |a − b| / max |b − before|: the disagreement against the size of the step itself. */
export function stepRelativeError(a: Float32Array, b: Float32Array, before: Float32Array): number {
  let diff = 0;
  let step = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    step = Math.max(step, Math.abs(b[i] - before[i]));
  }
  return step === 0 ? diff : diff / step;
}
