// The per-epoch loop the iterative methods share: one or more passes over Df and/or Dr per epoch,
// the epoch's learning rate, progress per batch, then the caller's onEpoch (evaluation).
import type { ImageSet } from '../data/dataset';
import type { Classifier } from '../models/io';
import { makeRng, subSeed } from '../rng';
import { scheduledLr } from '../train/fit';
import { trainableVariables, trainPass, type LossKind } from '../train/loop';
import { Sgd } from '../train/sgd';
import type { T } from '../tf';
import type { UnlearnInput } from './input';

export interface Pass {
  set: 'forget' | 'retain';
  loss: LossKind;
}

export interface EpochLoop {
  /** The model that trains: θu itself, or a widened copy (BE). */
  clf: Classifier;
  vars: T.Variable[];
  optimizer: Sgd;
  /** The rows' images and labels; BS and BE pass a copy whose forget labels are their targets. */
  train: ImageSet;
  passes: Pass[];
  /** Runs after the epoch's learning rate is set, before its passes (ℓ1's α_t). */
  beforeEpoch?: (epoch: number) => void;
  /** Runs after the passes, before onEpoch: BE copies its weights back into θu here. */
  afterEpoch?: (epoch: number) => void;
  /**
   * The method whose shuffles and random labels to draw (default: u.method). ℓ1 draws FT's and
   * SalUn-soft RL's, so with α = 0 or λ = 0 they are those methods bit for bit, and a comparison
   * at one seed differs only by the method's own rule.
   */
  streamOf?: string;
}

/** A method's passes with the RNG stream they draw from (see EpochLoop.streamOf). */
export interface PassPlan {
  passes: Pass[];
  streamOf?: string;
}

/** The plain methods (SalUn, RL, FT, GA): their passes with SGD on θu, masked when a mask is given. */
export async function sgdEpochs(u: UnlearnInput, plan: PassPlan): Promise<void> {
  const vars = trainableVariables(u.clf);
  const optimizer = new Sgd(vars, { lr: u.recipe.lr, momentum: u.recipe.momentum, weightDecay: u.recipe.weightDecay }, u.mask);
  try {
    await runEpochs(u, { clf: u.clf, vars, optimizer, train: u.train, ...plan });
  } finally {
    optimizer.dispose();
  }
}

export async function runEpochs(u: UnlearnInput, loop: EpochLoop): Promise<void> {
  const rand = makeRng(subSeed(u.seed, `unlearn-${loop.streamOf ?? u.method}`));
  const perEpoch = loop.passes.reduce((n, p) => n + (p.set === 'forget' ? u.forget.length : u.retain.length), 0);
  for (let epoch = 1; epoch <= u.recipe.epochs; epoch++) {
    loop.optimizer.options = { ...loop.optimizer.options, lr: scheduledLr(u.recipe, epoch) };
    loop.beforeEpoch?.(epoch);
    let before = 0;
    let lossSum = 0;
    for (const p of loop.passes) {
      const indices = p.set === 'forget' ? u.forget : u.retain;
      const r = await trainPass({
        clf: loop.clf,
        vars: loop.vars,
        optimizer: loop.optimizer,
        set: loop.train,
        indices,
        batchSize: u.recipe.batchSize,
        loss: p.loss,
        rand,
        shuffle: true,
        signal: u.signal,
        pool: u.pool,
        onBatch: (done) => u.onBatch?.(epoch, before + done, perEpoch),
      });
      before += r.samples;
      lossSum += r.meanLoss * r.samples;
    }
    loop.afterEpoch?.(epoch);
    await u.onEpoch?.(epoch, lossSum / Math.max(1, before));
    if (u.stop?.aborted) return;
  }
}

/** A copy of the set's metadata and images with new labels for some rows (the images are shared, not copied). */
export function relabelled(set: ImageSet, rows: ArrayLike<number>, labels: ArrayLike<number>, numClasses = set.numClasses): ImageSet {
  const out = set.labels.slice();
  for (let i = 0; i < rows.length; i++) out[rows[i]] = labels[i];
  return { ...set, labels: out, numClasses };
}
