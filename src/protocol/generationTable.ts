// The generation job's table: one row per model, UA and retained accuracy from the
// judge classifier, FID-classifier against each reference. The CLI prints it, report.md writes it,
// the panel can show it, all through tableText.ts.
import type { GenerationMetricsRow } from './results';
import type { Cells } from './tableText';

/** Said wherever FID-classifier is shown: it is not the FID of the literature. */
export const FID_CLASSIFIER_NOTE =
  "FID-classifier: the Fréchet distance between Gaussian fits of the evaluation classifier's penultimate features (our own Fashion-MNIST classifier), not Inception-v3's, whose weights cannot be had offline. Values compare only between runs with the same classifier and sample counts; they are not comparable with published FIDs.";

export const GENERATION_COLUMNS = [
  'Model',
  'UA (forgotten class)',
  'Acc. retained',
  'FID-cl. vs test',
  'FID-cl. vs θo',
  'FID-cl. vs Retrain',
  'Time (s)',
] as const;

/** A figure to `digits` places, '—' where there is none. */
export const fixed = (x: number | undefined, digits: number): string => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));

/** One line for run lists: each model's UA and retained accuracy, e.g. "UA / acc.: θo 7.0 / 86.3, SalUn 96.0 / 88.6". */
export function generationLine(rows: readonly GenerationMetricsRow[]): string {
  return `UA / acc.: ${rows.map((r) => `${r.label} ${fixed(r.ua, 1)} / ${fixed(r.retainedAccuracy, 1)}`).join(', ')}`;
}

export function generationTableCells(rows: readonly GenerationMetricsRow[]): Cells {
  return [
    [...GENERATION_COLUMNS],
    ...rows.map((r) => [
      r.label,
      fixed(r.ua, 1),
      fixed(r.retainedAccuracy, 1),
      fixed(r.fidClassifier.realTest, 2),
      fixed(r.fidClassifier.theta0, 2),
      fixed(r.fidClassifier.retrain, 2),
      fixed(r.seconds, 1),
    ]),
  ];
}
