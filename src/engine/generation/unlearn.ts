// One driver for unlearning a class of a class-conditional diffusion model: per iteration fresh
// seeded batches and draws (t, ε, c′, class dropout), the method's loss and gradients, a global-norm
// clip and one Adam step. SalUn-gen's Adam is the masked one (adam.ts: masked gradients, non-salient
// weights restored to θo bit for bit); RL-gen is the same loss with every weight free, which is what
// shows the mask's effect; ESD needs only Df; Retrain is the ordinary training step on Dr
// (train.ts's diffusionTrainStep) from whatever model it is given (a fresh one, for the reference).
import { generationFacet, type GenerationMethodName } from '../../protocol/genMethods';
import { methodLabel } from '../../protocol/methods';
import type { ImageSet } from '../data/dataset';
import { makeRng, subSeed } from '../rng';
import { throwIfAborted, UserError } from '../../store/errors';
import { weightMask } from '../train/sgd';
import { tf, type T } from '../tf';
import { Adam } from './adam';
import { BatchCycle } from './batchCycle';
import { clippedStepper } from './clipGradients';
import { esdLossGradients } from './esdLoss';
import { drawDiffusion } from './loss';
import { salunGenLossGradients, drawForget } from './salunGenLoss';
import type { OtherClassRule } from '../../protocol/generationConfig';
import { linearSchedule, type NoiseSchedule } from './schedule';
import { diffusionBatch, diffusionTrainStep, type GradientStepper } from './train';
import { unetNumClasses, unetVariables } from './unet';
import type { UnlearnLossGradients } from './unlearnLoss';
import { GENERATION_UNLEARN_RECIPE } from './unlearnRecipe';

/** A row of the generation method table, or 'retrain' (ordinary training on Dr: θo's and Retrain's loop). */
export type GenerationMethod = GenerationMethodName | 'retrain';

export interface ImageRows {
  set: ImageSet;
  indices: ArrayLike<number>;
}

export interface GenerationProgress {
  iteration: number;
  iterations: number;
  /** The loss the step minimised. */
  loss: number;
  /** Its forget term (SalUn-gen, RL-gen; ESD's whole loss); null for Retrain. */
  forgetLoss: number | null;
}

export interface GenerationUnlearnOptions {
  method: GenerationMethod;
  /** Trained in place: a copy of θo to unlearn, or a fresh model for Retrain. */
  model: T.LayersModel;
  /** θo, never trained: the targets of SalUn-gen, RL-gen and ESD. */
  frozen?: T.LayersModel;
  forget: ImageRows;
  retain: ImageRows;
  /** 0/1 per weight in unetVariables order: required by SalUn-gen, refused by RL-gen. */
  mask?: readonly Uint8Array[];
  iterations: number;
  lr: number;
  beta: number;
  eta: number;
  /** SalUn-gen's and RL-gen's c′ (default 'random'). */
  otherClass?: OtherClassRule;
  seed: number;
  batchSize?: number;
  /** Global gradient-norm clip; null turns it off. */
  gradClip?: number | null;
  /** Class dropout on the retain batches. */
  pUncond?: number;
  schedule?: NoiseSchedule;
  onProgress?: (p: GenerationProgress) => void;
  signal?: AbortSignal;
}

export interface GenerationUnlearnResult {
  losses: number[];
  /** Per iteration; empty for Retrain. */
  forgetLosses: number[];
  seconds: number;
}

type Iteration = () => Promise<{ loss: number; forget: number | null }>;

function checkOptions(o: GenerationUnlearnOptions): void {
  if (o.method !== 'retrain') {
    const label = methodLabel(o.method);
    const usesMask = generationFacet(o.method).usesMask;
    if (usesMask && !o.mask) throw new Error(`${label} (generation) needs a saliency mask`);
    if (!usesMask && o.mask) throw new Error(`${label} (generation) moves every weight: pass no mask`);
    if (!o.frozen) throw new Error(`${label} (generation) needs the frozen θo for its targets`);
  }
  if (o.frozen === o.model) throw new Error('the frozen θo must be a separate copy of the model');
  if (!(Number.isInteger(o.iterations) && o.iterations >= 0)) throw new Error(`iterations must be a whole number ≥ 0, got ${o.iterations}`);
}

function finite(value: number): number {
  if (!Number.isFinite(value)) {
    throw new UserError(
      `The unlearning loss became ${value}.`,
      'The learning rate is probably too high for this model: lower it (e.g. halve it) and run again.',
    );
  }
  return value;
}

/** Reads the loss and its forget term, steps, and disposes everything the loss function made. */
async function applyStep(stepper: GradientStepper, lg: UnlearnLossGradients): Promise<{ loss: number; forget: number }> {
  try {
    const [loss, forget] = await Promise.all([lg.loss.data(), lg.forget.data()]);
    const value = finite(loss[0]);
    stepper.step(lg.grads);
    return { loss: value, forget: forget[0] };
  } finally {
    tf.dispose([lg.loss, lg.forget, ...lg.grads]);
  }
}

interface Draws {
  k: number;
  pUncond: number;
  rand: () => number;
  cycle(rows: ImageRows, purpose: string): BatchCycle;
}

function drawsFor(o: GenerationUnlearnOptions): Draws {
  const batchSize = o.batchSize ?? GENERATION_UNLEARN_RECIPE.batchSize;
  return {
    k: unetNumClasses(o.model),
    pUncond: o.pUncond ?? GENERATION_UNLEARN_RECIPE.pUncond,
    rand: makeRng(subSeed(o.seed, 'generation unlearning draws')),
    cycle: (rows, purpose) => new BatchCycle(rows.indices, batchSize, makeRng(subSeed(o.seed, purpose))),
  };
}

function retrainIteration(o: GenerationUnlearnOptions, stepper: GradientStepper, schedule: NoiseSchedule, d: Draws): Iteration {
  const rows = d.cycle(o.retain, 'generation retain batches');
  return async () => {
    const batch = diffusionBatch(o.retain.set, rows.next());
    const loss = await diffusionTrainStep(o.model, stepper, schedule, batch, drawDiffusion(batch, schedule, d.k, d.pUncond, d.rand));
    return { loss, forget: null };
  };
}

function esdIteration(o: GenerationUnlearnOptions, frozen: T.LayersModel, stepper: GradientStepper, schedule: NoiseSchedule, d: Draws): Iteration {
  const rows = d.cycle(o.forget, 'generation forget batches');
  return async () => {
    const batch = diffusionBatch(o.forget.set, rows.next());
    return applyStep(stepper, esdLossGradients(o.model, frozen, schedule, batch, drawDiffusion(batch, schedule, d.k, 0, d.rand), o.eta));
  };
}

/** SalUn-gen and RL-gen: one forget and one retain batch per step. */
function salunIteration(o: GenerationUnlearnOptions, frozen: T.LayersModel, stepper: GradientStepper, schedule: NoiseSchedule, d: Draws): Iteration {
  const forgetRows = d.cycle(o.forget, 'generation forget batches');
  const retainRows = d.cycle(o.retain, 'generation retain batches');
  return async () => {
    const forget = diffusionBatch(o.forget.set, forgetRows.next());
    const draw = drawForget(forget, schedule, d.k, d.rand, o.otherClass);
    const retain = diffusionBatch(o.retain.set, retainRows.next());
    const retainDraw = drawDiffusion(retain, schedule, d.k, d.pUncond, d.rand);
    return applyStep(stepper, salunGenLossGradients(o.model, frozen, schedule, forget, draw, { batch: retain, draw: retainDraw, beta: o.beta }));
  };
}

function iterationFor(o: GenerationUnlearnOptions, stepper: GradientStepper, schedule: NoiseSchedule): Iteration {
  const d = drawsFor(o);
  if (o.method === 'retrain') return retrainIteration(o, stepper, schedule, d);
  return ITERATIONS[o.method](o, o.frozen as T.LayersModel, stepper, schedule, d);
}

/** Each generation method's step, by its row's name (RL-gen is SalUn-gen's step; the mask is what differs). */
const ITERATIONS = {
  salun: salunIteration,
  esd: esdIteration,
  rl: salunIteration,
} satisfies Record<
  GenerationMethodName,
  (o: GenerationUnlearnOptions, frozen: T.LayersModel, stepper: GradientStepper, schedule: NoiseSchedule, d: Draws) => Iteration
>;

/** Runs the method for o.iterations Adam steps on o.model (in place); throws CancelledError on abort. */
export async function unlearnGeneration(o: GenerationUnlearnOptions): Promise<GenerationUnlearnResult> {
  checkOptions(o);
  const t0 = Date.now();
  const vars = unetVariables(o.model);
  const mask = o.mask ? weightMask(vars, o.mask) : undefined;
  const adam = new Adam(vars, { lr: o.lr }, mask);
  const clip = o.gradClip === undefined ? GENERATION_UNLEARN_RECIPE.gradClip : (o.gradClip ?? undefined);
  const step = iterationFor(o, clippedStepper(adam, clip), o.schedule ?? linearSchedule());
  const losses: number[] = [];
  const forgetLosses: number[] = [];
  try {
    for (let i = 1; i <= o.iterations; i++) {
      throwIfAborted(o.signal);
      const { loss, forget } = await step();
      losses.push(loss);
      if (forget !== null) forgetLosses.push(forget);
      o.onProgress?.({ iteration: i, iterations: o.iterations, loss, forgetLoss: forget });
      await new Promise((r) => setImmediate(r));
    }
    return { losses, forgetLosses, seconds: (Date.now() - t0) / 1000 };
  } finally {
    adam.dispose();
    if (mask) tf.dispose([...mask.salient, ...mask.anchor]);
  }
}
