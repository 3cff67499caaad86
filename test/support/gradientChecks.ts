// Gradient checks, op by op, for every kernel the engine replaces or re-derives (wasmKernels.ts,
// batchNormGradient.ts) and every kernel a CNN's training needs: a backend's gradient (wasm in the
// unit suite; webgpu and tensorflow in test/backends/) against (a) the cpu backend and (b) central
// finite differences of a float64 plain-JS forward. wasmKernels.unit.test.ts compares wasm with cpu
// through one composed loss; this file isolates each op and its edge cases (TF 'same' padding with
// the odd pixel on the bottom/right, overlapping pooling windows, windows with no positive value,
// every transpose combination) and adds an oracle independent of tfjs: both backends share
// tfjs-core's gradient definitions (and our batch-norm gradient is registered for both), so (a)
// alone cannot catch a wrong gradient formula.
//
// Loss: L = Σ c ⊙ op(inputs) with a fixed random cotangent c, so ∂L/∂input is the op's
// vector-Jacobian product for dy = c. The finite differences are taken in float64 on the float32
// input values, so they differ from the exact gradient only by O(h²) truncation and ~1e-16/h
// rounding (≤ 1e-9 relative here); the tolerances below cover float32 accumulation on the tfjs side.
import { strict as assert } from 'node:assert';
import type { BackendName } from '../../src/protocol/backends';
import { selectBackend } from '../../src/engine/backend/select';
import { makeRng } from '../../src/engine/rng';
import { tf, type T } from '../../src/engine/tf';

interface Input {
  shape: number[];
  data: Float32Array;
}

type Ref = (xs: Float64Array[]) => Float64Array;
type Op = (...xs: T.Tensor[]) => T.Tensor;

/** float32 accumulation over ≤ a few hundred terms is good to ~1e-6 of the largest gradient. */
const TOL_VS_CPU = 1e-5;
const TOL_VS_FD = 1e-4;
const FD_STEP = 1e-6;

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

function normalInput(shape: number[], seed: number, shift = 0, scale = 1): Input {
  const rand = makeRng(seed);
  const data = new Float32Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    data[i] = shift + scale * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  }
  return { shape, data };
}

/**
 * Distinct values at least 0.01 apart (a shuffled ladder), so no pooling window holds a near-tie
 * that a finite-difference step could flip. `negativeFrom`: flat index from which every value is
 * negative, giving whole windows with no positive value (the case tfjs-backend-wasm got wrong).
 */
function ladderInput(shape: number[], seed: number, negativeFrom: number): Input {
  const n = size(shape);
  const rand = makeRng(seed);
  const rank = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [rank[i], rank[j]] = [rank[j], rank[i]];
  }
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = i >= negativeFrom ? -1 - 0.01 * rank[i] : 0.01 * (rank[i] - n / 2);
  return { shape, data };
}

/** ∂loss/∂x[j] by central differences in float64 (x[j] is changed and restored in place). */
export function centralDifference(loss: () => number, x: Float64Array, j: number, step = FD_STEP): number {
  const v = x[j];
  x[j] = v + step;
  const up = loss();
  x[j] = v - step;
  const down = loss();
  x[j] = v;
  return (up - down) / (2 * step);
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** max |got − want| relative to the largest |want|: one scale per tensor, so near-zero entries don't blow up. */
export function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length);
  const scale = Math.max(maxAbs(want), 1e-12);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
  return worst;
}

// Reads are async: the webgpu backend cannot read a tensor synchronously in Node.
async function tfGrads(backend: string, op: Op, inputs: Input[], cot: Float32Array): Promise<{ out: Float32Array; grads: Float32Array[] }> {
  await tf.setBackend(backend);
  const [out, ...grads] = tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.data, i.shape));
    const y = op(...xs);
    const c = tf.tensor(cot, y.shape);
    const g = tf.grads((...ys: T.Tensor[]) => tf.sum<T.Scalar>(tf.mul(op(...ys), c)))(xs);
    return [y, ...g];
  });
  const values = await Promise.all([out, ...grads].map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([out, ...grads]);
  return { out: values[0], grads: values.slice(1) };
}

function fdGrads(ref: Ref, inputs: Input[], cot: Float32Array): Float64Array[] {
  const xs = inputs.map((i) => Float64Array.from(i.data));
  const loss = (): number => {
    const y = ref(xs);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += cot[i] * y[i];
    return s;
  };
  return xs.map((x) => {
    const g = new Float64Array(x.length);
    for (let j = 0; j < x.length; j++) {
      g[j] = centralDifference(loss, x, j);
    }
    return g;
  });
}

/** Runs both checks (and the forward against the float64 reference) for one op; names index the inputs. */
async function check(backend: BackendName, label: string, names: string[], op: Op, ref: Ref, inputs: Input[], cotSeed = 99): Promise<void> {
  const outLen = ref(inputs.map((i) => Float64Array.from(i.data))).length;
  const cot = normalInput([outLen], cotSeed).data;
  const got = await tfGrads(backend, op, inputs, cot);
  const cpu = await tfGrads('cpu', op, inputs, cot);
  const fd = fdGrads(ref, inputs, cot);
  const fwdErr = relErr(got.out, ref(inputs.map((i) => Float64Array.from(i.data))));
  assert.ok(fwdErr < TOL_VS_CPU, `${label}: ${backend} forward vs float64 reference, relative error ${fwdErr}`);
  names.forEach((name, i) => {
    assert.ok(maxAbs(fd[i]) > 0, `${label} d${name}: the finite-difference gradient is all zero, the case tests nothing`);
    const eCpu = relErr(got.grads[i], cpu.grads[i]);
    const eFd = relErr(got.grads[i], fd[i]);
    assert.ok(eCpu < TOL_VS_CPU, `${label} d${name}: ${backend} vs cpu, relative error ${eCpu}`);
    assert.ok(eFd < TOL_VS_FD, `${label} d${name}: ${backend} vs finite differences, relative error ${eFd}`);
    // The cpu backend is itself held to the oracle, so that (a) means something.
    const eCpuFd = relErr(cpu.grads[i], fd[i]);
    assert.ok(eCpuFd < TOL_VS_FD, `${label} d${name}: cpu vs finite differences, relative error ${eCpuFd}`);
  });
}

// ---- float64 references (NHWC, TensorFlow's padding rules)

interface Pads {
  out: number;
  before: number;
}

function padding(n: number, k: number, s: number, pad: 'same' | 'valid'): Pads {
  if (pad === 'valid') return { out: Math.floor((n - k) / s) + 1, before: 0 };
  const out = Math.ceil(n / s);
  // TF puts the odd padding pixel after (bottom/right); torch and naive ports put it before.
  return { out, before: Math.floor(Math.max((out - 1) * s + k - n, 0) / 2) };
}

function conv2dRef(xShape: number[], wShape: number[], stride: number, pad: 'same' | 'valid'): Ref {
  const [n, h, w, ci] = xShape;
  const [kh, kw, , co] = wShape;
  const ph = padding(h, kh, stride, pad);
  const pw = padding(w, kw, stride, pad);
  return ([x, f]) => {
    const y = new Float64Array(n * ph.out * pw.out * co);
    for (let b = 0; b < n; b++)
      for (let r = 0; r < ph.out; r++)
        for (let c = 0; c < pw.out; c++)
          for (let o = 0; o < co; o++) {
            let s = 0;
            for (let a = 0; a < kh; a++) {
              const yy = r * stride + a - ph.before;
              if (yy < 0 || yy >= h) continue;
              for (let bb = 0; bb < kw; bb++) {
                const xx = c * stride + bb - pw.before;
                if (xx < 0 || xx >= w) continue;
                for (let i = 0; i < ci; i++) s += x[((b * h + yy) * w + xx) * ci + i] * f[((a * kw + bb) * ci + i) * co + o];
              }
            }
            y[((b * ph.out + r) * pw.out + c) * co + o] = s;
          }
    return y;
  };
}

function maxPoolRef(xShape: number[], k: number, stride: number, pad: 'same' | 'valid'): Ref {
  const [n, h, w, ch] = xShape;
  const ph = padding(h, k, stride, pad);
  const pw = padding(w, k, stride, pad);
  return ([x]) => {
    const y = new Float64Array(n * ph.out * pw.out * ch);
    for (let b = 0; b < n; b++)
      for (let r = 0; r < ph.out; r++)
        for (let c = 0; c < pw.out; c++)
          for (let d = 0; d < ch; d++) {
            let m = -Infinity;
            for (let a = 0; a < k; a++)
              for (let bb = 0; bb < k; bb++) {
                const yy = r * stride + a - ph.before;
                const xx = c * stride + bb - pw.before;
                if (yy >= 0 && yy < h && xx >= 0 && xx < w) m = Math.max(m, x[((b * h + yy) * w + xx) * ch + d]);
              }
            y[((b * ph.out + r) * pw.out + c) * ch + d] = m;
          }
    return y;
  };
}

/** a: [batch?, m, k] (or [k, m] with tA), b likewise; bias [n] and relu optional (the fused dense). */
function matMulRef(aShape: number[], bShape: number[], tA: boolean, tB: boolean, epilogue?: 'bias' | 'bias-relu'): Ref {
  const batch = aShape.length === 3 ? aShape[0] : 1;
  const [ar, ac] = aShape.slice(-2);
  const [br, bc] = bShape.slice(-2);
  const m = tA ? ac : ar;
  const k = tA ? ar : ac;
  const nn = tB ? br : bc;
  return ([a, b, bias]) => {
    const y = new Float64Array(batch * m * nn);
    for (let z = 0; z < batch; z++)
      for (let i = 0; i < m; i++)
        for (let j = 0; j < nn; j++) {
          let s = epilogue ? bias[j] : 0;
          for (let q = 0; q < k; q++) {
            const av = a[z * ar * ac + (tA ? q * ac + i : i * ac + q)];
            const bv = b[z * br * bc + (tB ? j * bc + q : q * bc + j)];
            s += av * bv;
          }
          y[(z * m + i) * nn + j] = epilogue === 'bias-relu' ? Math.max(s, 0) : s;
        }
    return y;
  };
}

const BN_EPS = 1e-3;

/** Inference form: independent mean/variance inputs (saliency uses the running statistics). */
function batchNormRef(rows: number, c: number): Ref {
  return ([x, mean, variance, offset, scale]) => {
    const y = new Float64Array(rows * c);
    for (let r = 0; r < rows; r++)
      for (let d = 0; d < c; d++) {
        y[r * c + d] = ((x[r * c + d] - mean[d]) / Math.sqrt(variance[d] + BN_EPS)) * scale[d] + offset[d];
      }
    return y;
  };
}

/** Training form: batch moments (population variance, as tf.moments and Keras use). */
function batchNormTrainingRef(rows: number, c: number): Ref {
  const inference = batchNormRef(rows, c);
  return ([x, offset, scale]) => {
    const mean = new Float64Array(c);
    const variance = new Float64Array(c);
    for (let r = 0; r < rows; r++) for (let d = 0; d < c; d++) mean[d] += x[r * c + d] / rows;
    for (let r = 0; r < rows; r++) for (let d = 0; d < c; d++) variance[d] += (x[r * c + d] - mean[d]) ** 2 / rows;
    return inference([x, mean, variance, offset, scale]);
  };
}

/** The checks for one backend, as one mocha suite. */
export function describeGradientChecks(backend: BackendName, timeoutMs = 60000): void {
  describe(`gradient checks: ${backend} vs cpu vs float64 finite differences`, function () {
    this.timeout(timeoutMs);

    before(async () => {
      await selectBackend(backend);
    });
    after(async () => {
      await tf.setBackend('cpu');
    });

    it(`has every kernel a CNN's training needs on ${backend}`, () => {
      for (const k of [
        'Conv2D',
        'Conv2DBackpropFilter',
        'Conv2DBackpropInput',
        'MaxPool',
        'MaxPoolGrad',
        'BatchMatMul',
        '_FusedMatMul',
        'FusedBatchNorm',
        'Relu',
        'Softmax',
      ]) {
        assert.ok(tf.getKernel(k, backend), `${k} is not registered for ${backend}`);
      }
    });

    // h×w not square (7×6) so that swapped axes fail; 8 and 7 with stride 2 give the asymmetric and
    // the symmetric 'same' padding; the 2×2 kernel at stride 1 pads only bottom/right.
    // co defaults to 4 (fewer filters than taps K = k·k·ci); the last two have K < co, which takes the
    // other matMul orientation in the wasm filter gradient (as the first layer of the built-in CNN).
    const convCases: Array<{ x: number[]; k: number; stride: number; pad: 'same' | 'valid'; co?: number }> = [
      { x: [2, 7, 6, 3], k: 3, stride: 1, pad: 'same' },
      { x: [2, 8, 8, 3], k: 3, stride: 2, pad: 'same' },
      { x: [2, 7, 6, 3], k: 3, stride: 2, pad: 'same' },
      { x: [2, 6, 5, 2], k: 2, stride: 1, pad: 'same' },
      { x: [1, 9, 8, 2], k: 3, stride: 2, pad: 'valid' },
      { x: [2, 7, 6, 1], k: 3, stride: 2, pad: 'same', co: 16 },
      { x: [2, 5, 4, 2], k: 1, stride: 1, pad: 'valid', co: 6 },
    ];
    for (const cc of convCases) {
      it(`conv2d ${cc.k}×${cc.k} stride ${cc.stride} '${cc.pad}' on ${cc.x.join('×')} to ${cc.co ?? 4} channels: input and filter gradients`, async () => {
        const wShape = [cc.k, cc.k, cc.x[3], cc.co ?? 4];
        await check(
          backend,
          `conv2d k${cc.k} s${cc.stride} ${cc.pad} ${cc.x.join('×')}`,
          ['x', 'w'],
          (x, w) => tf.conv2d(x as T.Tensor4D, w as T.Tensor4D, cc.stride, cc.pad),
          conv2dRef(cc.x, wShape, cc.stride, cc.pad),
          [normalInput(cc.x, 11), normalInput(wShape, 12)],
        );
      });
    }

    const poolCases: Array<{ x: number[]; k: number; stride: number; pad: 'same' | 'valid' }> = [
      { x: [2, 6, 6, 3], k: 3, stride: 1, pad: 'same' }, // overlapping windows: gradients add up
      { x: [2, 8, 7, 3], k: 3, stride: 2, pad: 'same' }, // odd padding pixel bottom (8) / both sides (7)
      { x: [2, 6, 6, 2], k: 2, stride: 2, pad: 'valid' },
      { x: [2, 5, 5, 2], k: 2, stride: 1, pad: 'same' },
    ];
    for (const pc of poolCases) {
      it(`maxPool ${pc.k}×${pc.k} stride ${pc.stride} '${pc.pad}' on ${pc.x.join('×')}, the second sample all negative`, async () => {
        // Sample 0 mixes signs; sample 1 is entirely negative, so every one of its windows has no positive value.
        const x = ladderInput(pc.x, 21, size(pc.x) / pc.x[0]);
        await check(
          backend,
          `maxPool k${pc.k} s${pc.stride} ${pc.pad} ${pc.x.join('×')}`,
          ['x'],
          (t) => tf.maxPool(t as T.Tensor4D, pc.k, pc.stride, pc.pad),
          maxPoolRef(pc.x, pc.k, pc.stride, pc.pad),
          [x],
        );
      });
    }

    for (const batched of [false, true]) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          it(`${batched ? 'batchMatMul' : 'matMul'} transposeA=${tA} transposeB=${tB}: both operand gradients`, async () => {
            const lead = batched ? [2] : [];
            const aShape = [...lead, ...(tA ? [6, 4] : [4, 6])];
            const bShape = [...lead, ...(tB ? [5, 6] : [6, 5])];
            await check(backend, `matMul b=${batched} tA=${tA} tB=${tB}`, ['a', 'b'], (a, b) => tf.matMul(a, b, tA, tB), matMulRef(aShape, bShape, tA, tB), [
              normalInput(aShape, 31),
              normalInput(bShape, 32),
            ]);
          });
        }
      }
    }

    for (const tB of [false, true]) {
      it(`dense (fused matMul + bias + relu) transposeB=${tB}: input, kernel and bias gradients`, async () => {
        const aShape = [5, 7];
        const bShape = tB ? [3, 7] : [7, 3];
        // Shifted bias so that some units are active and some are not, none near the kink.
        await check(
          backend,
          `fused dense tB=${tB}`,
          ['x', 'kernel', 'bias'],
          (a, b, bias) => tf.fused.matMul({ a: a, b: b, transposeB: tB, bias, activation: 'relu' }),
          matMulRef(aShape, bShape, false, tB, 'bias-relu'),
          [normalInput(aShape, 41), normalInput(bShape, 42), normalInput([3], 43, 0.5)],
        );
      });
    }

    it('batch norm with given statistics (inference form): x, mean, variance, offset and scale gradients', async () => {
      const xShape = [2, 3, 3, 4];
      const rows = size(xShape) / 4;
      const variance = normalInput([4], 53);
      variance.data.forEach((v, i) => {
        variance.data[i] = 0.5 + Math.abs(v);
      });
      await check(
        backend,
        'batchNorm inference',
        ['x', 'mean', 'variance', 'offset', 'scale'],
        (x, mean, v, offset, scale) => tf.batchNorm(x as T.Tensor4D, mean as T.Tensor1D, v as T.Tensor1D, offset as T.Tensor1D, scale as T.Tensor1D, BN_EPS),
        batchNormRef(rows, 4),
        [normalInput(xShape, 51), normalInput([4], 52), variance, normalInput([4], 54), normalInput([4], 55, 1)],
      );
    });

    it('batch norm with batch moments (training form, as the layer runs it): x, offset and scale gradients', async () => {
      const xShape = [4, 3, 3, 4];
      const rows = size(xShape) / 4;
      await check(
        backend,
        'batchNorm training',
        ['x', 'offset', 'scale'],
        (x, offset, scale) => {
          const { mean, variance } = tf.moments(x, [0, 1, 2]);
          return tf.batchNorm(x as T.Tensor4D, mean as T.Tensor1D, variance as T.Tensor1D, offset as T.Tensor1D, scale as T.Tensor1D, BN_EPS);
        },
        batchNormTrainingRef(rows, 4),
        [normalInput(xShape, 61, 0.3, 2), normalInput([4], 62), normalInput([4], 63, 1)],
      );
    });
  });
}
