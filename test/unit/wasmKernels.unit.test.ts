import { strict as assert } from 'node:assert';
import { tf, type T } from '../../src/engine/tf';
import { selectBackend } from '../../src/engine/backend/select';

type Grads = Record<string, Float32Array>;

/** Gradients of a small loss through conv (several strides/paddings), max-pool and dense ops. */
function gradsOn(backend: string, seed: number): Grads {
  tf.setBackend(backend);
  const r = (shape: number[], s: number): T.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed + s);
  return tf.tidy(() => {
    const x = r([3, 9, 9, 2], 1);
    const w1 = r([3, 3, 2, 4], 2);
    const w2 = r([2, 2, 4, 3], 3);
    const w3 = r([5, 3, 3, 2], 4);
    const wd = r([8, 5], 5);
    const f = (x_: T.Tensor, a: T.Tensor, b: T.Tensor, c: T.Tensor, d: T.Tensor): T.Scalar => {
      const h1 = tf.conv2d(x_ as T.Tensor4D, a as T.Tensor4D, 1, 'same');                  // [3,9,9,4]
      const h2 = tf.conv2d(h1 as T.Tensor4D, b as T.Tensor4D, 2, 'valid');                                // [3,4,4,3]
      // Negative inputs to max-pool on purpose: windows with no positive value are the bug case.
      const p = tf.maxPool(tf.sub(h2, 10) as T.Tensor4D, [2, 2], [1, 1], 'same');                          // [3,4,4,3]
      const h3 = tf.conv2d(p as T.Tensor4D, c as T.Tensor4D, 2, 'same');                                  // [3,2,2,2]
      const y = tf.matMul(tf.reshape(h3, [3, 8]) as T.Tensor2D, d as T.Tensor2D);
      return tf.sum(tf.mul(y, y)) as T.Scalar;
    };
    const g = tf.grads(f)([x, w1, w2, w3, wd]);
    const out: Grads = {};
    ['x', 'w1', 'w2', 'w3', 'wd'].forEach((k, i) => { out[k] = g[i].dataSync() as Float32Array; });
    return out;
  });
}

function maxRelErr(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-3 + Math.abs(b[i])));
  return worst;
}

describe('wasm training kernels', () => {
  before(async () => {
    await selectBackend('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('conv, max-pool and dense gradients on wasm match the cpu backend', () => {
    const cpu = gradsOn('cpu', 7);
    const wasm = gradsOn('wasm', 7);
    for (const k of Object.keys(cpu)) {
      assert.equal(wasm[k].length, cpu[k].length, k);
      const err = maxRelErr(wasm[k], cpu[k]);
      assert.ok(err < 1e-3, `${k}: max relative error ${err}`);
    }
  });

  it('matMul with transpose flags on wasm matches cpu', () => {
    const run = (backend: string): Float32Array[] => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const a = tf.randomNormal([4, 6], 0, 1, 'float32', 3);
        const b = tf.randomNormal([5, 6], 0, 1, 'float32', 4);
        return [tf.matMul(a, b, false, true).dataSync() as Float32Array, tf.matMul(tf.transpose(a), tf.transpose(b), true, false).dataSync() as Float32Array];
      });
    };
    const c = run('cpu');
    const w = run('wasm');
    c.forEach((v, i) => assert.ok(maxRelErr(w[i], v) < 1e-4));
  });
});
