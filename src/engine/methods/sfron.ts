// SFR-on (Huang et al., NeurIPS 2024, "Unified Gradient-Based Machine Unlearning with Remain
// Geometry Enhancement"): saliency-based forgetting in the remain-preserving manifold, online.
// What the authors' code does (github.com/K1nght/Unified-Unlearning-w-Remain-Geometry,
// Classification/unlearn/sfron.py, the "CIFAR10 10%" defaults the method row cites):
//
//   before training   F_f, F_r = diagonal Fishers on Df and Dr (importance.ts: batch mean CE,
//                     squared, averaged over batches, inference mode);
//                     mask m = (F_f + 1e-15) / (F_r + 1e-15) ≥ threshold, fixed for the run
//   step t of T       every forgetEvery-th step first an ascent step on a forget batch:
//                       ℓ_i = CE of sample i, c_i = 1 / (√ℓ_i + 1e-15) held constant,
//                       loss = −α_t · Σ_i (c_i / Σ c) · ℓ_i,  α_t = forgetAlpha · (1 + cos(πt/T)) / 2
//                       g ← m ⊙ ∇loss, clipped to global L2 norm maxNorm, SGD step
//                     then a descent step on a retain batch (plain CE, no mask, no clipping)
//   rate              lr · (1 + cos(πt/T)) / 2 per step (CosineAnnealingLR over T), with a cosine recipe
//
// The adaptive weights push hardest on the forget samples whose loss is still low: the ones the
// model remembers. The remain-preserving part is the interleaving: each masked ascent step is
// followed by retain steps taken at the moved weights. One SGD optimizer (momentum, weight decay)
// serves both, as theirs does, so weights outside m still move on forget steps through momentum
// and decay. Their slow-weight averaging defaults to β = 1 (off) and is left out. T is given in
// epochs over Dr (the authors' 1500 steps of 128 are 4.3 passes over CIFAR-10's 45,000 retain
// images); both loaders cycle, each cycle shuffled again. A saliency mask (`masked`), when given,
// goes to the optimizer on top: non-salient weights then stay θo exactly.
import { checkBatchFits } from '../backend/deviceHealth';
import { gatherRows } from '../data/dataset';
import { throwIfAborted, UserError } from '../../store/errors';
import { batchShapeFor, logProbs } from '../models/forward';
import { makeRng, subSeed } from '../rng';
import { tf, type T } from '../tf';
import { trainableVariables } from '../train/loop';
import { Sgd } from '../train/sgd';
import { CycledBatches } from './cycledBatches';
import { batchImportances } from './importance';
import type { UnlearnInput } from './input';

export interface SfronOptions {
  /** α at step 0 of the forget loss; it decays with the same cosine as the rate. */
  forgetAlpha: number;
  /** A forget step before every forgetEvery-th retain step. */
  forgetEvery: number;
  /** The forget gradient's global L2 norm is clipped to this. */
  maxNorm: number;
  /** A weight is in the forget mask when F_f / F_r ≥ threshold. */
  threshold: number;
}

const EPS = 1e-15;
const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** m = (F_f + ε) / (F_r + ε) ≥ threshold, as 0/1 floats per variable. */
export function fisherRatioMask(forgetFisher: readonly T.Tensor[], retainFisher: readonly T.Tensor[], threshold: number): T.Tensor[] {
  return tf.tidy(() => forgetFisher.map((f, i) => tf.cast(tf.greaterEqual(tf.div(tf.add(f, EPS), tf.add(retainFisher[i], EPS)), threshold), 'float32')));
}

/** The identity whose gradient is zero (PyTorch's detach(): tfjs has no stopGradient). */
const detached: (x: T.Tensor) => T.Tensor = tf.customGrad((x) => ({ value: tf.clone(x as T.Tensor), gradFunc: (dy) => tf.zerosLike(dy) }));

/** The adaptive-weighted ascent loss: −Σ_i (c_i / Σ c)·ℓ_i with c_i = 1/(√ℓ_i + ε) held constant. */
export function adaptiveAscentLoss(perSample: T.Tensor1D): T.Scalar {
  return tf.tidy(() => {
    const c = tf.div(tf.scalar(1), tf.add(tf.sqrt(detached(perSample)), EPS));
    return tf.neg(tf.sum(tf.mul(tf.div(c, tf.sum(c)), perSample))) as T.Scalar;
  });
}

/** g · min(1, maxNorm / ‖g‖₂) over all variables together (torch.nn.utils.clip_grad_norm_). */
export function clippedToNorm(grads: readonly T.Tensor[], maxNorm: number): T.Tensor[] {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    return grads.map((g) => tf.mul(g, scale));
  });
}

const cosine = (t: number, total: number): number => (1 + Math.cos((Math.PI * t) / total)) / 2;

export async function sfron(u: UnlearnInput, o: SfronOptions): Promise<void> {
  const vars = trainableVariables(u.clf);
  const b = u.recipe.batchSize;
  const common = { loss: 'ce' as const, accumulate: 'square' as const, batchSize: b, signal: u.signal };
  const fisherF = await batchImportances(u.clf, vars, u.train, u.forget, common);
  const fisherR = await batchImportances(u.clf, vars, u.train, u.retain, common).catch((e: unknown) => {
    tf.dispose(fisherF);
    throw e;
  });
  const mask = fisherRatioMask(fisherF, fisherR, o.threshold);
  tf.dispose([...fisherF, ...fisherR]);
  const optimizer = new Sgd(vars, { lr: u.recipe.lr, momentum: u.recipe.momentum, weightDecay: u.recipe.weightDecay }, u.mask);
  const retain = new CycledBatches(u.retain, b, makeRng(subSeed(u.seed, `unlearn-${u.method}-retain`)), 'reshuffle');
  const forget = new CycledBatches(u.forget, b, makeRng(subSeed(u.seed, `unlearn-${u.method}-forget`)), 'reshuffle');
  const shapeOf = batchShapeFor(u.clf, u.train);
  checkBatchFits(u.clf.model, b);
  const perEpoch = Math.ceil(u.retain.length / b);
  const total = perEpoch * u.recipe.epochs;
  const stepOn = async (rows: Int32Array, lossOf: (lp: T.Tensor2D, y: T.Tensor1D) => T.Scalar, direction: (g: T.Tensor[]) => T.Tensor[]): Promise<number> => {
    const { x, y } = gatherRows(u.train, rows, 0, rows.length);
    const r = tf.variableGrads(() => tf.tidy(() => lossOf(logProbs(u.clf, tf.tensor(x, shapeOf(rows.length)), true), tf.tensor1d(y, 'int32'))), vars);
    const loss = (await r.value.data())[0];
    const raw = vars.map((v) => r.grads[v.name]);
    const grads = direction(raw);
    tf.dispose([r.value, ...raw]);
    if (!Number.isFinite(loss)) {
      tf.dispose(grads);
      throw new UserError(`The SFR-on loss became ${loss}.`, 'Lower the learning rate or forgetAlpha.');
    }
    optimizer.step(grads);
    tf.dispose(grads);
    return loss;
  };
  const perSampleCe = (lp: T.Tensor2D, y: T.Tensor1D): T.Tensor1D => tf.neg(tf.sum(tf.mul(tf.oneHot(y, lp.shape[1]), lp), 1)) as T.Tensor1D;
  try {
    for (let epoch = 1, t = 0; epoch <= u.recipe.epochs; epoch++) {
      let lossSum = 0;
      for (let k = 0; k < perEpoch; k++, t++) {
        throwIfAborted(u.signal);
        const anneal = u.recipe.schedule === 'constant' ? 1 : cosine(t, total);
        optimizer.options = { ...optimizer.options, lr: u.recipe.lr * anneal };
        if (t % o.forgetEvery === 0) {
          const alpha = o.forgetAlpha * cosine(t, total);
          await stepOn(
            forget.next(),
            (lp, y) => tf.mul<T.Scalar>(adaptiveAscentLoss(perSampleCe(lp, y)), alpha),
            (g) =>
              tf.tidy(() =>
                clippedToNorm(
                  g.map((gi, i) => tf.mul(gi, mask[i])),
                  o.maxNorm,
                ),
              ),
          );
        }
        lossSum += await stepOn(
          retain.next(),
          (lp, y) => tf.mean(perSampleCe(lp, y)),
          (g) => g.map((gi) => tf.clone(gi)),
        );
        u.onBatch?.(epoch, Math.min(u.retain.length, (k + 1) * b), u.retain.length);
        await yieldToLoop();
      }
      // The epoch's loss: the retain cross-entropy (the ascent loss has the opposite sign and would cancel it).
      await u.onEpoch?.(epoch, lossSum / perEpoch);
      if (u.stop?.aborted) return;
    }
  } finally {
    optimizer.dispose();
    tf.dispose(mask);
  }
}
