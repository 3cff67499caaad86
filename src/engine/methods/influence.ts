// Influence unlearning (IU; Izzo et al. 2021, Jia et al. 2023), the authors' WoodFisher variant:
// one Newton-like step that removes Df's influence from θo,
//
//   θu = θo + α · F̂⁻¹ v,   v = (1/n)·Σ_{Df} ∇ℓᵢ − (n_f/(n·n_r))·Σ_{Dr} ∇ℓᵢ   (n = n_f + n_r),
//   F̂ = λI + (1/N)·Σ_{k≤N} g_k g_kᵀ,   g_k = ∇ℓ at N per-sample retain gradients (the WoodFisher estimate).
//
// Why this v (the authors' Wfisher.py weighting): Retrain minimises L_r = (1/n_r)·Σ_{Dr} ℓ, and one
// Newton step on L_r from θo is θo − H_r⁻¹∇L_r(θo). At the full-data optimum Σ_D ∇ℓ = 0, so
// −∇L_r = (1/n_r)·Σ_{Df} ∇ℓ, which equals v there; away from it, v mixes both sums so a model that is
// not exactly stationary is not pushed along the retain gradient alone. α = 1 is that Newton step.
//
// Why λ: F̂ is built from N ≪ P gradients, so it is singular without it; the authors' recursion
// starts from H₀⁻¹ = I (λ = 1). F̂⁻¹v is computed with the WoodFisher recursion (Sherman–Morrison,
// one gradient at a time) done exactly; the authors' code tracks a single running vector instead
// of one per sample, which is cheaper but does not equal F̂⁻¹v. Gradients are taken in inference mode
// (batch-norm uses its running statistics), as the authors' model.eval().
// Masked IU restricts the problem to the salient weights: every gradient and v are masked before the
// recursion (the exact WoodFisher step in that subspace), and frozen weights are restored to θo exactly.
import { gatherRows } from '../data/dataset';
import { throwIfAborted } from '../../store/errors';
import { batchShapeFor, crossEntropy, logProbs } from '../models/forward';
import { makeRng, shuffleInPlace, subSeed } from '../rng';
import { tf, type T } from '../tf';
import { trainableVariables } from '../train/loop';
import type { WeightMask } from '../train/sgd';
import type { UnlearnInput } from './input';

/**
 * The WoodFisher recursion in the span of the sampled gradients. With F̂ as above and H₀⁻¹ = I/λ,
 * H_k⁻¹ = H_{k−1}⁻¹ − u_k u_kᵀ/(N + g_kᵀu_k), u_k = H_{k−1}⁻¹ g_k. Every u_k lies in span(g_1..g_k), so it
 * is kept as coefficients (u_k = Σ_m A_km g_m) and the recursion needs only K = G·Gᵀ (N×N, row-major)
 * and b = G·v: O(N³) scalar work instead of O(N²) passes over P-long vectors.
 * Returns c with F̂⁻¹v = v/λ − Gᵀc.
 */
export function woodFisherCoefficients(gram: Float64Array, gv: Float64Array, n: number, damping: number): Float64Array {
  const a = new Float64Array(n * n);
  const d = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const rowK = k * n;
    a[rowK + k] = 1 / damping;
    for (let j = 0; j < k; j++) {
      const rowJ = j * n;
      let t = 0;
      for (let m = 0; m <= j; m++) t += a[rowJ + m] * gram[m * n + k];
      const f = t / d[j];
      for (let m = 0; m <= j; m++) a[rowK + m] -= f * a[rowJ + m];
    }
    let gu = 0;
    for (let m = 0; m <= k; m++) gu += a[rowK + m] * gram[m * n + k];
    d[k] = n + gu;
  }
  const c = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let m = 0; m <= j; m++) s += a[j * n + m] * gv[m];
    const f = s / d[j];
    for (let m = 0; m <= j; m++) c[m] += f * a[j * n + m];
  }
  return c;
}

export interface InfluenceProblem {
  vars: T.Variable[];
  /** Mean loss over the given rows at the current weights (inference mode). Must not dispose vars. */
  meanLoss: (rows: Int32Array) => T.Scalar;
  forget: Int32Array;
  retain: Int32Array;
  /** Retain rows whose per-sample gradients build the WoodFisher estimate. */
  fisherRows: Int32Array;
  alpha: number;
  damping: number;
  batchSize: number;
  mask?: WeightMask;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface InfluenceResult {
  /** Mean loss on Df before the step. */
  forgetLoss: number;
  /** ‖α·F̂⁻¹v‖₂: how far the weights moved. */
  stepNorm: number;
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** ∇ of meanLoss over one set of rows, flattened over all variables and masked. */
// Reads are async throughout: the webgpu backend cannot read a tensor synchronously in Node.
async function flatGrad(p: InfluenceProblem, rows: Int32Array, flatMask: T.Tensor | undefined): Promise<{ grad: T.Tensor1D; loss: number }> {
  const { value, grads } = tf.variableGrads(() => p.meanLoss(rows), p.vars);
  const grad = tf.tidy(() => {
    const flat = tf.concat<T.Tensor1D>(p.vars.map((v) => tf.reshape(grads[v.name], [-1])));
    return flatMask ? tf.mul<T.Tensor1D>(flat, flatMask) : flat;
  });
  const loss = (await value.data())[0];
  tf.dispose([value, ...Object.values(grads)]);
  return { grad, loss };
}

/** Σ over rows of the per-sample gradients (batched: batch mean × batch size), and the mean loss. */
async function gradSum(
  p: InfluenceProblem,
  rows: Int32Array,
  flatMask: T.Tensor | undefined,
  progress: (n: number) => void,
): Promise<{ sum: T.Tensor1D; meanLoss: number }> {
  let sum: T.Tensor1D | undefined;
  let lossSum = 0;
  for (let from = 0; from < rows.length; from += p.batchSize) {
    throwIfAborted(p.signal);
    const batch = rows.subarray(from, Math.min(rows.length, from + p.batchSize));
    const { grad, loss } = await flatGrad(p, batch, flatMask);
    const next = tf.tidy(() => {
      const g = tf.mul<T.Tensor1D>(grad, batch.length);
      return sum ? tf.add<T.Tensor1D>(sum, g) : g;
    });
    tf.dispose([grad, ...(sum ? [sum] : [])]);
    sum = next;
    lossSum += loss * batch.length;
    progress(batch.length);
    await yieldToLoop();
  }
  const size = p.vars.reduce((n, v) => n + v.size, 0);
  return { sum: sum ?? tf.zeros([size]), meanLoss: rows.length ? lossSum / rows.length : 0 };
}

/** Applies θ += α·F̂⁻¹v to p.vars in place (see the file header). */
export async function influenceStep(p: InfluenceProblem): Promise<InfluenceResult> {
  const nf = p.forget.length;
  const nr = p.retain.length;
  const nFisher = p.fisherRows.length;
  const total = nf + nr + nFisher;
  let done = 0;
  const progress = (k: number): void => {
    done += k;
    p.onProgress?.(done, total);
  };
  const flatMask = p.mask ? tf.tidy(() => tf.concat(p.mask!.salient.map((s) => tf.reshape(tf.cast(s, 'float32'), [-1])))) : undefined;
  const owned: T.Tensor[] = flatMask ? [flatMask] : [];
  try {
    const f = await gradSum(p, p.forget, flatMask, progress);
    owned.push(f.sum);
    const r = await gradSum(p, p.retain, flatMask, progress);
    owned.push(r.sum);
    const n = nf + nr;
    const v = tf.tidy(() => tf.sub<T.Tensor1D>(tf.mul(f.sum, 1 / n), tf.mul(r.sum, nr ? nf / (n * nr) : 0)));
    owned.push(v);

    const samples: T.Tensor1D[] = [];
    try {
      for (let k = 0; k < nFisher; k++) {
        throwIfAborted(p.signal);
        samples.push((await flatGrad(p, p.fisherRows.subarray(k, k + 1), flatMask)).grad);
        progress(1);
        if (k % 16 === 15) await yieldToLoop();
      }
      const g = nFisher ? (tf.stack(samples) as T.Tensor2D) : undefined;
      if (g) owned.push(g);
      const products = g ? [tf.matMul(g, g, false, true), tf.tidy(() => tf.matMul(g, tf.reshape(v, [-1, 1])))] : [];
      const [gram, gv] = await Promise.all(products.map(async (t) => Float64Array.from(await t.data())));
      tf.dispose(products);
      const direction = tf.tidy(() => {
        if (!g) return tf.div(v, p.damping);
        const c = woodFisherCoefficients(gram, gv, nFisher, p.damping);
        return tf.sub(tf.div(v, p.damping), tf.reshape(tf.matMul(tf.tensor2d(Float32Array.from(c), [1, nFisher]), g), [-1]));
      });
      owned.push(direction);
      const norm = tf.norm(direction);
      owned.push(norm);
      const stepNorm = p.alpha * (await norm.data())[0];
      tf.tidy(() => {
        let offset = 0;
        p.vars.forEach((w, i) => {
          const delta = tf.reshape(tf.slice(direction, [offset], [w.size]), w.shape);
          offset += w.size;
          let next = tf.add(w, tf.mul(delta, p.alpha));
          if (p.mask) next = tf.where(p.mask.salient[i], next, p.mask.anchor[i]);
          w.assign(next);
        });
      });
      return { forgetLoss: f.meanLoss, stepNorm };
    } finally {
      tf.dispose(samples);
    }
  } finally {
    tf.dispose(owned);
  }
}

export async function influenceUnlearning(u: UnlearnInput, o: { alpha: number; damping: number; fisherSamples: number }): Promise<void> {
  const shapeOf = batchShapeFor(u.clf, u.train);
  const meanLoss = (rows: Int32Array): T.Scalar =>
    tf.tidy(() => {
      const { x, y } = gatherRows(u.train, rows);
      return crossEntropy(logProbs(u.clf, tf.tensor(x, shapeOf(rows.length)), false), tf.tensor1d(y, 'int32'));
    });
  const pool = shuffleInPlace(Int32Array.from(u.retain), makeRng(subSeed(u.seed, 'unlearn-iu')));
  const fisherRows = pool.subarray(0, Math.min(o.fisherSamples, pool.length));
  const r = await influenceStep({
    vars: trainableVariables(u.clf),
    meanLoss,
    forget: u.forget,
    retain: u.retain,
    fisherRows,
    alpha: o.alpha,
    damping: o.damping,
    batchSize: u.recipe.batchSize,
    mask: u.mask,
    signal: u.signal,
    onProgress: (done, total) => u.onBatch?.(1, done, total),
  });
  await u.onEpoch?.(1, r.forgetLoss);
}
