// Gradient checks for the generation engine against an oracle independent of tfjs: central finite
// differences of float64 plain-JS forwards (the approach of test/support/gradientChecks.ts). GroupNorm's
// gradient is our own closed form (a customGrad), so tfjs's autodiff cannot vouch for it; the U-Net
// check then covers the wiring of every layer kind (conv, GroupNorm, SiLU, the embedding MLP, the
// one-hot class embedding, nearest upsampling, skip concatenation) through the diffusion loss, via
// diffusionLossGradients — the function saliency for generation will call.
import { strict as assert } from 'node:assert';
import { selectBackend } from '../../src/engine/backend/select';
import { groupNorm } from '../../src/engine/generation/groupNorm';
import { diffusionLossGradients, noisyImages, type DiffusionBatch, type DiffusionDraw } from '../../src/engine/generation/loss';
import { gaussian } from '../../src/engine/generation/noise';
import { linearSchedule } from '../../src/engine/generation/schedule';
import { timeFrequencies } from '../../src/engine/generation/timeEmbedding';
import { upsampleNearest2x } from '../../src/engine/generation/upsample';
import { buildUnet, unetVariables, type UnetConfig } from '../../src/engine/generation/unet';
import { makeRng } from '../../src/engine/rng';
import { tf, type T } from '../../src/engine/tf';
import { centralDifference, maxAbs, relErr } from '../support/gradientChecks';

const FD_STEP = 1e-6;
const TOL_VS_FD = 1e-4;
const TOL_FORWARD = 1e-5;

function normal(n: number, seed: number, shift = 0, scale = 1): Float32Array {
  return gaussian(n, makeRng(seed)).map((v) => shift + scale * v);
}

/** Central differences of `loss` w.r.t. the listed entries of `x` (changed and restored in place). */
function fd(loss: () => number, x: Float64Array, entries: ArrayLike<number>): Float64Array {
  return Float64Array.from(entries, (j) => centralDifference(loss, x, j, FD_STEP));
}

// ---- float64 references, NHWC

interface Img {
  n: number;
  h: number;
  w: number;
  c: number;
  d: Float64Array;
}

const img = (n: number, h: number, w: number, c: number): Img => ({ n, h, w, c, d: new Float64Array(n * h * w * c) });

function groupNormRef(x: Img, gamma: Float64Array, beta: Float64Array, groups: number, eps: number): Img {
  const y = img(x.n, x.h, x.w, x.c);
  const cg = x.c / groups;
  const count = x.h * x.w * cg;
  for (let b = 0; b < x.n; b++)
    for (let g = 0; g < groups; g++) {
      const at = (p: number, k: number): number => (b * x.h * x.w + p) * x.c + g * cg + k;
      let mean = 0;
      for (let p = 0; p < x.h * x.w; p++) for (let k = 0; k < cg; k++) mean += x.d[at(p, k)] / count;
      let variance = 0;
      for (let p = 0; p < x.h * x.w; p++) for (let k = 0; k < cg; k++) variance += (x.d[at(p, k)] - mean) ** 2 / count;
      const rstd = 1 / Math.sqrt(variance + eps);
      for (let p = 0; p < x.h * x.w; p++)
        for (let k = 0; k < cg; k++) {
          const i = at(p, k);
          y.d[i] = (x.d[i] - mean) * rstd * gamma[g * cg + k] + beta[g * cg + k];
        }
    }
  return y;
}

/** TensorFlow 'same' padding: the odd pixel goes after (bottom/right). */
function conv2dRef(x: Img, kernel: Float64Array, kernelShape: number[], bias: Float64Array, stride: number): Img {
  const [k, , ci, co] = kernelShape;
  const ho = Math.ceil(x.h / stride);
  const wo = Math.ceil(x.w / stride);
  const top = Math.floor(Math.max((ho - 1) * stride + k - x.h, 0) / 2);
  const left = Math.floor(Math.max((wo - 1) * stride + k - x.w, 0) / 2);
  const y = img(x.n, ho, wo, co);
  for (let b = 0; b < x.n; b++)
    for (let r = 0; r < ho; r++)
      for (let c = 0; c < wo; c++)
        for (let o = 0; o < co; o++) {
          let s = bias[o];
          for (let a = 0; a < k; a++) {
            const yy = r * stride + a - top;
            if (yy < 0 || yy >= x.h) continue;
            for (let bb = 0; bb < k; bb++) {
              const xx = c * stride + bb - left;
              if (xx < 0 || xx >= x.w) continue;
              for (let i = 0; i < ci; i++) s += x.d[((b * x.h + yy) * x.w + xx) * ci + i] * kernel[((a * k + bb) * ci + i) * co + o];
            }
          }
          y.d[((b * ho + r) * wo + c) * co + o] = s;
        }
  return y;
}

const swish = (v: number): number => v / (1 + Math.exp(-v));

function mapImg(x: Img, f: (v: number) => number): Img {
  return { ...x, d: x.d.map(f) };
}

/** rows [n, in] · kernel [in, out] + bias. */
function denseRef(rows: Float64Array, n: number, kernel: Float64Array, bias: Float64Array | null, out: number): Float64Array {
  const inDim = rows.length / n;
  const y = new Float64Array(n * out);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < out; o++) {
      let s = bias ? bias[o] : 0;
      for (let i = 0; i < inDim; i++) s += rows[b * inDim + i] * kernel[i * out + o];
      y[b * out + o] = s;
    }
  return y;
}

function addPerChannel(x: Img, perSample: Float64Array): Img {
  return { ...x, d: x.d.map((v, i) => v + perSample[Math.floor(i / (x.h * x.w * x.c)) * x.c + (i % x.c)]) };
}

function addImg(a: Img, b: Img): Img {
  return { ...a, d: a.d.map((v, i) => v + b.d[i]) };
}

function upsampleRef(x: Img): Img {
  const y = img(x.n, 2 * x.h, 2 * x.w, x.c);
  for (let b = 0; b < x.n; b++)
    for (let r = 0; r < y.h; r++)
      for (let c = 0; c < y.w; c++)
        for (let k = 0; k < x.c; k++) {
          y.d[((b * y.h + r) * y.w + c) * x.c + k] = x.d[((b * x.h + (r >> 1)) * x.w + (c >> 1)) * x.c + k];
        }
  return y;
}

function concatRef(a: Img, b: Img): Img {
  const y = img(a.n, a.h, a.w, a.c + b.c);
  for (let p = 0; p < a.n * a.h * a.w; p++) {
    for (let k = 0; k < a.c; k++) y.d[p * y.c + k] = a.d[p * a.c + k];
    for (let k = 0; k < b.c; k++) y.d[p * y.c + a.c + k] = b.d[p * b.c + k];
  }
  return y;
}

/** The U-Net's weights as float64 arrays, by layer name and weight index (kernel 0, bias 1). */
type Weights = Map<string, { shape: number[]; data: Float64Array }[]>;

function weightsOf(model: T.LayersModel): Weights {
  const out: Weights = new Map();
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    // getWeights() hands out the variables themselves: read them, never dispose them.
    if (ws.length)
      out.set(
        layer.name,
        ws.map((w) => ({ shape: w.shape.slice(), data: Float64Array.from(w.dataSync()) })),
      );
  }
  return out;
}

/** The U-Net of unet.ts restated in float64 (its layout comment, layer by layer). */
function unetRef(W: Weights, cfg: UnetConfig, x: Img, t: ArrayLike<number>, classes: ArrayLike<number>): Img {
  const get = (name: string, i: number): Float64Array => W.get(name)![i].data;
  const conv = (name: string, v: Img, stride = 1): Img => conv2dRef(v, get(name, 0), W.get(name)![0].shape, get(name, 1), stride);
  const gn = (name: string, v: Img): Img => groupNormRef(v, get(name, 0), get(name, 1), cfg.groups, 1e-5);
  const n = x.n;
  // The time input is float32 in tfjs and so is t·f: mirror that rounding, not the sin that follows.
  const freqs = timeFrequencies(cfg.widths[0]);
  const half = freqs.length;
  const sinus = new Float64Array(n * 2 * half);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < half; i++) {
      const arg = Math.fround(t[b] * freqs[i]);
      sinus[b * 2 * half + i] = Math.sin(arg);
      sinus[b * 2 * half + half + i] = Math.cos(arg);
    }
  const te1 = denseRef(sinus, n, get('time_mlp1', 0), get('time_mlp1', 1), cfg.embedDim).map(swish);
  const te = denseRef(te1, n, get('time_mlp2', 0), get('time_mlp2', 1), cfg.embedDim);
  const oneHot = new Float64Array(n * (cfg.numClasses + 1));
  for (let b = 0; b < n; b++) oneHot[b * (cfg.numClasses + 1) + classes[b]] = 1;
  const ce = denseRef(oneHot, n, get('class_embedding', 0), null, cfg.embedDim);
  const embAct = te.map((v, i) => swish(v + ce[i]));
  const block = (v: Img, width: number, name: string): Img => {
    let h = conv(`${name}_conv1`, mapImg(gn(`${name}_gn1`, v), swish));
    h = addPerChannel(h, denseRef(embAct, n, get(`${name}_emb`, 0), get(`${name}_emb`, 1), width));
    h = conv(`${name}_conv2`, mapImg(gn(`${name}_gn2`, h), swish));
    return addImg(v.c === width ? v : conv(`${name}_skip`, v), h);
  };
  const last = cfg.widths.length - 1;
  let h = conv('stem', x);
  const skips: Img[] = [];
  for (let i = 0; i < last; i++) {
    h = block(h, cfg.widths[i], `down${i}`);
    skips.push(h);
    h = conv(`down${i}_resample`, h, 2);
  }
  h = block(h, cfg.widths[last], 'bottom');
  for (let i = last - 1; i >= 0; i--) {
    h = concatRef(conv(`up${i}_resample_conv`, upsampleRef(h)), skips[i]);
    h = block(h, cfg.widths[i], `up${i}`);
  }
  return conv('out_conv', mapImg(gn('out_gn', h), swish));
}

function describeOn(backend: 'cpu' | 'wasm'): void {
  describe(`generation gradients on ${backend}: float64 finite differences`, function () {
    this.timeout(60000);
    before(async () => {
      if (backend === 'wasm') await selectBackend('wasm');
      else await tf.setBackend('cpu');
    });
    after(async () => {
      await tf.setBackend('cpu');
    });

    // G = C: one channel per group (instance norm); G = 1: all channels (layer norm over H, W, C);
    // the tiny-scale input makes ε = 1e-5 a sizeable part of σ² + ε, so a formula that drops it fails.
    const cases = [
      { shape: [2, 3, 4, 6], groups: 3, shift: 0.7, scale: 2 },
      { shape: [2, 3, 3, 4], groups: 1, shift: -1, scale: 1 },
      { shape: [3, 2, 3, 4], groups: 4, shift: 0, scale: 1 },
      { shape: [2, 2, 3, 4], groups: 2, shift: 0.01, scale: 0.005 },
    ];
    for (const c of cases) {
      it(`GroupNorm ${c.shape.join('×')} in ${c.groups} groups (inputs ${c.shift} ± ${c.scale}): forward, dx, dγ, dβ`, async () => {
        const [n, h, w, ch] = c.shape;
        const x = normal(n * h * w * ch, 1, c.shift, c.scale);
        const gamma = normal(ch, 2, 1, 0.5);
        const beta = normal(ch, 3);
        const cot = normal(n * h * w * ch, 4);
        const inputs = [x, gamma, beta].map((a) => Float64Array.from(a));
        const refLoss = (): number => {
          const y = groupNormRef({ n, h, w, c: ch, d: inputs[0] }, inputs[1], inputs[2], c.groups, 1e-5).d;
          return y.reduce((s, v, i) => s + v * cot[i], 0);
        };
        const want = groupNormRef({ n, h, w, c: ch, d: inputs[0] }, inputs[1], inputs[2], c.groups, 1e-5).d;
        const [y, ...grads] = tf.tidy(() => {
          const xs = [tf.tensor4d(x, [n, h, w, ch]), tf.tensor1d(gamma), tf.tensor1d(beta)];
          const op = (a: T.Tensor, g: T.Tensor, b: T.Tensor): T.Tensor => groupNorm(a as T.Tensor4D, g as T.Tensor1D, b as T.Tensor1D, c.groups);
          const ct = tf.tensor4d(cot, [n, h, w, ch]);
          const g = tf.grads((a: T.Tensor, gg: T.Tensor, b: T.Tensor) => tf.sum<T.Scalar>(tf.mul(op(a, gg, b), ct)))(xs);
          return [op(xs[0], xs[1], xs[2]), ...g];
        });
        const got = await Promise.all([y, ...grads].map(async (tt) => (await tt.data()) as Float32Array));
        tf.dispose([y, ...grads]);
        const eFwd = relErr(got[0], want);
        assert.ok(eFwd < TOL_FORWARD, `forward vs float64: relative error ${eFwd}`);
        ['x', 'γ', 'β'].forEach((name, i) => {
          const all = Int32Array.from({ length: inputs[i].length }, (_, j) => j);
          const want_ = fd(refLoss, inputs[i], all);
          assert.ok(maxAbs(want_) > 0, `d${name}: the finite-difference gradient is all zero, the case tests nothing`);
          const e = relErr(got[i + 1], want_);
          assert.ok(e < TOL_VS_FD, `d${name}: ${backend} vs finite differences, relative error ${e}`);
        });
      });
    }

    it('nearest ×2 upsampling of a batch of 3 (tfjs-backend-cpu 4.22 gets samples after the first wrong): forward and dx', async () => {
      const shape = [3, 3, 2, 2];
      const x = normal(36, 8);
      const cot = normal(144, 9);
      const xs = Float64Array.from(x);
      const ref = (): Float64Array => upsampleRef({ n: 3, h: 3, w: 2, c: 2, d: xs }).d;
      const [y, g] = tf.tidy(() => {
        const xt = tf.tensor4d(x, shape as [number, number, number, number]);
        const ct = tf.tensor4d(cot, [3, 6, 4, 2]);
        return [upsampleNearest2x(xt), tf.grad((a: T.Tensor) => tf.sum(tf.mul(upsampleNearest2x(a as T.Tensor4D), ct)))(xt)];
      });
      assert.deepEqual(y.shape, [3, 6, 4, 2]);
      assert.ok(relErr(await y.data(), ref()) === 0, 'upsampling copies values exactly');
      const want = fd(
        () => ref().reduce((s, v, i) => s + v * cot[i], 0),
        xs,
        Int32Array.from({ length: 36 }, (_, i) => i),
      );
      const e = relErr(await g.data(), want);
      tf.dispose([y, g]);
      assert.ok(e < TOL_VS_FD, `dx: ${backend} vs finite differences, relative error ${e}`);
    });

    it('the tiny U-Net (8×8×1, widths [4, 8], 2 classes): forward vs float64, and ∂L/∂θ of the diffusion loss for a few weights of every layer kind', async () => {
      const cfg: UnetConfig = { height: 8, width: 8, channels: 1, numClasses: 2, widths: [4, 8], groups: 2, embedDim: 8, seed: 5 };
      const model = buildUnet(cfg);
      const n = 2;
      const batch: DiffusionBatch = { x0: normal(n * 64, 6, 0, 0.6), classes: Int32Array.from([0, 1]), shape: [n, 8, 8, 1] };
      // One conditional sample and one with the null class; one early and one late timestep.
      const draw: DiffusionDraw = { t: Int32Array.from([3, 700]), noise: normal(n * 64, 7), condition: Int32Array.from([1, 2]) };
      const schedule = linearSchedule();
      const xt = noisyImages(batch, draw, schedule);
      const W = weightsOf(model);
      const refEps = (): Float64Array => unetRef(W, cfg, { n, h: 8, w: 8, c: 1, d: Float64Array.from(xt) }, draw.t, draw.condition).d;
      const refLoss = (): number => refEps().reduce((s, v, i) => s + (v - draw.noise[i]) ** 2, 0) / (n * 64);

      const eps = tf.tidy(
        () => model.apply([tf.tensor4d(xt, batch.shape), tf.tensor2d(Float32Array.from(draw.t), [n, 1]), tf.tensor2d([0, 1, 0, 0, 0, 1], [n, 3])]) as T.Tensor,
      );
      assert.deepEqual(eps.shape, [n, 8, 8, 1]);
      const eFwd = relErr(await eps.data(), refEps());
      eps.dispose();
      assert.ok(eFwd < TOL_FORWARD, `U-Net forward vs float64: relative error ${eFwd}`);

      const { loss, grads } = diffusionLossGradients(model, schedule, batch, draw);
      const vars = unetVariables(model);
      assert.equal(grads.length, vars.length);
      grads.forEach((g, i) => assert.deepEqual(g.shape, vars[i].shape, `gradient ${i} (${vars[i].name}) has the variable's shape`));
      assert.ok(Math.abs((await loss.data())[0] - refLoss()) / refLoss() < TOL_FORWARD);
      // Which gradient belongs to which (layer, weight): model.trainableWeights lists the layers' in order.
      const indexOf = new Map(model.trainableWeights.map((w, i) => [w, i]));
      const checked: Array<[string, number]> = [
        ['stem', 0],
        ['down0_gn1', 0],
        ['down0_gn1', 1],
        ['down0_conv1', 0],
        ['down0_emb', 0],
        ['down0_resample', 0],
        ['bottom_skip', 0],
        ['bottom_gn2', 0],
        ['up0_resample_conv', 0],
        ['up0_skip', 1],
        ['time_mlp1', 0],
        ['time_mlp2', 1],
        ['class_embedding', 0],
        ['out_gn', 0],
        ['out_conv', 0],
        ['out_conv', 1],
      ];
      for (const [layer, k] of checked) {
        const grad = (await grads[indexOf.get(model.getLayer(layer).trainableWeights[k])!].data()) as Float32Array;
        const data = W.get(layer)![k].data;
        // Up to 6 entries spread over the weight (all of a small one), the largest-gradient one among them.
        const entries = Int32Array.from({ length: Math.min(6, data.length) }, (_, j) => Math.floor((j * data.length) / Math.min(6, data.length)));
        const want = fd(refLoss, data, entries);
        assert.ok(maxAbs(want) > 0, `${layer}[${k}]: the finite-difference gradient is all zero, the case tests nothing`);
        const e = relErr(
          Array.from(entries, (j) => grad[j]),
          want,
        );
        assert.ok(e < TOL_VS_FD, `${layer}[${k}]: ${backend} vs finite differences, relative error ${e}`);
      }
      tf.dispose([loss, ...grads]);
      model.dispose();
    });
  });
}

describeOn('cpu');
describeOn('wasm');
