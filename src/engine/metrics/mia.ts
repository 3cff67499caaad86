// MIA-Efficacy as the SalUn authors compute it (OPTML-Group/Unlearn-Saliency, evaluation/SVC_MIA.py,
// the "confidence" attack): one scalar per sample, the softmax probability of the true label; an
// RBF SVM, sklearn `SVC(C=3, gamma='auto', kernel='rbf')`, learns members (a retain subset as large
// as the test set) against non-members (the test set); MIA-Efficacy is the share of the forget set
// it calls non-member. Higher means the forget set looks unseen.
import { fitRbfSvm, type RbfSvm } from './svm';

/** sklearn's `SVC(C=3, ...)` in the authors' code. */
export const MIA_SVM_C = 3;
/** gamma='auto' is 1 / n_features, and the confidence attack has one feature. */
export const MIA_SVM_GAMMA = 1;
/** Prediction of the attack returned by {@link fitMiaAttack} for a non-member (its decision is > 0). */
export const MIA_NON_MEMBER = 1;

export interface MiaInput {
  /** True-label confidences of the retain subset: the members (label 1). Usually |Dt| samples. */
  retainConfidence: ArrayLike<number>;
  /** True-label confidences of the test set: the non-members (label 0). */
  testConfidence: ArrayLike<number>;
  /** True-label confidences of the forget set, classified by the fitted attack. */
  forgetConfidence: ArrayLike<number>;
}

export interface MiaOptions {
  /** Solver iteration cap; see {@link fitRbfSvm}. */
  maxIter?: number;
  /** Kernel-column cache in MiB; see {@link fitRbfSvm}. */
  cacheMb?: number;
}

export interface MiaResult {
  /** Percent of the forget set predicted non-member. */
  efficacy: number;
  forgetPredictedNonMember: number;
  forgetCount: number;
  memberCount: number;
  nonMemberCount: number;
  /** False when the SVM stopped at its iteration cap; the number is then less trustworthy. */
  converged: boolean;
  iterations: number;
  supportVectorCount: number;
}

export function miaEfficacy(input: MiaInput, opts: MiaOptions = {}): MiaResult {
  checkConfidences('forgetConfidence', input.forgetConfidence);
  const svm = fitMiaAttack(input.retainConfidence, input.testConfidence, opts);
  const forget = input.forgetConfidence;
  const predicted = svm.predict(forget);
  let nonMember = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === MIA_NON_MEMBER) nonMember++;
  return {
    efficacy: (100 * nonMember) / forget.length,
    forgetPredictedNonMember: nonMember,
    forgetCount: forget.length,
    memberCount: input.retainConfidence.length,
    nonMemberCount: input.testConfidence.length,
    converged: svm.converged,
    iterations: svm.iterations,
    supportVectorCount: svm.supportCount,
  };
}

/**
 * Fits the membership attack: members = retain subset, non-members = test set, one feature each.
 * Non-members are the SVM's +1 class: sklearn sorts the labels (0 = non-member first) and LIBSVM
 * trains on the rows grouped by class in that order with the first class as +1, so we build the
 * same problem in the same row order; the SMO path, and so the fitted function, then matches
 * sklearn's. sklearn's `decision_function` is the negation of ours.
 */
export function fitMiaAttack(retainConfidence: ArrayLike<number>, testConfidence: ArrayLike<number>, opts: MiaOptions = {}): RbfSvm {
  checkConfidences('retainConfidence', retainConfidence);
  checkConfidences('testConfidence', testConfidence);
  const nNon = testConfidence.length;
  const nMem = retainConfidence.length;
  const features = new Float64Array(nNon + nMem);
  const labels = new Int8Array(nNon + nMem);
  for (let i = 0; i < nNon; i++) {
    features[i] = testConfidence[i];
    labels[i] = MIA_NON_MEMBER;
  }
  for (let i = 0; i < nMem; i++) {
    features[nNon + i] = retainConfidence[i];
    labels[nNon + i] = -MIA_NON_MEMBER;
  }
  return fitRbfSvm(features, 1, labels, { C: MIA_SVM_C, gamma: MIA_SVM_GAMMA, tol: 1e-3, maxIter: opts.maxIter, cacheMb: opts.cacheMb });
}

function checkConfidences(name: string, values: ArrayLike<number> | undefined): void {
  if (values === undefined || values === null || typeof values.length !== 'number') {
    throw new TypeError(`miaEfficacy: ${name} is missing`);
  }
  if (values.length === 0) {
    throw new RangeError(`miaEfficacy: ${name} is empty; the MIA needs at least one sample in each of retain, test and forget`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`miaEfficacy: ${name}[${i}] is ${String(v)}; confidences must be finite numbers`);
    }
  }
}
