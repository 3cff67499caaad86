// What every job needs before its own work: a backend, the data, the forget split, and θo
// (loaded from the user's file, or trained — once, then cached by the hash of what produced it).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BackendChoice, DataSpec, ForgetSpec, ModelSpec, OptimizerRecipe } from '../../protocol/config';
import type { BackendInfo } from '../../protocol/results';
import { selectBackend } from '../backend/select';
import { allIndices, indicesWithoutClass, type SplitData } from '../data/dataset';
import { splitForget, type ForgetSplit } from '../data/forgetSet';
import { defaultDataDir, loadData } from '../data/load';
import { withTrainSubset } from '../data/subset';
import { buildArchitecture } from '../models/architectures';
import { classifierOf, loadModel, saveModel, type Classifier } from '../models/io';
import { PhaseProgress, type Emit } from '../progress';
import { writeJsonAtomic } from '../runs/atomic';
import { fit } from '../train/fit';
import type { T } from '../tf';
import { makeRng, subSeed } from '../rng';
import type { JobPhase } from '../../protocol/jobMessages';

export interface JobContext {
  workspaceDir: string;
  emit: Emit;
  signal: AbortSignal;
}

export interface Prepared {
  backend: BackendInfo;
  data: SplitData;
  split: ForgetSplit;
  /** Test rows used for TA and the MIA (without the forgotten class in class-wise forgetting). */
  testIndices: Int32Array;
  /** Positions into split.retain of the MIA's member samples (|Dt| of them, seeded). */
  miaRetainPositions: Int32Array;
  original: Classifier;
  originalSeconds: number;
  originalFrom: 'trained' | 'cache' | 'file';
  dataFingerprint: string;
}

export interface PrepareConfig {
  data: DataSpec;
  model: ModelSpec;
  forget: ForgetSpec;
  train: OptimizerRecipe;
  seed: number;
  backend: BackendChoice;
  /** Use only a class-balanced first-k subset of the training set (the comparison table's option). */
  trainSubset?: number;
}

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** Identifies the data by its files' names, sizes and modification times (cheap, no re-read). */
function dataFingerprint(spec: DataSpec, workspaceDir: string): string {
  const dir = spec.kind === 'default' ? defaultDataDir() : resolve(workspaceDir, spec.dir);
  const stats = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']
    .flatMap((f) => [f, `${f}.gz`]).filter((f) => existsSync(join(dir, f)))
    .map((f) => { const s = statSync(join(dir, f)); return [f, s.size, spec.kind === 'default' ? 0 : s.mtimeMs]; });
  return hash({ kind: spec.kind, stats });
}

export function cacheDir(workspaceDir: string, key: string): string {
  return join(workspaceDir, '.salun', 'cache', 'models', key);
}

/** Trains a model with `build()`'s architecture on `indices`, or returns the cached one. */
export async function trainedOrCached(
  ctx: JobContext, key: string, phase: JobPhase, label: string, build: () => Promise<T.LayersModel> | T.LayersModel,
  data: SplitData, indices: Int32Array, recipe: OptimizerRecipe, seed: number,
): Promise<{ clf: Classifier; seconds: number; from: 'trained' | 'cache' }> {
  const dir = cacheDir(ctx.workspaceDir, key);
  const modelJson = join(dir, 'model.json');
  if (existsSync(modelJson) && existsSync(join(dir, 'meta.json'))) {
    try {
      const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { seconds: number };
      const clf = classifierOf(await loadModel(modelJson));
      ctx.emit({ type: 'log', level: 'info', message: `${label}: reusing the cached model in ${dir} (trained in ${meta.seconds.toFixed(1)} s)` });
      return { clf, seconds: meta.seconds, from: 'cache' };
    } catch (e) {
      ctx.emit({ type: 'log', level: 'warn', message: `${label}: cached model in ${dir} is unreadable (${(e as Error).message}); training again` });
    }
  }
  ctx.emit({ type: 'phase', phase, label: `${label}: ${recipe.epochs} epochs on ${indices.length} samples` });
  const clf = classifierOf(await build());
  const progress = new PhaseProgress(ctx.emit, phase, recipe.epochs * indices.length);
  const t0 = Date.now();
  await fit({
    clf, set: data.train, indices, recipe, seed, signal: ctx.signal,
    onBatch: (epoch, done) => progress.update((epoch - 1) * indices.length + done, epoch),
    onEpoch: (epoch, loss) => ctx.emit({ type: 'log', level: 'info', message: `${label}: epoch ${epoch}/${recipe.epochs}, loss ${loss.toFixed(4)}` }),
  });
  const seconds = (Date.now() - t0) / 1000;
  await saveModel(clf.model, dir);
  writeJsonAtomic(join(dir, 'meta.json'), { seconds, recipe, seed, samples: indices.length, savedAt: new Date().toISOString() });
  return { clf, seconds, from: 'trained' };
}

/** Selects the backend first, so that the job can say which one it uses before any long step. */
export async function startBackend(config: PrepareConfig, ctx: JobContext): Promise<BackendInfo> {
  const backend = await selectBackend(config.backend);
  ctx.emit({ type: 'log', level: 'info', message: `backend: ${backend.name} (${backend.detail}); ${backend.reason}` });
  return backend;
}

export async function prepare(config: PrepareConfig, ctx: JobContext, backend: BackendInfo): Promise<Prepared> {
  ctx.emit({ type: 'phase', phase: 'load', label: 'Loading data' });
  const data = withTrainSubset(loadData(config.data, ctx.workspaceDir), config.trainSubset);
  const split = splitForget(config.forget, data.train, config.seed, ctx.workspaceDir);
  const testIndices = split.forgottenClass === undefined ? allIndices(data.test.n) : indicesWithoutClass(data.test, split.forgottenClass);
  const miaCount = Math.min(testIndices.length, split.retain.length);
  const positions = allIndices(split.retain.length);
  const rand = makeRng(subSeed(config.seed, 'mia-members'));
  for (let i = 0; i < miaCount; i++) {
    const j = i + Math.floor(rand() * (positions.length - i));
    [positions[i], positions[j]] = [positions[j], positions[i]];
  }
  const fullFingerprint = dataFingerprint(config.data, ctx.workspaceDir);
  // Unchanged without a subset, so that existing cached models stay valid.
  const fingerprint = data.train.n === config.trainSubset ? hash({ data: fullFingerprint, trainSubset: config.trainSubset }) : fullFingerprint;
  ctx.emit({ type: 'log', level: 'info', message: `data: ${data.train.n} train / ${data.test.n} test, ${data.train.numClasses} classes; forget ${split.forget.length}, retain ${split.retain.length}` });

  let original: Classifier;
  let originalSeconds = 0;
  let originalFrom: Prepared['originalFrom'];
  if (config.model.kind === 'file') {
    ctx.emit({ type: 'phase', phase: 'load', label: `Loading ${config.model.path}` });
    original = classifierOf(await loadModel(resolve(ctx.workspaceDir, config.model.path)));
    originalFrom = 'file';
  } else {
    const arch = config.model.architecture;
    const key = hash({ what: 'original', v: 1, data: fingerprint, arch, recipe: config.train, seed: config.seed });
    const r = await trainedOrCached(ctx, key, 'train-original', 'Original model',
      () => buildArchitecture(arch, { height: data.train.height, width: data.train.width, channels: data.train.channels, numClasses: data.train.numClasses }, config.seed),
      data, allIndices(data.train.n), config.train, config.seed);
    original = r.clf;
    originalSeconds = r.seconds;
    originalFrom = r.from;
  }
  return {
    backend, data, split, testIndices, miaRetainPositions: positions.slice(0, miaCount), original, originalSeconds, originalFrom,
    dataFingerprint: fingerprint,
  };
}

export function splitHash(split: ForgetSplit): string {
  return createHash('sha256').update(new Uint8Array(split.forget.buffer, split.forget.byteOffset, split.forget.byteLength)).digest('hex').slice(0, 16);
}

export { hash as configHash };
