// θo's DDPM and Retrain's: trained once with unlearnGeneration's 'retrain' loop (Adam on the
// ordinary denoising loss, class dropout, seeded batches), then kept in the model cache
// (cacheStep.ts: checksummed files, one trainer per key, lock timeouts and take-overs) like the
// classifiers' θo.
// A shipped model.json (the demo's) is checked against the SHA-256 its config gives.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { GenerationConfig } from '../../../protocol/generationConfig';
import type { ImageSet } from '../../data/dataset';
import { UserError } from '../../../store/errors';
import { unlearnGeneration } from '../../generation/unlearn';
import { buildUnet, parameterCount } from '../../generation/unet';
import { loadModel, modelFiles } from '../../models/io';
import { PhaseProgress } from '../../progress';
import type { T } from '../../tf';
import type { JobContext } from '../shared/jobContext';
import { cachedOrTrained } from '../shared/cacheStep';

export interface GenerationModel {
  model: T.LayersModel;
  seconds: number;
  from: 'trained' | 'cache' | 'file';
}

export interface DdpmTraining {
  /** 'original' (all classes) or 'retrain' (Dr only): part of the cache key and the labels. */
  role: 'original' | 'retrain';
  set: ImageSet;
  rows: Int32Array;
  config: GenerationConfig;
  /** What identifies the data and its transform (fingerprint, pooling). */
  dataKey: unknown;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The cache key: everything that changes the trained weights. */
export function ddpmKey(t: DdpmTraining): string {
  const c = t.config;
  const what = {
    what: `ddpm-${t.role}`,
    v: 1,
    data: t.dataKey,
    rows: t.rows.length,
    forget: t.role === 'retrain' ? c.forgetClass : undefined,
    unet: c.unet,
    train: c.train,
    seed: c.seed,
  };
  return sha256(JSON.stringify(what)).slice(0, 16);
}

function freshUnet(t: DdpmTraining): T.LayersModel {
  const { height, width, channels, numClasses } = t.set;
  return buildUnet({ height, width, channels, numClasses, ...t.config.unet, widths: [...t.config.unet.widths], seed: t.config.seed });
}

/** Trains a fresh U-Net on t.rows for config.train.iterations Adam steps, with progress and cancel. */
export async function trainDdpm(t: DdpmTraining, ctx: JobContext, label: string): Promise<{ model: T.LayersModel; seconds: number; losses: number[] }> {
  const { iterations, batchSize, lr } = t.config.train;
  const model = freshUnet(t);
  ctx.emit({
    type: 'phase',
    phase: t.role === 'original' ? 'train-original' : 'retrain',
    label: `${label}: ${iterations} Adam steps of ${batchSize} on ${t.rows.length} images (${parameterCount(model)} weights)`,
  });
  const progress = new PhaseProgress(ctx.emit, t.role === 'original' ? 'train-original' : 'retrain', iterations);
  const logEvery = Math.max(1, Math.round(iterations / 10));
  try {
    const r = await unlearnGeneration({
      method: 'retrain',
      model,
      forget: { set: t.set, indices: [] },
      retain: { set: t.set, indices: t.rows },
      iterations,
      lr,
      beta: 0,
      eta: 0,
      seed: t.config.seed,
      batchSize,
      signal: ctx.signal,
      onProgress: (p) => {
        progress.update(p.iteration);
        if (p.iteration % logEvery === 0)
          ctx.emit({ type: 'log', level: 'info', message: `${label}: step ${p.iteration}/${iterations}, loss ${p.loss.toFixed(4)}` });
      },
    });
    return { model, seconds: r.seconds, losses: r.losses };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** The trained DDPM for `t`, from the cache when an earlier job trained it (cacheStep.ts). */
export async function cachedDdpm(t: DdpmTraining, ctx: JobContext, label: string): Promise<GenerationModel> {
  const r = await cachedOrTrained<T.LayersModel>(ctx, {
    key: ddpmKey(t),
    phase: t.role === 'original' ? 'train-original' : 'retrain',
    label,
    load: (dir) => loadModel(join(dir, 'model.json'), ctx.signal),
    train: async () => {
      const { model, seconds, losses } = await trainDdpm(t, ctx, label);
      const last = losses.slice(-Math.min(50, losses.length));
      const finalLoss = last.reduce((a, b) => a + b, 0) / Math.max(1, last.length);
      const meta = { train: t.config.train, unet: t.config.unet, seed: t.config.seed, samples: t.rows.length, finalLoss, savedAt: new Date().toISOString() };
      return { model, seconds, meta };
    },
    files: async (model) => ({ ...(await modelFiles(model)) }),
    dispose: (model) => model.dispose(),
  });
  return { model: r.model, seconds: r.seconds, from: r.from };
}

/** A shipped or user-given U-Net, its weights checked against `sha256` when given. */
export async function ddpmFromFile(path: string, expectedSha256: string | undefined, ctx: JobContext): Promise<GenerationModel> {
  const file = resolve(ctx.workspaceDir, path);
  if (expectedSha256) {
    const actual = sha256(readFileSync(join(dirname(file), 'weights.bin')));
    if (actual !== expectedSha256)
      throw new UserError(
        `${file}: its weights.bin has SHA-256 ${actual}, not the ${expectedSha256} the config expects.`,
        'The file was changed or damaged: restore it, or drop "sha256" from the config to use it as it is.',
        file,
      );
  }
  const model = await loadModel(file, ctx.signal);
  // What says θo was read, not trained (the installed-extension host test waits for it).
  ctx.emit({ type: 'log', level: 'info', message: `θo read from ${file} (${expectedSha256 ? 'SHA-256 verified' : 'no SHA-256 given: not verified'})` });
  return { model, seconds: 0, from: 'file' };
}
