// What every job needs before its own work: a backend, the data, the forget split, and θo
// (loaded from the user's file, or trained — once, then cached by the hash of what produced it).
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { ArchitectureName, BackendChoice, DataSpec, ForgetSpec, ModelSpec, OptimizerRecipe, OwnModelSpec } from '../../../protocol/config';
import { backendRow } from '../../../protocol/backends';
import type { BackendInfo } from '../../../protocol/results';
import { selectBackend } from '../../backend/select';
import { allIndices, indicesWithoutClass, type SplitData } from '../../data/dataset';
import { splitForget, type ForgetSplit } from '../../data/forgetSet';
import { dataIdentity } from '../../../store/data/layout';
import { loadDataAsync } from '../../data/load';
import { withTrainSubset } from '../../data/subset';
import { withHeldOut } from '../../data/heldOut';
import type { ImageSet } from '../../data/dataset';
import { buildArchitecture } from '../../models/architectures';
import { batchShapeFor } from '../../models/forward';
import { nonFiniteWeights } from '../../models/finite';
import type { Classifier } from '../../models/io';
import { loadOwnModel, writeTwin } from '../../models/sources';
import type { T } from '../../tf';
import { makeRng, subSeed } from '../../rng';
import { UserError } from '../../../store/errors';
import type { TrainingCurve } from '../../../store/runs/trainingCurve';
import { trainedOrCached } from '../shared/cachedModel';
import type { JobContext } from '../shared/jobContext';

export interface Prepared {
  backend: BackendInfo;
  data: SplitData;
  split: ForgetSplit;
  /** Test rows used for TA and the MIA (without the forgotten class in class-wise forgetting). */
  testIndices: Int32Array;
  /** Positions into split.retain of the MIA's member samples (|Dt| of them, seeded). */
  miaRetainPositions: Int32Array;
  /** Positions into testIndices of the MIA's non-member samples, as many as the members (seeded). */
  miaTestPositions: Int32Array;
  original: Classifier;
  originalSeconds: number;
  originalFrom: 'trained' | 'cache' | 'file';
  /** The files θo was read from or cached in (absolute paths; [] when it is in none): the run records their sha256. */
  originalFiles: string[];
  /** θo's own training curve (absent for a user's model, or an entry cached before curves were kept). */
  originalCurve?: TrainingCurve;
  dataFingerprint: string;
  /** Writes model.onnx + model.safetensors of a trained copy of θo into a folder; returns what it could not write. */
  writeModel: (model: T.LayersModel, dir: string) => string[];
  /** data.heldOut's rows, removed from data.train before anything was trained (absent: none held out). */
  heldOut?: ImageSet;
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

/** Identifies the data by its files' names, sizes and modification times (cheap, no re-read); each format says which. */
function dataFingerprint(spec: DataSpec, workspaceDir: string): string {
  return hash(dataIdentity(spec, workspaceDir));
}

/**
 * The worker count's part of a cached model's key: with batch norm, N workers train a different
 * model (per-shard statistics). Nothing at 1 worker, so models cached before workers existed stay valid.
 */
export function workersKey(ctx: JobContext): { workers?: number } {
  const n = ctx.training?.effectiveWorkers ?? 1;
  return n > 1 ? { workers: n } : {};
}

/** Selects the backend first, so that the job can say which one it uses before any long step. */
export async function startBackend(config: PrepareConfig, ctx: JobContext): Promise<BackendInfo> {
  const backend = await selectBackend(config.backend, { trainingWorkers: ctx.training?.workers ?? 1 });
  return backend;
}

export async function prepare(config: PrepareConfig, ctx: JobContext, backend: BackendInfo): Promise<Prepared> {
  ctx.emit({ type: 'phase', phase: 'load', label: 'Loading data' });
  refuseHeldOut(config);
  const { data, heldOut } = withHeldOut(
    withTrainSubset(await loadDataAsync(config.data, ctx.workspaceDir, ctx.signal), config.trainSubset),
    config.data.heldOut ?? 0,
    subSeed(config.seed, 'held-out'),
  );
  const split = splitForget(config.forget, data.train, config.seed, ctx.workspaceDir);
  const testIndices = split.forgottenClass === undefined ? allIndices(data.test.n) : indicesWithoutClass(data.test, split.forgottenClass);
  const mia = miaSamples(split, testIndices, config.seed);
  const fingerprint = trainingDataFingerprint(config, ctx.workspaceDir, data.train.n);
  logData(ctx, data, heldOut, split);
  const theta =
    config.model.kind !== 'builtin'
      ? await loadOriginal(config.model, ctx, data, backend)
      : await trainOriginal(config.model.architecture, config, ctx, data, fingerprint);
  return {
    backend,
    data,
    split,
    testIndices,
    miaRetainPositions: mia.retain,
    miaTestPositions: mia.test,
    original: theta.original,
    originalSeconds: theta.originalSeconds,
    originalFrom: theta.originalFrom,
    originalFiles: theta.originalFiles,
    writeModel: theta.writeModel,
    ...(theta.originalCurve ? { originalCurve: theta.originalCurve } : {}),
    dataFingerprint: fingerprint,
    ...(heldOut ? { heldOut } : {}),
  };
}

/** Held-out rows only make sense for a θo trained here, on rows named by their place in the training set. */
function refuseHeldOut(config: PrepareConfig): void {
  const heldOutCount = config.data.heldOut ?? 0;
  if (heldOutCount > 0 && config.model.kind !== 'builtin')
    throw new UserError(
      `data.heldOut keeps ${heldOutCount} training rows out of θo's training, but θo is your own model (${config.model.path}), trained on rows this run cannot know.`,
      'Leave heldOut out (the verdict and salun-auto then compare Df with the test set), or use a built-in architecture trained here.',
    );
  if (heldOutCount > 0 && config.forget.kind === 'indices')
    throw new UserError(
      `data.heldOut removes ${heldOutCount} rows from the training set, so the indices in ${config.forget.file} would no longer name the rows you meant.`,
      'Leave heldOut out for a deletion request by indices (the verdict then uses the test set).',
      config.forget.file,
    );
}

/** The MIA's members (positions into split.retain) and non-members (positions into testIndices), equally many. */
function miaSamples(split: ForgetSplit, testIndices: Int32Array, seed: number): { retain: Int32Array; test: Int32Array } {
  // The attack learns members against non-members from equally many of each, as the authors'
  // SVC_MIA does (a retain subset as large as the test set). When Dr is the smaller one (a training
  // subset, or 50% forgetting) the test side is subsampled too: with 9,000 members against 10,000
  // non-members whose confidences overlap, the SVM called every forget sample non-member
  // (MIA-Efficacy 100, even for the memorised θo at 5,000 vs 10,000), while at 5,000 vs 5,000 the
  // same model gave 18.6 (bench/mia-set-size.ts).
  const miaCount = Math.min(testIndices.length, split.retain.length);
  return {
    retain: seededSample(split.retain.length, miaCount, subSeed(seed, 'mia-members')),
    test: miaCount === testIndices.length ? allIndices(miaCount) : seededSample(testIndices.length, miaCount, subSeed(seed, 'mia-non-members')),
  };
}

/** What θo and Retrain were trained on, as their cache keys hold it; `trainRows` is the training set after subset and held-out rows. */
function trainingDataFingerprint(config: PrepareConfig, workspaceDir: string, trainRows: number): string {
  const heldOutCount = config.data.heldOut ?? 0;
  // Another pixel scaling is other data to a model: cached θo and Retrain are keyed apart ('unit' keeps old keys).
  const how = config.data.normalize;
  const scaled = how && how !== 'unit' ? { normalize: typeof how === 'object' ? { mean: how.mean, std: how.std } : how } : undefined;
  const fullFingerprint = scaled ? hash({ data: dataFingerprint(config.data, workspaceDir), ...scaled }) : dataFingerprint(config.data, workspaceDir);
  // Unchanged without a subset, so that existing cached models stay valid.
  const subsetFingerprint =
    config.trainSubset !== undefined && trainRows + heldOutCount === config.trainSubset
      ? hash({ data: fullFingerprint, trainSubset: config.trainSubset })
      : fullFingerprint;
  // Held-out rows change what θo and Retrain train on (and depend on the seed, which their keys hold).
  return heldOutCount > 0 ? hash({ data: subsetFingerprint, heldOut: heldOutCount }) : subsetFingerprint;
}

/** The loaders' notes, then one line with the sizes the run works on. */
function logData(ctx: JobContext, data: SplitData, heldOut: ImageSet | undefined, split: ForgetSplit): void {
  for (const note of data.notes ?? []) ctx.emit({ type: 'log', level: note.level, message: note.message });
  const forgotten =
    split.forgottenClass === undefined
      ? ''
      : ` (class ${split.forgottenClass}${data.classNames?.[split.forgottenClass] ? `, ${data.classNames[split.forgottenClass]}` : ''})`;
  ctx.emit({
    type: 'log',
    level: 'info',
    message: `data: ${data.train.n} train${heldOut ? ` (+ ${heldOut.n} held out)` : ''} / ${data.test.n} test, ${data.train.numClasses} classes; forget ${split.forget.length}${forgotten}, retain ${split.retain.length}`,
  });
}

type Original = Pick<Prepared, 'original' | 'originalSeconds' | 'originalFrom' | 'originalFiles' | 'originalCurve' | 'writeModel'>;

/** θo from the user's file, checked before any work: its input shape, the backend's kernels, finite weights. */
async function loadOriginal(model: OwnModelSpec, ctx: JobContext, data: SplitData, backend: BackendInfo): Promise<Original> {
  ctx.emit({ type: 'phase', phase: 'load', label: `Loading ${model.path}` });
  const path = resolve(ctx.workspaceDir, model.path);
  const t = data.train;
  const loaded = await loadOwnModel(model, ctx.workspaceDir, { height: t.height, width: t.width, channels: t.channels, numClasses: t.numClasses }, ctx.signal);
  const original = loaded.clf;
  for (const note of loaded.notes) ctx.emit({ type: 'log', level: 'warn', message: `${path}: ${note}` });
  // Before any work: a model for other images fails here, naming both shapes, not in the first batch.
  batchShapeFor(original, data.train, path);
  const cannot = backendRow(backend.name)?.cannotTrain;
  if (cannot && original.model.layers.some((l) => cannot.layers.includes(l.getClassName())))
    throw new UserError(
      `${path} has ${cannot.what}, which tfjs's ${backend.name} backend cannot train (it has no gradient kernel for them).`,
      'Choose another backend for this model: "backend": "cpu" (slow), "webgpu" or "tensorflow".',
      path,
    );
  const bad = await nonFiniteWeights(original.model);
  if (bad.count > 0)
    throw new UserError(
      `${path}: ${bad.count} weights are NaN or ±Inf (first in ${bad.firstLayer}); unlearning cannot start from a diverged model.`,
      'Train the model again with a smaller learning rate, or give another model.',
      path,
    );
  return { original, originalSeconds: 0, originalFrom: 'file', originalFiles: loaded.files, writeModel: (m, dir) => loaded.write(m, dir) };
}

/** θo of a built-in architecture, trained on all of D, or taken from the cache under the hash of what trains it. */
async function trainOriginal(arch: ArchitectureName, config: PrepareConfig, ctx: JobContext, data: SplitData, fingerprint: string): Promise<Original> {
  const key = hash({ what: 'original', v: 1, data: fingerprint, arch, recipe: config.train, seed: config.seed, ...workersKey(ctx) });
  const r = await trainedOrCached(
    ctx,
    key,
    'train-original',
    'Original model',
    () =>
      buildArchitecture(
        arch,
        { height: data.train.height, width: data.train.width, channels: data.train.channels, numClasses: data.train.numClasses },
        config.seed,
      ),
    data,
    allIndices(data.train.n),
    config.train,
    config.seed,
  );
  return {
    original: r.clf,
    originalSeconds: r.seconds,
    originalFrom: r.from,
    originalFiles: r.files ?? [],
    originalCurve: r.curve,
    writeModel: writeTwin(arch),
  };
}

/** k distinct positions out of 0…n−1, a seeded partial Fisher–Yates shuffle, in draw order. */
function seededSample(n: number, k: number, seed: number): Int32Array {
  const positions = allIndices(n);
  const rand = makeRng(seed);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    [positions[i], positions[j]] = [positions[j], positions[i]];
  }
  return positions.slice(0, k);
}

export function splitHash(split: ForgetSplit): string {
  return createHash('sha256')
    .update(new Uint8Array(split.forget.buffer, split.forget.byteOffset, split.forget.byteLength))
    .digest('hex')
    .slice(0, 16);
}

export { hash as configHash };
