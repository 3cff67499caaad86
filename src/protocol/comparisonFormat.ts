// The comparison of run folders as rows and as text: CSV, a Markdown table and a Markdown report.
// Retrain first (the reference every gap is taken against), then the runs' unlearned models, the
// smallest Avg. Gap marked ★. Pure and free of DOM, Node and vscode: the panel (webview bundle)
// exports it and the host's Compare Runs command writes it, byte for byte the same.
import { methodLabel } from './methods';
import { METRIC_NAMES, type Metrics } from './results';
import type { ComparisonRun } from './webviewMessages';
import { settingText } from './runLabels';
import { alignFrom, csvTable, markdownCell, markdownTable } from './tableText';

/** The comparison's columns, in the panel's table and in every export. */
export const COMPARISON_COLUMNS: readonly string[] = ['Model', 'Run', 'Ratio', ...METRIC_NAMES, 'Avg. Gap', 'Time (s)'];

/** Under a table of one job's models, in the panel and its report. */
export const RESULTS_NOTE = `${METRIC_NAMES.join(', ')} in %; Avg. Gap: mean |metric − Retrain’s|, lower is better.`;

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
  /** The unlearned row(s) with the smallest Avg. Gap among those measured against the same Retrain. */
  best: boolean;
  /** The Retrain reference the row is measured against (0, 1, … in the order shown); -1: none. */
  group: number;
  /** "A", "B", … when the rows span more than one Retrain reference; absent with one. */
  reference?: string;
  /** The run's model, data and forget set ("built-in CNN · … · forget class 7"), when known. */
  setting?: string;
}

/** Runs measured against the same Retrain, in the order shown. */
export interface RetrainGroup {
  /** "A", "B", …; '' for runs without a Retrain. */
  reference: string;
  /** The setting of the group's newest run: what its Retrain was trained for. */
  setting: string;
  runIds: string[];
}

/** A row's name as shown: the method table's label, or Retrain / Original for those roles. */
export function methodDisplayName(method: string): string {
  if (method === 'retrain') return 'Retrain';
  if (method === 'original') return 'Original';
  return methodLabel(method);
}

/**
 * What identifies a run's Retrain reference: runs of one setting (data, model, forget set, seed)
 * share a cached Retrain and so its metrics exactly; different metrics mean a different reference,
 * and so does a different model, data or forget set where the run folders name them.
 */
export function retrainKey(run: Pick<ComparisonRun, 'rows' | 'setting'>): string | undefined {
  const row = run.rows.find((x) => x.role === 'retrain');
  if (!row) return undefined;
  const s = run.setting ?? {};
  return JSON.stringify([row.metrics, s.model ?? null, s.data ?? null, s.forget ?? null]);
}

/** "A" … "Z", "AA", … */
export function referenceLetter(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : referenceLetter(Math.floor(i / 26) - 1) + referenceLetter(i % 26);
}

/** The selected runs by Retrain reference, in order of first appearance; runs without one last. */
export function retrainGroups(runs: readonly ComparisonRun[], selected: ReadonlySet<string>): RetrainGroup[] {
  const byKey = new Map<string, ComparisonRun[]>();
  const none: ComparisonRun[] = [];
  for (const run of runs.filter((r) => selected.has(r.runId) && r.rows.some((x) => x.role === 'unlearned' || x.role === 'retrain'))) {
    const key = retrainKey(run);
    if (key === undefined) none.push(run);
    else byKey.set(key, [...(byKey.get(key) ?? []), run]);
  }
  const groups = [...byKey.values()].map((g, i) => ({
    reference: referenceLetter(i),
    setting: settingText(g[0].setting ?? {}),
    runIds: g.map((r) => r.runId),
  }));
  if (none.length) groups.push({ reference: '', setting: '', runIds: none.map((r) => r.runId) });
  return groups;
}

/**
 * `selected` holds run ids. Group by group (runs newest first within each): the group's Retrain,
 * then its runs' unlearned models, the smallest Avg. Gap of the group marked; a gap is only
 * comparable with gaps to the same Retrain. With more than one group every row names its reference.
 */
export function comparisonRows(runs: readonly ComparisonRun[], selected: ReadonlySet<string>): ComparisonRow[] {
  const groups = retrainGroups(runs, selected);
  const many = groups.filter((g) => g.reference !== '').length > 1;
  const byId = new Map(runs.map((r) => [r.runId, r]));
  const rows: ComparisonRow[] = [];
  groups.forEach((g, gi) => {
    const group = g.reference === '' ? -1 : gi;
    const reference = many && g.reference ? { reference: g.reference } : {};
    const members = g.runIds.map((id) => byId.get(id)).filter((r): r is ComparisonRun => r !== undefined);
    const retrain = members[0]?.rows.find((r) => r.role === 'retrain');
    if (retrain) {
      rows.push({
        role: 'retrain',
        label: 'Retrain',
        metrics: retrain.metrics,
        ...(retrain.avgGap !== undefined ? { avgGap: retrain.avgGap } : {}),
        seconds: retrain.seconds,
        best: false,
        group,
        ...reference,
        ...(g.setting ? { setting: g.setting } : {}),
      });
    }
    const unlearned: ComparisonRow[] = [];
    for (const run of members) {
      const u = run.rows.find((r) => r.role === 'unlearned');
      if (!u) continue;
      const setting = settingText(run.setting ?? {});
      unlearned.push({
        role: 'unlearned',
        label: methodDisplayName(u.method),
        runId: run.runId,
        ...(run.ratio !== undefined ? { ratio: run.ratio } : {}),
        metrics: u.metrics,
        ...(u.avgGap !== undefined ? { avgGap: u.avgGap } : {}),
        seconds: u.seconds,
        best: false,
        group,
        ...reference,
        ...(setting ? { setting } : {}),
      });
    }
    const gaps = unlearned.filter((r) => r.avgGap !== undefined && Number.isFinite(r.avgGap)).map((r) => r.avgGap as number);
    if (gaps.length > 0 && group >= 0) {
      const min = Math.min(...gaps);
      for (const r of unlearned) if (r.avgGap === min) r.best = true;
    }
    rows.push(...unlearned);
  });
  return rows;
}

/** A row's model name in the text exports: with its reference when there is more than one Retrain. */
export function rowName(r: ComparisonRow): string {
  if (!r.reference) return r.label;
  return r.role === 'retrain' ? `${r.label} ${r.reference}` : `${r.label} (vs Retrain ${r.reference})`;
}

/** A number in the CSV: up to 4 decimals, trailing zeros dropped (98.9556, 0.5); '' when missing or not finite. */
export function csvNumber(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '' : String(Number(x.toFixed(4)));
}

export function comparisonCsv(rows: readonly ComparisonRow[]): string {
  return csvTable([
    COMPARISON_COLUMNS,
    ...rows.map((r) => [
      rowName(r),
      r.runId ?? '',
      csvNumber(r.ratio),
      ...METRIC_NAMES.map((m) => csvNumber(r.metrics[m])),
      csvNumber(r.avgGap),
      csvNumber(r.seconds),
    ]),
  ]);
}

/** Fixed digits, or '—' for a value that is missing or not finite. */
export function formatFixed(x: number | undefined, digits = 2): string {
  return x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

/** The comparison as Markdown: the best row's model in bold with ★; one table per Retrain reference when there are several. */
export function comparisonMarkdownTable(rows: readonly ComparisonRow[]): string {
  const table = (part: readonly ComparisonRow[]): string =>
    markdownTable(
      [
        COMPARISON_COLUMNS,
        ...part.map((r) => [
          r.best ? `**${rowName(r)}** ${BEST_MARK}` : rowName(r),
          r.runId ?? '',
          r.ratio === undefined ? '—' : r.ratio.toFixed(3),
          ...METRIC_NAMES.map((m) => formatFixed(r.metrics[m])),
          formatFixed(r.avgGap),
          formatFixed(r.seconds, 1),
        ]),
      ],
      alignFrom(COMPARISON_COLUMNS.length, 3),
    );
  if (!rows.some((r) => r.reference)) return table(rows);
  const groups = [...new Set(rows.map((r) => r.group))];
  return groups
    .map((g) => {
      const part = rows.filter((r) => r.group === g);
      const head = part.find((r) => r.role === 'retrain');
      const title = head ? `Against Retrain ${head.reference ?? ''}${head.setting ? ` (${head.setting})` : ''}` : 'Without a Retrain reference';
      return `**${markdownCell(title)}**\n\n${table(part)}`;
    })
    .join('\n\n');
}

export const COMPARISON_FOOTNOTE =
  `${METRIC_NAMES.join(', ')} in %; Avg. Gap: mean |metric − Retrain’s| over the four, lower is closer to exact unlearning ` +
  `(${BEST_MARK}: the smallest among the runs measured against the same Retrain). Time: training time for Retrain, saliency + unlearning time for a method (evaluation excluded).`;

/** A compared run as the report lists it. */
export interface ComparedRun {
  runId: string;
  method: string;
  state: string;
  /** e.g. "random 10% (seed 1)"; absent when the run folder does not say. */
  forget?: string;
  /** e.g. "built-in CNN" or "my-model/model.json"; absent when the run folder does not say. */
  model?: string;
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
  const models = [...new Set(ctx.runs.map((r) => r.model).filter((m): m is string => m !== undefined))];
  const on = models.length ? ` on ${models.join(', ')}` : '';
  const out: string[] = [`# SalUn Lab comparison of ${n} run${n === 1 ? '' : 's'}${on}`, '', `- Generated: ${ctx.generatedAt}`];
  if (retrains > 1) {
    out.push(
      `- ${retrains} different Retrain references (A, B, …): the runs differ in data, model, forget set or seed, so each gap is against its own ` +
        `run's Retrain, and the runs are compared (and ${BEST_MARK} given) only within a reference.`,
    );
  }
  out.push('', '## Runs', '');
  const runsHeader = ['Run', 'Method', 'Model', 'Forget set', 'State', 'Folder'];
  out.push(
    markdownTable(
      [runsHeader, ...ctx.runs.map((r) => [r.runId, methodDisplayName(r.method), r.model ?? '—', r.forget ?? '—', r.state, r.dir ? `\`${r.dir}\`` : '—'])],
      alignFrom(runsHeader.length, runsHeader.length),
    ),
    '',
  );
  out.push('## Comparison', '');
  out.push(rows.length ? comparisonMarkdownTable(rows) : 'None of these runs has evaluated models to compare.', '');
  if (rows.length) out.push(COMPARISON_FOOTNOTE, '');
  return `${out.join('\n').trimEnd()}\n`;
}
