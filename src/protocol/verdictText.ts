// The Retrain-free verdict in words and table cells: one source for report.md, the exported report,
// the `salun run` line and the panel's block, so they say the same thing with the same digits.
// Pure (no DOM, Node or vscode): the webview bundle uses it too.
import type { EvaluatedModel, RunVerdict, RunVerdictFigure, VerdictFigureName } from './results';

export const VERDICT_FIGURE_LABELS: Record<VerdictFigureName, string> = {
  accuracy: 'Accuracy (%)',
  loss: 'Loss AUC',
  confidence: 'Confidence AUC',
  mia: 'MIA-Efficacy (%)',
  retain: 'Retain accuracy vs θo (%)',
};

export const VERDICT_FIGURE_COLUMNS: readonly string[] = ['Figure', 'Df', 'Held-out', 'Gap', 'Threshold (±kσ)', 'z'];

/** AUCs are shares of pairs (3 decimals); the other figures are in points (2). */
function digits(name: VerdictFigureName): number {
  return name === 'loss' || name === 'confidence' ? 3 : 2;
}

function signedFixed(x: number, d: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(d)}`;
}

/** One row per figure, in VERDICT_FIGURE_COLUMNS' order; `retain`'s reference is RA(θo), not held-out data. */
export function verdictFigureCells(f: RunVerdictFigure): string[] {
  const d = digits(f.name);
  return [
    VERDICT_FIGURE_LABELS[f.name],
    f.forget.toFixed(d),
    f.name === 'retain' ? `${f.reference.toFixed(d)} (θo)` : f.reference.toFixed(d),
    signedFixed(f.gap, d),
    f.threshold.toFixed(d),
    signedFixed(f.z, 1),
  ];
}

/** Header and one row per figure: the table every renderer (tableText.ts, the panel) draws. */
export function verdictTableCells(v: RunVerdict): string[][] {
  return [[...VERDICT_FIGURE_COLUMNS], ...v.figures.map(verdictFigureCells)];
}

/**
 * The verdict on two axes, from its figures and k (so a record of any age reads the same way). The
 * stored label mixes them: a run that forgot a little less than Retrain but lost retain accuracy
 * was "over-forgot" because its strongest figure was the retain one, which reads as "forgot too
 * much". Forgetting is the strongest of the four Df figures beyond its threshold (or none);
 * utility is the retain figure alone: lost when RA fell below θo's by more than its noise.
 */
export type ForgettingAxis = 'still remembers' | 'looks unseen' | 'forgot more than unseen data';

export interface VerdictAxes {
  forgetting: ForgettingAxis;
  utility: 'retained' | 'lost';
  /** RA(θu) − RA(θo), points. */
  retainChange: number;
}

export function verdictAxes(v: Pick<RunVerdict, 'figures' | 'k'>): VerdictAxes {
  const flagged = byStrength(flaggedFigures(v.figures, v.k));
  const df = flagged.find((f) => f.name !== 'retain');
  const retain = v.figures.find((f) => f.name === 'retain');
  return {
    forgetting: !df ? 'looks unseen' : df.z > 0 ? 'still remembers' : 'forgot more than unseen data',
    utility: flagged.some((f) => f.name === 'retain') ? 'lost' : 'retained',
    retainChange: retain?.gap ?? 0,
  };
}

/** What each forgetting word says about Df. */
export const FORGETTING_MEANINGS: Record<ForgettingAxis, string> = {
  'looks unseen': 'the model treats the forget set like data it never saw',
  'still remembers': 'the forget set still looks like training data to the model',
  'forgot more than unseen data': 'the model treats the forget set worse than data it never saw',
};

/** "utility retained (RA +0.20 vs θo)" or "utility lost (RA −5.26 vs θo)". */
export function utilityText(a: VerdictAxes): string {
  return `utility ${a.utility} (RA ${signedFixed(a.retainChange, 2)} vs θo)`;
}

/** "forgetting: looks unseen · utility lost (RA −5.26 vs θo)". */
export function axesText(v: Pick<RunVerdict, 'figures' | 'k'>): string {
  const a = verdictAxes(v);
  return `forgetting: ${a.forgetting} · ${utilityText(a)}`;
}

/** "forgetting: looks unseen · utility retained (RA +0.20 vs θo) · score 2.11 points · mean |z| 1.6": both axes with the two scores. */
export function verdictSummary(v: RunVerdict): string {
  return `${axesText(v)} · score ${v.points.toFixed(2)} points · mean |z| ${v.meanAbsZ.toFixed(1)}`;
}

/** The one line `salun run` prints after the table. */
export function verdictLine(v: RunVerdict): string {
  return `Retrain-free verdict: ${verdictSummary(v)} (${verdictReason(v.figures, v.k)}; ${v.seconds.toFixed(1)} s)`;
}

/** Beyond ±k·σ, the table's |gap| > threshold, but not counted: retain accuracy gained is no sign of remembering Df. */
function beyondUncounted(f: RunVerdictFigure, k: number): boolean {
  return f.name === 'retain' && f.z > k;
}

/** The figures that decide the label: beyond ±k·σ, except retain accuracy gained. */
export function flaggedFigures<F extends RunVerdictFigure>(figures: readonly F[], k: number): F[] {
  return figures.filter((f) => (f.name === 'retain' ? f.z < -k : Math.abs(f.z) > k));
}

const SIGN_WORDS: Record<VerdictFigureName, [string, string]> = {
  accuracy: ['Df accuracy above held-out', 'Df accuracy below held-out'],
  loss: ['Df loss lower than held-out', 'Df loss higher than held-out'],
  confidence: ['Df predicted more confidently than held-out', 'Df predicted less confidently than held-out'],
  mia: ['the attack calls Df member more often than held-out', 'the attack calls Df member less often than held-out'],
  retain: ['retain accuracy above θo', 'retain accuracy lost vs θo'],
};

/** A figure in words with the digits its table row shows. */
function describeFigure(f: RunVerdictFigure): string {
  const d = digits(f.name);
  return `${SIGN_WORDS[f.name][f.gap > 0 ? 0 : 1]} (${f.forget.toFixed(d)} vs ${f.reference.toFixed(d)}, z ${signedFixed(f.z, 1)})`;
}

function byStrength(figures: readonly RunVerdictFigure[]): RunVerdictFigure[] {
  return [...figures].sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
}

/**
 * The verdict's reason, derived from the figures the table shows and the same rule the label
 * follows, so it can never say "every figure is within" beside a row whose |z| exceeds k (a
 * retain accuracy gained beyond its noise is shown but does not count). Renderers derive it again
 * rather than read a stored sentence, which older run folders wrote by a narrower rule.
 */
export function verdictReason(figures: readonly RunVerdictFigure[], k: number): string {
  const bound = `±${k.toFixed(2)}σ`;
  const flagged = byStrength(flaggedFigures(figures, k));
  const uncounted = figures.filter((f) => beyondUncounted(f, k));
  const aside = uncounted
    .map((f) => `${describeFigure(f)} is beyond ${bound} as well but does not count (a retain accuracy gained is no sign of remembering)`)
    .join('; ');
  if (flagged.length) return `beyond ${bound}: ${flagged.map(describeFigure).join('; ')}${aside ? `; ${aside}` : ''}`;
  if (aside) return `every figure that counts is within ${bound} of its noise; ${aside}`;
  return `every figure is within ${bound} of its noise`;
}

/** How the thresholds are made, for a reader who has not read verdict.ts. */
export function verdictThresholdNote(v: RunVerdict): string {
  return (
    `Df is compared with ${v.heldOut.size} held-out samples from ${v.heldOut.source}${v.heldOut.wholeClass ? ' (its accuracy with 0: a model that never saw the class never predicts it)' : ''}, and the retain accuracy with θo's. ` +
    `Each threshold is k·σ, where σ is the spread of the same figure between two random halves of the held-out set (of Dr for the retain accuracy), ` +
    `over ${v.splits} seeded halvings (seed ${v.seed}), rescaled to the sizes compared and floored at the statistic's analytic standard error; ` +
    `k = ${v.k.toFixed(3)} = Φ⁻¹(1 − α/10), two-sided with a Bonferroni correction over the five figures (α = ${v.alpha}), so a Df drawn from the held-out ` +
    'distribution is called anything but "looks unseen" with probability about α at most. Forgetting follows the Df figure furthest beyond its threshold: ' +
    'a positive gap (Df more like training data) says "still remembers", a negative one "forgot more than unseen data"; utility is the retain figure alone, "lost" when RA fell below θo\'s beyond its threshold. ' +
    pointsNote(v) +
    ' Mean |z| is the evidence of the five figures, standardised.'
  );
}

/** What the score in points averages, with the TA term's figures when the verdict has them (older ones do not). */
export function pointsNote(v: RunVerdict): string {
  return v.test
    ? `The score in points estimates the Avg. Gap without Retrain: the mean of |accuracy gap|, |MIA gap|, |RA − RA(θo)| and |TA − TA(θo)| (TA ${v.test.accuracy.toFixed(2)} vs θo's ${v.test.original.toFixed(2)}).`
    : 'The score in points is the mean of |accuracy gap|, |MIA gap| and |RA − RA(θo)|.';
}

/** The unlearned model's verdict among a run's rows, if it has one. */
export function unlearnedVerdict(rows: readonly EvaluatedModel[]): RunVerdict | undefined {
  return rows.find((r) => r.role === 'unlearned')?.verdict;
}
