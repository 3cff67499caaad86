// Renders PanelState into the panel. The skeleton (toolbar, sections) is built once so keyboard
// focus survives the stream of progress events; each section is redrawn only when its slice of
// the state changed (the reducer keeps unchanged slices identical).
import { PHASE_LABELS } from '../src/protocol/jobMessages';
import type { PanelAction } from '../src/protocol/webviewMessages';
import type { PanelState } from './panelState';
import { METRIC_NAMES } from './panelState';
import { el, replaceChildren } from './dom';
import { layerBars, trendChart, trendLegend } from './charts';
import { formatCount, formatDuration, formatMetric, formatPercent, scientificParts } from './format';


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
  private last: PanelState | undefined;

  constructor(root: HTMLElement, onAction: (action: PanelAction) => void) {
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

    this.saliencyBody = el('div');
    this.saliencySection = el('section', { 'aria-labelledby': 'h-saliency' }, el('h2', { id: 'h-saliency' }, 'Saliency mask'), this.saliencyBody);
    this.trendBody = el('div');
    this.trendSection = el('section', { 'aria-labelledby': 'h-trend' }, el('h2', { id: 'h-trend' }, 'Metric trends'), this.trendBody);
    this.resultsBody = el('div');
    this.resultsSection = el('section', { 'aria-labelledby': 'h-results' }, el('h2', { id: 'h-results' }, 'Results'), this.resultsBody);

    replaceChildren(root, toolbar, this.empty, this.status, this.saliencySection, this.trendSection, this.resultsSection);
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

    if (!prev || prev.saliency !== state.saliency) this.renderSaliency(state);
    if (!prev || prev.trend !== state.trend || prev.references !== state.references) this.renderTrend(state);
    if (!prev || prev.rows !== state.rows) this.renderResults(state);
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
      line.push(el('div', { class: 'backend', title: backend.detail || backend.reason },
        'Backend: ', el('strong', {}, backend.name), backend.detail ? ` (${backend.detail})` : '',
        el('div', { class: 'muted' }, backend.reason)));
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
    const s = state.saliency;
    this.saliencySection.hidden = !s;
    if (!s) {
      replaceChildren(this.saliencyBody);
      return;
    }
    const gamma = scientificParts(s.gamma);
    const gammaNode = el('span', { class: 'mono', title: String(s.gamma) }, gamma.mantissa);
    if (gamma.exponent !== 0) gammaNode.append(' × 10', el('sup', {}, String(gamma.exponent)));
    const summary = el('dl', { class: 'summary' },
      el('dt', {}, 'Ratio'), el('dd', {}, formatPercent(s.ratio)),
      el('dt', {}, 'γ (threshold on |g|)'), el('dd', {}, gammaNode),
      el('dt', {}, 'Salient weights'), el('dd', {}, `${formatCount(s.salientWeights)} / ${formatCount(s.totalWeights)} (${formatPercent(s.salientShare)})`),
    );
    replaceChildren(this.saliencyBody, summary,
      el('h3', {}, 'Mask sparsity per layer'),
      layerBars(s),
      el('p', { class: 'muted small' }, 'Bar: share of the layer’s weights that are salient; tick: the global share. Hover or focus a layer for its score range.'));
  }

  private renderTrend(state: PanelState): void {
    const has = state.trend.length > 0;
    this.trendSection.hidden = !has;
    if (!has) {
      replaceChildren(this.trendBody);
      return;
    }
    replaceChildren(this.trendBody,
      state.trendMethod ? el('div', { class: 'muted small' }, `Unlearned model (${state.trendMethod}), in %`) : undefined,
      trendChart(state), trendLegend(state.references));
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
