// The one way a job gets a trained model it may share with other jobs (θo, Retrain, a DDPM, the
// FID judge): reuse the cache entry when its checksums hold, otherwise take the entry's lock — one
// trainer per key, waiting with a timeout, taking over the lock of a dead owner and saying so —
// train, and write the entry, deferring to another writer who finished first. store/runs/modelCache.ts
// keeps the files honest; this file adds the job's side: messages, the wait as a phase, disposal.
import type { JobPhase } from '../../../protocol/jobMessages';
import { cacheEntryDir, discardCacheEntry, lockCacheEntry, readCacheEntry, writeCacheEntry, type LockOwner } from '../../../store/runs/modelCache';
import type { Emit } from '../../progress';

/** What of a job the cache step uses (a JobContext is one). */
export interface CacheContext {
  workspaceDir: string;
  emit: Emit;
  signal: AbortSignal;
}

/** How long a job waits for another job training the same model before training its own copy. */
const LOCK_WAIT_MS = Number(process.env.SALUN_CACHE_LOCK_WAIT_MS) || 6 * 3600_000;

export interface CacheStep<M> {
  key: string;
  /** The phase the wait for another trainer is shown as. */
  phase: JobPhase;
  label: string;
  /** The model of a verified entry; throws when its files do not make one. */
  load(dir: string): Promise<M>;
  /** Trains the model; `meta` is what the entry records beside the checksums. */
  train(): Promise<{ model: M; seconds: number; meta: Record<string, unknown> }>;
  files(model: M): Promise<Record<string, string | Uint8Array>>;
  dispose(model: M): void;
}

export interface StepModel<M> {
  model: M;
  seconds: number;
  from: 'trained' | 'cache';
  /** The entry's meta.json (from the cache) or what was written (trained). */
  meta: Record<string, unknown>;
  /** The cache entry that holds this very model (absent when another writer's entry won and could not be read). */
  dir?: string;
}

/** The entry as a model, or undefined after saying why it cannot be used (and discarding it). */
async function loadEntry<M>(ctx: CacheContext, step: CacheStep<M>, dir: string): Promise<StepModel<M> | undefined> {
  const entry = readCacheEntry(dir);
  if (entry.state === 'missing') return undefined;
  let problem: string;
  if (entry.state === 'ok') {
    try {
      const model = await step.load(dir);
      ctx.emit({
        type: 'log',
        level: 'info',
        message: `${step.label}: reusing the cached model in ${dir} (trained in ${entry.meta.seconds.toFixed(1)} s; checksum verified)`,
      });
      return { model, seconds: entry.meta.seconds, from: 'cache', meta: entry.meta, dir };
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      problem = (e as Error).message;
    }
  } else problem = entry.problem;
  ctx.emit({ type: 'log', level: 'warn', message: `${step.label}: the cached model in ${dir} is discarded: ${problem}; training it again` });
  discardCacheEntry(dir);
  return undefined;
}

function ownerText(o: LockOwner | undefined): string {
  return o ? `process ${o.pid} on ${o.host}, since ${o.since}` : 'a process that is just starting';
}

/** The model of `step.key`: from the cache, or trained here (and cached). */
export async function cachedOrTrained<M>(ctx: CacheContext, step: CacheStep<M>): Promise<StepModel<M>> {
  const dir = cacheEntryDir(ctx.workspaceDir, step.key);
  const cached = await loadEntry(ctx, step, dir);
  if (cached) return cached;
  const lock = await lockCacheEntry(dir, {
    signal: ctx.signal,
    timeoutMs: LOCK_WAIT_MS,
    // A phase, not only a log line: the CLI and the panel show phases, and a silent wait looks hung.
    onWait: (o) =>
      ctx.emit({ type: 'phase', phase: step.phase, label: `${step.label}: another job (${ownerText(o)}) is training this model; waiting to reuse it` }),
    onTakeOver: (o, why) => ctx.emit({ type: 'log', level: 'warn', message: `${step.label}: taking over the cache lock of ${ownerText(o)}: ${why}` }),
  });
  try {
    if (!lock.held)
      ctx.emit({
        type: 'log',
        level: 'warn',
        message: `${step.label}: still locked by ${ownerText(lock.owner)} after ${Math.round(LOCK_WAIT_MS / 60_000)} min; training a copy here`,
      });
    else {
      // The job we waited for has written it (or failed, and we train).
      const theirs = await loadEntry(ctx, step, dir);
      if (theirs) return theirs;
    }
    const { model, seconds, meta } = await step.train();
    const written = { seconds, ...meta };
    if (writeCacheEntry(dir, await step.files(model), written) === 'theirs') {
      // Another writer finished the same model first: use its entry, so both jobs share one model.
      const theirs = await loadEntry(ctx, step, dir);
      if (theirs) {
        step.dispose(model);
        return theirs;
      }
      return { model, seconds, from: 'trained', meta: written };
    }
    return { model, seconds, from: 'trained', meta: written, dir };
  } finally {
    if (lock.held) lock.release();
  }
}
