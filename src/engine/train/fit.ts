// Training from scratch with the paper's recipe (SGD + momentum + weight decay, seeded shuffles):
// the original model on D, and Retrain on Dr, with the same function so the comparison is fair.
import type { OptimizerRecipe } from '../../protocol/config';
import type { ImageSet } from '../data/dataset';
import type { Classifier } from '../models/io';
import { makeRng, subSeed } from '../rng';
import { trainPass, trainableVariables } from './loop';
import type { TrainingPool } from './parallel';
import { Sgd } from './sgd';

export interface FitOptions {
  clf: Classifier;
  set: ImageSet;
  indices: Int32Array;
  recipe: OptimizerRecipe;
  seed: number;
  signal?: AbortSignal;
  /** Data-parallel worker threads for the gradients (parallel.ts); absent: this thread. */
  pool?: TrainingPool;
  onBatch?: (epoch: number, done: number, total: number) => void;
  onEpoch?: (epoch: number, meanLoss: number) => void | Promise<void>;
}

/**
 * The learning rate of an epoch (1-based). Cosine decay to 0 is what lets a small model reach
 * ≈100% training accuracy (memorisation, as the paper's original models) in few epochs, and lets
 * an unlearning run end with small steps that restore retain accuracy.
 */
export function scheduledLr(recipe: OptimizerRecipe, epoch: number): number {
  if (recipe.schedule === 'constant') return recipe.lr;
  return 0.5 * recipe.lr * (1 + Math.cos((Math.PI * (epoch - 1)) / recipe.epochs));
}

export async function fit(o: FitOptions): Promise<void> {
  const vars = trainableVariables(o.clf);
  const optimizer = new Sgd(vars, { lr: o.recipe.lr, momentum: o.recipe.momentum, weightDecay: o.recipe.weightDecay });
  const rand = makeRng(subSeed(o.seed, 'fit'));
  try {
    for (let epoch = 1; epoch <= o.recipe.epochs; epoch++) {
      optimizer.options = { ...optimizer.options, lr: scheduledLr(o.recipe, epoch) };
      const r = await trainPass({
        clf: o.clf, vars, optimizer, set: o.set, indices: o.indices, batchSize: o.recipe.batchSize, loss: 'ce', rand,
        shuffle: true, signal: o.signal, pool: o.pool, onBatch: (done) => o.onBatch?.(epoch, done, o.indices.length),
      });
      await o.onEpoch?.(epoch, r.meanLoss);
    }
  } finally {
    optimizer.dispose();
  }
}
