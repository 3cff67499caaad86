// What an automatic recipe (a method row with `autoOf`) writes to auto.json in its run folder: every
// (rate, epoch) it tried with the Retrain-free figures it judged them by, the rule, what it chose,
// and what the search cost. Its own file, with a guard, because the file is read back untyped.
import { isFiniteNumber, isRecord, isString } from './guards';

/** One (rate, epoch) of the search, as the rule saw it. Gaps in points; > 0: Df looks more like training data. */
export interface AutoCandidate {
  lr: number;
  epoch: number;
  /** acc(Df slice) − acc(held-out slice). */
  accuracyGap: number;
  /** MIA-Efficacy(held-out) − MIA-Efficacy(Df), the verdict's cross-fitted attack. */
  miaGap: number;
  /** RA(θu) − RA(θo) on the retain slice (< 0: retain accuracy lost). */
  retainGap: number;
  /** k·σ of the retain gap: the loss the noise between retain halves explains (shown, not scored). */
  retainThreshold: number;
  /** TA(θu) − TA(θo) on the test slice (absent in auto.json files of the first rule). */
  testGap?: number;
  /** The verdict's label on the slices. */
  label: string;
  /** The rule's score (lower is better). */
  score: number;
  /** Wall seconds of this epoch's training, without its evaluation. */
  trainSeconds: number;
}

export interface AutoReport {
  /** The method that ran (the auto row's name) and the one whose loss it searched over. */
  method: string;
  base: string;
  rule: string;
  /** How the rates were derived from the recipe's rate and |Df|/|D|. */
  rates: { center: number; forgetShare: number; scale: number; values: number[] };
  epochs: number;
  /** Rows of each slice the figures were computed on. */
  slices: { forget: number; heldOut: number; retain: number; heldOutFrom: string; test?: number };
  /** θo's own figures on the slices, for scale (not a candidate). */
  original: Omit<AutoCandidate, 'lr' | 'epoch' | 'trainSeconds'>;
  candidates: AutoCandidate[];
  chosen: { lr: number; epoch: number; score: number; why: string };
  /** The chosen model is the search's own (the search ran on the full data); no second run. */
  model: 'kept from the search';
  cost: {
    /** The whole search: every candidate's training and evaluation. */
    searchSeconds: number;
    /** The training time of the chosen recipe alone (its rate, epochs 1…chosen). */
    recipeSeconds: number;
    /** searchSeconds / recipeSeconds. */
    share: number;
    evaluationSeconds: number;
  };
  /** True when a stop request ended the search early; the choice is among the candidates done. */
  stoppedEarly: boolean;
}

function isCandidateFigures(x: unknown): boolean {
  return (
    isRecord(x) &&
    ['accuracyGap', 'miaGap', 'retainGap', 'retainThreshold', 'score'].every((k) => isFiniteNumber(x[k])) &&
    (x.testGap === undefined || isFiniteNumber(x.testGap)) &&
    isString(x.label)
  );
}

function isCandidate(x: unknown): x is AutoCandidate {
  return isCandidateFigures(x) && isRecord(x) && isFiniteNumber(x.lr) && Number.isInteger(x.epoch) && isFiniteNumber(x.trainSeconds);
}

/** A structural check of a parsed auto.json, with the first problem found, or undefined when it is one. */
export function autoReportProblem(x: unknown): string | undefined {
  if (!isRecord(x)) return 'not an object';
  if (!isString(x.method) || !isString(x.base) || !isString(x.rule)) return 'method, base and rule must be strings';
  const r = x.rates;
  if (!isRecord(r) || !Array.isArray(r.values) || !r.values.every(isFiniteNumber) || ![r.center, r.forgetShare, r.scale].every(isFiniteNumber)) return 'rates';
  if (!Number.isInteger(x.epochs)) return 'epochs';
  if (!isRecord(x.slices) || !['forget', 'heldOut', 'retain'].every((k) => Number.isInteger((x.slices as Record<string, unknown>)[k]))) return 'slices';
  if (!isCandidateFigures(x.original)) return 'original';
  if (!Array.isArray(x.candidates) || x.candidates.length === 0 || !x.candidates.every(isCandidate)) return 'candidates';
  const c = x.chosen;
  if (!isRecord(c) || !isFiniteNumber(c.lr) || !Number.isInteger(c.epoch) || !isFiniteNumber(c.score) || !isString(c.why)) return 'chosen';
  if (!x.candidates.some((k: AutoCandidate) => k.lr === c.lr && k.epoch === c.epoch)) return 'chosen is not among the candidates';
  const cost = x.cost;
  if (!isRecord(cost) || !['searchSeconds', 'recipeSeconds', 'share', 'evaluationSeconds'].every((k) => isFiniteNumber(cost[k]))) return 'cost';
  if (typeof x.stoppedEarly !== 'boolean') return 'stoppedEarly';
  return undefined;
}
