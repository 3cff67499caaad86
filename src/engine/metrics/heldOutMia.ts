// The membership attack of the Retrain-free verdict: the same SVC_MIA confidence attack as
// MIA-Efficacy (mia.ts), but cross-fitted so that it can be applied to held-out data it did not
// learn from. The held-out set is cut in two seeded folds; the attack fitted on fold A's
// non-members (against as many retain members) labels fold B and Df, and vice versa. Every held-out
// sample then has one out-of-fold label, so "share of held-out called non-member" is measured the
// same way as "share of Df called non-member", and the verdict can compare the two.
import { fitMiaAttack, MIA_NON_MEMBER, type MiaOptions } from './mia';
import { makeRng, shuffleInPlace } from '../rng';

export interface HeldOutMia {
  /** Per held-out sample (input order): 1 when the attack that did not see it calls it non-member. */
  heldOutNonMember: Uint8Array;
  /** Percent of Df called non-member: the mean over the two folds' attacks. */
  forgetEfficacy: number;
  /** Percent of the held-out set called non-member (out of fold). */
  heldOutEfficacy: number;
  /** False when either attack stopped at its iteration cap. */
  converged: boolean;
}

function permutation(n: number, rand: () => number): Int32Array {
  return shuffleInPlace(
    Int32Array.from({ length: n }, (_, i) => i),
    rand,
  );
}

function pick(values: ArrayLike<number>, at: ArrayLike<number>, count = at.length): Float64Array {
  return Float64Array.from({ length: count }, (_, i) => values[at[i]]);
}

/** `confidence`: softmax probability of the true label per sample, as the MIA feature. */
export function heldOutMia(
  forgetConfidence: ArrayLike<number>,
  heldOutConfidence: ArrayLike<number>,
  retainConfidence: ArrayLike<number>,
  seed: number,
  opts: MiaOptions = {},
): HeldOutMia {
  const h = heldOutConfidence.length;
  if (h < 2) throw new RangeError(`heldOutMia: the held-out set needs at least 2 samples (one per fold), got ${h}`);
  if (retainConfidence.length === 0 || forgetConfidence.length === 0) throw new RangeError('heldOutMia: the retain and forget sets must not be empty');
  const rand = makeRng(seed);
  const order = permutation(h, rand);
  const folds = [order.subarray(0, h >> 1), order.subarray(h >> 1)];
  const heldOutNonMember = new Uint8Array(h);
  let forgetNonMember = 0;
  let converged = true;
  for (const [f, fold] of folds.entries()) {
    const other = folds[1 - f];
    // Balanced sets, as the authors' SVC_MIA (see prepare.ts for what imbalance does to the attack).
    const count = Math.min(fold.length, retainConfidence.length);
    const members = pick(retainConfidence, permutation(retainConfidence.length, rand), count);
    const svm = fitMiaAttack(members, pick(heldOutConfidence, fold, count), opts);
    converged &&= svm.converged;
    const predicted = svm.predict(pick(heldOutConfidence, other));
    for (let i = 0; i < other.length; i++) heldOutNonMember[other[i]] = predicted[i] === MIA_NON_MEMBER ? 1 : 0;
    for (const p of svm.predict(Float64Array.from(forgetConfidence))) if (p === MIA_NON_MEMBER) forgetNonMember++;
  }
  let held = 0;
  for (const v of heldOutNonMember) held += v;
  return {
    heldOutNonMember,
    forgetEfficacy: (100 * forgetNonMember) / (2 * forgetConfidence.length),
    heldOutEfficacy: (100 * held) / h,
    converged,
  };
}
