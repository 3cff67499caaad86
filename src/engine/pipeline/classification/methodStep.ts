// The two model-producing steps every comparison needs, shared by the unlearning run (runJob.ts)
// and the comparison table (tableJob.ts): Retrain on Dr, and one method applied to a copy of θo
// (saliency mask first when the method uses one). Evaluation stays with the caller.
import type { MethodName, MethodOptions, ModelSpec, OptimizerRecipe, SaliencyConfig } from '../../../protocol/config';
import type { SaliencySummary } from '../../../protocol/results';
import { freshModel } from '../../models/sources';
import { classifierOf, cloneModel, type Classifier } from '../../models/io';
import { methodEpochs, methodRunLabel, methodUsesMask, singleThreadNote } from '../../../protocol/methods';
import { unlearn } from '../../methods/unlearn';
import { unseenReference } from '../../metrics/sampleOutputs';
import { PhaseProgress } from '../../progress';
import type { RunFolder } from '../../../store/runs/runFolder';
import { tf, type T } from '../../tf';
import { weightMask } from '../../train/sgd';
import { trainableVariables } from '../../train/loop';
import { configHash, splitHash, workersKey, type Prepared } from './prepare';
import { trainedOrCached } from '../shared/cachedModel';
import type { JobContext } from '../shared/jobContext';
import { saliencyStep } from './saliencyStep';
import type { TrainingCurve } from '../../../store/runs/trainingCurve';
import { glossed } from '../../../protocol/terms';

/** What Retrain needs from a run's config: the same architecture, recipe and seed as θo. */
export interface RetrainSpec {
  model: ModelSpec;
  train: OptimizerRecipe;
  seed: number;
}

/** Trains (or loads from the cache) the Retrain reference on Dr. */
export async function retrainReference(
  config: RetrainSpec,
  p: Prepared,
  ctx: JobContext,
): Promise<{ model: T.LayersModel; seconds: number; from: 'trained' | 'cache'; curve?: TrainingCurve }> {
  const key = configHash({
    what: 'retrain',
    v: 1,
    data: p.dataFingerprint,
    model: config.model,
    recipe: config.train,
    seed: config.seed,
    forget: splitHash(p.split),
    ...workersKey(ctx),
  });
  const r = await trainedOrCached(
    ctx,
    key,
    'retrain',
    glossed('retrain'),
    () => {
      const t = p.data.train;
      return freshModel(config.model, p.original, { height: t.height, width: t.width, channels: t.channels, numClasses: t.numClasses }, config.seed);
    },
    p.data,
    p.split.retain,
    config.train,
    config.seed,
  );
  return { model: r.clf.model, seconds: r.seconds, from: r.from, ...(r.curve ? { curve: r.curve } : {}) };
}

/** What one method needs from a run's config. */
export interface MethodSpec {
  method: MethodName;
  masked?: boolean;
  methodOptions?: MethodOptions;
  saliency: SaliencyConfig;
  unlearn: OptimizerRecipe;
  seed: number;
}

export interface MethodOutcome {
  /** θu; the caller disposes theta.model. */
  theta: Classifier;
  /** Saliency (when the method uses the mask) + unlearning wall time, without any evaluation. */
  seconds: number;
  saliency?: SaliencySummary;
  /** Epochs run: fewer than `epochs` when ctx.stop ended the loop early. */
  epochsDone: number;
  epochs: number;
}

/**
 * Applies one method to a copy of θo. `onEpoch` runs after every epoch (per-epoch evaluation);
 * its time is not counted in `seconds`. The saliency map, when needed, is written under
 * `saliencyFolder` (saliency/mask.bits, scores.f32, summary.json).
 */
export async function applyMethod(
  p: Prepared,
  spec: MethodSpec,
  ctx: JobContext,
  saliencyFolder: Pick<RunFolder, 'path'>,
  onEpoch?: (epoch: number, loss: number, theta: Classifier) => Promise<void>,
): Promise<MethodOutcome> {
  let saliency: SaliencySummary | undefined;
  let saliencySeconds = 0;
  const theta = classifierOf(await cloneModel(p.original.model));
  const anchors: T.Tensor[] = [];
  const salient: T.Tensor[] = [];
  try {
    if (methodUsesMask(spec.method, spec.masked, spec.methodOptions)) {
      const s = await saliencyStep(p, spec.saliency, spec.unlearn.batchSize, saliencyFolder, ctx);
      saliency = s.summary;
      saliencySeconds = s.seconds;
      const m = weightMask(trainableVariables(theta), s.masks);
      anchors.push(...m.anchor);
      salient.push(...m.salient);
    }

    const epochs = methodEpochs(spec.method, spec.unlearn, spec.methodOptions);
    ctx.emit({ type: 'phase', phase: 'unlearn', label: methodRunLabel(spec.method, spec.masked, epochs, spec.methodOptions) });
    const progress = new PhaseProgress(ctx.emit, 'unlearn', epochs);
    const oneThread = singleThreadNote(spec.method);
    if (oneThread && (ctx.training?.effectiveWorkers ?? 1) > 1) ctx.emit({ type: 'log', level: 'warn', message: oneThread });
    let unlearnMs = 0;
    let epochsDone = 0;
    let epochStart = Date.now();
    await unlearn({
      method: spec.method,
      clf: theta,
      train: p.data.train,
      forget: p.split.forget,
      retain: p.split.retain,
      recipe: spec.unlearn,
      seed: spec.seed,
      mask: salient.length ? { salient, anchor: anchors } : undefined,
      options: spec.methodOptions,
      signal: ctx.signal,
      stop: ctx.stop,
      pool: ctx.training,
      heldOut: unseenReference(p.data.test, p.heldOut, p.split.forgottenClass),
      test: { set: p.data.test, indices: p.testIndices },
      folder: saliencyFolder,
      log: (level, message) => ctx.emit({ type: 'log', level, message }),
      onBatch: (epoch, done, total) => progress.update(epoch - 1 + done / total, epoch),
      onEpoch: async (epoch, loss) => {
        unlearnMs += Date.now() - epochStart; // evaluation is measurement, not part of the method's time
        epochsDone = epoch;
        if (onEpoch) await onEpoch(epoch, loss, theta);
        epochStart = Date.now();
      },
    });
    return { theta, seconds: saliencySeconds + unlearnMs / 1000, saliency, epochsDone, epochs };
  } catch (e) {
    theta.model.dispose();
    throw e;
  } finally {
    tf.dispose([...anchors, ...salient]);
  }
}
