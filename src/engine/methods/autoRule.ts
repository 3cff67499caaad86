// The arithmetic of the automatic recipe's rule (salunAuto.ts states the rule and why): the rates
// it tries and the score that picks among (rate, epoch) candidates. Pure, so that a test can hand
// it figures and check the choice.

/** Where DEFAULT_UNLEARN's rate was tuned: 10% random forgetting (protocol/methods.ts). */
export const REFERENCE_FORGET_SHARE = 0.1;

/** The rates tried, as multiples of the recipe's rate (0.005 by default → 0.001, 0.002, 0.005, 0.01). */
export const RATE_MULTIPLIERS: readonly number[] = [0.2, 0.4, 1, 2];

export interface AutoRates {
  center: number;
  forgetShare: number;
  scale: number;
  values: number[];
}

/**
 * The recipe's rate times RATE_MULTIPLIERS, scaled down by REFERENCE_FORGET_SHARE / (|Df|/|D|)
 * when Df is a larger share than the reference (never up).
 */
export function autoRates(center: number, forgetSize: number, retainSize: number): AutoRates {
  const forgetShare = forgetSize / Math.max(1, forgetSize + retainSize);
  const scale = forgetShare > REFERENCE_FORGET_SHARE ? REFERENCE_FORGET_SHARE / forgetShare : 1;
  return { center, forgetShare, scale, values: RATE_MULTIPLIERS.map((m) => center * m * scale) };
}

/** The figures the score reads, in points. */
export interface ScoredFigures {
  accuracyGap: number;
  miaGap: number;
  /** RA(θu) − RA(θo). */
  retainGap: number;
  /** TA(θu) − TA(θo). */
  testGap: number;
}

/**
 * The Avg. Gap estimated without Retrain: mean(|accuracy gap|, |MIA gap|, |RA − RA(θo)|, |TA − TA(θo)|),
 * the Avg. Gap's four terms with held-out data standing in for Retrain's UA and MIA and θo for its
 * RA and TA (Retrain keeps them: its RA and TA sit within a point of θo's in every table we have).
 */
export function autoScore(f: ScoredFigures): number {
  return (Math.abs(f.accuracyGap) + Math.abs(f.miaGap) + Math.abs(f.retainGap) + Math.abs(f.testGap)) / 4;
}

export interface Ranked {
  lr: number;
  epoch: number;
  score: number;
}

/** The index of the lowest score; ties go to the lower rate, then the earlier epoch (the smaller change to θo). */
export function chooseCandidate(candidates: readonly Ranked[]): number {
  if (candidates.length === 0) throw new RangeError('chooseCandidate: no candidates');
  let best = 0;
  for (let i = 1; i < candidates.length; i++) {
    const a = candidates[i];
    const b = candidates[best];
    if (a.score < b.score || (a.score === b.score && (a.lr < b.lr || (a.lr === b.lr && a.epoch < b.epoch)))) best = i;
  }
  return best;
}
