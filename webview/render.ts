// Renders PanelState into the panel. The skeleton (toolbar, sections, the γ control) is built once
// so keyboard focus survives the stream of progress events and previews; each section is redrawn
// only when its slice of the state changed (the reducer keeps unchanged slices identical).
import { backendFacts } from '../src/protocol/backendSummary';
import { JOB_KIND_LABELS, PHASE_LABELS } from '../src/protocol/jobMessages';
import type { NextRunReply, PanelAction } from '../src/protocol/webviewMessages';
import { NextRunRequest, PanelActionCommand } from '../src/protocol/webviewMessages';
import { settingText } from '../src/protocol/runLabels';
import { methodDisplayName, RESULTS_NOTE } from '../src/protocol/comparisonFormat';
import { termsNote } from '../src/protocol/terms';
import type { PanelChannel } from './channel';
import type { ThresholdPreviews } from './previewRequests';
import type { PanelState, ProgressView } from './panelState';
import { displayedSaliency, progressLine, shownResults, shownSamples, shownTrend } from './panelState';
import { overallPercent } from '../src/protocol/jobProgress';
import { METRIC_NAMES } from '../src/protocol/results';
import { el, replaceChildren } from './dom';
import type { SeriesKey } from './charts';
import { layerBars } from './charts';
import { ThresholdControl } from './thresholdControl';
import { TrendView } from './trendView';
import { ComparisonView } from './comparisonView';
import { formatCount, formatMetric, formatPercent, runFolderLabel, scientificParts } from './format';
import { foldableSection, type Foldable } from './foldable';
import { SampleGridView } from './sampleGridView';
import { verdictBlock } from './verdictView';
import { fitTables, tableRegion } from './tableFit';

/**
 * What the views are given: the channel for everything they ask of the host, the γ previews (flow
 * controlled; answers come back as state), and the two things that change only the panel itself.
 */
export interface PanelContext {
  channel: PanelChannel;
  previews: ThresholdPreviews;
  /** View choices to persist with setState. */
  onUiChange(ui: UiState): void;
  /** The user switched the trend charts from a past run back to the live job (the view tells the host). */
  onShowLiveTrend(): void;
}

/** View choices that survive hide/show and reloads (kept with the webview's setState). */
export interface UiState {
  hiddenSeries: SeriesKey[];
  /** Run ids checked in the comparison; absent until the user picks. */
  selectedRuns?: string[];
  /** Ids of the sections the user folded. */
  folded?: string[];
}

/** Where the panel is shown: the sidebar's compact view, or an editor tab (Open Charts in Editor). */
export type Placement = 'sidebar' | 'editor';

const ROLE_NAMES = { original: 'Original', retrain: 'Retrain', unlearned: 'Unlearned' } as const;

interface ButtonSpec {
  action: PanelAction;
  label: string;
  secondary?: boolean;
}

const BUTTONS: ButtonSpec[] = [
  { action: 'computeSaliency', label: 'Compute Saliency Map' },
  // Labelled from the host's answer (NextRunRequest): the last New Unlearning Run, or the flow.
  { action: 'runUnlearning', label: 'New Unlearning Run…' },
  { action: 'cancelJob', label: 'Cancel', secondary: true },
  { action: 'showLog', label: 'Show Log', secondary: true },
];

export class PanelView {
  private readonly buttons = new Map<PanelAction, HTMLElement>();
  private readonly empty: HTMLElement;
  private readonly status: HTMLElement;
  private readonly statusLine: HTMLElement;
  private readonly progressTrack: HTMLElement;
  private readonly progressFill: HTMLElement;
  private readonly progressText: HTMLElement;
  private readonly outcome: HTMLElement;
  private readonly nextRunLine: HTMLElement;
  private readonly saliencySection: HTMLElement;
  private readonly saliencyBody: HTMLElement;
  private readonly trendSection: HTMLElement;
  private readonly trendBody: HTMLElement;
  private readonly resultsSection: HTMLElement;
  private readonly resultsBody: HTMLElement;
  private readonly samplesSection: HTMLElement;
  private readonly sampleGrids: SampleGridView;
  private readonly folds = new Map<string, Foldable>();
  private readonly channel: PanelChannel;
  private readonly onUiChange: (ui: UiState) => void;
  private scrollPending = false;
  private readonly threshold: ThresholdControl;
  private readonly trendView: TrendView;
  private readonly compareSection: HTMLElement;
  private readonly comparison: ComparisonView;
  private ui: UiState;
  private last: PanelState | undefined;

  constructor(root: HTMLElement, ctx: PanelContext, ui: UiState, placement: Placement = 'sidebar') {
    this.ui = { ...ui };
    const { channel } = ctx;
    this.channel = channel;
    this.onUiChange = (next) => ctx.onUiChange(next);
    const folded = new Set(this.ui.folded ?? []);
    const onFold = (id: string, isFolded: boolean): void => {
      const next = new Set(this.ui.folded ?? []);
      if (isFolded) next.add(id);
      else next.delete(id);
      this.ui = { ...this.ui, folded: [...next] };
      ctx.onUiChange(this.ui);
    };
    const section = (id: string, title: string, ...body: (HTMLElement | undefined)[]): HTMLElement => {
      const f = foldableSection(id, title, folded.has(id), onFold, ...body);
      this.folds.set(id, f);
      return f.section;
    };
    const onAction = (action: PanelAction): void => channel.command(PanelActionCommand, { action });
    const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'SalUn actions' });
    for (const spec of BUTTONS) {
      const button = el('vscode-button', { 'data-action': spec.action, secondary: spec.secondary });
      button.textContent = spec.label;
      button.addEventListener('click', () => {
        if (!button.hasAttribute('disabled')) onAction(spec.action);
      });
      this.buttons.set(spec.action, button);
      toolbar.appendChild(button);
    }
    if (placement === 'sidebar') {
      const full = el(
        'vscode-button',
        { secondary: true, 'data-action': 'openChartsInEditor', title: 'Open this panel full size in an editor tab' },
        'Open Charts in Editor',
      );
      full.addEventListener('click', () => onAction('openChartsInEditor'));
      toolbar.appendChild(full);
    }
    this.nextRunLine = el('div', { class: 'next-run muted small', id: 'next-run' });

    this.empty = el(
      'section',
      { class: 'empty' },
      el('p', {}, 'No job has run in this window yet; earlier runs are in the Runs view.'),
      el('p', {}, 'Compute a saliency map to see which weights SalUn lets move, or run unlearning to compare SalUn against Retrain on UA, RA, TA and MIA.'),
      el('p', { class: 'muted' }, 'Settings: salun.saliencyRatio, salun.forgetFraction, salun.forgetClass, salun.modelPath, salun.backend.'),
    );

    this.statusLine = el('div', { class: 'status-line', role: 'status', 'aria-live': 'polite' });
    this.progressFill = el('span', { class: 'bar-fill' });
    this.progressTrack = el(
      'div',
      { class: 'progress bar-track', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-label': 'Job progress' },
      this.progressFill,
    );
    this.progressText = el('div', { class: 'progress-text muted' });
    this.outcome = el('div', { class: 'outcome' });
    this.status = el('section', { class: 'status', 'aria-label': 'Job status' }, this.statusLine, this.progressTrack, this.progressText, this.outcome);

    this.threshold = new ThresholdControl(channel, ctx.previews);
    this.saliencyBody = el('div');
    this.saliencySection = section('saliency', 'Saliency mask', this.saliencyBody, this.threshold.element);
    this.trendView = new TrendView(this.ui.hiddenSeries, channel, {
      onHiddenChange: (hidden) => {
        this.ui = { ...this.ui, hiddenSeries: hidden };
        ctx.onUiChange(this.ui);
      },
      onShowLive: () => ctx.onShowLiveTrend(),
    });
    this.trendBody = this.trendView.element;
    this.trendSection = section('trend', 'Metric trends', this.trendBody);
    this.resultsBody = el('div');
    this.resultsSection = section('results', 'Results', this.resultsBody);
    this.sampleGrids = new SampleGridView(channel);
    this.samplesSection = section('samples', 'Generated samples', this.sampleGrids.element);
    this.comparison = new ComparisonView(this.ui.selectedRuns, channel, {
      onSelectionChange: (selected) => {
        this.ui = { ...this.ui, selectedRuns: selected };
        ctx.onUiChange(this.ui);
      },
    });
    this.compareSection = section('compare', 'Compare runs', this.comparison.element);

    root.dataset.placement = placement;
    replaceChildren(
      root,
      toolbar,
      this.nextRunLine,
      this.empty,
      this.status,
      this.saliencySection,
      this.trendSection,
      this.resultsSection,
      this.samplesSection,
      this.compareSection,
    );
    this.askNextRun();
  }

  /**
   * Open in Panel: the run joins the comparison, and once the trend and results have switched to it
   * they are unfolded and scrolled into view (not the comparison at the bottom, which changed least).
   */
  focusRun(runId: string): void {
    this.comparison.focus(runId);
    for (const id of ['trend', 'results']) this.folds.get(id)?.setFolded(false);
    this.ui = { ...this.ui, folded: (this.ui.folded ?? []).filter((id) => id !== 'trend' && id !== 'results') };
    this.onUiChange(this.ui);
    this.scrollPending = true;
    requestAnimationFrame(() => this.scrollToChange());
  }

  private scrollToChange(): void {
    if (!this.scrollPending) return;
    this.scrollPending = false;
    const target = [this.trendSection, this.resultsSection].find((s) => !s.hidden);
    target?.scrollIntoView({ block: 'start' });
  }

  /** Asks the host what Run Unlearning would start, and labels the button with it. */
  private askNextRun(): void {
    this.channel.request(NextRunRequest, {}).then(
      (reply) => this.showNextRun(reply),
      () => {
        // No answer (an older host, or none yet): the button keeps its safe meaning, the flow.
      },
    );
  }

  private showNextRun(reply: NextRunReply): void {
    const button = this.buttons.get('runUnlearning');
    if (!button) return;
    button.textContent = reply.configured ? 'Run Unlearning' : 'New Unlearning Run…';
    button.title =
      reply.configured && reply.summary
        ? `Runs the last New Unlearning Run again: ${reply.summary}`
        : 'No run set up yet in this workspace: opens New Unlearning Run (model, data, forget set, method)';
    this.nextRunLine.textContent =
      reply.configured && reply.summary ? `Run Unlearning runs: ${reply.summary}` : 'Run Unlearning sets up a run first (New Unlearning Run).';
  }

  /** A theme change: rebuild the SVG charts (their exports read the computed colours). */
  redrawCharts(): void {
    this.trendView.redraw();
    this.threshold.redrawHistogram();
  }

  render(state: PanelState): void {
    const prev = this.last;
    this.last = state;

    // A job that ends may have been set up anew (the flow remembers its answers when it starts one).
    if (prev && prev.jobRunning !== state.jobRunning) this.askNextRun();
    for (const [action, button] of this.buttons) {
      const enabled = action === 'showLog' || (action === 'cancelJob' ? state.jobRunning : !state.jobRunning);
      button.toggleAttribute('disabled', !enabled);
      button.setAttribute('aria-disabled', String(!enabled));
    }

    // The line says what Run Unlearning would start next; while a job of any kind runs it would read
    // as that job's caption (a generation demo under "Run Unlearning runs: SalUn on …").
    this.nextRunLine.hidden = state.jobRunning;
    this.empty.hidden = state.eventCount > 0 || state.jobRunning;
    this.status.hidden = state.eventCount === 0 && !state.jobRunning;
    this.renderStatus(state);

    if (!prev || prev.saliency !== state.saliency || prev.scores !== state.scores || prev.preview !== state.preview) this.renderSaliency(state);
    if (
      !prev ||
      prev.trend !== state.trend ||
      prev.references !== state.references ||
      prev.runTrend !== state.runTrend ||
      prev.runId !== state.runId ||
      prev.jobRunning !== state.jobRunning ||
      prev.outcome !== state.outcome
    )
      this.renderTrend(state);
    if (
      !prev ||
      prev.rows !== state.rows ||
      prev.runTrend !== state.runTrend ||
      prev.runs !== state.runs ||
      prev.setup !== state.setup ||
      prev.runId !== state.runId
    )
      this.renderResults(state);
    if (
      !prev ||
      prev.samples !== state.samples ||
      prev.generationRows !== state.generationRows ||
      prev.kind !== state.kind ||
      prev.runId !== state.runId ||
      prev.runTrend !== state.runTrend
    )
      this.renderSamples(state);
    if (!prev || prev.runs !== state.runs || prev.runId !== state.runId) this.renderComparison(state);
    else this.comparison.track(state);
  }

  private renderStatus(state: PanelState): void {
    const parts: string[] = [];
    if (state.kind) parts.push(JOB_KIND_LABELS[state.kind].replace(/^./, (c) => c.toUpperCase()));
    if (state.runId) parts.push(state.runId);
    const backend = state.backend;
    const phase = state.phase ? state.phaseLabel || PHASE_LABELS[state.phase] : state.jobRunning ? 'Starting…' : undefined;
    const line: (HTMLElement | string)[] = [];
    if (parts.length) line.push(el('div', { class: 'job-title' }, parts.join(' · ')));
    const setup = state.setup && state.setup.runId === state.runId ? state.setup : undefined;
    const setting = setup ? settingText(setup.setting) : '';
    if (setup && setting) {
      line.push(el('div', { class: 'job-setting', id: 'job-setting' }, setup.method ? `${methodDisplayName(setup.method)} · ${setting}` : setting));
    }
    if (backend) {
      const facts = backendFacts(backend);
      // Which backend is one line; why (and what was skipped) is there on request.
      line.push(
        el(
          'details',
          { class: 'backend', title: backend.reason },
          el('summary', {}, 'Backend: ', el('strong', {}, backend.name), backend.detail ? ` (${backend.detail})` : ''),
          el('div', { class: 'muted' }, facts.choice),
          facts.adapter ? el('div', { class: 'muted backend-adapter' }, `GPU adapter: ${facts.adapter}`) : undefined,
          facts.skipped.length ? el('ul', { class: 'muted backend-skipped' }, ...facts.skipped.map((s) => el('li', {}, `skipped ${s}`))) : undefined,
        ),
      );
    }
    if (phase && state.jobRunning) line.push(el('div', { class: 'phase' }, phase));
    const key = JSON.stringify([parts, backend, phase, state.jobRunning, setup]);
    if (this.statusLine.dataset.key !== key) {
      this.statusLine.dataset.key = key;
      replaceChildren(this.statusLine, ...line);
    }

    const progress = state.jobRunning ? state.progress : undefined;
    // Without the whole job's figure (a log recorded before jobs sent it) there is no bar to fill.
    this.progressTrack.hidden = !progress?.overall;
    this.progressText.hidden = !progress;
    if (progress) this.drawProgress(progress);

    const outcome = state.outcome;
    const warnings = [
      ...state.warnings.map((w) => el('li', { class: `log-${w.level}` }, w.message)),
      ...state.resultWarnings.filter((w) => !state.warnings.some((l) => l.message === w)).map((w) => el('li', { class: 'log-warn result-warning' }, w)),
    ];
    const warningList = warnings.length ? el('ul', { class: 'warnings', 'aria-label': 'Job warnings' }, ...warnings) : undefined;
    if (!outcome || state.jobRunning) {
      replaceChildren(this.outcome, warningList);
    } else if (outcome.status === 'failed') {
      replaceChildren(
        this.outcome,
        el(
          'div',
          { class: 'error', role: 'alert' },
          el('strong', {}, 'Failed: '),
          outcome.error.message,
          outcome.error.hint ? el('div', {}, outcome.error.hint) : undefined,
          outcome.error.file ? el('div', { class: 'mono' }, outcome.error.file) : undefined,
        ),
        warningList,
      );
    } else if (outcome.status === 'cancelled') {
      replaceChildren(this.outcome, el('div', { class: 'muted' }, 'Cancelled.'), warningList);
    } else {
      replaceChildren(this.outcome, el('div', { class: 'done' }, 'Finished.', state.runDir ? this.runFolder(state.runDir) : undefined), warningList);
    }
  }

  /** The whole job's figure as the job sent it: the status bar shows the same number (progressLine). */
  private drawProgress(progress: ProgressView): void {
    if (progress.overall) {
      const pct = overallPercent(progress.overall);
      this.progressFill.style.width = `${pct}%`;
      this.progressTrack.setAttribute('aria-valuenow', String(pct));
    }
    this.progressText.textContent = progressLine(progress);
  }

  private runFolder(runDir: string): HTMLElement {
    const { text, title } = runFolderLabel(runDir);
    return el('div', { class: 'mono muted run-folder', title }, text);
  }

  private renderSaliency(state: PanelState): void {
    // The mask as computed (by the job, or by the run whose scores were loaded) and what the bars show.
    const s = state.scores?.saliency ?? state.saliency;
    const shown = displayedSaliency(state);
    this.saliencySection.hidden = !s;
    if (!s || !shown) {
      replaceChildren(this.saliencyBody);
      return;
    }
    this.threshold.update(shown, state.scores, shown !== s);
    const gamma = scientificParts(s.gamma);
    const gammaNode = el('span', { class: 'mono', title: String(s.gamma) }, gamma.mantissa);
    if (gamma.exponent !== 0) gammaNode.append(' × 10', el('sup', {}, String(gamma.exponent)));
    const summary = el(
      'dl',
      { class: 'summary', id: 'mask-summary' },
      el('dt', {}, 'Ratio'),
      el('dd', {}, formatPercent(s.ratio)),
      el('dt', {}, 'γ (threshold on |g|)'),
      el('dd', { id: 'gamma-value' }, gammaNode),
      el('dt', {}, 'Salient weights'),
      el('dd', {}, `${formatCount(s.salientWeights)} / ${formatCount(s.totalWeights)} (${formatPercent(s.salientShare)})`),
    );
    const source = state.scores && state.scores.runDir !== state.runDir ? ` (run ${state.scores.runId})` : '';
    replaceChildren(
      this.saliencyBody,
      summary,
      el('h3', {}, shown !== s ? `Mask sparsity per layer: preview at ratio ${shown.ratio.toFixed(3)}` : `Mask sparsity per layer${source}`),
      layerBars(shown),
      el(
        'p',
        { class: 'muted small' },
        'Bar: share of the layer’s weights that are salient; tick: the global share. Hover or focus a layer for its score range.',
      ),
      state.scores
        ? undefined
        : el(
            'p',
            { class: 'muted small' },
            state.jobRunning ? 'The γ control appears once the scores are written.' : 'The γ control needs the run folder’s saliency scores.',
          ),
    );
  }

  private renderTrend(state: PanelState): void {
    const shown = shownTrend(state);
    // A past run is shown even without epochs (its label says which run); the live job only once it has some.
    const has = shown.past || shown.trend.length > 0;
    this.trendSection.hidden = !has;
    this.trendSection.dataset.source = shown.past ? 'run' : 'live';
    if (!has) return;
    this.trendView.update(shown);
  }

  /** Only a generation job (or an opened generation run) has grids; the section stays hidden for every other kind. */
  private renderSamples(state: PanelState): void {
    const shown = shownSamples(state);
    this.samplesSection.hidden = !shown.has;
    this.samplesSection.dataset.source = shown.past ? 'run' : 'live';
    if (shown.has) this.sampleGrids.update(shown.grids, shown.rows, shown.runId, shown.past);
  }

  private renderComparison(state: PanelState): void {
    this.compareSection.hidden = state.runs === undefined;
    if (state.runs) this.comparison.update(state);
  }

  private renderResults(state: PanelState): void {
    const shown = shownResults(state);
    const has = shown.rows.length > 0 || shown.past;
    this.resultsSection.hidden = !has;
    this.resultsSection.dataset.source = shown.past ? 'run' : 'live';
    if (shown.runId) this.resultsSection.dataset.run = shown.runId;
    else delete this.resultsSection.dataset.run;
    if (!has) {
      replaceChildren(this.resultsBody);
      return;
    }
    const setting = shown.setting ? settingText(shown.setting) : '';
    const source = el(
      'div',
      { class: 'results-source', id: 'results-source', 'data-source': shown.past ? 'run' : 'live' },
      el('div', { class: 'results-source-label' }, shown.past ? shown.label : `Live: current job${shown.runId ? ` · ${shown.runId}` : ''}`),
      setting || shown.method
        ? el('div', { class: 'muted small' }, [shown.method ? methodDisplayName(shown.method) : '', setting].filter(Boolean).join(' · '))
        : undefined,
    );
    if (!shown.rows.length) {
      replaceChildren(this.resultsBody, source, el('p', { class: 'muted small' }, 'This run folder has no evaluated models (report.json).'));
      return;
    }
    const columns = ['Model', 'Method', ...METRIC_NAMES, 'Avg. Gap', 'Time (s)'];
    const head = el('tr', {}, ...columns.map((h) => el('th', { scope: 'col' }, h)));
    const rows = shown.rows.map((r) =>
      el(
        'tr',
        { class: `row-${r.role}` },
        el('th', { scope: 'row', class: 'cell-model' }, ROLE_NAMES[r.role] ?? r.role),
        el('td', { class: 'cell-method', 'data-label': 'Method' }, r.method),
        ...METRIC_NAMES.map((m) => el('td', { class: 'num', 'data-label': m }, formatMetric(r.metrics[m]))),
        el('td', { class: 'num inline-label', 'data-label': 'Avg. Gap' }, formatMetric(r.avgGap)),
        el('td', { class: 'num inline-label', 'data-label': 'Time (s)' }, Number.isFinite(r.seconds) ? r.seconds.toFixed(1) : '—'),
      ),
    );
    replaceChildren(
      this.resultsBody,
      source,
      tableRegion(
        'Results table',
        el('table', { class: 'results stackable' }, el('caption', { class: 'muted small' }, RESULTS_NOTE), el('thead', {}, head), el('tbody', {}, ...rows)),
      ),
      el('p', { class: 'muted small terms-note' }, termsNote()),
      verdictBlock(shown.rows),
    );
    fitTables(this.resultsBody);
  }
}
