// One cell of bench/speed.ts's backend matrix, in its own process: one backend at one thread count
// times (a) the built-in CNN's train epoch on the Fashion-MNIST subset and (b) ResNet-18 training
// steps on synthetic CIFAR-sized data, both through the engine's own trainPass (gather, forward,
// gradient, loss read-back, engine SGD with momentum and weight decay), and prints one JSON line.
//
// A process per cell because thread counts are fixed when a library starts (libtensorflow's
// intra-op pool reads TF_NUM_INTRAOP_THREADS once) and a native backend, once loaded, stays.
//
//   node out/bench/speedCell.js '<CellSpec as JSON>'
//
// Slow backends (cpu; webgpu on a software adapter) time a few CNN steps and extrapolate them to
// the epoch's step count; the output says so (cnn.mode 'steps'), and bench/speed.ts marks the figure.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import type { BackendName, GpuAdapterInfo } from '../src/protocol/backends';
import { DEFAULT_TRAIN } from '../src/protocol/defaults';
import { selectBackend } from '../src/engine/backend/select';
import type { ImageSet } from '../src/engine/data/dataset';
import { loadData } from '../src/engine/data/load';
import { withTrainSubset } from '../src/engine/data/subset';
import { buildArchitecture } from '../src/engine/models/architectures';
import { classifierOf, type Classifier } from '../src/engine/models/io';
import { makeRng } from '../src/engine/rng';
import { trainableVariables, trainPass } from '../src/engine/train/loop';
import { TrainingPool } from '../src/engine/train/parallel';
import { Sgd } from '../src/engine/train/sgd';
import { tf } from '../src/engine/tf';

export const CNN_BATCH = 128;
const SEED = 2024;

export interface CellSpec {
  backend: BackendName;
  /** wasm: data-parallel workers (1: none); tensorflow: TensorFlow's intra-op threads; others: 1. */
  threads: number;
  quick: boolean;
  data: string;
  /** Train subset size of the CNN epoch. */
  train: number;
  /** Timed repeats of the full CNN epoch (fast backends). */
  repeats: number;
  /** Skip the ResNet-18 part. */
  noResnet: boolean;
}

/** How a figure was obtained: a whole epoch, or `steps` timed steps scaled to the epoch's steps. */
export interface CnnResult {
  mode: 'epoch' | 'steps';
  samples: number;
  steps: number;
  /** Epoch seconds (measured, or extrapolated from the steps), one per repeat. */
  epochSeconds: number[];
  tensorsFlat: boolean;
  params: number;
}

export interface ResnetResult {
  batch: number;
  steps: number;
  /** Seconds per step, one per timed step. */
  stepSeconds: number[];
  params: number;
  /** Why the batch is below 128, where it is. */
  note?: string;
}

export interface CellResult {
  backend: BackendName;
  threads: number;
  ok: boolean;
  /** Why the backend is not available (ok: false). */
  why?: string;
  detail?: string;
  adapter?: GpuAdapterInfo;
  versions?: Record<string, string>;
  /** Threads the training really used (the pool can refuse workers on a backend). */
  workers?: number;
  cnn?: CnnResult | { error: string };
  resnet?: ResnetResult | { error: string };
  seconds: number;
  /** Cores this process kept busy over the cell (every thread), and the rest of the machine meanwhile. */
  load?: { ownCores: number; othersCores?: number };
}

interface Sizes {
  /** CNN: undefined = whole epochs; a number = that many timed steps, extrapolated. */
  cnnSteps?: number;
  /** Untimed steps first (kernel set-up, shader compilation, oneDNN primitive caches). */
  cnnWarmSteps: number;
  /** 0: ResNet-18 not run (resnetNote says why). */
  resnetBatch: number;
  resnetSteps: number;
  resnetNote?: string;
}

/**
 * Per backend: whole epochs where an epoch takes seconds, a few steps where a step takes seconds.
 * The ResNet-18 batch drops below 128 only where one step at 128 would take minutes.
 */
function sizesFor(spec: CellSpec, software: boolean): Sizes {
  const q = spec.quick;
  // tfjs's pure-JS convolution gradients: a CNN step at 128 takes 10–20 s, and one ResNet-18 step at
  // batch 2 did not end within 8 minutes on the 2-core Xeon of 2026-11-30.
  if (spec.backend === 'cpu')
    return {
      cnnSteps: q ? 1 : 2,
      cnnWarmSteps: 1,
      resnetBatch: 0,
      resnetSteps: 0,
      resnetNote: 'not run: one step at batch 2 did not finish within 8 minutes on this backend (pure-JS convolution gradients)',
    };
  // SwiftShader compiles every shader on first use (LLVM): the warm-up step is most of the cost, and
  // one ResNet-18 step at batch 8 (warm-up included) did not end within 6 minutes.
  if (spec.backend === 'webgpu' && software) {
    return {
      cnnSteps: q ? 1 : 2,
      cnnWarmSteps: 1,
      resnetBatch: 0,
      resnetSteps: 0,
      resnetNote: 'not run on a software adapter: one step at batch 8 did not finish within 6 minutes on SwiftShader',
    };
  }
  // wasm's ResNet-18 step at 128 takes ~30 s: two timed steps after the warm-up.
  return { cnnWarmSteps: 2, resnetBatch: q ? 16 : 128, resnetSteps: q ? 1 : spec.backend === 'wasm' ? 2 : 3, resnetNote: q ? '--quick' : undefined };
}

function versions(): Record<string, string> {
  const v: Record<string, string> = { node: process.version, tfjs: tf.version.tfjs, 'tfjs-backend-wasm': wasmBackend.version_wasm };
  for (const pkg of ['@tensorflow/tfjs-backend-webgpu', 'webgpu']) {
    try {
      v[pkg] = (JSON.parse(readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      /* not installed: the backend's own start says why */
    }
  }
  return v;
}

const secsSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;

/** Busy CPU time of the whole machine so far, in seconds (Linux /proc/stat; undefined elsewhere). */
export function machineBusySeconds(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: all but idle and iowait, in USER_HZ (100/s).
    return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)) / 100;
  } catch {
    return undefined;
  }
}

/** Measures the cores this process and the rest of the machine keep busy from now on. */
function loadMeter(): () => { ownCores: number; othersCores?: number } {
  const t0 = process.hrtime.bigint();
  const busy0 = machineBusySeconds();
  const cpu0 = process.cpuUsage();
  return () => {
    const wall = secsSince(t0);
    const c = process.cpuUsage(cpu0);
    const own = (c.user + c.system) / 1e6;
    const busy1 = machineBusySeconds();
    return { ownCores: own / wall, ...(busy0 !== undefined && busy1 !== undefined ? { othersCores: Math.max(0, busy1 - busy0 - own) / wall } : {}) };
  };
}

/** One timed pass over `rows`, synchronised at the end (webgpu queues the last SGD step). */
async function timedPass(clf: Classifier, opt: Sgd, set: ImageSet, rows: Int32Array, batch: number, pool: TrainingPool | undefined): Promise<number> {
  const vars = trainableVariables(clf);
  const t0 = process.hrtime.bigint();
  await trainPass({ clf, vars, optimizer: opt, set, indices: rows, batchSize: batch, loss: 'ce', rand: makeRng(SEED), shuffle: true, pool });
  await vars[0].data();
  return secsSince(t0);
}

function sgdFor(clf: Classifier): Sgd {
  return new Sgd(trainableVariables(clf), { lr: DEFAULT_TRAIN.lr, momentum: DEFAULT_TRAIN.momentum, weightDecay: DEFAULT_TRAIN.weightDecay });
}

async function benchCnn(spec: CellSpec, sizes: Sizes, pool: TrainingPool | undefined): Promise<CnnResult> {
  const train = withTrainSubset(loadData({ kind: 'idx', dir: spec.data }, '.'), spec.train).train;
  const clf = classifierOf(
    buildArchitecture('cnn', { height: train.height, width: train.width, channels: train.channels, numClasses: train.numClasses }, SEED),
  );
  const opt = sgdFor(clf);
  const all = Int32Array.from({ length: train.n }, (_, i) => i);
  const epochSteps = Math.ceil(train.n / CNN_BATCH);
  try {
    const warm = await timedPass(clf, opt, train, all.subarray(0, sizes.cnnWarmSteps * CNN_BATCH), CNN_BATCH, pool);
    log(spec, `cnn warm-up (${sizes.cnnWarmSteps} steps) ${warm.toFixed(2)} s`);
    const before = tf.memory().numTensors;
    const epochSeconds: number[] = [];
    if (sizes.cnnSteps !== undefined) {
      const s = await timedPass(clf, opt, train, all.subarray(0, sizes.cnnSteps * CNN_BATCH), CNN_BATCH, pool);
      epochSeconds.push((s / sizes.cnnSteps) * epochSteps);
      log(spec, `cnn ${sizes.cnnSteps} steps ${s.toFixed(2)} s → epoch of ${epochSteps} steps ≈ ${epochSeconds[0].toFixed(1)} s`);
    } else {
      for (let r = 0; r < spec.repeats; r++) {
        epochSeconds.push(await timedPass(clf, opt, train, all, CNN_BATCH, pool));
        log(spec, `cnn epoch ${r + 1}/${spec.repeats} ${epochSeconds[r].toFixed(2)} s`);
      }
    }
    return {
      mode: sizes.cnnSteps === undefined ? 'epoch' : 'steps',
      samples: train.n,
      steps: sizes.cnnSteps ?? epochSteps,
      epochSeconds,
      tensorsFlat: tf.memory().numTensors === before,
      params: trainableVariables(clf).reduce((n, v) => n + v.size, 0),
    };
  } finally {
    opt.dispose();
    clf.model.dispose();
  }
}

/** Uniform [0, 1) pixels and labels: the timing of a step does not depend on the values. */
function syntheticCifar(n: number): ImageSet {
  const rand = makeRng(SEED + 32);
  const images = new Float32Array(n * 32 * 32 * 3);
  for (let i = 0; i < images.length; i++) images[i] = rand();
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  return { images, labels, n, height: 32, width: 32, channels: 3, numClasses: 10, source: `synthetic CIFAR-sized (${n} × 32×32×3)` };
}

async function benchResnet(spec: CellSpec, sizes: Sizes, pool: TrainingPool | undefined): Promise<ResnetResult> {
  const { resnetBatch: batch, resnetSteps: steps } = sizes;
  const set = syntheticCifar(batch * (steps + 1));
  const clf = classifierOf(buildArchitecture('resnet18', { height: 32, width: 32, channels: 3, numClasses: 10 }, SEED));
  const opt = sgdFor(clf);
  const rows = Int32Array.from({ length: set.n }, (_, i) => i);
  try {
    const warm = await timedPass(clf, opt, set, rows.subarray(0, batch), batch, pool);
    log(spec, `resnet18 warm-up step (batch ${batch}) ${warm.toFixed(2)} s`);
    const stepSeconds: number[] = [];
    for (let s = 1; s <= steps; s++) {
      stepSeconds.push(await timedPass(clf, opt, set, rows.subarray(s * batch, (s + 1) * batch), batch, pool));
      log(spec, `resnet18 step ${s}/${steps} (batch ${batch}) ${stepSeconds[s - 1].toFixed(2)} s`);
    }
    const params = trainableVariables(clf).reduce((n, v) => n + v.size, 0);
    return { batch, steps, stepSeconds, params, ...(batch < 128 && sizes.resnetNote ? { note: sizes.resnetNote } : {}) };
  } finally {
    opt.dispose();
    clf.model.dispose();
  }
}

function log(spec: CellSpec, s: string): void {
  process.stderr.write(`[${spec.backend}, ${spec.threads}] ${s}\n`);
}

const errorOf = (e: unknown): { error: string } => ({ error: (e instanceof Error ? e.message : String(e)).split('\n')[0] });

export async function runCell(spec: CellSpec): Promise<CellResult> {
  const t0 = process.hrtime.bigint();
  const load = loadMeter();
  const base = { backend: spec.backend, threads: spec.threads };
  if (spec.backend === 'tensorflow' || spec.backend === 'tensorflow-gpu') {
    // Read once when libtensorflow starts its pools: before selectBackend loads it.
    process.env.TF_NUM_INTRAOP_THREADS = String(spec.threads);
    process.env.TF_NUM_INTEROP_THREADS = '1';
  }
  let info;
  try {
    info = await selectBackend(spec.backend);
  } catch (e) {
    return { ...base, ok: false, why: errorOf(e).error, seconds: secsSince(t0) };
  }
  const sizes = sizesFor(spec, info.adapter?.software === true);
  const pool = spec.threads > 1 && spec.backend === 'wasm' ? new TrainingPool(spec.threads) : undefined;
  try {
    const cnn = await benchCnn(spec, sizes, pool).catch(errorOf);
    const workers = pool?.effectiveWorkers ?? 1;
    const resnet = spec.noResnet
      ? undefined
      : sizes.resnetBatch === 0
        ? { error: sizes.resnetNote ?? 'not run' }
        : await benchResnet(spec, sizes, pool).catch(errorOf);
    return {
      ...base,
      ok: true,
      detail: info.detail,
      ...(info.adapter ? { adapter: info.adapter } : {}),
      versions: versions(),
      workers,
      cnn,
      ...(resnet ? { resnet } : {}),
      seconds: secsSince(t0),
      load: load(),
    };
  } finally {
    await pool?.terminate();
  }
}

if (require.main === module) {
  runCell(JSON.parse(process.argv[2] ?? '') as CellSpec).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
    },
    (e: unknown) => {
      process.stdout.write(`${JSON.stringify({ ok: false, why: errorOf(e).error })}\n`);
      process.exitCode = 1;
    },
  );
}
