// Classifiers (θo, Retrain, the FID judge): trained once, then reused from the model cache
// (cacheStep.ts); this file adds the tensors: training, the divergence check, loading.
import { join } from 'node:path';
import type { OptimizerRecipe } from '../../../protocol/config';
import type { JobPhase } from '../../../protocol/jobMessages';
import type { SplitData } from '../../data/dataset';
import { UserError } from '../../../store/errors';
import { nonFiniteOutputs, nonFiniteWeights } from '../../models/finite';
import { classifierOf, loadModel, modelFiles, type Classifier } from '../../models/io';
import { PhaseProgress } from '../../progress';
import { parseTrainingCurve, type TrainingCurve } from '../../../store/runs/trainingCurve';
import { fit } from '../../train/fit';
import type { T } from '../../tf';
import type { JobContext } from './jobContext';
import { cachedOrTrained } from './cacheStep';
import { entryFiles } from '../../../store/runs/modelCache';

/**
 * `curve`: the model's own training curve; absent for entries cached before curves were kept.
 * `files`: the cache entry's files that hold this model (absent when it is in no entry).
 */
export type CachedModel = { clf: Classifier; seconds: number; from: 'trained' | 'cache'; curve?: TrainingCurve; files?: string[] };

function recipeText(r: OptimizerRecipe): string {
  return `lr ${r.lr}, momentum ${r.momentum}, weight decay ${r.weightDecay}, batch ${r.batchSize}, ${r.epochs} epochs, ${r.schedule ?? 'cosine'} schedule`;
}

export function divergedError(label: string, recipe: OptimizerRecipe, epoch: number, what: string): UserError {
  return new UserError(
    `${label} diverged: ${what} at epoch ${epoch} of ${recipe.epochs} (${recipeText(recipe)}). It was not cached.`,
    `Train with a smaller learning rate (e.g. lr ${recipe.lr / 10}) or less momentum${recipe.momentum > 0.9 ? ` (e.g. ${0.9})` : ''}, then run again.`,
  );
}

async function train(
  ctx: JobContext,
  phase: JobPhase,
  label: string,
  build: () => Promise<T.LayersModel> | T.LayersModel,
  data: SplitData,
  indices: Int32Array,
  recipe: OptimizerRecipe,
  seed: number,
): Promise<{ clf: Classifier; seconds: number; curve: TrainingCurve }> {
  ctx.emit({ type: 'phase', phase, label: `${label}: ${recipe.epochs} epochs on ${indices.length} samples` });
  const clf = classifierOf(await build());
  const progress = new PhaseProgress(ctx.emit, phase, recipe.epochs * indices.length);
  const t0 = Date.now();
  let epochNow = 1;
  let curve: TrainingCurve;
  try {
    curve = await fit({
      clf,
      set: data.train,
      indices,
      recipe,
      seed,
      signal: ctx.signal,
      pool: ctx.training,
      onBatch: (epoch, done) => {
        epochNow = epoch;
        progress.update((epoch - 1) * indices.length + done, epoch);
      },
      onEpoch: (epoch, loss, accuracy) => {
        ctx.emit({
          type: 'log',
          level: 'info',
          message: `${label}: epoch ${epoch}/${recipe.epochs}, loss ${loss.toFixed(4)}${Number.isFinite(accuracy) ? `, train accuracy ${accuracy.toFixed(2)}%` : ''}`,
        });
        // Stop at the first bad epoch: the remaining ones cannot bring it back.
        if (!Number.isFinite(loss)) throw divergedError(label, recipe, epoch, `the training loss became ${loss}`);
      },
    });
    const bad = await nonFiniteWeights(clf.model);
    if (bad.count > 0) throw divergedError(label, recipe, recipe.epochs, `${bad.count} weights are NaN or ±Inf (first in ${bad.firstLayer})`);
    const badOut = await nonFiniteOutputs(clf, data.train, indices);
    if (badOut > 0) throw divergedError(label, recipe, recipe.epochs, `its weights grew so large that ${badOut} outputs on training samples are NaN or ±Inf`);
  } catch (e) {
    clf.model.dispose();
    // The training loop's own NaN check (loop.ts) knows the sample, not the recipe or the epoch.
    if (e instanceof UserError && /^The loss became/.test(e.message))
      throw divergedError(label, recipe, epochNow, `t${e.message.slice(1).replace(/ of this pass\.$/, '')}`);
    throw e;
  }
  return { clf, seconds: (Date.now() - t0) / 1000, curve };
}

/**
 * Trains a model with `build()`'s architecture on `indices`, or returns the cached one. One job per
 * key trains; the others wait for it and reuse its entry (cacheStep.ts).
 */
export async function trainedOrCached(
  ctx: JobContext,
  key: string,
  phase: JobPhase,
  label: string,
  build: () => Promise<T.LayersModel> | T.LayersModel,
  data: SplitData,
  indices: Int32Array,
  recipe: OptimizerRecipe,
  seed: number,
): Promise<CachedModel> {
  const r = await cachedOrTrained<Classifier>(ctx, {
    key,
    phase,
    label,
    load: async (dir) => classifierOf(await loadModel(join(dir, 'model.json'), ctx.signal)),
    train: async () => {
      const { clf, seconds, curve } = await train(ctx, phase, label, build, data, indices, recipe, seed);
      return { model: clf, seconds, meta: { recipe, seed, samples: indices.length, savedAt: new Date().toISOString(), curve } };
    },
    files: async (clf) => ({ ...(await modelFiles(clf.model)) }),
    dispose: (clf) => clf.model.dispose(),
  });
  const curve = parseTrainingCurve(r.meta.curve);
  const files = r.dir ? entryFiles(r.dir) : undefined;
  return { clf: r.model, seconds: r.seconds, from: r.from, ...(curve ? { curve } : {}), ...(files ? { files } : {}) };
}
