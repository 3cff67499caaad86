// Renders PanelState into the panel. The skeleton (toolbar, sections, the γ control) is built once
// so keyboard focus survives the stream of progress events and previews; each section is redrawn
// only when its slice of the state changed (the reducer keeps unchanged slices identical).
import { backendFacts } from '../src/protocol/backendSummary';
import { PHASE_LABELS } from '../src/protocol/jobMessages';
import type { PanelAction } from '../src/protocol/webviewMessages';
import { PanelActionCommand } from '../src/protocol/webviewMessages';
import type { PanelChannel } from './channel';
import type { ThresholdPreviews } from './previewRequests';
import type { PanelState } from './panelState';
import { displayedSaliency, METRIC_NAMES, shownTrend } from './panelState';
import { el, replaceChildren } from './dom';
import type { SeriesKey } from './charts';
import { layerBars } from './charts';
import { ThresholdControl } from './thresholdControl';
import { TrendView } from './trendView';
import { ComparisonView } from './comparisonView';
import { formatCount, formatDuration, formatMetric, formatPercent, scientificParts } from './format';

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
}


const ROLE_NAMES = { original: 'Original', retrain: 'Retrain', unlearned: 'Unlearned' } as const;

interface ButtonSpec {
  action: PanelAction;
  label: string;
  secondary?: boolean;
}

const BUTTONS: ButtonSpec[] = [
  { action: 'computeSaliency', label: 'Compute Saliency Map' },
  { action: 'runUnlearning', label: 'Run Unlearning' },
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
  private readonly saliencySection: HTMLElement;
  private readonly saliencyBody: HTMLElement;
  private readonly trendSection: HTMLElement;
  private readonly trendBody: HTMLElement;
  private readonly resultsSection: HTMLElement;
  private readonly resultsBody: HTMLElement;
  private readonly threshold: ThresholdControl;
  private readonly trendView: TrendView;
  private readonly compareSection: HTMLElement;
  private readonly comparison: ComparisonView;
  private ui: UiState;
  private last: PanelState | undefined;

  constructor(root: HTMLElement, ctx: PanelContext, ui: UiState) {
    this.ui = { ...ui };
    const { channel } = ctx;
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

    this.empty = el('section', { class: 'empty' },
      el('p', {}, 'No job has run in this window yet; earlier runs are in the Runs view.'),
      el('p', {}, 'Compute a saliency map to see which weights SalUn lets move, or run unlearning to compare SalUn against Retrain on UA, RA, TA and MIA.'),
      el('p', { class: 'muted' }, 'Settings: salun.saliencyRatio, salun.forgetFraction, salun.forgetClass, salun.modelPath, salun.backend.'),
    );

    this.statusLine = el('div', { class: 'status-line', role: 'status', 'aria-live': 'polite' });
    this.progressFill = el('span', { class: 'bar-fill' });
    this.progressTrack = el('div', { class: 'progress bar-track', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-label': 'Phase progress' }, this.progressFill);
    this.progressText = el('div', { class: 'progress-text muted' });
    this.outcome = el('div', { class: 'outcome' });
    this.status = el('section', { class: 'status', 'aria-label': 'Job status' }, this.statusLine, this.progressTrack, this.progressText, this.outcome);

    this.threshold = new ThresholdControl(channel, ctx.previews);
    this.saliencyBody = el('div');
    this.saliencySection = el('section', { 'aria-labelledby': 'h-saliency', id: 'saliency' },
      el('h2', { id: 'h-saliency' }, 'Saliency mask'), this.saliencyBody, this.threshold.element);
    this.trendView = new TrendView(this.ui.hiddenSeries, channel, {
      onHiddenChange: (hidden) => { this.ui = { ...this.ui, hiddenSeries: hidden }; ctx.onUiChange(this.ui); },
      onShowLive: ctx.onShowLiveTrend,
    });
    this.trendBody = this.trendView.element;
    this.trendSection = el('section', { 'aria-labelledby': 'h-trend', id: 'trend' }, el('h2', { id: 'h-trend' }, 'Metric trends'), this.trendBody);
    this.resultsBody = el('div');
    this.resultsSection = el('section', { 'aria-labelledby': 'h-results', id: 'results' }, el('h2', { id: 'h-results' }, 'Results'), this.resultsBody);
    this.comparison = new ComparisonView(this.ui.selectedRuns, channel, {
      onSelectionChange: (selected) => { this.ui = { ...this.ui, selectedRuns: selected }; ctx.onUiChange(this.ui); },
    });
    this.compareSection = el('section', { 'aria-labelledby': 'h-compare', id: 'compare' }, el('h2', { id: 'h-compare' }, 'Compare runs'), this.comparison.element);

    replaceChildren(root, toolbar, this.empty, this.status, this.saliencySection, this.trendSection, this.resultsSection, this.compareSection);
  }

  focusRun(runId: string): void {
    this.comparison.focus(runId);
  }

  /** A theme change: rebuild the SVG charts (their exports read the computed colours). */
  redrawCharts(): void {
    this.trendView.redraw();
    this.threshold.redrawHistogram();
  }

  render(state: PanelState): void {
    const prev = this.last;
    this.last = state;

    for (const [action, button] of this.buttons) {
      const enabled = action === 'showLog' || (action === 'cancelJob' ? state.jobRunning : !state.jobRunning);
      button.toggleAttribute('disabled', !enabled);
      button.setAttribute('aria-disabled', String(!enabled));
    }

    this.empty.hidden = state.eventCount > 0 || state.jobRunning;
    this.status.hidden = state.eventCount === 0 && !state.jobRunning;
    this.renderStatus(state);

    if (!prev || prev.saliency !== state.saliency || prev.scores !== state.scores || prev.preview !== state.preview) this.renderSaliency(state);
    if (!prev || prev.trend !== state.trend || prev.references !== state.references || prev.runTrend !== state.runTrend
      || prev.runId !== state.runId || prev.jobRunning !== state.jobRunning || prev.outcome !== state.outcome) this.renderTrend(state);
    if (!prev || prev.rows !== state.rows) this.renderResults(state);
    if (!prev || prev.runs !== state.runs || prev.runId !== state.runId) this.renderComparison(state);
    else this.comparison.track(state);
  }

  private renderStatus(state: PanelState): void {
    const parts: string[] = [];
    if (state.kind) parts.push(state.kind === 'run' ? 'Unlearning run' : 'Saliency job');
    if (state.runId) parts.push(state.runId);
    const backend = state.backend;
    const phase = state.phase ? (state.phaseLabel || PHASE_LABELS[state.phase]) : state.jobRunning ? 'Starting…' : undefined;
    const line: (HTMLElement | string)[] = [];
    if (parts.length) line.push(el('div', { class: 'job-title' }, parts.join(' · ')));
    if (backend) {
      const facts = backendFacts(backend);
      line.push(el('div', { class: 'backend', title: backend.reason },
        'Backend: ', el('strong', {}, backend.name), backend.detail ? ` (${backend.detail})` : '',
        el('div', { class: 'muted' }, facts.choice),
        facts.adapter ? el('div', { class: 'muted backend-adapter' }, `GPU adapter: ${facts.adapter}`) : undefined,
        facts.skipped.length ? el('ul', { class: 'muted backend-skipped' }, ...facts.skipped.map((s) => el('li', {}, `skipped ${s}`))) : undefined));
    }
    if (phase && state.jobRunning) line.push(el('div', { class: 'phase' }, phase));
    const key = JSON.stringify([parts, backend, phase, state.jobRunning]);
    if (this.statusLine.dataset.key !== key) {
      this.statusLine.dataset.key = key;
      replaceChildren(this.statusLine, ...line);
    }

    const progress = state.jobRunning ? state.progress : undefined;
    this.progressTrack.hidden = !progress;
    this.progressText.hidden = !progress;
    if (progress) {
      const pct = Math.round(progress.fraction * 100);
      this.progressFill.style.width = `${pct}%`;
      this.progressTrack.setAttribute('aria-valuenow', String(pct));
      const text = [`${pct}% (${formatCount(progress.done)}/${formatCount(progress.total)})`];
      if (progress.epoch !== undefined) text.push(`epoch ${progress.epoch}`);
      if (progress.etaSeconds !== undefined && Number.isFinite(progress.etaSeconds)) text.push(`ETA ${formatDuration(progress.etaSeconds)}`);
      this.progressText.textContent = text.join(' · ');
    }

    const outcome = state.outcome;
    const warnings = state.warnings.map((w) => el('li', { class: `log-${w.level}` }, w.message));
    const warningList = warnings.length ? el('ul', { class: 'warnings', 'aria-label': 'Job warnings' }, ...warnings) : undefined;
    if (!outcome || state.jobRunning) {
      replaceChildren(this.outcome, warningList);
    } else if (outcome.status === 'failed') {
      replaceChildren(this.outcome, el('div', { class: 'error', role: 'alert' },
        el('strong', {}, 'Failed: '), outcome.error.message,
        outcome.error.hint ? el('div', {}, outcome.error.hint) : undefined,
        outcome.error.file ? el('div', { class: 'mono' }, outcome.error.file) : undefined), warningList);
    } else if (outcome.status === 'cancelled') {
      replaceChildren(this.outcome, el('div', { class: 'muted' }, 'Cancelled.'), warningList);
    } else {
      replaceChildren(this.outcome, el('div', { class: 'done' }, 'Finished.', state.runDir ? el('div', { class: 'mono muted' }, state.runDir) : undefined), warningList);
    }
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
    const summary = el('dl', { class: 'summary', id: 'mask-summary' },
      el('dt', {}, 'Ratio'), el('dd', {}, formatPercent(s.ratio)),
      el('dt', {}, 'γ (threshold on |g|)'), el('dd', { id: 'gamma-value' }, gammaNode),
      el('dt', {}, 'Salient weights'), el('dd', {}, `${formatCount(s.salientWeights)} / ${formatCount(s.totalWeights)} (${formatPercent(s.salientShare)})`),
    );
    const source = state.scores && state.scores.runDir !== state.runDir ? ` (run ${state.scores.runId})` : '';
    replaceChildren(this.saliencyBody, summary,
      el('h3', {}, shown !== s ? `Mask sparsity per layer: preview at ratio ${shown.ratio.toFixed(3)}` : `Mask sparsity per layer${source}`),
      layerBars(shown),
      el('p', { class: 'muted small' }, 'Bar: share of the layer’s weights that are salient; tick: the global share. Hover or focus a layer for its score range.'),
      state.scores ? undefined : el('p', { class: 'muted small' }, state.jobRunning ? 'The γ control appears once the scores are written.' : 'The γ control needs the run folder’s saliency scores.'));
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

  private renderComparison(state: PanelState): void {
    this.compareSection.hidden = state.runs === undefined;
    if (state.runs) this.comparison.update(state);
  }

  private renderResults(state: PanelState): void {
    const has = state.rows.length > 0;
    this.resultsSection.hidden = !has;
    if (!has) {
      replaceChildren(this.resultsBody);
      return;
    }
    const head = el('tr', {}, ...['Model', 'Method', ...METRIC_NAMES, 'Avg. Gap', 'Time (s)'].map((h) => el('th', { scope: 'col' }, h)));
    const rows = state.rows.map((r) => el('tr', { class: `row-${r.role}` },
      el('th', { scope: 'row' }, ROLE_NAMES[r.role] ?? r.role),
      el('td', {}, r.method),
      ...METRIC_NAMES.map((m) => el('td', { class: 'num' }, formatMetric(r.metrics[m]))),
      el('td', { class: 'num' }, formatMetric(r.avgGap)),
      el('td', { class: 'num' }, Number.isFinite(r.seconds) ? r.seconds.toFixed(1) : '—'),
    ));
    replaceChildren(this.resultsBody,
      el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Results table' },
        el('table', { class: 'results' },
          el('caption', { class: 'muted small' }, 'UA, RA, TA, MIA in %; Avg. Gap: mean |metric − Retrain’s|, lower is better.'),
          el('thead', {}, head), el('tbody', {}, ...rows))));
  }
}
