// The comparison of run folders as rows and as text: CSV, a Markdown table and a Markdown report.
// Retrain first (the reference every gap is taken against), then the runs' unlearned models, the
// smallest Avg. Gap marked ★. Pure and free of DOM, Node and vscode: the panel (webview bundle)
// exports it and the host's Compare Runs command writes it, byte for byte the same.
import { methodLabel } from './methods';
import type { Metrics } from './results';
import type { ComparisonRun } from './webviewMessages';

export const COMPARISON_METRICS = ['UA', 'RA', 'TA', 'MIA'] as const;

/** What marks the smallest Avg. Gap, in the panel and in every export. */
export const BEST_MARK = '★';

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

/** A row's name as shown: the method table's label, or Retrain / Original for those roles. */
export function methodDisplayName(method: string): string {
  if (method === 'retrain') return 'Retrain';
  if (method === 'original') return 'Original';
  return methodLabel(method);
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

/** RFC 4180: quote a field that holds a comma, a quote or a line break; double inner quotes. */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const s = typeof value === 'number' ? (Number.isFinite(value) ? String(Number(value.toFixed(4))) : '') : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function comparisonCsv(rows: readonly ComparisonRow[]): string {
  const header = ['Model', 'Run', 'Ratio', ...COMPARISON_METRICS, 'Avg. Gap', 'Time (s)'];
  const lines = [header.map(csvField).join(',')];
  for (const r of rows) {
    lines.push([r.label, r.runId, r.ratio, ...COMPARISON_METRICS.map((m) => r.metrics[m]), r.avgGap, r.seconds].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** A Markdown table cell: pipes and backslashes escaped, line breaks flattened. */
export function markdownCell(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Columns from `numericFrom` on are right-aligned; every cell is escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], numericFrom: number): string {
  const align = header.map((_, i) => (i >= numericFrom ? '---:' : '---'));
  return [header, align, ...rows].map((cells, i) => `| ${(i === 1 ? cells : cells.map(markdownCell)).join(' | ')} |`).join('\n');
}

/** Fixed digits, or '—' for a value that is missing or not finite. */
export function formatFixed(x: number | undefined, digits = 2): string {
  return x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

/** The comparison as a Markdown table: the best row's model in bold with ★. */
export function comparisonMarkdownTable(rows: readonly ComparisonRow[]): string {
  return markdownTable(['Model', 'Run', 'Ratio', ...COMPARISON_METRICS, 'Avg. Gap', 'Time (s)'], rows.map((r) => [
    r.best ? `**${r.label}** ${BEST_MARK}` : r.label, r.runId ?? '', r.ratio === undefined ? '—' : r.ratio.toFixed(3),
    ...COMPARISON_METRICS.map((m) => formatFixed(r.metrics[m])), formatFixed(r.avgGap), formatFixed(r.seconds, 1),
  ]), 3);
}

export const COMPARISON_FOOTNOTE = 'UA, RA, TA, MIA in %; Avg. Gap: mean |metric − Retrain’s| over the four, lower is closer to exact unlearning '
  + `(${BEST_MARK}: the smallest shown). Time: training time for Retrain, saliency + unlearning time for a method (evaluation excluded).`;

/** A compared run as the report lists it. */
export interface ComparedRun {
  runId: string;
  method: string;
  state: string;
  /** e.g. "random 10% (seed 1)"; absent when the run folder does not say. */
  forget?: string;
  dir?: string;
}

export interface ComparisonReportContext {
  /** ISO time the report was written. */
  generatedAt: string;
  runs: readonly ComparedRun[];
}

/** A standalone Markdown report of a comparison: the runs, the table, how to read it. */
export function comparisonReport(rows: readonly ComparisonRow[], ctx: ComparisonReportContext): string {
  const n = ctx.runs.length;
  const retrains = rows.filter((r) => r.role === 'retrain').length;
  const out: string[] = [`# SalUn Lab comparison of ${n} run${n === 1 ? '' : 's'}`, '', `- Generated: ${ctx.generatedAt}`];
  if (retrains > 1) out.push(`- ${retrains} different Retrain references: the runs differ in data, model, forget set or seed, so each gap is against its own run's Retrain.`);
  out.push('', '## Runs', '');
  out.push(markdownTable(['Run', 'Method', 'Forget set', 'State', 'Folder'], ctx.runs.map((r) => [
    r.runId, methodDisplayName(r.method), r.forget ?? '—', r.state, r.dir ? `\`${r.dir}\`` : '—',
  ]), 5), '');
  out.push('## Comparison', '');
  out.push(rows.length ? comparisonMarkdownTable(rows) : 'None of these runs has evaluated models to compare.', '');
  if (rows.length) out.push(COMPARISON_FOOTNOTE, '');
  return `${out.join('\n').trimEnd()}\n`;
}
