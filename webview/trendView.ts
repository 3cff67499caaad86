// The "Metric trends" section: UA/RA/TA/MIA per epoch against Retrain's lines, the Avg. Gap chart,
// a legend that hides series, and a cursor: hover, or focus the chart and use ←/→/Home/End, to read
// every value of an epoch. A line above the charts says whose epochs they are (the live job, or a
// past run opened from the Runs view, with a button back to live). Exports the chart as SVG or PNG
// (the host asks where to save).
import { ExportCommand, ShowLiveTrendCommand } from '../src/protocol/webviewMessages';
import type { PanelChannel } from './channel';
import type { ShownTrend } from './panelState';
import { METRIC_NAMES } from '../src/protocol/results';
import { el, replaceChildren } from './dom';
import type { SeriesKey } from './charts';
import { epochReadout, gapChart, trendChart, trendLegend, WIDTH } from './charts';
import type { LegendEntry } from './svgExport';
import { standaloneSvg, svgToPngBase64 } from './svgExport';

/** What changes only the panel: the legend's choice, and the switch back to the live trend. */
export interface TrendLocal {
  onHiddenChange(hidden: SeriesKey[]): void;
  onShowLive(): void;
}

type TrendSlice = ShownTrend;

export class TrendView {
  readonly element: HTMLElement;
  private readonly source: HTMLElement;
  private readonly sourceLabel: HTMLElement;
  private readonly liveButton: HTMLElement;
  private readonly exportRow: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly charts: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly readout: HTMLElement;
  private state: TrendSlice | undefined;
  private cursor: number | undefined;
  private hidden: Set<SeriesKey>;

  constructor(
    hidden: readonly SeriesKey[],
    private readonly channel: PanelChannel,
    private readonly callbacks: TrendLocal,
  ) {
    this.hidden = new Set(hidden);
    this.sourceLabel = el('span', { class: 'trend-source-label', id: 'trend-source-label', role: 'status', 'aria-live': 'polite' });
    this.liveButton = el(
      'vscode-button',
      { secondary: true, 'data-action': 'showLiveTrend', title: 'Show the metric trends of the current (or last) job again' },
      'Show live trends',
    );
    this.liveButton.addEventListener('click', () => {
      this.callbacks.onShowLive();
      // Later replays must not bring the past run back: the host forgets it too.
      this.channel.command(ShowLiveTrendCommand, {});
    });
    this.source = el('div', { class: 'trend-source', 'data-source': 'live' }, this.sourceLabel, this.liveButton);
    this.caption = el('div', { class: 'muted small' });
    this.charts = el('div', {
      class: 'trend-charts',
      tabindex: 0,
      role: 'group',
      'aria-label': 'Metric trend charts; use the left and right arrow keys to read the values of each epoch',
    });
    this.legend = el('div');
    this.readout = el('div', { class: 'trend-readout small', role: 'status', 'aria-live': 'polite' });
    const svgButton = el('vscode-button', { secondary: true, 'data-export': 'svg' }, 'Export SVG');
    const pngButton = el('vscode-button', { secondary: true, 'data-export': 'png' }, 'Export PNG');
    svgButton.addEventListener('click', () => this.export('svg'));
    pngButton.addEventListener('click', () => this.export('png'));
    this.exportRow = el('div', { class: 'button-row' }, svgButton, pngButton);
    this.element = el('div', {}, this.source, this.caption, this.charts, this.readout, this.legend, this.exportRow);

    this.charts.addEventListener('keydown', (e: KeyboardEvent) => this.onKey(e));
    this.charts.addEventListener('mousemove', (e: MouseEvent) => this.onMouse(e));
    this.charts.addEventListener('mouseleave', () => this.setCursor(undefined));
  }

  update(state: TrendSlice): void {
    // Another run's epochs: a cursor on "epoch 3" of the previous one means nothing here.
    if (this.state && (this.state.past !== state.past || this.state.runId !== state.runId)) this.cursor = undefined;
    this.state = state;
    if (this.cursor !== undefined && !state.trend.some((p) => p.epoch === this.cursor)) this.cursor = undefined;
    this.source.dataset.source = state.past ? 'run' : 'live';
    if (state.runId) this.source.dataset.run = state.runId;
    else delete this.source.dataset.run;
    this.sourceLabel.textContent = state.label;
    this.liveButton.hidden = !state.past;
    const refs = [state.references.retrain ? 'Retrain' : '', state.references.original ? 'Original' : ''].filter(Boolean).join(' and ');
    const skipped = state.skippedLines > 0 ? ` ${state.skippedLines} unreadable line(s) of metrics.jsonl left out.` : '';
    this.caption.textContent =
      state.trend.length === 0
        ? `No unlearning epochs in this run’s metrics.jsonl.${skipped}`
        : `${state.trendMethod ? `Unlearned model (${state.trendMethod}), in %` : 'In %'}${refs ? `; lines: ${refs}` : ''}.${skipped}`;
    this.charts.hidden = state.trend.length === 0;
    this.exportRow.hidden = state.trend.length === 0;
    this.redraw();
  }

  /** Rebuilds the charts (also on a theme change). */
  redraw(): void {
    const state = this.state;
    if (!state) return;
    if (state.trend.length === 0) {
      replaceChildren(this.charts);
      replaceChildren(this.legend);
      this.readout.textContent = '';
      return;
    }
    const opts = { hidden: this.hidden, cursor: this.cursor };
    replaceChildren(this.charts, trendChart(state, opts), gapChart(state, opts));
    replaceChildren(
      this.legend,
      trendLegend(state.references, this.hidden, (key) => this.toggle(key)),
    );
    this.readout.textContent =
      this.cursor !== undefined ? epochReadout(state, this.cursor) : 'Hover or focus the chart and use ←/→ for the values of an epoch.';
  }

  private toggle(key: SeriesKey): void {
    if (this.hidden.has(key)) this.hidden.delete(key);
    else this.hidden.add(key);
    this.callbacks.onHiddenChange([...this.hidden]);
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.series : undefined;
    this.redraw();
    // The legend was rebuilt: keep keyboard focus on the button that was pressed.
    if (focused) this.legend.querySelector<HTMLElement>(`button[data-series="${focused}"]`)?.focus();
  }

  private setCursor(epoch: number | undefined): void {
    if (epoch === this.cursor) return;
    this.cursor = epoch;
    this.redraw();
  }

  private onKey(e: KeyboardEvent): void {
    const epochs = this.state?.trend.map((p) => p.epoch) ?? [];
    if (!epochs.length) return;
    const i = this.cursor === undefined ? -1 : epochs.indexOf(this.cursor);
    let next: number | undefined;
    if (e.key === 'ArrowRight') next = epochs[Math.min(epochs.length - 1, i + 1)];
    else if (e.key === 'ArrowLeft') next = epochs[Math.max(0, i < 0 ? epochs.length - 1 : i - 1)];
    else if (e.key === 'Home') next = epochs[0];
    else if (e.key === 'End') next = epochs[epochs.length - 1];
    else if (e.key === 'Escape') next = undefined;
    else return;
    e.preventDefault();
    this.setCursor(next);
  }

  private onMouse(e: MouseEvent): void {
    const chart = this.charts.querySelector('svg');
    const trend = this.state?.trend ?? [];
    if (!chart || !trend.length) return;
    const box = chart.getBoundingClientRect();
    if (box.width <= 0) return;
    const x = ((e.clientX - box.left) / box.width) * WIDTH;
    let best = trend[0].epoch;
    let bestD = Infinity;
    for (const dot of Array.from(chart.querySelectorAll<SVGCircleElement>('circle[data-epoch]'))) {
      const d = Math.abs(Number(dot.getAttribute('cx')) - x);
      if (d < bestD) {
        bestD = d;
        best = Number(dot.dataset.epoch);
      }
    }
    this.setCursor(best);
  }

  private export(format: 'svg' | 'png'): void {
    const chart = this.charts.querySelector<SVGSVGElement>('svg.trend-chart');
    if (!chart) return;
    const legend: LegendEntry[] = METRIC_NAMES.filter((m) => !this.hidden.has(m)).map((m) => ({
      label: m,
      sample: chart.querySelector(`.line.series-${m}, .dot.series-${m}`) ?? undefined,
    }));
    if (this.state?.references.retrain && !this.hidden.has('retrain')) legend.push({ label: 'Retrain', dash: '5 3' });
    if (this.state?.references.original && !this.hidden.has('original')) legend.push({ label: 'Original', dash: '1.5 2.5' });
    const text = standaloneSvg(chart, legend);
    const name = `salun-trend${this.state?.runId ? `-${this.state.runId}` : ''}`;
    if (format === 'svg') {
      this.channel.command(ExportCommand, { format: 'svg', fileName: `${name}.svg`, content: text });
      return;
    }
    svgToPngBase64(text).then(
      (png) => this.channel.command(ExportCommand, { format: 'png', fileName: `${name}.png`, content: png }),
      (err: unknown) => console.warn(`SalUn panel: PNG export failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
}
