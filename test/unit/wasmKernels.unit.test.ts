import { strict as assert } from 'node:assert';
import { tf, type T } from '../../src/engine/tf';
import { selectBackend } from '../../src/engine/backend/select';
import { SGD_STEP_KERNEL } from '../../src/engine/backend/kernelNames';
import { registerKernels } from '../../src/engine/backend/registerKernels';
import { Sgd } from '../../src/engine/train/sgd';

type Grads = Record<string, Float32Array>;

/** Gradients of a small loss through conv (several strides/paddings), max-pool and dense ops. */
function gradsOn(backend: string, seed: number): Grads {
  void tf.setBackend(backend); // both backends are ready (before()): the switch is synchronous
  const r = (shape: number[], s: number): T.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed + s);
  return tf.tidy(() => {
    const x = r([3, 9, 9, 2], 1);
    const w1 = r([3, 3, 2, 4], 2);
    const w2 = r([2, 2, 4, 3], 3);
    const w3 = r([5, 3, 3, 2], 4);
    const wd = r([8, 5], 5);
    const f = (x_: T.Tensor, a: T.Tensor, b: T.Tensor, c: T.Tensor, d: T.Tensor): T.Scalar => {
      const h1 = tf.conv2d(x_ as T.Tensor4D, a as T.Tensor4D, 1, 'same'); // [3,9,9,4]
      const h2 = tf.conv2d(h1, b as T.Tensor4D, 2, 'valid'); // [3,4,4,3]
      // Negative inputs to max-pool on purpose: windows with no positive value are the bug case.
      const p = tf.maxPool(tf.sub<T.Tensor4D>(h2, 10), [2, 2], [1, 1], 'same'); // [3,4,4,3]
      const h3 = tf.conv2d(p, c as T.Tensor4D, 2, 'same'); // [3,2,2,2]
      const y = tf.matMul(tf.reshape<T.Rank.R2>(h3, [3, 8]), d);
      return tf.sum<T.Scalar>(tf.mul(y, y));
    };
    const g = tf.grads(f)([x, w1, w2, w3, wd]);
    const out: Grads = {};
    ['x', 'w1', 'w2', 'w3', 'wd'].forEach((k, i) => {
      out[k] = g[i].dataSync() as Float32Array;
    });
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
      void tf.setBackend(backend); // both backends are ready (before()): the switch is synchronous
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

  it('sums and means over leading axes (the replaced kernels) and over other axes match cpu', () => {
    const cases: Array<{ shape: number[]; axis: number[]; keepDims: boolean }> = [
      { shape: [6, 5, 4, 7], axis: [0, 1, 2], keepDims: false }, // batch-norm / bias-gradient case
      { shape: [6, 5, 4, 7], axis: [0, 1, 2], keepDims: true },
      { shape: [9, 6], axis: [0], keepDims: false }, // remainder columns (6 = 4 + 2)
      { shape: [6, 5, 3], axis: [1, 0], keepDims: false }, // unsorted axes
      { shape: [6, 5, 4], axis: [1, 2], keepDims: false }, // not leading: tfjs's kernel
      { shape: [6, 5, 4], axis: [0, 1, 2], keepDims: false }, // all axes: tfjs's kernel
    ];
    const run = (backend: string): Float32Array[] => {
      void tf.setBackend(backend); // both backends are ready (before()): the switch is synchronous
      return tf.tidy(() =>
        cases.flatMap((c, i) => {
          const x = tf.randomNormal(c.shape, 0.5, 1, 'float32', 20 + i);
          return [tf.sum(x, c.axis, c.keepDims), tf.mean(x, c.axis, c.keepDims)].map((t) => {
            const expectShape = c.keepDims ? c.shape.map((d, k) => (c.axis.includes(k) ? 1 : d)) : c.shape.filter((_, k) => !c.axis.includes(k));
            assert.deepEqual(t.shape, expectShape, `${backend} ${JSON.stringify(c)}`);
            return t.dataSync() as Float32Array;
          });
        }),
      );
    };
    const cpu = run('cpu');
    const wasm = run('wasm');
    cpu.forEach((v, i) => assert.ok(maxRelErr(wasm[i], v) < 1e-5, `result ${i}: ${maxRelErr(wasm[i], v)}`));
  });

  it('identity shares the data: a clone outlives its disposed source and reads the same values', () => {
    void tf.setBackend('wasm'); // ready since before(): the switch is synchronous
    const x = tf.randomNormal([3, 4], 0, 1, 'float32', 5);
    const want = Array.from(x.dataSync());
    const c = tf.clone(x);
    x.dispose();
    assert.deepEqual(Array.from(c.dataSync()), want);
    const before = tf.memory().numTensors;
    c.dispose();
    assert.equal(tf.memory().numTensors, before - 1);
  });

  it('the fused SGD step gives the same weights and momentum bit for bit as the tfjs ops (with and without a mask)', () => {
    void tf.setBackend('wasm'); // ready since before(): the switch is synchronous
    assert.ok(tf.getKernel(SGD_STEP_KERNEL, 'wasm'), 'fused kernel registered');
    const shapes = [[3, 3, 2, 4], [17], [8, 5]];
    const trial = (fused: boolean, masked: boolean): Float32Array[] => {
      const vars = shapes.map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', 40 + i)));
      const mask = masked
        ? { salient: shapes.map((s, i) => tf.randomUniform(s, 0, 1, 'float32', 50 + i).greater(0.4)), anchor: vars.map((v) => tf.clone(v)) }
        : undefined;
      const opt = new Sgd(vars, { lr: 0.037, momentum: 0.9, weightDecay: 5e-4 }, mask);
      // Hide the kernel from Sgd to get the op-by-op path on the same backend.
      const config = tf.getKernel(SGD_STEP_KERNEL, 'wasm');
      if (!fused) tf.unregisterKernel(SGD_STEP_KERNEL, 'wasm');
      try {
        for (let step = 0; step < 4; step++) {
          const grads = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 60 + 7 * step + i));
          opt.step(grads);
          grads.forEach((g) => g.dispose());
        }
      } finally {
        if (!fused && config) registerKernels([config]);
      }
      const out = vars.map((v) => v.dataSync() as Float32Array);
      const frozenOk = mask
        ? vars.every((v, i) => {
            const w = v.dataSync();
            const a = mask.anchor[i].dataSync();
            const s = mask.salient[i].dataSync();
            return Array.from(w).every((x, k) => s[k] || x === a[k]);
          })
        : true;
      assert.ok(frozenOk, 'non-salient weights stay at θo exactly');
      opt.dispose();
      vars.forEach((v) => v.dispose());
      mask?.salient.forEach((t) => t.dispose());
      mask?.anchor.forEach((t) => t.dispose());
      return out;
    };
    for (const masked of [false, true]) {
      const a = trial(true, masked);
      const b = trial(false, masked);
      a.forEach((v, i) => assert.deepEqual(Array.from(v), Array.from(b[i]), `variable ${i}, masked=${masked}`));
    }
  });

  it("batch norm in training mode on wasm (the closed-form kernels) matches the layer's own path on cpu: output, gradients, moving statistics", () => {
    const run = (backend: string): Float32Array[] => {
      void tf.setBackend(backend); // both backends are ready (before()): the switch is synchronous
      const conv = tf.layers.conv2d({
        filters: 6,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
        inputShape: [5, 4, 2],
      });
      const bn = tf.layers.batchNormalization({
        momentum: 0.9,
        epsilon: 1e-5,
        gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 4 }),
        betaInitializer: tf.initializers.randomNormal({ seed: 5 }),
      });
      const model = tf.sequential({ layers: [conv, bn] });
      const x = tf.add(tf.mul(tf.randomNormal([7, 5, 4, 2], 0, 1, 'float32', 9), 3), 2);
      const target = tf.randomNormal([7, 5, 4, 6], 0, 1, 'float32', 10);
      const vars = model.trainableWeights.map((w) => w.read() as T.Variable);
      const out: Float32Array[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const y = model.apply(x, { training: true }) as T.Tensor;
        out.push(y.dataSync() as Float32Array);
        return tf.sum<T.Scalar>(tf.mul(y, target));
      }, vars);
      for (const v of vars) out.push(grads[v.name].dataSync() as Float32Array);
      for (const w of bn.getWeights().slice(2)) out.push(w.dataSync() as Float32Array); // moving mean, variance
      value.dispose();
      Object.values(grads).forEach((g) => g.dispose());
      tf.dispose([x, target]);
      model.dispose();
      return out;
    };
    const cpu = run('cpu');
    const wasm = run('wasm');
    assert.equal(wasm.length, cpu.length);
    const names = ['y', 'conv kernel grad', 'gamma grad', 'beta grad', 'moving mean', 'moving variance'];
    cpu.forEach((v, i) => {
      let worst = 0;
      const scale = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      for (let k = 0; k < v.length; k++) worst = Math.max(worst, Math.abs(wasm[i][k] - v[k]) / (1e-6 + scale));
      assert.ok(worst < 1e-4, `${names[i]}: max error ${worst} of its largest value`);
    });
  });

  it('batch norm in training mode on wasm leaves the tensor count where it found it, step after step', () => {
    void tf.setBackend('wasm'); // ready since before(): the switch is synchronous
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, inputShape: [6, 6, 1] }),
        tf.layers.batchNormalization({}),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3 }),
      ],
    });
    const vars = model.trainableWeights.map((w) => w.read() as T.Variable);
    const x = tf.randomNormal([5, 6, 6, 1], 0, 1, 'float32', 1);
    const step = (): void => {
      const { value, grads } = tf.variableGrads(() => tf.sum<T.Scalar>(model.apply(x, { training: true }) as T.Tensor), vars);
      value.dispose();
      Object.values(grads).forEach((g) => g.dispose());
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    model.dispose();
  });
});
