// A data-parallel training worker (worker_threads): holds a replica of the model and, per step,
// takes the main thread's weights from shared memory, computes the gradient of its shard's mean
// loss in training mode, and writes the gradient and its batch-norm layers' moved statistics back.
// It never updates weights itself: the main thread's optimizer does, once, for the whole batch.
// Bundled as dist/trainWorker.js; transpiled as out/src/engine/train/trainWorker.js (tests).
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../backend/select';
import { crossEntropy, logProbs } from '../models/forward';
import type { Classifier } from '../models/io';
import { tf, type T } from '../tf';
import type { FromWorker, ModelSetup, ShardStep, ToWorker, WorkerData } from './workerMessages';

interface Replica {
  clf: Classifier;
  setup: ModelSetup;
  gradVars: T.Variable[];
  weights: Float32Array;
  out: Float32Array;
  x: Float32Array;
  y: Int32Array;
  rowSize: number;
}

let replica: Replica | undefined;

function post(m: FromWorker): void {
  parentPort!.postMessage(m);
}

async function load(s: ModelSetup): Promise<void> {
  replica?.clf.model.dispose();
  replica = undefined;
  const model = await tf.models.modelFromJSON({ modelTopology: s.topology as Parameters<typeof tf.models.modelFromJSON>[0]['modelTopology'] });
  const ws = model.weights;
  const bad =
    ws.length !== s.slots.length
      ? `${ws.length} weights, the main thread's model ${s.slots.length}`
      : ws
          .map((w, i) =>
            w.shape.join('×') === s.slots[i].shape.join('×') ? '' : `${w.name} is [${w.shape.join(', ')}], expected [${s.slots[i].shape.join(', ')}]`,
          )
          .find(Boolean);
  if (bad) {
    model.dispose();
    throw new Error(`the replica does not match the model: ${bad}`);
  }
  replica = {
    clf: { model, outputsProbabilities: s.outputsProbabilities },
    setup: s,
    gradVars: s.gradIndices.map((i) => ws[i].read() as T.Variable),
    weights: new Float32Array(s.weights),
    out: new Float32Array(s.out),
    x: new Float32Array(s.x),
    y: new Int32Array(s.y),
    rowSize: s.rowShape.reduce((a, b) => a * b, 1),
  };
}

/** Returns the shard's mean loss. */
async function step(m: ShardStep): Promise<number> {
  const r = replica;
  if (!r) throw new Error('a step came before the model');
  const { slots, gradIndices, rowShape } = r.setup;
  const ws = r.clf.model.weights;
  // Copies, never views: a tensor may keep the array it was made from (cpu backend), and the
  // shared buffers are overwritten by the next step.
  tf.tidy(() =>
    ws.forEach((w, i) => {
      w.write(tf.tensor(r.weights.slice(slots[i].offset, slots[i].offset + slots[i].size), slots[i].shape));
    }),
  );
  const n = m.to - m.from;
  const { value, grads } = tf.variableGrads(
    () =>
      tf.tidy(() => {
        const xb = tf.tensor(r.x.slice(m.from * r.rowSize, m.to * r.rowSize), [n, ...rowShape]);
        const ce = crossEntropy(logProbs(r.clf, xb, true), tf.tensor1d(r.y.slice(m.from, m.to), 'int32'));
        return m.negate ? tf.neg<T.Scalar>(ce) : ce;
      }),
    r.gradVars,
  );
  try {
    const loss = (await value.data())[0];
    gradIndices.forEach((i, k) => r.out.set(grads[r.gradVars[k].name].dataSync(), slots[i].offset));
    const isGrad = new Set(gradIndices);
    ws.forEach((w, i) => {
      if (!isGrad.has(i)) r.out.set(w.read().dataSync(), slots[i].offset);
    });
    return loss;
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
}

async function handle(m: ToWorker): Promise<void> {
  try {
    if (m.type === 'model') {
      await load(m);
      post({ type: 'loaded', id: m.id });
    } else {
      const t0 = performance.now();
      const loss = await step(m);
      post({ type: 'done', id: m.id, loss, tensors: tf.memory().numTensors, ms: performance.now() - t0 });
    }
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ type: 'error', id: m.id, message: err.message, stack: err.stack });
  }
}

async function main(): Promise<void> {
  if (!parentPort) throw new Error('trainWorker.js runs as a worker thread of the training pool, not on its own');
  const { backend } = workerData as WorkerData;
  try {
    const info = await selectBackend(backend);
    parentPort.on('message', (m: ToWorker) => {
      void handle(m);
    });
    post({ type: 'ready', backend: info.name });
  } catch (e) {
    post({ type: 'error', message: `the ${backend} backend did not start in the worker: ${e instanceof Error ? e.message : String(e)}` });
  }
}

void main();
