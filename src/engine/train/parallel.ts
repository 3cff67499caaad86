// Data-parallel training on worker threads (opt-in: `workers` > 1 in the config, --workers N).
// Each batch is split into N contiguous shards; worker k (trainWorker.ts) holds a replica of the
// model, takes this thread's weights from a SharedArrayBuffer, and returns the gradient of its
// shard's mean loss. Here the gradients are combined weighted by shard size, which is the gradient
// of the whole batch's mean loss, and the caller's optimizer steps once (masks, momentum and weight
// decay exactly as with one thread). Shuffles and random labels are drawn on this thread, so the
// random stream is the one a single thread draws.
//
// Batch norm: each shard normalises with its own batch statistics, as PyTorch's DDP does without
// SyncBatchNorm, so a model with batch norm trains slightly differently from one thread (a shard
// of 64 rows instead of a batch of 128). Its moving mean and variance become the shard-size-weighted
// average of the workers' updated values: m·old + (1−m)·Σₖ(nₖ/n)·statₖ. Without batch norm (and
// without dropout, whose masks each thread draws itself) N workers give one thread's weights up to
// the order of float summation.
//
// The threads start at the first pass that uses them and live until terminate(): one start per job.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserError } from '../../store/errors';
import type { Classifier } from '../models/io';
import { tf, type T } from '../tf';
import type { FromWorker, ModelSetup, ToWorker, WeightSlot, WorkerData } from './workerMessages';
import { isWorkerBackend } from '../../protocol/backends';

const HINT = 'Run with one worker (--workers 1, or "workers": 1 in the config) to train on this thread; the log has the worker\'s stack trace.';

let liveThreads = 0;

/** Worker threads of every pool in this process that have not exited yet (tests check for leaks). */
export function liveTrainingWorkers(): number {
  return liveThreads;
}

/**
 * The worker's script: beside this code in both layouts, dist/ (job.js, cli.js and trainWorker.js
 * are bundles side by side, like the .wasm files) and out/src/engine/train/ (file-by-file).
 */
export function trainWorkerEntry(): string {
  return join(__dirname, 'trainWorker.js');
}

interface Waiter {
  resolve: (m: FromWorker) => void;
  reject: (e: Error) => void;
}

interface Thread {
  worker: Worker;
  /** At most one request per thread is in flight; 0 is the start-up handshake. */
  waiting: Map<number, Waiter>;
}

interface Loaded {
  model: T.LayersModel;
  gradIndices: number[];
  rowShape: number[];
  capacity: number;
  slots: WeightSlot[];
  weights: Float32Array;
  outs: Float32Array[];
  x: Float32Array;
  y: Int32Array;
  /** Float64 accumulator for combining one weight's gradients (the largest weight's size). */
  scratch: Float64Array;
}

/** Where the pool reports how it runs: 'warn' when training falls back to one thread. */
export type PoolLog = (level: 'info' | 'warn', message: string) => void;

export interface ShardedBatch {
  /** The batch's inputs, row-major, `labels.length` rows of `rowShape`. */
  x: Float32Array;
  labels: Int32Array;
  rowShape: number[];
  /** Minus the cross-entropy (GA). */
  negate: boolean;
}

/** Contiguous shards as equal as possible: [⌊k·n/K⌋, ⌊(k+1)·n/K⌋) for k < K = min(n, threads). */
export function shardBounds(n: number, threads: number): Array<{ from: number; to: number }> {
  const k = Math.max(1, Math.min(n, threads));
  return Array.from({ length: k }, (_, i) => ({ from: Math.floor((i * n) / k), to: Math.floor(((i + 1) * n) / k) }));
}

export class TrainingPool {
  private threads: Thread[] = [];
  private starting?: Promise<boolean>;
  private failure?: Error;
  private closing = false;
  private ended?: Promise<void>;
  private loaded?: Loaded;
  private nextId = 1;
  private tensorCounts: number[] = [];
  private readonly stepTimes = { steps: 0, gradientsMs: 0, slowestWorkerMs: 0 };

  /** `workers` ≤ 1 (or not an integer) is a pool that never starts: every pass runs on this thread. */
  constructor(
    readonly workers: number,
    private readonly log: PoolLog = () => undefined,
  ) {}

  /** Threads the next pass uses: `workers`, or 1 when the backend spreads each op over the cores itself. */
  get effectiveWorkers(): number {
    if (!(Number.isInteger(this.workers) && this.workers > 1)) return 1;
    return isWorkerBackend(tf.getBackend()) ? this.workers : 1;
  }

  /**
   * Since the pool started, summed over steps (ms): time in gradients() and the slowest worker's own
   * time per step; their difference is what sharding costs on this thread (copies, messages, combining).
   */
  get timing(): { steps: number; gradientsMs: number; slowestWorkerMs: number } {
    return { ...this.stepTimes };
  }

  /** tf.memory().numTensors in each worker after its last step (flat across epochs when nothing leaks). */
  get workerTensors(): number[] {
    return this.tensorCounts.slice();
  }

  /**
   * Starts the threads on first use. False when training stays on this thread (one worker asked, or
   * a native backend, which already uses every core inside each op; the reason is logged once).
   */
  usable(): Promise<boolean> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error('the training pool was terminated'));
    if (!(Number.isInteger(this.workers) && this.workers > 1)) return Promise.resolve(false);
    this.starting ??= this.start();
    return this.starting;
  }

  private async start(): Promise<boolean> {
    const backend = tf.getBackend();
    if (!isWorkerBackend(backend)) {
      this.log(
        'warn',
        `workers ${this.workers}: not used on the ${backend} backend, which already spreads each operation over the cores; training runs on one thread`,
      );
      return false;
    }
    const entry = trainWorkerEntry();
    if (!existsSync(entry)) {
      throw new UserError(`The training worker script ${entry} is missing.`, `Rebuild (npm run build) or reinstall the extension. ${HINT}`);
    }
    const data: WorkerData = { backend };
    const ready: Promise<FromWorker>[] = [];
    for (let k = 0; k < this.workers; k++) {
      const thread: Thread = { worker: new Worker(entry, { workerData: data }), waiting: new Map() };
      liveThreads++;
      ready.push(new Promise((resolve, reject) => thread.waiting.set(0, { resolve, reject })));
      this.listen(thread, k);
      this.threads.push(thread);
    }
    await Promise.all(ready).catch((e: unknown) => {
      throw this.fail(e);
    });
    this.log(
      'info',
      `training on ${this.workers} worker threads (${backend} backend), each batch split into ${this.workers} shards; batch-norm layers normalise each shard with its own statistics`,
    );
    return true;
  }

  private listen(thread: Thread, k: number): void {
    const label = `Training worker ${k + 1} of ${this.workers}`;
    thread.worker.on('message', (m: FromWorker) => {
      const id = m.type === 'ready' ? 0 : (m.id ?? 0);
      const w = thread.waiting.get(id);
      thread.waiting.delete(id);
      if (m.type === 'error') {
        const e = new UserError(`${label} failed: ${m.message}`, HINT);
        if (m.stack) e.stack = `${e.name}: ${e.message}\n  worker stack: ${m.stack}`;
        w?.reject(this.fail(e));
      } else w?.resolve(m);
    });
    thread.worker.on('error', (e) => {
      this.fail(new UserError(`${label} crashed: ${e.message}`, HINT));
    });
    thread.worker.on('exit', (code) => {
      liveThreads--;
      if (!this.closing) this.fail(new UserError(`${label} exited unexpectedly (code ${code}).`, HINT));
      for (const w of thread.waiting.values()) w.reject(this.failure ?? new Error('the training pool was terminated'));
      thread.waiting.clear();
    });
  }

  /** Records the first failure, rejects everything in flight, and stops every thread. */
  private fail(e: unknown): Error {
    const err = e instanceof Error ? e : new Error(String(e));
    this.failure ??= err;
    for (const t of this.threads) {
      for (const w of t.waiting.values()) w.reject(this.failure);
      t.waiting.clear();
    }
    void this.terminate();
    return this.failure;
  }

  private request(k: number, m: ToWorker): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    const t = this.threads[k];
    return new Promise((resolve, reject) => {
      t.waiting.set(m.id, { resolve, reject });
      t.worker.postMessage(m);
    });
  }

  /** Sends the model to every worker when it, the differentiated variables or the batch size changed. */
  private async load(clf: Classifier, vars: T.Variable[], rowShape: number[], rows: number): Promise<Loaded> {
    const model = clf.model;
    const ws = model.weights;
    const gradIndices = vars.map((v) => ws.findIndex((w) => w.read() === v));
    if (gradIndices.includes(-1)) throw new Error('trainPass: a variable to train is not a weight of the model');
    const l = this.loaded;
    if (l && l.model === model && l.capacity >= rows && same(l.gradIndices, gradIndices) && same(l.rowShape, rowShape)) return l;
    if (ws.some((w) => w.dtype !== 'float32')) throw new UserError('Training with workers needs a model whose weights are all float32.', HINT);
    let offset = 0;
    const slots = ws.map((w) => {
      const size = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      const s: WeightSlot = { shape: w.shape.map((d) => d ?? 1), offset, size };
      offset += size;
      return s;
    });
    const rowSize = rowShape.reduce((a, b) => a * b, 1);
    const weights = new SharedArrayBuffer(4 * offset);
    const x = new SharedArrayBuffer(4 * rows * rowSize);
    const y = new SharedArrayBuffer(4 * rows);
    const outs = this.threads.map(() => new SharedArrayBuffer(4 * offset));
    let topology: unknown;
    try {
      topology = model.toJSON(null, false);
    } catch (e) {
      throw new UserError(`Training with workers needs a model tfjs can serialise: ${(e as Error).message}`, HINT);
    }
    this.loaded = undefined;
    await Promise.all(
      this.threads.map((_, k) => {
        const setup: ModelSetup = {
          type: 'model',
          id: this.nextId++,
          topology,
          outputsProbabilities: clf.outputsProbabilities,
          slots,
          gradIndices,
          weights,
          out: outs[k],
          x,
          y,
          rowShape,
        };
        return this.request(k, setup);
      }),
    );
    this.loaded = {
      model,
      gradIndices,
      rowShape: rowShape.slice(),
      capacity: rows,
      slots,
      weights: new Float32Array(weights),
      outs: outs.map((o) => new Float32Array(o)),
      x: new Float32Array(x),
      y: new Int32Array(y),
      scratch: new Float64Array(Math.max(1, ...slots.map((s) => s.size))),
    };
    return this.loaded;
  }

  /**
   * One step's gradients, `grads[i]` for `vars[i]` (the caller disposes them), and the batch's mean
   * loss. Also sets the model's batch-norm moving statistics (see the file header). Call only after
   * usable() resolved true.
   */
  async gradients(clf: Classifier, vars: T.Variable[], batch: ShardedBatch): Promise<{ loss: number; grads: T.Tensor[] }> {
    if (this.failure) throw this.failure;
    if (this.closing) throw new Error('the training pool was terminated');
    const t0 = performance.now();
    const n = batch.labels.length;
    const l = await this.load(clf, vars, batch.rowShape, n);
    const ws = clf.model.weights;
    ws.forEach((w, i) => l.weights.set(w.read().dataSync(), l.slots[i].offset));
    l.x.set(batch.x);
    l.y.set(batch.labels);
    const shards = shardBounds(n, this.threads.length);
    const replies = await Promise.all(shards.map((s, k) => this.request(k, { type: 'step', id: this.nextId++, from: s.from, to: s.to, negate: batch.negate })));
    const share = shards.map((s) => (s.to - s.from) / n);
    let loss = 0;
    let slowest = 0;
    this.tensorCounts = replies.map((r, k) => {
      if (r.type !== 'done') throw new Error(`training worker ${k + 1}: unexpected reply ${r.type}`);
      loss += share[k] * r.loss;
      slowest = Math.max(slowest, r.ms);
      return r.tensors;
    });
    const grads = l.gradIndices.map((i) => {
      const { offset, size, shape } = l.slots[i];
      // Summed in float64 and rounded once: Σₖ (nₖ/n)·gₖ is the full batch's mean-loss gradient.
      const sum = l.scratch.subarray(0, size).fill(0);
      shards.forEach((_, k) => {
        const g = l.outs[k].subarray(offset, offset + size);
        const s = share[k];
        for (let j = 0; j < size; j++) sum[j] += s * g[j];
      });
      return tf.tensor(Float32Array.from(sum), shape);
    });
    this.setMovedWeights(clf.model, l, shards.length, share);
    this.stepTimes.steps++;
    this.stepTimes.slowestWorkerMs += slowest;
    this.stepTimes.gradientsMs += performance.now() - t0;
    return { loss, grads };
  }

  /**
   * Weights the workers changed without differentiating them (batch-norm moving statistics):
   * sent + Σₖ shareₖ·(newₖ − sent), which leaves a weight no worker moved exactly as it was.
   */
  private setMovedWeights(model: T.LayersModel, l: Loaded, used: number, share: number[]): void {
    const isGrad = new Set(l.gradIndices);
    model.weights.forEach((w, i) => {
      if (isGrad.has(i)) return;
      const { offset, size, shape } = l.slots[i];
      let moved = false;
      for (let k = 0; k < used && !moved; k++) {
        const o = l.outs[k];
        for (let j = 0; j < size; j++)
          if (o[offset + j] !== l.weights[offset + j]) {
            moved = true;
            break;
          }
      }
      if (!moved) return;
      const next = new Float32Array(size);
      for (let j = 0; j < size; j++) {
        const sent = l.weights[offset + j];
        let delta = 0;
        for (let k = 0; k < used; k++) delta += share[k] * (l.outs[k][offset + j] - sent);
        next[j] = sent + delta;
      }
      tf.tidy(() => {
        w.write(tf.tensor(next, shape));
      });
    });
  }

  /** Stops every thread; resolves once all have exited. Idempotent; the pool cannot be used afterwards. */
  terminate(): Promise<void> {
    if (!this.ended) {
      this.closing = true;
      this.loaded = undefined;
      this.ended = Promise.all(this.threads.map((t) => t.worker.terminate())).then(() => undefined);
    }
    return this.ended;
  }
}

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Runs `body` with a pool of `workers` threads, terminated however `body` ends (finish, cancel, error). */
export async function withTrainingPool<R>(workers: number | undefined, log: PoolLog | undefined, body: (pool: TrainingPool) => Promise<R>): Promise<R> {
  const pool = new TrainingPool(workers ?? 1, log);
  try {
    return await body(pool);
  } finally {
    await pool.terminate();
  }
}
