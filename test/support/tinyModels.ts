// Tiny data and models for engine unit tests (cpu backend, milliseconds per test).
import { assertNonSalientUnchanged } from './maskedWeights';
import { allIndices, type ImageSet } from '../../src/engine/data/dataset';
import { unlearn } from '../../src/engine/methods/unlearn';
import { classifierOf, cloneModel, type Classifier } from '../../src/engine/models/io';
import { makeRng } from '../../src/engine/rng';
import { buildMask, SaliencyIndex } from '../../src/store/saliency/mask';
import { computeSaliencyScores } from '../../src/engine/saliency/scores';
import { trainableVariables } from '../../src/engine/train/loop';
import type { TrainingPool } from '../../src/engine/train/parallel';
import { weightMask } from '../../src/engine/train/sgd';
import { tf } from '../../src/engine/tf';
import type { OptimizerRecipe } from '../../src/protocol/config';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** n random 4×4×1 images whose label is decided by which quadrant is brightest (learnable). */
export function toyImages(n: number, seed: number, numClasses = 3): ImageSet {
  const rand = makeRng(seed);
  const images = new Float32Array(n * 16);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = Math.floor(rand() * numClasses);
    labels[i] = label;
    for (let p = 0; p < 16; p++) images[i * 16 + p] = 0.3 * rand() + (p % numClasses === label ? 0.6 : 0);
  }
  return { images, labels, n, height: 4, width: 4, channels: 1, numClasses, source: 'toy' };
}

export function tinyMlp(seed: number, numClasses = 3, withBatchNorm = false): Classifier {
  const layers: NonNullable<NonNullable<Parameters<typeof tf.sequential>[0]>['layers']> = [
    tf.layers.flatten({ inputShape: [4, 4, 1] }),
    tf.layers.dense({ units: 8, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed }) }),
  ];
  if (withBatchNorm) layers.push(tf.layers.batchNormalization());
  layers.push(tf.layers.dense({ units: numClasses, kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }) }));
  return classifierOf(tf.sequential({ layers }));
}

/**
 * Three SalUn epochs (momentum and weight decay on) with a ratio-0.3 mask from θo's saliency on a
 * tiny MLP with batch norm, on one thread or `pool`'s; asserts every non-salient weight kept its
 * bits and returns how many salient weights moved, how many stayed frozen, and how many are salient.
 */
export async function maskedSalunBits(pool?: TrainingPool): Promise<{ moved: number; frozen: number; salient: number }> {
  const set = toyImages(60, 11);
  const original = tinyMlp(2, 3, true);
  const forget = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const index = new SaliencyIndex(await computeSaliencyScores(original, set, forget, 4));
  const masks = buildMask(index, index.summaryForRatio(0.3));
  const theta = classifierOf(await cloneModel(original.model));
  const vars = trainableVariables(theta);
  const before = vars.map((v) => v.dataSync().slice() as Float32Array);
  const { salient, anchor } = weightMask(vars, masks);
  await unlearn({
    method: 'salun',
    clf: theta,
    train: set,
    forget,
    retain: allIndices(60).slice(10),
    seed: 1,
    mask: { salient, anchor },
    recipe: { epochs: 3, lr: 0.1, momentum: 0.9, weightDecay: 0.05, batchSize: 8 },
    ...(pool ? { pool } : {}),
  });
  const { moved, frozen } = assertNonSalientUnchanged(
    before,
    vars.map((v) => v.dataSync() as Float32Array),
    masks,
    vars.map((v) => v.name),
  );
  tf.dispose([...salient, ...anchor]);
  theta.model.dispose();
  original.model.dispose();
  return { moved, frozen, salient: masks.reduce((n, m) => n + m.reduce((a, b) => a + b, 0), 0) };
}

/** A small SGD recipe for toy runs (2 epochs at 0.05, momentum 0.9, weight decay 5e-4, batches of 8, constant rate), with `o` over it. */
export function toyRecipe(o: Partial<OptimizerRecipe> = {}): OptimizerRecipe {
  return { epochs: 2, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, batchSize: 8, schedule: 'constant', ...o };
}

/** Every trainable weight of the model, copied (one array per variable). */
export function weightsOf(clf: Classifier): Float32Array[] {
  return trainableVariables(clf).map((v) => v.dataSync().slice() as Float32Array);
}
