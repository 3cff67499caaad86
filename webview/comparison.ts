// The comparison table's rows from run folders: Retrain first (the reference every gap is taken
// against), then the selected runs' unlearned models; the smallest Avg. Gap is marked. Pure.
import type { Metrics } from '../src/protocol/results';
import type { ComparisonRun } from '../src/protocol/webviewMessages';

export interface ComparisonRow {
  role: 'retrain' | 'unlearned';
  /** "Retrain", or the method's name as the paper writes it. */
  label: string;
  runId?: string;
  ratio?: number;
  metrics: Metrics;
  avgGap?: number;
  seconds: number;
  /** The unlearned row(s) with the smallest Avg. Gap among those shown. */
  best: boolean;
}

export function methodDisplayName(method: string): string {
  switch (method) {
    case 'salun': return 'SalUn';
    case 'salun-soft': return 'SalUn-soft';
    case 'l1': return 'ℓ1-sparse';
    case 'retrain': return 'Retrain';
    case 'original': return 'Original';
    default: return method.toUpperCase();
  }
}

/** `selected` holds run ids; rows follow the runs' order (newest first). */
export function comparisonRows(runs: readonly ComparisonRun[], selected: ReadonlySet<string>): ComparisonRow[] {
  const chosen = runs.filter((r) => selected.has(r.runId));
  const rows: ComparisonRow[] = [];
  // Runs of the same setting share one Retrain (cached by what produced it): show each distinct one once.
  const seen = new Set<string>();
  for (const run of chosen) {
    const retrain = run.rows.find((r) => r.role === 'retrain');
    if (!retrain) continue;
    const key = JSON.stringify(retrain.metrics);
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({ role: 'retrain', label: 'Retrain', metrics: retrain.metrics, ...(retrain.avgGap !== undefined ? { avgGap: retrain.avgGap } : {}), seconds: retrain.seconds, best: false });
  }
  for (const run of chosen) {
    const u = run.rows.find((r) => r.role === 'unlearned');
    if (!u) continue;
    rows.push({
      role: 'unlearned', label: methodDisplayName(u.method), runId: run.runId,
      ...(run.ratio !== undefined ? { ratio: run.ratio } : {}),
      metrics: u.metrics, ...(u.avgGap !== undefined ? { avgGap: u.avgGap } : {}), seconds: u.seconds, best: false,
    });
  }
  const gaps = rows.filter((r) => r.role === 'unlearned' && r.avgGap !== undefined && Number.isFinite(r.avgGap)).map((r) => r.avgGap as number);
  if (gaps.length > 0) {
    const min = Math.min(...gaps);
    for (const r of rows) if (r.role === 'unlearned' && r.avgGap === min) r.best = true;
  }
  return rows;
}
