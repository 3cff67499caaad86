// The unlearning methods of this issue, behind one interface: θu (a copy of θo) is updated in
// place, one epoch at a time, with progress and cancel. SalUn is RL restricted to the saliency
// mask; the others are the simplest baselines (METHOD.md).
import type { MethodName, OptimizerRecipe } from '../../protocol/config';
import type { ImageSet } from '../data/dataset';
import type { Classifier } from '../models/io';
import { makeRng, subSeed } from '../rng';
import { trainPass, trainableVariables, type LossKind } from '../train/loop';
import { Sgd, type WeightMask } from '../train/sgd';
import { scheduledLr } from '../train/fit';

export interface UnlearnInput {
  method: MethodName;
  /** θu: starts as a copy of θo and is modified in place. */
  clf: Classifier;
  train: ImageSet;
  forget: Int32Array;
  retain: Int32Array;
  recipe: OptimizerRecipe;
  seed: number;
  /** Saliency mask (SalUn); must be absent for unmasked methods. */
  mask?: WeightMask;
  signal?: AbortSignal;
  onBatch?: (epoch: number, samplesDone: number, samplesPerEpoch: number) => void;
  /** Awaited after each epoch (evaluation happens there). */
  onEpoch?: (epoch: number, meanLoss: number) => Promise<void>;
}

interface Pass {
  set: 'forget' | 'retain';
  loss: LossKind;
}

/** What one epoch of each method does; SalUn and RL: Df with random labels, then Dr (authors' loop). */
const PASSES: Record<MethodName, Pass[]> = {
  salun: [{ set: 'forget', loss: 'random-label-ce' }, { set: 'retain', loss: 'ce' }],
  rl: [{ set: 'forget', loss: 'random-label-ce' }, { set: 'retain', loss: 'ce' }],
  ft: [{ set: 'retain', loss: 'ce' }],
  ga: [{ set: 'forget', loss: 'neg-ce' }],
};

export function methodUsesMask(method: MethodName): boolean {
  return method === 'salun';
}

export async function unlearn(u: UnlearnInput): Promise<void> {
  const vars = trainableVariables(u.clf);
  const optimizer = new Sgd(vars, { lr: u.recipe.lr, momentum: u.recipe.momentum, weightDecay: u.recipe.weightDecay }, u.mask);
  const rand = makeRng(subSeed(u.seed, `unlearn-${u.method}`));
  const passes = PASSES[u.method];
  const perEpoch = passes.reduce((n, p) => n + (p.set === 'forget' ? u.forget.length : u.retain.length), 0);
  try {
    for (let epoch = 1; epoch <= u.recipe.epochs; epoch++) {
      optimizer.options = { ...optimizer.options, lr: scheduledLr(u.recipe, epoch) };
      let before = 0;
      let lossSum = 0;
      for (const p of passes) {
        const indices = p.set === 'forget' ? u.forget : u.retain;
        const r = await trainPass({
          clf: u.clf, vars, optimizer, set: u.train, indices, batchSize: u.recipe.batchSize, loss: p.loss, rand,
          shuffle: true, signal: u.signal,
          onBatch: (done) => u.onBatch?.(epoch, before + done, perEpoch),
        });
        before += r.samples;
        lossSum += r.meanLoss * r.samples;
      }
      await u.onEpoch?.(epoch, lossSum / Math.max(1, before));
    }
  } finally {
    optimizer.dispose();
  }
}
