// θo and Retrain: trained once, then reused from the model cache (store/runs/modelCache.ts keeps the
// files honest; this file adds the tensors: training, the divergence check, loading).
import { join } from 'node:path';
import type { OptimizerRecipe } from '../../protocol/config';
import type { JobPhase } from '../../protocol/jobMessages';
import type { SplitData } from '../data/dataset';
import { UserError } from '../../store/errors';
import { nonFiniteOutputs, nonFiniteWeights } from '../models/finite';
import { classifierOf, loadModel, modelFiles, type Classifier } from '../models/io';
import { PhaseProgress } from '../progress';
import { cacheEntryDir, discardCacheEntry, lockCacheEntry, readCacheEntry, writeCacheEntry, type LockOwner } from '../../store/runs/modelCache';
import { parseTrainingCurve, type TrainingCurve } from '../../store/runs/trainingCurve';
import { fit } from '../train/fit';
import type { T } from '../tf';
import type { JobContext } from './prepare';

/** `curve`: the model's own training curve; absent for entries cached before curves were kept. */
export type CachedModel = { clf: Classifier; seconds: number; from: 'trained' | 'cache'; curve?: TrainingCurve };

/** How long a job waits for another job training the same model before training its own copy. */
const LOCK_WAIT_MS = Number(process.env.SALUN_CACHE_LOCK_WAIT_MS) || 6 * 3600_000;

function recipeText(r: OptimizerRecipe): string {
  return `lr ${r.lr}, momentum ${r.momentum}, weight decay ${r.weightDecay}, batch ${r.batchSize}, ${r.epochs} epochs, ${r.schedule ?? 'cosine'} schedule`;
}

export function divergedError(label: string, recipe: OptimizerRecipe, epoch: number, what: string): UserError {
  return new UserError(
    `${label} diverged: ${what} at epoch ${epoch} of ${recipe.epochs} (${recipeText(recipe)}). It was not cached.`,
    `Train with a smaller learning rate (e.g. lr ${recipe.lr / 10}) or less momentum${recipe.momentum > 0.9 ? ` (e.g. ${0.9})` : ''}, then run again.`,
  );
}

/** The entry as a model, or undefined after logging why it cannot be used (and discarding it). */
async function loadEntry(ctx: JobContext, dir: string, label: string): Promise<CachedModel | undefined> {
  const entry = readCacheEntry(dir);
  if (entry.state === 'missing') return undefined;
  if (entry.state === 'ok') {
    try {
      const clf = classifierOf(await loadModel(join(dir, 'model.json'), ctx.signal));
      ctx.emit({
        type: 'log',
        level: 'info',
        message: `${label}: reusing the cached model in ${dir} (trained in ${entry.meta.seconds.toFixed(1)} s; checksum verified)`,
      });
      const curve = parseTrainingCurve(entry.meta.curve);
      return { clf, seconds: entry.meta.seconds, from: 'cache', ...(curve ? { curve } : {}) };
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      ctx.emit({ type: 'log', level: 'warn', message: `${label}: the cached model in ${dir} is discarded: ${(e as Error).message}; training it again` });
    }
  } else {
    ctx.emit({ type: 'log', level: 'warn', message: `${label}: the cached model in ${dir} is discarded: ${entry.problem}; training it again` });
  }
  discardCacheEntry(dir);
  return undefined;
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

function ownerText(o: LockOwner | undefined): string {
  return o ? `process ${o.pid} on ${o.host}, since ${o.since}` : 'a process that is just starting';
}

/**
 * Trains a model with `build()`'s architecture on `indices`, or returns the cached one. One job per
 * key trains; the others wait for it and reuse its entry.
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
  const dir = cacheEntryDir(ctx.workspaceDir, key);
  const cached = await loadEntry(ctx, dir, label);
  if (cached) return cached;
  const lock = await lockCacheEntry(dir, {
    signal: ctx.signal,
    timeoutMs: LOCK_WAIT_MS,
    // A phase, not only a log line: the CLI and the panel show phases, and a silent wait looks hung.
    onWait: (o) => ctx.emit({ type: 'phase', phase, label: `${label}: another job (${ownerText(o)}) is training this model; waiting to reuse it` }),
    onTakeOver: (o, why) => ctx.emit({ type: 'log', level: 'warn', message: `${label}: taking over the cache lock of ${ownerText(o)}: ${why}` }),
  });
  try {
    if (!lock.held)
      ctx.emit({
        type: 'log',
        level: 'warn',
        message: `${label}: still locked by ${ownerText(lock.owner)} after ${Math.round(LOCK_WAIT_MS / 60_000)} min; training a copy here`,
      });
    else {
      // The job we waited for has written it (or failed, and we train).
      const theirs = await loadEntry(ctx, dir, label);
      if (theirs) return theirs;
    }
    const { clf, seconds, curve } = await train(ctx, phase, label, build, data, indices, recipe, seed);
    const files = await modelFiles(clf.model);
    const meta = { seconds, recipe, seed, samples: indices.length, savedAt: new Date().toISOString(), curve };
    if (writeCacheEntry(dir, { ...files }, meta) === 'theirs') {
      // Another writer finished the same model first: use its entry, so both jobs share one θo.
      const theirs = await loadEntry(ctx, dir, label);
      if (theirs) {
        clf.model.dispose();
        return theirs;
      }
    }
    return { clf, seconds, from: 'trained', curve };
  } finally {
    if (lock.held) lock.release();
  }
}
