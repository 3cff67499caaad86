// Data-parallel training on worker threads (src/engine/train/parallel.ts, trainWorker.ts), cpu
// backend in the main thread and in the workers: equal to one thread without batch norm, the
// batch-norm statistics' weighted average with it, masks intact, cancel and errors that end every
// thread, and tensor counts that stay flat on both sides.
import { strict as assert } from 'node:assert';
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { allIndices, gatherRows } from '../../src/engine/data/dataset';
import { CancelledError, UserError } from '../../src/store/errors';
import { unlearn } from '../../src/engine/methods/unlearn';
import { classifierOf, cloneModel, type Classifier } from '../../src/engine/models/io';
import { makeRng } from '../../src/engine/rng';
import { trainableVariables, trainPass, type LossKind } from '../../src/engine/train/loop';
import { liveTrainingWorkers, shardBounds, TrainingPool, withTrainingPool } from '../../src/engine/train/parallel';
import { Sgd } from '../../src/engine/train/sgd';
import type { FromWorker } from '../../src/engine/train/workerMessages';
import { tf } from '../../src/engine/tf';
import { defaultRunConfig } from '../../src/protocol/defaults';
import type { JobEvent } from '../../src/protocol/jobMessages';
import { ConfigError, parseRunConfig } from '../../src/protocol/runConfigSchema';
import { tableConfigProblems, defaultTableConfig } from '../../src/protocol/table';
import { maskedSalunBits, tinyMlp, toyImages, useCpu } from '../support/tinyModels';

const SGD = { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };

/** conv 3×3 (4 filters) → batch norm → relu → dense C: the smallest CNN with batch norm. */
function tinyCnn(seed: number, numClasses = 3): Classifier {
  return classifierOf(
    tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [4, 4, 1],
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          useBias: false,
          kernelInitializer: tf.initializers.heNormal({ seed }),
        }),
        tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }),
        tf.layers.reLU(),
        tf.layers.flatten(),
        tf.layers.dense({ units: numClasses, kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }) }),
      ],
    }),
  );
}

const weightsOf = (clf: Classifier): Float32Array[] => clf.model.weights.map((w) => w.read().dataSync().slice() as Float32Array);

/** Threads of this process (Linux); undefined elsewhere. */
function osThreads(): number | undefined {
  try {
    return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

async function pass(
  clf: Classifier,
  loss: LossKind,
  pool: TrainingPool | undefined,
  o: { batchSize: number; rows: number; seed: number },
): Promise<{ meanLoss: number; next: number }> {
  const vars = trainableVariables(clf);
  const optimizer = new Sgd(vars, SGD);
  const rand = makeRng(o.seed);
  try {
    const r = await trainPass({
      clf,
      vars,
      optimizer,
      set: toyImages(o.rows, 3),
      indices: allIndices(o.rows),
      batchSize: o.batchSize,
      loss,
      rand,
      shuffle: true,
      pool,
    });
    return { meanLoss: r.meanLoss, next: rand() };
  } finally {
    optimizer.dispose();
  }
}

describe('data-parallel training (workers)', function () {
  this.timeout(300000);
  before(useCpu);
  after(() => assert.equal(liveTrainingWorkers(), 0, 'every worker thread ended'));

  it('splits a batch into contiguous shards as equal as possible', () => {
    assert.deepEqual(shardBounds(9, 2), [
      { from: 0, to: 4 },
      { from: 4, to: 9 },
    ]);
    assert.deepEqual(shardBounds(128, 2), [
      { from: 0, to: 64 },
      { from: 64, to: 128 },
    ]);
    assert.deepEqual(shardBounds(1, 4), [{ from: 0, to: 1 }]);
    assert.deepEqual(
      shardBounds(10, 3).map((s) => s.to - s.from),
      [3, 3, 4],
    );
  });

  describe('with one pool of 2 workers', () => {
    let pool: TrainingPool;
    const logs: string[] = [];
    before(async () => {
      pool = new TrainingPool(2, (level, m) => logs.push(`${level}: ${m}`));
      assert.equal(await pool.usable(), true);
    });
    after(async () => {
      await pool.terminate();
    });

    it("starts its threads once, on the main thread's backend", () => {
      assert.equal(pool.effectiveWorkers, 2);
      assert.deepEqual(logs, [
        'info: training on 2 worker threads (cpu backend), each batch split into 2 shards; batch-norm layers normalise each shard with its own statistics',
      ]);
    });

    for (const loss of ['ce', 'random-label-ce', 'neg-ce'] as const) {
      it(`MLP without batch norm, ${loss}: one pass with 2 workers gives 1 worker's weights within 1e-5 relative`, async () => {
        const one = tinyMlp(7);
        const two = classifierOf(await cloneModel(one.model));
        // Batch 15 over 50 rows: shards of 7 + 8, and a last batch of 5 (2 + 3).
        const o = { batchSize: 15, rows: 50, seed: 5 };
        const a = await pass(one, loss, undefined, o);
        const b = await pass(two, loss, pool, o);
        assert.equal(b.next, a.next, 'the same random stream (shuffle and random labels) was drawn');
        assert.ok(Math.abs(a.meanLoss - b.meanLoss) <= 1e-5 * Math.abs(a.meanLoss), `mean loss ${a.meanLoss} vs ${b.meanLoss}`);
        const wa = weightsOf(one);
        const wb = weightsOf(two);
        let worst = 0;
        wa.forEach((w, i) =>
          w.forEach((x, j) => {
            worst = Math.max(worst, Math.abs(x - wb[i][j]) / Math.max(Math.abs(x), 1e-3));
          }),
        );
        assert.ok(worst <= 1e-5, `largest relative difference ${worst}`);
        const moved = wa.some((w, i) => w.some((x, j) => x !== weightsOf(tinyMlp(7))[i][j]));
        assert.ok(moved, 'the pass moved the weights');
        one.model.dispose();
        two.model.dispose();
      });
    }

    it('CNN with batch norm: trains (the loss falls), and the moving statistics are the shard-size-weighted average', async () => {
      const set = toyImages(45, 9);
      const clf = tinyCnn(4);
      const bn = clf.model.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
      // One batch of 9 rows, no shuffle: shards of 4 and 5 rows.
      const rows = allIndices(9);
      const replicas = [await cloneModel(clf.model), await cloneModel(clf.model)];
      const expected = [2, 3].map(() => new Float64Array(4));
      shardBounds(9, 2).forEach((s, k) => {
        const { x } = gatherRows(set, rows, s.from, s.to);
        tf.tidy(() => {
          replicas[k].apply(tf.tensor(x, [s.to - s.from, 4, 4, 1]), { training: true });
        });
        const stats = replicas[k].layers[1].getWeights();
        [2, 3].forEach((w, i) =>
          stats[w].dataSync().forEach((v, j) => {
            expected[i][j] += ((s.to - s.from) / 9) * v;
          }),
        );
      });
      replicas.forEach((m) => m.dispose());
      const vars = trainableVariables(clf);
      const optimizer = new Sgd(vars, SGD);
      await trainPass({ clf, vars, optimizer, set, indices: rows, batchSize: 9, loss: 'ce', rand: makeRng(1), shuffle: false, pool });
      const got = bn.getWeights();
      [2, 3].forEach((w, i) =>
        got[w].dataSync().forEach((v, j) => {
          assert.ok(
            Math.abs(v - expected[i][j]) <= 1e-6 + 1e-5 * Math.abs(expected[i][j]),
            `${i ? 'moving variance' : 'moving mean'}[${j}]: ${v} vs ${expected[i][j]}`,
          );
        }),
      );

      const losses: number[] = [];
      const rand = makeRng(2);
      for (let epoch = 0; epoch < 8; epoch++) {
        losses.push((await trainPass({ clf, vars, optimizer, set, indices: allIndices(45), batchSize: 10, loss: 'ce', rand, shuffle: true, pool })).meanLoss);
      }
      assert.ok(losses[7] < 0.7 * losses[0], `loss per epoch: ${losses.map((l) => l.toFixed(3)).join(', ')}`);
      optimizer.dispose();
      clf.model.dispose();
    });

    it('masked SalUn with 2 workers: every non-salient weight stays θo bit for bit', async () => {
      const { moved, frozen } = await maskedSalunBits(pool);
      assert.ok(frozen > 0 && moved > 0, `frozen ${frozen}, moved ${moved}`);
    });

    it('keeps tf.memory().numTensors flat across 3 epochs, here and in every worker', async () => {
      const set = toyImages(40, 8);
      const clf = tinyCnn(6);
      const vars = trainableVariables(clf);
      const salient = vars.map((v) => tf.tidy(() => tf.onesLike(v).cast('bool')));
      const anchor = vars.map((v) => tf.clone(v));
      const main: number[] = [];
      const workers: string[] = [];
      await unlearn({
        method: 'salun',
        clf,
        train: set,
        forget: Int32Array.from([0, 1, 2, 3]),
        retain: allIndices(40).slice(4),
        seed: 2,
        pool,
        mask: { salient, anchor },
        recipe: { epochs: 3, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, batchSize: 8 },
        onEpoch: async () => {
          main.push(tf.memory().numTensors);
          workers.push(pool.workerTensors.join('/'));
        },
      });
      assert.equal(main.length, 3);
      assert.equal(new Set(main).size, 1, `main thread tensors per epoch: ${main.join(', ')}`);
      assert.equal(new Set(workers).size, 1, `worker tensors per epoch: ${workers.join(', ')}`);
      assert.equal(pool.workerTensors.length, 2);
      const t = pool.timing;
      assert.ok(t.steps > 0 && t.gradientsMs >= t.slowestWorkerMs && t.slowestWorkerMs > 0, JSON.stringify(t));
      tf.dispose([...salient, ...anchor]);
      clf.model.dispose();
    });
  });

  it('cancel mid-pass: stops at the next batch and ends every worker thread', async () => {
    const threadsBefore = osThreads();
    const abort = new AbortController();
    let batches = 0;
    const clf = tinyMlp(3);
    const vars = trainableVariables(clf);
    const optimizer = new Sgd(vars, SGD);
    await assert.rejects(
      withTrainingPool(2, undefined, (pool) =>
        trainPass({
          clf,
          vars,
          optimizer,
          set: toyImages(64, 2),
          indices: allIndices(64),
          batchSize: 4,
          loss: 'ce',
          rand: makeRng(1),
          shuffle: true,
          pool,
          signal: abort.signal,
          onBatch: () => {
            if (++batches === 2) abort.abort();
          },
        }),
      ),
      CancelledError,
    );
    assert.equal(batches, 2, 'no batch after the cancel');
    assert.equal(liveTrainingWorkers(), 0, 'no worker thread left');
    if (threadsBefore !== undefined) assert.equal(osThreads(), threadsBefore, 'the process has as many threads as before the pool');
    optimizer.dispose();
    clf.model.dispose();
  });

  it('cancel mid-pass in a fresh process: the process exits by itself (no thread keeps it alive)', async () => {
    const root = join(__dirname, '..', '..');
    const script = `
      const { tf } = require(${JSON.stringify(join(root, 'src/engine/tf.js'))});
      const { trainPass, trainableVariables } = require(${JSON.stringify(join(root, 'src/engine/train/loop.js'))});
      const { withTrainingPool } = require(${JSON.stringify(join(root, 'src/engine/train/parallel.js'))});
      const { Sgd } = require(${JSON.stringify(join(root, 'src/engine/train/sgd.js'))});
      const { makeRng } = require(${JSON.stringify(join(root, 'src/engine/rng.js'))});
      const { allIndices } = require(${JSON.stringify(join(root, 'src/engine/data/dataset.js'))});
      const { tinyMlp, toyImages } = require(${JSON.stringify(join(root, 'test/support/tinyModels.js'))});
      (async () => {
        await tf.setBackend('cpu');
        const clf = tinyMlp(3); const vars = trainableVariables(clf); const optimizer = new Sgd(vars, { lr: 0.1, momentum: 0.9, weightDecay: 0 });
        const abort = new AbortController(); let n = 0;
        try {
          await withTrainingPool(2, undefined, (pool) => trainPass({ clf, vars, optimizer, set: toyImages(64, 2), indices: allIndices(64), batchSize: 4, loss: 'ce',
            rand: makeRng(1), shuffle: true, pool, signal: abort.signal, onBatch: () => { if (++n === 3) abort.abort(); } }));
        } catch (e) { console.log(e.name, n); }
      })();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`the process did not exit within 60 s; output: ${out}`));
      }, 60000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0);
    assert.equal(out.trim(), 'CancelledError 3');
  });

  it('a worker that throws (a bad row shape) gives a UserError at once, not a hang, and ends the pool', async () => {
    const set = toyImages(8, 1);
    const clf = tinyMlp(3);
    const { x, y } = gatherRows(set, allIndices(8));
    await withTrainingPool(2, undefined, async (pool) => {
      assert.equal(await pool.usable(), true);
      // Rows claimed to be 4×4×2: the replica's flatten gives 32 features to a Dense layer built for
      // 16, so the matMul fails inside the worker.
      await assert.rejects(
        pool.gradients(clf, trainableVariables(clf), { x, labels: y, rowShape: [4, 4, 2], negate: false }),
        (e: unknown) => e instanceof UserError && /^Training worker [12] of 2 failed: /.test(e.message) && !!e.hint,
      );
      await assert.rejects(pool.usable(), UserError, 'a failed pool refuses further work with the same error');
      await assert.rejects(
        trainPass({
          clf,
          vars: trainableVariables(clf),
          optimizer: new Sgd(trainableVariables(clf), SGD),
          set,
          indices: allIndices(8),
          batchSize: 4,
          loss: 'ce',
          rand: makeRng(1),
          shuffle: false,
          pool,
        }),
        UserError,
      );
    });
    assert.equal(liveTrainingWorkers(), 0);
    clf.model.dispose();
  });

  it('the bundled worker (dist/trainWorker.js) starts on the wasm backend and finds its .wasm files', async function () {
    const bundle = join(__dirname, '..', '..', '..', 'dist', 'trainWorker.js');
    if (!existsSync(bundle)) this.skip();
    const worker = new Worker(bundle, { workerData: { backend: 'wasm' } });
    try {
      const m = await new Promise<FromWorker>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      assert.deepEqual(m, { type: 'ready', backend: 'wasm' });
    } finally {
      await worker.terminate();
    }
  });

  it('the job process (dist/job.js) with "workers": 2 trains on its worker threads and finishes; a cancel mid-training ends it', async function () {
    const jobScript = join(__dirname, '..', '..', '..', 'dist', 'job.js');
    if (!existsSync(jobScript)) this.skip();
    const c = defaultRunConfig();
    const config = {
      ...c,
      model: { kind: 'builtin', architecture: 'mlp' },
      backend: 'wasm',
      workers: 2,
      retrain: false,
      train: { ...c.train, epochs: 2 },
      unlearn: { ...c.unlearn, epochs: 1 },
    };
    const job = (cancelOnProgress: boolean): Promise<{ events: JobEvent[]; code: number | null }> =>
      new Promise((resolve, reject) => {
        const child = fork(jobScript, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        const events: JobEvent[] = [];
        child.on('message', (m: JobEvent) => {
          events.push(m);
          if (cancelOnProgress && m.type === 'progress' && m.phase === 'train-original' && events.filter((e) => e.type === 'progress').length === 2)
            child.send({ type: 'cancel' });
        });
        child.on('error', reject);
        child.on('exit', (code) => resolve({ events, code }));
        child.send({ type: 'start', kind: 'run', config, workspaceDir: mkdtempSync(join(tmpdir(), 'salun-workers-')) });
      });
    const done = await job(false);
    const last = done.events[done.events.length - 1];
    assert.equal(last.type, 'finished', JSON.stringify(done.events.filter((e) => e.type === 'failed')));
    assert.ok(
      done.events.some((e) => e.type === 'log' && /^training on 2 worker threads \(wasm backend\)/.test(e.message)),
      'the pool said how it trains',
    );
    const cancelled = await job(true);
    assert.equal(cancelled.events[cancelled.events.length - 1].type, 'cancelled');
    assert.equal(cancelled.code, 0, 'the job process exited after the cancel');
  });

  it('a pool of 1 worker never starts a thread; the config and table validate `workers`', async () => {
    const pool = new TrainingPool(1);
    assert.equal(await pool.usable(), false);
    assert.equal(pool.effectiveWorkers, 1);
    assert.equal(parseRunConfig({ workers: 2 }).workers, 2);
    assert.equal(parseRunConfig({}).workers, undefined);
    for (const bad of [0, 1.5, 65, '2']) assert.throws(() => parseRunConfig({ workers: bad }), ConfigError);
    assert.deepEqual(tableConfigProblems({ ...defaultTableConfig(), workers: 2 }), []);
    assert.equal(tableConfigProblems({ ...defaultTableConfig(), workers: 0 }).length, 1);
  });
});
