// The comparison table, as the paper lays it out: UA, RA, TA, MIA, Avg. Gap, time; Retrain first.
import type { EvaluatedModel } from '../../protocol/results';
import { methodDisplayName } from '../../protocol/comparisonFormat';

const ORDER: Record<string, number> = { retrain: 0, original: 1, unlearned: 2 };

function fmt(v: number | undefined, digits = 2): string {
  return v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits);
}

function label(r: EvaluatedModel): string {
  return methodDisplayName(r.role === 'unlearned' ? r.method : r.role);
}

export function comparisonRows(rows: EvaluatedModel[]): string[][] {
  const sorted = [...rows].sort((a, b) => (ORDER[a.role] ?? 9) - (ORDER[b.role] ?? 9));
  return [
    ['Model', 'UA', 'RA', 'TA', 'MIA', 'Avg. Gap', 'Time (s)'],
    ...sorted.map((r) => [label(r), fmt(r.metrics.UA), fmt(r.metrics.RA), fmt(r.metrics.TA), fmt(r.metrics.MIA), fmt(r.avgGap), fmt(r.seconds, 1)]),
  ];
}

export function markdownTable(rows: EvaluatedModel[]): string {
  const t = comparisonRows(rows);
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(t[0]), line(t[0].map((_, i) => (i === 0 ? '---' : '---:'))), ...t.slice(1).map(line)].join('\n');
}

export function plainTable(rows: EvaluatedModel[]): string {
  const t = comparisonRows(rows);
  const widths = t[0].map((_, c) => Math.max(...t.map((r) => r[c].length)));
  return t.map((r, i) => {
    const s = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
    return i === 0 ? `${s}\n${'-'.repeat(s.length)}` : s;
  }).join('\n');
}
