// One job's models as the paper lays them out: UA, RA, TA, MIA, Avg. Gap, time; Retrain first.
import { METRIC_NAMES, type EvaluatedModel } from '../../protocol/results';
import { formatFixed, methodDisplayName } from '../../protocol/comparisonFormat';
import { markdownTable, plainTable } from '../../protocol/tableText';

const ORDER: Record<string, number> = { retrain: 0, original: 1, unlearned: 2 };

function label(r: EvaluatedModel): string {
  return methodDisplayName(r.role === 'unlearned' ? r.method : r.role);
}

/** Header and one row per model, Retrain, Original, then the unlearned ones. */
export function modelCells(rows: readonly EvaluatedModel[]): string[][] {
  const sorted = [...rows].sort((a, b) => (ORDER[a.role] ?? 9) - (ORDER[b.role] ?? 9));
  return [
    ['Model', ...METRIC_NAMES, 'Avg. Gap', 'Time (s)'],
    ...sorted.map((r) => [label(r), ...METRIC_NAMES.map((m) => formatFixed(r.metrics[m])), formatFixed(r.avgGap), formatFixed(r.seconds, 1)]),
  ];
}

export function modelsMarkdown(rows: readonly EvaluatedModel[]): string {
  return markdownTable(modelCells(rows));
}

export function modelsPlain(rows: readonly EvaluatedModel[]): string {
  return plainTable(modelCells(rows));
}
