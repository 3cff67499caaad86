// The "Compare runs" section: pick run folders, see them side by side with Retrain first and the
// smallest Avg. Gap marked, export the table as CSV or the whole panel as a Markdown report.
import type { ComparisonRun } from '../src/protocol/webviewMessages';
import { ExportCommand, GetRunConfigRequest, LoadRunSaliencyCommand, RefreshRunsCommand } from '../src/protocol/webviewMessages';
import type { PanelChannel } from './channel';
import type { PanelState } from './panelState';
import { METRIC_NAMES } from '../src/protocol/results';
import { el, replaceChildren } from './dom';
import { settingText } from '../src/protocol/runLabels';
import { markdownReport } from './exportFormats';
import { COMPARISON_COLUMNS, comparisonCsv, comparisonRows, methodDisplayName, type ComparisonRow } from '../src/protocol/comparisonFormat';
import { formatMetric } from './format';
import { fitTables, tableRegion } from './tableFit';

/** What changes only the panel: the runs the user checked. */
export interface ComparisonLocal {
  onSelectionChange(selected: string[]): void;
}

/** config.json keys that record the run's circumstances (resolved paths, versions), not its recipe. */
const CONFIG_KEYS_LEFT_OUT = new Set(['resolved', 'versions']);

/** config.json as `a.b` → value lines, in the file's order. */
export function configEntries(config: Record<string, unknown>, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!prefix && CONFIG_KEYS_LEFT_OUT.has(key)) continue;
    const name = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) out.push(...configEntries(value as Record<string, unknown>, name));
    else out.push([name, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  return out;
}

export class ComparisonView {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly table: HTMLElement;
  private state: PanelState | undefined;
  /** undefined until the user picks: then the current run (or the newest) is preselected. */
  private selected: Set<string> | undefined;

  constructor(
    selected: readonly string[] | undefined,
    private readonly channel: PanelChannel,
    private readonly callbacks: ComparisonLocal,
  ) {
    this.selected = selected ? new Set(selected) : undefined;
    this.list = el('ul', { class: 'run-list', 'aria-label': 'Runs to compare' });
    this.table = el('div');
    const refresh = el('vscode-button', { secondary: true, 'data-action': 'requestRuns' }, 'Refresh');
    const csv = el('vscode-button', { secondary: true, 'data-export': 'csv' }, 'Export CSV');
    const md = el('vscode-button', { secondary: true, 'data-export': 'md' }, 'Export report (Markdown)');
    refresh.addEventListener('click', () => this.channel.command(RefreshRunsCommand, {}));
    csv.addEventListener('click', () =>
      this.channel.command(ExportCommand, { format: 'csv', fileName: 'salun-comparison.csv', content: comparisonCsv(this.rows()) }),
    );
    md.addEventListener('click', () => {
      if (!this.state) return;
      const report = markdownReport(this.state, { generatedAt: new Date().toISOString(), comparison: this.rows() });
      this.channel.command(ExportCommand, { format: 'md', fileName: `salun-report${this.state.runId ? `-${this.state.runId}` : ''}.md`, content: report });
    });
    // The buttons come first: the sidebar view is often short (the Runs view sits below it), and at
    // the end of a long run list and table they were out of sight.
    this.element = el(
      'div',
      {},
      el('div', { class: 'button-row compare-actions', role: 'toolbar', 'aria-label': 'Comparison actions' }, refresh, csv, md),
      this.list,
      this.table,
    );
  }

  private effectiveSelection(): Set<string> {
    if (this.selected) return this.selected;
    const runs = this.state?.runs ?? [];
    const current = runs.find((r) => r.runId === this.state?.runId) ?? runs[0];
    return new Set(current ? [current.runId] : []);
  }

  /** Adds a run to the selection (Open in Panel from the Runs tree) and scrolls the section into view. */
  focus(runId: string): void {
    const next = new Set(this.effectiveSelection());
    next.add(runId);
    this.selected = next;
    this.callbacks.onSelectionChange([...next]);
    if (this.state) this.update(this.state);
    this.element.scrollIntoView?.({ block: 'nearest' });
  }

  rows(): ComparisonRow[] {
    return comparisonRows(this.state?.runs ?? [], this.effectiveSelection());
  }

  /** Keeps the latest state for the report export and the preselection; given every state, before update. */
  track(state: PanelState): void {
    this.state = state;
  }

  /** Redraws the run list and the table: what it draws are the runs and which one is the live job's. */
  update(state: Pick<PanelState, 'runs' | 'runId'>): void {
    const runs = state.runs ?? [];
    const selection = this.effectiveSelection();
    replaceChildren(this.list, ...runs.map((run) => this.runItem(run, selection.has(run.runId))));
    if (!runs.length) this.list.appendChild(el('li', { class: 'muted' }, 'No finished unlearning runs in this workspace yet.'));
    this.renderTable();
  }

  private runItem(run: ComparisonRun, checked: boolean): HTMLElement {
    const id = `run-${run.runId.replace(/[^\w-]/g, '_')}`;
    const box = el('input', { type: 'checkbox', id, 'data-run': run.runId, checked });
    box.addEventListener('change', () => {
      const next = new Set(this.effectiveSelection());
      if (box.checked) next.add(run.runId);
      else next.delete(run.runId);
      this.selected = next;
      this.callbacks.onSelectionChange([...next]);
      this.renderTable();
    });
    const gap = run.rows.find((r) => r.role === 'unlearned')?.avgGap;
    const detail = [
      methodDisplayName(run.method),
      run.ratio !== undefined ? `ratio ${run.ratio.toFixed(2)}` : '',
      gap !== undefined ? `gap ${gap.toFixed(2)}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const setting = settingText(run.setting ?? {});
    const preview =
      run.ratio !== undefined
        ? el(
            'button',
            { type: 'button', class: 'link-button', 'data-link': 'saliency', title: `Preview the saliency map of ${run.runId} with the γ control` },
            'saliency',
          )
        : undefined;
    preview?.addEventListener('click', () => this.channel.command(LoadRunSaliencyCommand, { runDir: run.dir }));
    const details = el('div', { class: 'run-config', hidden: true });
    const config = el(
      'button',
      { type: 'button', class: 'link-button', 'data-link': 'config', 'aria-expanded': 'false', title: `Show the config.json of ${run.runId}` },
      'config',
    );
    config.addEventListener('click', () => void this.toggleConfig(run, config, details));
    // Id, what it did, and on what: each on its own line so a narrow sidebar wraps instead of cutting.
    return el(
      'li',
      {},
      box,
      el(
        'label',
        { for: id, title: [run.runId, detail, setting].filter(Boolean).join('\n') },
        el('span', { class: 'mono run-id' }, run.runId),
        el('span', { class: 'muted run-detail' }, detail),
        setting ? el('span', { class: 'muted run-setting' }, setting) : undefined,
      ),
      el('span', { class: 'run-links' }, preview, config),
      details,
    );
  }

  /** Asks the host for the run's config.json (each time: the file may have been edited) and lists it. */
  private async toggleConfig(run: ComparisonRun, button: HTMLElement, details: HTMLElement): Promise<void> {
    const open = details.hidden;
    details.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (!open) return;
    replaceChildren(details, el('p', { class: 'muted small' }, 'Reading config.json…'));
    try {
      const { config } = await this.channel.request(GetRunConfigRequest, { runDir: run.dir });
      replaceChildren(
        details,
        el(
          'dl',
          { class: 'summary mono small', 'aria-label': `config.json of ${run.runId}` },
          ...configEntries(config).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
        ),
      );
    } catch (err) {
      replaceChildren(details, el('p', { class: 'muted small', role: 'alert' }, `No config: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  private renderTable(): void {
    const rows = this.rows();
    if (!rows.length) {
      replaceChildren(this.table, el('p', { class: 'muted small' }, 'Select runs to compare them.'));
      return;
    }
    const head = el('tr', {}, ...COMPARISON_COLUMNS.map((h) => el('th', { scope: 'col' }, h)));
    const groups = [...new Set(rows.map((r) => r.group))];
    const many = rows.some((r) => r.reference);
    // One tbody per Retrain reference: a gap is only comparable with gaps to the same Retrain.
    const bodies = groups.map((g) => {
      const part = rows.filter((r) => r.group === g);
      const retrain = part.find((r) => r.role === 'retrain');
      const title = retrain
        ? `Against Retrain ${retrain.reference ?? ''}${retrain.setting ? `: ${retrain.setting}` : ''}`
        : 'Without a Retrain reference (no gaps)';
      const groupHead =
        many || g < 0 ? el('tr', { class: 'group-head' }, el('th', { scope: 'rowgroup', colspan: COMPARISON_COLUMNS.length }, title)) : undefined;
      return el('tbody', { 'data-group': g }, groupHead, ...part.map((r) => this.tableRow(r)));
    });
    replaceChildren(
      this.table,
      many
        ? el(
            'p',
            { class: 'warn-note', role: 'note' },
            `These runs were measured against ${groups.filter((g) => g >= 0).length} different Retrain references (different model, data, forget set or seed); ` +
              'their gaps are compared, and ★ given, only within a reference.',
          )
        : undefined,
      tableRegion(
        'Comparison table',
        el(
          'table',
          { class: 'results comparison stackable' },
          el(
            'caption',
            { class: 'muted small' },
            'Retrain first; ★ marks the smallest Avg. Gap to that Retrain. Time: saliency + unlearning for a method, training for Retrain.',
          ),
          el('thead', {}, head),
          ...bodies,
        ),
      ),
    );
    fitTables(this.table);
  }

  private tableRow(r: ComparisonRow): HTMLElement {
    const name = r.role === 'retrain' && r.reference ? `${r.label} ${r.reference}` : r.label;
    return el(
      'tr',
      { class: `row-${r.role}${r.best ? ' best' : ''}`, 'data-run': r.runId, title: r.setting },
      el(
        'th',
        { scope: 'row', class: 'cell-model' },
        name,
        r.best ? el('span', { class: 'best-mark', title: 'Smallest Avg. Gap to this Retrain' }, ' ★') : undefined,
      ),
      el('td', { class: 'mono small cell-run', 'data-label': 'Run' }, r.runId ?? ''),
      el('td', { class: 'num inline-label cell-ratio', 'data-label': 'Ratio' }, r.ratio !== undefined ? r.ratio.toFixed(3) : '—'),
      ...METRIC_NAMES.map((m) => el('td', { class: 'num', 'data-label': m }, formatMetric(r.metrics[m]))),
      el('td', { class: 'num inline-label', 'data-label': 'Avg. Gap' }, formatMetric(r.avgGap)),
      el('td', { class: 'num inline-label', 'data-label': 'Time (s)' }, Number.isFinite(r.seconds) ? r.seconds.toFixed(1) : '—'),
    );
  }
}
