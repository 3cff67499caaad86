// The unlearning methods behind one interface: θu (a copy of θo) is updated in place, one epoch at
// a time, with progress and cancel. SalUn is RL restricted to the saliency mask; the baselines are
// in METHOD.md. Any method runs masked when a mask is given ("saliency + X"): the optimizer masks
// its gradients and restores non-salient weights to θo exactly after every step.
import type { MethodName, MethodOptions, OptimizerRecipe } from '../../protocol/config';
import type { ImageSet } from '../data/dataset';
import type { Classifier } from '../models/io';
import type { TrainingPool } from '../train/parallel';
import { trainableVariables } from '../train/loop';
import { Sgd, type WeightMask } from '../train/sgd';
import { boundaryExpanding } from './boundaryExpanding';
import { boundaryShrink } from './boundaryShrink';
import { runEpochs, type Pass } from './epochs';
import { influenceUnlearning } from './influence';
import { l1Sparse } from './l1Sparse';
import { resolveMethodOptions } from './options';
import { salunSoft } from './salunSoft';

export interface UnlearnInput {
  method: MethodName;
  /** θu: starts as a copy of θo and is modified in place. */
  clf: Classifier;
  train: ImageSet;
  forget: Int32Array;
  retain: Int32Array;
  recipe: OptimizerRecipe;
  seed: number;
  /** Saliency mask: present exactly when methodUsesMask(method, masked) (always for SalUn). */
  mask?: WeightMask;
  /** Per-method hyper-parameters; what is left out takes DEFAULT_METHOD_OPTIONS. */
  options?: MethodOptions;
  signal?: AbortSignal;
  /**
   * Data-parallel worker threads for every pass through trainPass (all methods but IU, whose
   * gradient sums and per-sample Fisher gradients are its own loop on this thread).
   */
  pool?: TrainingPool;
  /** Checked at epoch boundaries only (after onEpoch): the model then holds whole epochs' updates. */
  stop?: AbortSignal;
  onBatch?: (epoch: number, samplesDone: number, samplesPerEpoch: number) => void;
  /** Awaited after each epoch (evaluation happens there); IU, being one-shot, calls it once. */
  onEpoch?: (epoch: number, meanLoss: number) => Promise<void>;
}

/** What one epoch of the plain methods does; SalUn and RL: Df with random labels, then Dr (authors' loop). */
const PASSES: Partial<Record<MethodName, Pass[]>> = {
  salun: [{ set: 'forget', loss: 'random-label-ce' }, { set: 'retain', loss: 'ce' }],
  rl: [{ set: 'forget', loss: 'random-label-ce' }, { set: 'retain', loss: 'ce' }],
  ft: [{ set: 'retain', loss: 'ce' }],
  ga: [{ set: 'forget', loss: 'neg-ce' }],
};

/** SalUn always needs the saliency mask; every other method when it runs masked. */
export function methodUsesMask(method: MethodName, masked = false): boolean {
  return method === 'salun' || masked;
}

/** How many times onEpoch is called: IU is a single step. */
export function methodEpochs(method: MethodName, recipe: OptimizerRecipe): number {
  return method === 'iu' ? 1 : recipe.epochs;
}

export async function unlearn(u: UnlearnInput): Promise<void> {
  const options = resolveMethodOptions(u.options);
  switch (u.method) {
    case 'l1': return l1Sparse(u, options.l1);
    case 'bs': return boundaryShrink(u, options.bs);
    case 'be': return boundaryExpanding(u, options.be);
    case 'iu': return influenceUnlearning(u, options.iu);
    case 'salun-soft': return salunSoft(u, options.salunSoft, PASSES.rl!);
    default: {
      const vars = trainableVariables(u.clf);
      const optimizer = new Sgd(vars, { lr: u.recipe.lr, momentum: u.recipe.momentum, weightDecay: u.recipe.weightDecay }, u.mask);
      try {
        await runEpochs(u, { clf: u.clf, vars, optimizer, train: u.train, passes: PASSES[u.method]! });
      } finally {
        optimizer.dispose();
      }
    }
  }
}
