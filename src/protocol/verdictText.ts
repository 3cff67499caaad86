// The Retrain-free verdict in words and table cells: one source for report.md, the exported report,
// the `salun run` line and the panel's block, so they say the same thing with the same digits.
// Pure (no DOM, Node or vscode): the webview bundle uses it too.
import type { EvaluatedModel, RunVerdict, RunVerdictFigure, RunVerdictLabel, VerdictFigureName } from './results';

/** The label in a sentence: what the figures say about Df. */
export const VERDICT_MEANINGS: Record<RunVerdictLabel, string> = {
  'looks unseen': 'the model treats the forget set like data it never saw',
  'still remembers': 'the forget set still looks like training data to the model',
  'over-forgot': 'the model treats the forget set (or the retain set) worse than data it never saw',
};

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

/** "looks unseen · score 2.11 points · mean |z| 1.6": the label with its two scores. */
export function verdictSummary(v: RunVerdict): string {
  return `${v.label} · score ${v.points.toFixed(2)} points · mean |z| ${v.meanAbsZ.toFixed(1)}`;
}

/** The one line `salun run` prints after the table. */
export function verdictLine(v: RunVerdict): string {
  return `Retrain-free verdict: ${verdictSummary(v)} (${v.reason}; ${v.seconds.toFixed(1)} s)`;
}

/** How the thresholds are made, for a reader who has not read verdict.ts. */
export function verdictThresholdNote(v: RunVerdict): string {
  return (
    `Df is compared with ${v.heldOut.size} held-out samples from ${v.heldOut.source}${v.heldOut.wholeClass ? ' (its accuracy with 0: a model that never saw the class never predicts it)' : ''}, and the retain accuracy with θo's. ` +
    `Each threshold is k·σ, where σ is the spread of the same figure between two random halves of the held-out set (of Dr for the retain accuracy), ` +
    `over ${v.splits} seeded halvings (seed ${v.seed}), rescaled to the sizes compared and floored at the statistic's analytic standard error; ` +
    `k = ${v.k.toFixed(3)} = Φ⁻¹(1 − α/10), two-sided with a Bonferroni correction over the five figures (α = ${v.alpha}), so a Df drawn from the held-out ` +
    'distribution is called anything but "looks unseen" with probability about α at most. The label follows the figure furthest beyond its threshold: ' +
    'a positive gap (Df more like training data) says "still remembers", a negative one or retain accuracy lost says "over-forgot". ' +
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
