// Speed of the engine's training on every compute backend against PyTorch on the same machine, in
// one run, in two parts:
//
// 1. The backend matrix (bench/speedMatrix.ts, one process per cell: bench/speedCell.ts): every
//    backend of src/protocol/backends.ts at 1 and 2 threads (wasm: 1 thread / 2 data-parallel
//    workers; tensorflow: 1 / 2 intra-op threads; webgpu and cpu: one cell) and both PyTorch peers
//    (Debian's torch 1.13, /usr/bin/python3; torch 2.13 +cpu in .cache/py311, made offline by
//    scripts/python-peers.sh on first use) at 1 and 2 threads: the built-in CNN's train epoch on the
//    Fashion-MNIST subset, each backend's epoch ÷ the best PyTorch at its thread count (goal: the best
//    CPU backend ≤ 1.5×), and ResNet-18 training steps per second (CIFAR-sized synthetic data, batch
//    128; smaller on the pure-JS cpu backend and on a software GPU adapter, stated). A backend that
//    cannot start prints why. webgpu without a hardware adapter runs on SwiftShader (software
//    Vulkan), a few steps extrapolated, labelled software: never a GPU figure.
// 2. The per-op table (below), in this process on wasm: train and SalUn epochs (1 thread and N
//    workers), the saliency map, fwd+bwd, evaluation, against Debian's torch; and the γ preview.
//
//   npm run bench:speed -- [--quick] [--full] [--repeats N] [--backends wasm,tensorflow,…]
//                          [--threads 1,2] [--python /usr/bin/python3,.cache/py311/bin/python]
//                          [--no-matrix] [--no-resnet] [--no-ops] [--ops-backends wasm] [--out FILE]
//                          [--mia] [--no-torch] [--torch-threads N] [--data DIR]
//                          [--train N] [--forget N] [--test N] [--workers N]
//
// Sizes (real Fashion-MNIST, the idx files in --data, default Debian's):
//   default  train 10,000 (the table's balanced first-k subset), forget 1,000, test 10,000;
//            3 repeats; ~15 minutes on 2 cores
//   --full   train 60,000, forget 1,000, test 10,000
//   --quick  train 512, forget 128, test 512, 1 repeat, ResNet-18 at batch 16 (2–4 on the slow
//            backends), per-op table without workers: a smoke test (~3 minutes), not a measurement
//
// The per-op table, in detail: each op `repeats` times, interleaved (op1 op2 … op1 op2 …) so that a
// drift in machine load spreads over all ops instead of biasing one; median and min–max:
//   train epoch      trainPass (CE, engine SGD: momentum 0.9, wd 5e-4) over the train set, batch 128
//   SalUn epoch      unlearn({method: 'salun', epochs: 1}) with the ratio-0.5 mask: random-label CE
//                    on Df then CE on Dr, masked SGD (the salun method's own code path)
//   saliency         computeSaliencyScores over Df (batch 128)
//   fwd+bwd          the same batches through the same inference-mode forward and gradient, without
//                    the accumulation and read-back: saliency ÷ fwd+bwd is the saliency overhead
//   evaluation       predictPerSample on Df, Dr and Dt (batch 512, as the pipeline does)
//   MIA fit          (--mia) the TypeScript RBF SVM on those confidences (backend-independent; the
//                    peer is sklearn's SVC)
//   … N workers      (--workers N, N > 1) the train and SalUn epochs again with a pool of N data-parallel
//                    worker threads (src/engine/train/parallel.ts), interleaved with the rest; the torch
//                    peer then runs a second time with N threads for those rows, and the speed-ups
//                    (1 worker ÷ N workers, torch 1 thread ÷ N threads) are printed
// Before the timed repeats every op runs once on two batches (warm-up: wasm kernel set-up,
// oneDNN primitive caches). tf.memory().numTensors is read before and after every timed op: a
// leak shows as a count that grows from one repeat (epoch) to the next. The PyTorch side mirrors
// each op on its own randomly initialised copy of the architecture (timing does not depend on the
// weights' values).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import { BACKEND_NAMES, type BackendName } from '../src/protocol/backends';
import { DEFAULT_RATIO, DEFAULT_TRAIN, DEFAULT_UNLEARN, defaultTrainRecipe } from '../src/protocol/defaults';
import { selectBackend } from '../src/engine/backend/select';
import { gatherRows, type ImageSet } from '../src/engine/data/dataset';
import { loadData } from '../src/engine/data/load';
import { balancedPrefix, subsetRows, withTrainSubset } from '../src/engine/data/subset';
import { miaEfficacy } from '../src/engine/metrics/mia';
import { predictPerSample, type PerSample } from '../src/engine/metrics/evaluate';
import { unlearn } from '../src/engine/methods/unlearn';
import { buildArchitecture } from '../src/engine/models/architectures';
import { batchShapeFor, crossEntropy, logProbs } from '../src/engine/models/forward';
import { classifierOf, type Classifier } from '../src/engine/models/io';
import { makeRng, shuffleInPlace } from '../src/engine/rng';
import { buildMask, SaliencyIndex, type SaliencyScores } from '../src/store/saliency/mask';
import { computeSaliencyScores } from '../src/engine/saliency/scores';
import { trainableVariables, trainPass } from '../src/engine/train/loop';
import { TrainingPool } from '../src/engine/train/parallel';
import { Sgd, weightMask } from '../src/engine/train/sgd';
import { tf, type T } from '../src/engine/tf';
import { machineLine, runMatrix, type Peer } from './speedMatrix';

const SEED = 2024;
const BATCH = 128;
const EVAL_BATCH = 512;
const GAMMA_DRAWS = 1000;
const GAMMA_GOAL_MS = 5;

type OpId = 'train' | 'salun' | 'saliency' | 'fwdbwd' | 'eval' | 'mia' | 'trainPar' | 'salunPar';
const OP_LABEL: Record<OpId, string> = {
  train: 'train epoch',
  salun: 'SalUn epoch (masked)',
  trainPar: 'train epoch, N workers',
  salunPar: 'SalUn epoch (masked), N workers',
  saliency: 'saliency map (Df)',
  fwdbwd: 'fwd+bwd (Df)',
  eval: 'evaluation (Df+Dr+Dt)',
  mia: 'MIA fit (SVM)',
};

interface Args {
  quick: boolean;
  full: boolean;
  repeats: number;
  /** The matrix's backends (every row of the table by default). */
  backends: BackendName[];
  /** The per-op table's backends, in this process (wasm by default). */
  opsBackends: BackendName[];
  threads: number[];
  peers: Peer[];
  matrix: boolean;
  resnet: boolean;
  ops: boolean;
  out?: string;
  mia: boolean;
  torch: boolean;
  torchThreads?: number;
  data: string;
  train: number;
  forget: number;
  test: number;
  /** Data-parallel worker threads for the extra train and SalUn rows; 1: no extra rows. */
  workers: number;
}

const opLabel = (op: OpId, workers: number): string => OP_LABEL[op].replace('N workers', `${workers} workers`);

const DEFAULT_PEERS: readonly Peer[] = [
  { label: "torch 1.13 (Debian's python3-torch)", python: '/usr/bin/python3' },
  { label: 'torch 2.13 (.cache/py311, scripts/python-peers.sh)', python: resolve(__dirname, '..', '..', '.cache', 'py311', 'bin', 'python') },
];

function backendList(v: string | undefined, dflt: readonly BackendName[]): BackendName[] {
  const asked = v
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const b of asked ?? []) if (!BACKEND_NAMES.includes(b as BackendName)) throw new Error(`unknown backend ${b} (one of ${BACKEND_NAMES.join(', ')})`);
  const list = ((asked ?? dflt) as BackendName[]).slice();
  if (list.length === 0) throw new Error('an empty backend list');
  return list;
}

function parseArgs(argv: string[]): Args {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, inline] = a.slice(2).split('=', 2);
    if (['quick', 'full', 'mia', 'no-torch', 'no-matrix', 'no-resnet', 'no-ops'].includes(k)) flags.add(k);
    else if (['repeats', 'backends', 'ops-backends', 'threads', 'python', 'out', 'torch-threads', 'data', 'train', 'forget', 'test', 'workers'].includes(k)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`--${k} needs a value`);
      values.set(k, v);
    } else throw new Error(`unknown option --${k}`);
  }
  const int = (k: string, dflt: number): number => {
    const v = values.get(k);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${k} must be a positive integer, got ${v}`);
    return n;
  };
  const quick = flags.has('quick');
  const full = flags.has('full');
  if (quick && full) throw new Error('--quick and --full exclude each other');
  // The per-op table runs in this process: a native backend, once loaded, stays, so it goes last.
  const opsBackends = backendList(values.get('ops-backends'), ['wasm']).sort((a, b) => Number(a.startsWith('tensorflow')) - Number(b.startsWith('tensorflow')));
  const threads = (values.get('threads') ?? '1,2').split(',').map((t) => Number(t.trim()));
  if (threads.some((t) => !Number.isInteger(t) || t < 1)) throw new Error(`--threads takes positive integers, got ${values.get('threads')}`);
  const pythons = values
    .get('python')
    ?.split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const torchThreads = values.has('torch-threads') ? int('torch-threads', 1) : undefined;
  return {
    quick,
    full,
    torchThreads,
    opsBackends,
    threads,
    backends: backendList(values.get('backends'), BACKEND_NAMES),
    peers: pythons ? pythons.map((p) => ({ label: p, python: resolve(p) })) : DEFAULT_PEERS.slice(),
    matrix: !flags.has('no-matrix'),
    resnet: !flags.has('no-resnet'),
    ops: !flags.has('no-ops'),
    repeats: int('repeats', quick ? 1 : 3),
    out: values.get('out'),
    mia: flags.has('mia'),
    torch: !flags.has('no-torch'),
    data: values.get('data') ?? '/usr/share/datasets/fashion-mnist',
    train: int('train', quick ? 512 : full ? 60000 : 10000),
    forget: int('forget', quick ? 128 : 1000),
    test: int('test', quick ? 512 : 10000),
    // Both rows by default where there are two cores: one command prints every ratio the README quotes.
    workers: int('workers', quick ? 1 : Math.min(2, cpus().length)),
  };
}

// ---------------------------------------------------------------------------------------------
// Timing bookkeeping

interface OpRecord {
  op: OpId;
  samples: number;
  seconds: number[];
  tensorsBefore: number[];
  tensorsAfter: number[];
  rssMb: number[];
  /** Worker ops: each worker's tf.memory().numTensors after the op, per repeat ("19/19"). */
  workerTensors?: string[];
  /**
   * Per repeat: cores this process kept busy (its CPU time, every thread, ÷ wall time), and cores
   * the rest of the machine kept busy meanwhile (Linux /proc/stat; absent elsewhere). The machine
   * is shared: a worker op only gains when the other core is free.
   */
  cores?: number[];
  othersCores?: number[];
}

interface BackendRecord {
  name: BackendName;
  detail: string;
  threads: number;
  /** Trainable weights of the CNN as built on this backend. */
  params: number;
  ops: OpRecord[];
  /** Threads of the worker ops (1: none ran, e.g. a native backend, which the pool leaves on one thread). */
  workers: number;
  /** The pool's own account of its steps, warm-ups included (TrainingPool.timing). */
  poolTiming?: TrainingPool['timing'];
  /** True when every timed op left the tensor count where it found it, every repeat (workers' too). */
  tensorsFlat: boolean;
  rssStartMb: number;
  rssEndMb: number;
  rssMaxMb: number;
}

const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;
const secsSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;

/** Busy CPU time of the whole machine so far, in seconds (Linux; undefined elsewhere). */
function machineBusySeconds(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: everything but idle and iowait, in USER_HZ (100/s).
    return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)) / 100;
  } catch {
    return undefined;
  }
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function opFlat(r: OpRecord): boolean {
  const workersFlat = !r.workerTensors || r.workerTensors.every((w) => w === r.workerTensors![0]);
  return workersFlat && r.tensorsBefore.every((b, i) => b === r.tensorsAfter[i] && b === r.tensorsBefore[0]);
}

// ---------------------------------------------------------------------------------------------
// The engine's operations

interface Workload {
  train: ImageSet;
  test: ImageSet;
  forget: Int32Array;
  retain: Int32Array;
  testIdx: Int32Array;
}

/** The forward and gradient of computeSaliencyScores, batch for batch, with nothing accumulated. */
async function forwardBackward(clf: Classifier, set: ImageSet, rows: Int32Array): Promise<void> {
  const vars = trainableVariables(clf);
  const shapeOf = batchShapeFor(clf, set);
  for (let from = 0; from < rows.length; from += BATCH) {
    const to = Math.min(rows.length, from + BATCH);
    const { x, y } = gatherRows(set, rows, from, to);
    const { value, grads } = tf.variableGrads(
      () => tf.tidy(() => crossEntropy(logProbs(clf, tf.tensor(x, shapeOf(to - from)), false), tf.tensor1d(y, 'int32'))),
      vars,
    );
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
    await new Promise((r) => setImmediate(r));
  }
}

interface EvalOut {
  forget: PerSample;
  retain: PerSample;
  test: PerSample;
}

async function evaluateAll(clf: Classifier, w: Workload): Promise<EvalOut> {
  return {
    forget: await predictPerSample(clf, w.train, w.forget, undefined, EVAL_BATCH),
    retain: await predictPerSample(clf, w.train, w.retain, undefined, EVAL_BATCH),
    test: await predictPerSample(clf, w.test, w.testIdx, undefined, EVAL_BATCH),
  };
}

/** MIA members: the first |Dt| retain samples (the pipeline draws them seeded; timing is the same). */
function miaInput(e: EvalOut): { retainConfidence: Float32Array; testConfidence: Float32Array; forgetConfidence: Float32Array } {
  const k = Math.min(e.test.confidence.length, e.retain.confidence.length);
  return { retainConfidence: e.retain.confidence.subarray(0, k), testConfidence: e.test.confidence, forgetConfidence: e.forget.confidence };
}

function saliencyMask(clf: Classifier, scores: SaliencyScores): { salient: T.Tensor[]; anchor: T.Tensor[]; salientWeights: number; total: number } {
  const index = new SaliencyIndex(scores);
  const summary = index.summaryForRatio(DEFAULT_RATIO);
  const masks = buildMask(index, summary);
  const vars = trainableVariables(clf);
  return {
    ...weightMask(vars, masks),
    salientWeights: summary.salientWeights,
    total: index.total,
  };
}

async function benchBackend(name: BackendName, w: Workload, a: Args, log: (s: string) => void): Promise<{ record: BackendRecord; evalOut: EvalOut }> {
  const info = await selectBackend(name);
  const threads = name === 'wasm' ? wasmBackend.getThreadsCount() : 1;
  log(`\n[${name}] ${info.detail}`);
  const rssStart = rssMb();
  let rssMax = rssStart;
  const shape = { height: w.train.height, width: w.train.width, channels: w.train.channels, numClasses: w.train.numClasses };
  const clf = classifierOf(buildArchitecture('cnn', shape, SEED));
  const vars = trainableVariables(clf);
  const trainRows = Int32Array.from({ length: w.train.n }, (_, i) => i);
  const mask = saliencyMask(clf, await computeSaliencyScores(clf, w.train, w.forget, BATCH));
  log(`[${name}] mask: ratio ${DEFAULT_RATIO}, ${mask.salientWeights} of ${mask.total} weights salient`);
  const trainOpt = new Sgd(vars, { lr: DEFAULT_TRAIN.lr, momentum: DEFAULT_TRAIN.momentum, weightDecay: DEFAULT_TRAIN.weightDecay });
  const rand = makeRng(SEED);
  const recipe = { ...DEFAULT_UNLEARN, epochs: 1 };
  let evalOut: EvalOut | undefined;
  let salunSeed = SEED;
  // Started once per backend, at the first worker op's warm-up: one start per job, as a job does.
  const pool = a.workers > 1 ? new TrainingPool(a.workers, (level, m) => log(`[${name}] ${level}: ${m}`)) : undefined;

  const ops: Array<{ op: OpId; samples: number; run: (warm: boolean) => Promise<void> }> = [
    {
      op: 'train',
      samples: trainRows.length,
      run: (warm) =>
        trainPass({
          clf,
          vars,
          optimizer: trainOpt,
          set: w.train,
          indices: warm ? trainRows.subarray(0, 2 * BATCH) : trainRows,
          batchSize: BATCH,
          loss: 'ce',
          rand,
          shuffle: true,
        }).then(() => undefined),
    },
    {
      op: 'salun',
      samples: w.forget.length + w.retain.length,
      run: (warm) =>
        unlearn({
          method: 'salun',
          clf,
          train: w.train,
          recipe,
          seed: salunSeed++,
          mask: { salient: mask.salient, anchor: mask.anchor },
          forget: warm ? w.forget.subarray(0, BATCH) : w.forget,
          retain: warm ? w.retain.subarray(0, BATCH) : w.retain,
        }),
    },
    ...(pool
      ? [
          {
            op: 'trainPar' as const,
            samples: trainRows.length,
            run: (warm: boolean) =>
              trainPass({
                clf,
                vars,
                optimizer: trainOpt,
                set: w.train,
                indices: warm ? trainRows.subarray(0, 2 * BATCH) : trainRows,
                batchSize: BATCH,
                loss: 'ce',
                rand,
                shuffle: true,
                pool,
              }).then(() => undefined),
          },
          {
            op: 'salunPar' as const,
            samples: w.forget.length + w.retain.length,
            run: (warm: boolean) =>
              unlearn({
                method: 'salun',
                clf,
                train: w.train,
                recipe,
                seed: salunSeed++,
                mask: { salient: mask.salient, anchor: mask.anchor },
                pool,
                forget: warm ? w.forget.subarray(0, BATCH) : w.forget,
                retain: warm ? w.retain.subarray(0, BATCH) : w.retain,
              }),
          },
        ]
      : []),
    {
      op: 'saliency',
      samples: w.forget.length,
      run: (warm) => computeSaliencyScores(clf, w.train, warm ? w.forget.subarray(0, 2 * BATCH) : w.forget, BATCH).then(() => undefined),
    },
    { op: 'fwdbwd', samples: w.forget.length, run: (warm) => forwardBackward(clf, w.train, warm ? w.forget.subarray(0, 2 * BATCH) : w.forget) },
    {
      op: 'eval',
      samples: w.forget.length + w.retain.length + w.testIdx.length,
      run: async (warm) => {
        if (warm) {
          await predictPerSample(clf, w.test, w.testIdx.subarray(0, 2 * EVAL_BATCH), undefined, EVAL_BATCH);
          return;
        }
        evalOut = await evaluateAll(clf, w);
      },
    },
  ];
  let poolTiming: TrainingPool['timing'] | undefined;
  const records: OpRecord[] = ops.map((o) => ({ op: o.op, samples: o.samples, seconds: [], tensorsBefore: [], tensorsAfter: [], rssMb: [] }));
  try {
    for (const o of ops) await o.run(true);
    for (let r = 0; r < a.repeats; r++) {
      for (const [i, o] of ops.entries()) {
        const rec = records[i];
        rec.tensorsBefore.push(tf.memory().numTensors);
        const busy0 = machineBusySeconds();
        const cpu0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        await o.run(false);
        const wall = secsSince(t0);
        rec.seconds.push(wall);
        const cpu = process.cpuUsage(cpu0);
        const ours = (cpu.user + cpu.system) / 1e6;
        const busy1 = machineBusySeconds();
        (rec.cores ??= []).push(ours / wall);
        if (busy0 !== undefined && busy1 !== undefined) (rec.othersCores ??= []).push(Math.max(0, busy1 - busy0 - ours) / wall);
        rec.tensorsAfter.push(tf.memory().numTensors);
        if (pool && (o.op === 'trainPar' || o.op === 'salunPar')) (rec.workerTensors ??= []).push(pool.workerTensors.join('/'));
        const rss = rssMb();
        rec.rssMb.push(rss);
        rssMax = Math.max(rssMax, rss);
        const inWorkers = rec.workerTensors ? ` (workers ${rec.workerTensors[r]})` : '';
        const others = rec.othersCores ? `, other processes ${rec.othersCores[r].toFixed(2)}` : '';
        log(
          `[${name}] repeat ${r + 1}/${a.repeats} ${opLabel(o.op, a.workers)}: ${rec.seconds[r].toFixed(3)} s, tensors ${rec.tensorsBefore[r]}→${rec.tensorsAfter[r]}${inWorkers}, RSS ${rss.toFixed(0)} MiB; cores busy: this process ${rec.cores[r].toFixed(2)}${others}`,
        );
      }
    }
    poolTiming = pool?.timing;
  } finally {
    await pool?.terminate();
    trainOpt.dispose();
    tf.dispose([...mask.salient, ...mask.anchor]);
    clf.model.dispose();
  }
  if (!evalOut) throw new Error('evaluation produced nothing');
  return {
    record: {
      name,
      detail: info.detail,
      threads,
      params: mask.total,
      ops: records,
      workers: pool?.effectiveWorkers ?? 1,
      poolTiming,
      tensorsFlat: records.every(opFlat),
      rssStartMb: rssStart,
      rssEndMb: rssMb(),
      rssMaxMb: rssMax,
    },
    evalOut,
  };
}

function benchMia(e: EvalOut, repeats: number): OpRecord {
  const input = miaInput(e);
  const rec: OpRecord = {
    op: 'mia',
    samples: input.retainConfidence.length + input.testConfidence.length,
    seconds: [],
    tensorsBefore: [],
    tensorsAfter: [],
    rssMb: [],
  };
  for (let r = 0; r < repeats; r++) {
    rec.tensorsBefore.push(tf.memory().numTensors);
    const t0 = process.hrtime.bigint();
    miaEfficacy(input);
    rec.seconds.push(secsSince(t0));
    rec.tensorsAfter.push(tf.memory().numTensors);
    rec.rssMb.push(rssMb());
  }
  return rec;
}

// ---------------------------------------------------------------------------------------------
// The PyTorch peer

interface TorchOp {
  samples: number;
  seconds: number[];
}

interface TorchOut {
  versions: Record<string, string>;
  threads: { torch: number; interop: number; openblas: number | null; omp_env: string | null };
  blas: string[];
  config: string;
  parallel: string;
  params: number;
  ops: Partial<Record<OpId, TorchOp>>;
  max_rss_mb: number;
}

function isTorchOut(v: unknown): v is TorchOut {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Partial<TorchOut>;
  return typeof o.versions === 'object' && typeof o.threads === 'object' && typeof o.ops === 'object' && typeof o.params === 'number';
}

const f32bytes = (t: Float32Array | Int32Array): Buffer => Buffer.from(t.buffer, t.byteOffset, t.byteLength);

function runTorch(w: Workload, a: Args, threads: number, expectedParams: number, mia: EvalOut | undefined): TorchOut {
  const dir = mkdtempSync(join(tmpdir(), 'salun-speed-'));
  try {
    writeFileSync(join(dir, 'train-x.bin'), f32bytes(w.train.images));
    writeFileSync(join(dir, 'train-y.bin'), f32bytes(w.train.labels));
    const test = gatherRows(w.test, w.testIdx);
    writeFileSync(join(dir, 'test-x.bin'), f32bytes(test.x));
    writeFileSync(join(dir, 'test-y.bin'), f32bytes(test.y));
    writeFileSync(join(dir, 'forget.bin'), f32bytes(w.forget));
    writeFileSync(join(dir, 'retain.bin'), f32bytes(w.retain));
    const spec = {
      hwc: [w.train.height, w.train.width, w.train.channels],
      numClasses: w.train.numClasses,
      nTrain: w.train.n,
      nTest: w.testIdx.length,
      nForget: w.forget.length,
      nRetain: w.retain.length,
      batch: BATCH,
      evalBatch: EVAL_BATCH,
      repeats: a.repeats,
      threads,
      seed: SEED,
      ratio: DEFAULT_RATIO,
      expectedParams,
      train: { lr: DEFAULT_TRAIN.lr, momentum: DEFAULT_TRAIN.momentum, weightDecay: DEFAULT_TRAIN.weightDecay },
      unlearn: { lr: DEFAULT_UNLEARN.lr, momentum: DEFAULT_UNLEARN.momentum, weightDecay: DEFAULT_UNLEARN.weightDecay },
      mia: mia !== undefined,
    };
    if (mia) {
      const m = miaInput(mia);
      writeFileSync(
        join(dir, 'mia.json'),
        JSON.stringify({ retain: Array.from(m.retainConfidence), test: Array.from(m.testConfidence), forget: Array.from(m.forgetConfidence) }),
      );
    }
    writeFileSync(join(dir, 'in.json'), JSON.stringify(spec));
    const python = process.env.PYTHON ?? '/usr/bin/python3';
    const script = resolve(__dirname, '..', '..', 'bench', 'speed.py');
    // Thread pools are sized when the libraries load, so the counts go in through the environment
    // too (OpenBLAS's pthread pool ignores torch.set_num_threads).
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
    const run = spawnSync(python, [script, dir], { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (run.error !== undefined || run.status !== 0) {
      throw new Error(`${python} ${script} failed (${run.error?.message ?? `exit ${run.status}`}); it needs Debian's python3-torch`);
    }
    const parsed: unknown = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    if (!isTorchOut(parsed)) throw new Error(`unexpected output from ${script}`);
    return parsed;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// γ preview on a ResNet-18-sized map

/** Trainable weight shapes of the CIFAR ResNet-18 of the SalUn paper (3×3 stem, no max-pool), tfjs layout. */
function resnet18Shapes(numClasses = 10): Array<{ name: string; shape: number[] }> {
  const out: Array<{ name: string; shape: number[] }> = [];
  const conv = (name: string, k: number, cin: number, cout: number): void => {
    out.push({ name: `${name}/kernel`, shape: [k, k, cin, cout] });
  };
  const bn = (name: string, c: number): void => {
    out.push({ name: `${name}/gamma`, shape: [c] }, { name: `${name}/beta`, shape: [c] });
  };
  conv('conv1', 3, 3, 64);
  bn('bn1', 64);
  let cin = 64;
  [64, 128, 256, 512].forEach((c, stage) => {
    for (let b = 0; b < 2; b++) {
      const p = `layer${stage + 1}.${b}`;
      const strided = b === 0 && stage > 0;
      conv(`${p}.conv1`, 3, cin, c);
      bn(`${p}.bn1`, c);
      conv(`${p}.conv2`, 3, c, c);
      bn(`${p}.bn2`, c);
      if (strided || cin !== c) {
        conv(`${p}.shortcut`, 1, cin, c);
        bn(`${p}.shortcut_bn`, c);
      }
      cin = c;
    }
  });
  out.push({ name: 'fc/kernel', shape: [512, numClasses] }, { name: 'fc/bias', shape: [numClasses] });
  return out;
}

interface GammaPreview {
  layers: number;
  weights: number;
  scores: string;
  buildIndexS: number;
  draws: number;
  gammaMs: { median: number; p95: number; max: number };
  ratioMs: { median: number; p95: number; max: number };
  buildMaskS: number;
  goalMs: number;
  saliencyPass: string;
}

function gammaPreview(log: (s: string) => void): GammaPreview {
  const shapes = resnet18Shapes();
  const rand = makeRng(SEED + 18);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  // Real maps have exact zeros (dead ReLU units: 19.7% on the CNN) and layer scales that differ by
  // orders of magnitude; both shape the sort and the per-layer searches, so the stand-in has them.
  const scores = shapes.map((s) => {
    const n = s.shape.reduce((p, q) => p * q, 1);
    const scale = 10 ** (-4 + 2 * rand());
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = rand() < 0.2 ? 0 : Math.abs(normal()) * scale;
    return a;
  });
  const source: SaliencyScores = { names: shapes.map((s) => s.name), shapes: shapes.map((s) => s.shape), scores };
  let t0 = process.hrtime.bigint();
  const index = new SaliencyIndex(source);
  const buildIndexS = secsSince(t0);
  log(`[γ preview] ResNet-18 shapes: ${shapes.length} tensors, ${index.total} weights; SaliencyIndex built in ${buildIndexS.toFixed(2)} s`);
  let lo = Infinity;
  for (const s of index.sortedByLayer) {
    const nz = s.find((v) => v > 0);
    if (nz !== undefined) lo = Math.min(lo, nz);
  }
  const hi = index.sortedAll[index.total - 1];
  const gammaMs: number[] = [];
  const ratioMs: number[] = [];
  let sink = 0;
  for (let i = 0; i < GAMMA_DRAWS; i++) {
    const gamma = lo * (hi / lo) ** rand();
    t0 = process.hrtime.bigint();
    const g = index.summaryForGamma(gamma);
    gammaMs.push(secsSince(t0) * 1000);
    const ratio = 0.01 + 0.98 * rand();
    t0 = process.hrtime.bigint();
    const r = index.summaryForRatio(ratio);
    ratioMs.push(secsSince(t0) * 1000);
    sink += g.layers[0].salient + r.layers[0].salient;
  }
  t0 = process.hrtime.bigint();
  const m = buildMask(index, index.summaryForRatio(DEFAULT_RATIO));
  const buildMaskS = secsSince(t0);
  if (m.length !== shapes.length || sink < 0) throw new Error('γ preview: unexpected mask');
  const stats = (xs: number[]): { median: number; p95: number; max: number } => {
    const s = xs.slice().sort((a, b) => a - b);
    return { median: median(s), p95: quantile(s, 0.95), max: s[s.length - 1] };
  };
  return {
    layers: shapes.length,
    weights: index.total,
    scores:
      'random stand-in (seeded): 20% exact zeros, the rest half-normal with a per-layer scale log-uniform in 1e-4…1e-2; only the sort and search costs are measured',
    buildIndexS,
    draws: GAMMA_DRAWS,
    gammaMs: stats(gammaMs),
    ratioMs: stats(ratioMs),
    buildMaskS,
    goalMs: GAMMA_GOAL_MS,
    saliencyPass: 'not timed: a ResNet-18 gradient pass on the 1-thread wasm backend costs minutes per 1,000 CIFAR images, too dear for this bench',
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)];
}

function fmtTime(xs: number[] | undefined): string {
  if (!xs || xs.length === 0) return '-';
  const med = median(xs);
  const digits = med < 1 ? 3 : 2;
  if (xs.length === 1) return med.toFixed(digits);
  return `${med.toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
}

/**
 * The speed goals (docs/backends.md), each as a ratio from this run's medians. SalUn ÷ Retrain is composed from the
 * measured pieces on the default protocol: the saliency map over Df plus DEFAULT_UNLEARN.epochs SalUn
 * epochs, against the CNN's default training epochs on Dr (a train epoch scaled by |Dr| / |D|).
 */
function goalLines(
  results: BackendRecord[],
  torch: TorchOut | undefined,
  torchPar: TorchOut | undefined,
  gp: GammaPreview,
  a: Args,
  nForget: number,
  nRetain: number,
  nTrain: number,
  flat: boolean,
): string[] {
  const med = (s?: number[]): number | undefined => (s && s.length ? median(s) : undefined);
  const op = (r: BackendRecord, id: OpId): number | undefined => med(r.ops.find((o) => o.op === id)?.seconds);
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met');
  const lines = ['Goals (this run):'];
  const trainEpochs = defaultTrainRecipe('cnn').epochs;
  for (const r of results) {
    const t1 = torch ? med(torch.ops.train?.seconds) : undefined;
    const ours = op(r, 'train');
    const ratio = ours && t1 ? ours / t1 : undefined;
    lines.push(
      `  CNN train epoch ÷ torch (${torch?.threads.torch ?? '-'} thread): ${r.name} ${ratio?.toFixed(2) ?? '-'} (goal ≤ 1.5: ${verdict(ratio === undefined ? undefined : ratio <= 1.5)})`,
    );
    const par = op(r, 'trainPar');
    const tp = torchPar ? med(torchPar.ops.train?.seconds) : undefined;
    if (par && r.workers > 1) {
      const best = Math.min(t1 ?? Infinity, tp ?? Infinity);
      lines.push(
        `    with ${r.workers} workers: ÷ torch ${tp ? (par / tp).toFixed(2) : '-'} at ${a.workers} threads, ÷ torch's faster thread count ${Number.isFinite(best) ? (par / best).toFixed(2) : '-'}`,
      );
    }
    const sal = op(r, 'saliency');
    const salun = op(r, 'salun');
    if (ours && sal !== undefined && salun) {
      const retrain = ours * (nRetain / nTrain) * trainEpochs;
      const unlearn = sal + salun * DEFAULT_UNLEARN.epochs;
      const q = unlearn / retrain;
      lines.push(
        `  SalUn (saliency + ${DEFAULT_UNLEARN.epochs} epochs) ÷ Retrain (${trainEpochs} epochs on Dr): ${r.name} ${q.toFixed(3)} = 1/${(1 / q).toFixed(1)} (goal ≤ 1/15: ${verdict(q <= 1 / 15)}; ` +
          `bounded by the epoch counts: ${DEFAULT_UNLEARN.epochs} SalUn epochs over |D| against ${trainEpochs} over |Dr| give ≈ ${(DEFAULT_UNLEARN.epochs / ((trainEpochs * nRetain) / nTrain)).toFixed(2)} at equal epoch cost)`,
      );
    }
    const fb = op(r, 'fwdbwd');
    if (sal !== undefined && fb)
      lines.push(`  saliency ÷ fwd+bwd over Df (${nForget}): ${r.name} ${(sal / fb).toFixed(2)} (goal ≤ 1.2: ${verdict(sal / fb <= 1.2)})`);
  }
  lines.push(
    `  γ change → per-layer sparsity at ${gp.weights} weights: median ${gp.gammaMs.median.toFixed(3)} ms (goal < ${gp.goalMs} ms: ${verdict(gp.gammaMs.median < gp.goalMs)})`,
  );
  lines.push(`  tensors flat over this run's repeats: ${flat ? 'yes' : 'NO'} (20 epochs: npm run -s build && node out/bench/memory.js)`);
  lines.push('  the floor that matrix products alone put on "epoch ÷ torch": node out/bench/gemm.js');
  return lines;
}

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2));
  const log = (s: string): void => {
    process.stderr.write(s + '\n');
  };
  if (!a.quick && a.opsBackends.includes('cpu'))
    log('warning: the cpu backend at this size takes ~100× as long as wasm (use --quick or --train/--forget/--test)');

  const all = withTrainSubset(loadData({ kind: 'idx', dir: a.data }, '.'), a.train);
  const train = all.train;
  if (train.n < a.train) throw new Error(`${a.data} has only ${train.n} training samples`);
  if (a.forget >= train.n) throw new Error(`--forget (${a.forget}) must be below the training subset size (${train.n})`);
  const order = shuffleInPlace(
    Int32Array.from({ length: train.n }, (_, i) => i),
    makeRng(SEED + 1),
  );
  const forget = Int32Array.from(order.subarray(0, a.forget)).sort();
  const retain = Int32Array.from(order.subarray(a.forget)).sort();
  const test =
    a.test >= all.test.n
      ? all.test
      : subsetRows(all.test, balancedPrefix(all.test.labels, all.test.numClasses, a.test), `${all.test.source}, balanced first ${a.test}`);
  const w: Workload = { train, test, forget, retain, testIdx: Int32Array.from({ length: test.n }, (_, i) => i) };

  const started = new Date();
  const loadAvg = (): string => (process.platform === 'linux' ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'n/a');
  console.log(`SalUn Lab speed bench — ${started.toISOString()}${a.quick ? ' — --quick: a smoke test, sizes too small for conclusions' : ''}`);
  console.log(`machine: ${machineLine()}; load average ${loadAvg()} at the start`);
  console.log('no GPU was measured in this run unless a webgpu row names a hardware adapter\n');
  if (a.matrix) {
    const m = runMatrix(
      { quick: a.quick, backends: a.backends, threads: a.threads, data: a.data, repeats: a.repeats, peers: a.peers, resnet: a.resnet },
      train,
      log,
    );
    console.log(['== Backend matrix (a process per backend and thread count) ==', ...m.lines, ''].join('\n'));
  }
  if (!a.ops) {
    console.log(`load average ${loadAvg()} at the end; ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s in all`);
    return 0;
  }
  log('\n[per-op] the per-op table, in this process');

  const results: BackendRecord[] = [];
  let lastEval: EvalOut | undefined;
  for (const b of a.opsBackends) {
    const { record, evalOut } = await benchBackend(b, w, a, log);
    results.push(record);
    lastEval = evalOut;
  }
  const miaRec = a.mia && lastEval ? benchMia(lastEval, a.repeats) : undefined;

  const threads = a.torchThreads ?? Math.max(1, ...results.map((r) => r.threads));
  const expectedParams = results[0].params;
  if (a.torch) log(`\n[torch] ${process.env.PYTHON ?? '/usr/bin/python3'} bench/speed.py, ${threads} thread${threads === 1 ? '' : 's'}`);
  const torch = a.torch ? runTorch(w, a, threads, expectedParams, a.mia ? lastEval : undefined) : undefined;
  // The worker rows' peer: torch with as many threads as workers (intra-op parallelism, its own way
  // of using the cores), so "N workers ÷ torch" compares the same core count.
  const parallel = a.workers > 1;
  if (a.torch && parallel) log(`\n[torch] bench/speed.py again with ${a.workers} threads, the peer of the ${a.workers}-worker rows`);
  const torchPar = a.torch && parallel ? runTorch(w, a, a.workers, expectedParams, undefined) : undefined;
  log('\n[γ preview] ResNet-18-sized saliency index');
  const gp = gammaPreview(log);

  // ---- print
  const out: string[] = [];
  const cpu = cpus();
  const date = new Date().toISOString();
  out.push(`== Per-op table (${a.opsBackends.join(', ')} in this process, against ${process.env.PYTHON ?? '/usr/bin/python3'}'s torch) ==`);
  out.push(
    `machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} logical cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average ${process.platform === 'linux' ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'n/a'} at the end`,
  );
  out.push(
    `node ${process.version}, tfjs ${tf.version_core}, tfjs-backend-wasm ${wasmBackend.version_wasm}` +
      (torch ? `, torch ${torch.versions.torch}, numpy ${torch.versions.numpy}, python ${torch.versions.python}` : ''),
  );
  for (const r of results) out.push(`backend ${r.name}: ${r.detail} (threads: ${r.threads})`);
  if (torch) {
    out.push(
      `torch: ${torch.threads.torch} intra-op thread(s) (torch.get_num_threads), ${torch.threads.interop} inter-op, OpenBLAS threads ${torch.threads.openblas ?? 'n/a'}; ${torch.config}`,
    );
    out.push(`torch BLAS in use: ${torch.blas.join(', ') || 'none mapped'}`);
    out.push(`torch parallel: ${torch.parallel}`);
    if (torch.threads.torch !== threads) out.push(`WARNING: torch runs ${torch.threads.torch} threads, tfjs ${threads}`);
  }
  out.push(
    `data: ${train.source}; ${train.n} train (${forget.length} forget Df, ${retain.length} retain Dr), ${test.n} test; built-in 'cnn' (${expectedParams} weights), batch ${BATCH}, evaluation batch ${EVAL_BATCH}`,
  );
  out.push(`repeats: ${a.repeats} (after one warm-up on two batches); seconds: median (min–max)${a.quick ? '; --quick: sizes too small for conclusions' : ''}`);
  out.push('');
  const opIds: OpId[] = ['train', 'salun', ...(parallel ? (['trainPar', 'salunPar'] as const) : []), 'saliency', 'fwdbwd', 'eval'];
  const torchOf = (op: OpId): TorchOp | undefined => (op === 'trainPar' ? torchPar?.ops.train : op === 'salunPar' ? torchPar?.ops.salun : torch?.ops[op]);
  const header = ['op', 'samples', ...results.map((r) => `${r.name} s`), ...(torch ? ['torch s', ...results.map((r) => `${r.name}÷torch`)] : [])];
  const rows = opIds.map((op) => {
    const recs = results.map((r) => r.ops.find((o) => o.op === op));
    const t = torchOf(op);
    const samples = recs[0]?.samples ?? t?.samples ?? 0;
    return [
      opLabel(op, a.workers),
      String(samples),
      ...recs.map((rec) => fmtTime(rec?.seconds)),
      ...(torch ? [fmtTime(t?.seconds), ...recs.map((rec) => (rec && t ? (median(rec.seconds) / median(t.seconds)).toFixed(2) : '-'))] : []),
    ];
  });
  if (miaRec) {
    const t = torch?.ops.mia;
    rows.push([
      `${OP_LABEL.mia} (TS, backend-independent)`,
      String(miaRec.samples),
      ...results.map((_, i) => (i === 0 ? fmtTime(miaRec.seconds) : '')),
      ...(torch
        ? [t ? `${fmtTime(t.seconds)} sklearn` : '-', ...results.map((_, i) => (i === 0 && t ? (median(miaRec.seconds) / median(t.seconds)).toFixed(2) : ''))]
        : []),
    ]);
  }
  out.push(...table(header, rows));
  if (parallel && torchPar) out.push(`(the ${a.workers}-worker rows' torch s: torch with ${torchPar.threads.torch} threads)`);
  out.push('');
  if (parallel) {
    const of = (s: number[] | undefined): number | undefined => (s && s.length ? median(s) : undefined);
    const engine = (r: BackendRecord, op: OpId): number | undefined => of(r.ops.find((o) => o.op === op)?.seconds);
    const speedUp = (one?: number, many?: number): string => (one && many ? `×${(one / many).toFixed(2)} (${one.toFixed(2)} s → ${many.toFixed(2)} s)` : '-');
    const load = (r: BackendRecord, op: OpId): string => {
      const rec = r.ops.find((o) => o.op === op);
      const ours = rec?.cores ? median(rec.cores).toFixed(2) : '-';
      return `${ours} cores busy${rec?.othersCores ? `, other processes ${median(rec.othersCores).toFixed(2)}` : ''}`;
    };
    for (const r of results) {
      if (r.workers <= 1) {
        out.push(`${r.name}: the pool left training on one thread (see the log)`);
        continue;
      }
      out.push(
        `${r.name}, ${r.workers} workers vs 1: train epoch ${speedUp(engine(r, 'train'), engine(r, 'trainPar'))}, SalUn epoch ${speedUp(engine(r, 'salun'), engine(r, 'salunPar'))}`,
      );
      out.push(`  (medians: train ${load(r, 'train')} → ${load(r, 'trainPar')}; SalUn ${load(r, 'salun')} → ${load(r, 'salunPar')})`);
      const t = r.poolTiming;
      if (t && t.steps)
        out.push(
          `  (per step with workers: ${(t.gradientsMs / t.steps).toFixed(1)} ms in the pool, of which the slowest worker's own ${(t.slowestWorkerMs / t.steps).toFixed(1)} ms; ${t.steps} steps)`,
        );
    }
    if (torch && torchPar) {
      out.push(
        `torch, ${torchPar.threads.torch} threads vs ${torch.threads.torch}: train epoch ${speedUp(of(torch.ops.train?.seconds), of(torchPar.ops.train?.seconds))}, SalUn epoch ${speedUp(of(torch.ops.salun?.seconds), of(torchPar.ops.salun?.seconds))}`,
      );
    }
    out.push('');
  }
  const ratioOf = (s?: number[], f?: number[]): string => (s && f ? (median(s) / median(f)).toFixed(2) : '-');
  out.push(
    'saliency ÷ fwd+bwd: ' +
      [
        ...results.map((r) => `${r.name} ${ratioOf(r.ops.find((o) => o.op === 'saliency')?.seconds, r.ops.find((o) => o.op === 'fwdbwd')?.seconds)}`),
        ...(torch ? [`torch ${ratioOf(torch.ops.saliency?.seconds, torch.ops.fwdbwd?.seconds)}`] : []),
      ].join(', '),
  );
  for (const r of results) {
    const perOp = r.ops
      .map(
        (o) => `${o.op} ${o.tensorsBefore.join('/')}→${o.tensorsAfter.join('/')}${o.workerTensors ? ` (in the workers: ${o.workerTensors.join(', ')})` : ''}`,
      )
      .join('; ');
    out.push(`${r.name}: tensors flat: ${r.tensorsFlat ? 'yes' : 'NO'} (before→after per repeat: ${perOp})`);
    out.push(
      `${r.name}: RSS ${r.rssStartMb.toFixed(0)} MiB at start, ${r.rssEndMb.toFixed(0)} at end, max ${r.rssMaxMb.toFixed(0)} (after each op: ${r.ops.map((o) => `${o.op} ${o.rssMb.map((x) => x.toFixed(0)).join('/')}`).join('; ')})`,
    );
  }
  if (torch) out.push(`torch: max RSS ${torch.max_rss_mb.toFixed(0)} MiB (python process)`);
  out.push('');
  out.push(`γ preview (ResNet-18 shapes: ${gp.layers} tensors, ${gp.weights} weights; ${gp.scores})`);
  out.push(`  SaliencyIndex build (sorts): ${gp.buildIndexS.toFixed(2)} s once`);
  out.push(
    `  γ → per-layer sparsity (summaryForGamma), ${gp.draws} random γ: median ${gp.gammaMs.median.toFixed(3)} ms, p95 ${gp.gammaMs.p95.toFixed(3)}, max ${gp.gammaMs.max.toFixed(3)} (goal < ${gp.goalMs} ms: ${gp.gammaMs.median < gp.goalMs ? 'met' : 'MISSED'})`,
  );
  out.push(
    `  ratio → γ and per-layer sparsity (summaryForRatio), ${gp.draws} random ratios: median ${gp.ratioMs.median.toFixed(3)} ms, p95 ${gp.ratioMs.p95.toFixed(3)}, max ${gp.ratioMs.max.toFixed(3)}`,
  );
  out.push(`  buildMask at ratio ${DEFAULT_RATIO} (one pass over every weight): ${gp.buildMaskS.toFixed(2)} s`);
  out.push(`  saliency gradient pass: ${gp.saliencyPass}`);
  const flat = results.every((r) => r.tensorsFlat);
  out.push('');
  out.push(`tensors flat: ${flat ? 'yes' : 'NO'}`);
  out.push('');
  out.push(...goalLines(results, torch, torchPar, gp, a, forget.length, retain.length, train.n, flat));
  out.push('', `${((Date.now() - started.getTime()) / 1000).toFixed(0)} s in all`);
  console.log(out.join('\n'));

  if (a.out) {
    writeFileSync(
      a.out,
      JSON.stringify(
        {
          date,
          machine: { cpu: cpu[0]?.model, logicalCores: cpu.length, totalMemGiB: totalmem() / 2 ** 30 },
          versions: { node: process.version, tfjs: tf.version_core, tfjsBackendWasm: wasmBackend.version_wasm, ...(torch ? { torch: torch.versions } : {}) },
          config: { ...a, batch: BATCH, evalBatch: EVAL_BATCH, seed: SEED, ratio: DEFAULT_RATIO, trainSource: train.source, torchThreads: threads },
          backends: results,
          mia: miaRec,
          torch,
          torchParallel: torchPar,
          gammaPreview: gp,
          tensorsFlat: flat,
        },
        null,
        2,
      ),
    );
    log(`wrote ${a.out}`);
  }
  return flat ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 2;
  },
);
