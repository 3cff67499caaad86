// The panel's pictures: per-layer mask sparsity bars (HTML), metric trends and the Avg. Gap over
// epochs (inline SVG). Colours come only from CSS classes that read --vscode-* variables
// (media/panel.css); the panel still rebuilds the charts on a theme change (see main.ts), so an
// export taken afterwards carries the new theme's colours.
import type { Metrics } from '../src/protocol/results';
import type { LayerBar, PanelState, SaliencyView, TrendPoint } from './panelState';
import { avgGap, METRIC_NAMES, perMetric, type MetricName } from '../src/protocol/results';
import { el, svg } from './dom';
import { formatCount, formatMetric, formatPercent, formatScientific } from './format';

export function layerTooltip(layer: LayerBar): string {
  return [
    `${layer.name} [${layer.shape.join('×')}]`,
    `${formatCount(layer.salient)} of ${formatCount(layer.count)} weights salient (${formatPercent(layer.fraction)})`,
    `|gradient| score min ${formatScientific(layer.minScore)} · median ${formatScientific(layer.medianScore)} · max ${formatScientific(layer.maxScore)}`,
  ].join('\n');
}

export function layerBars(saliency: SaliencyView): HTMLElement {
  const list = el('ul', { class: 'layers', 'aria-label': 'Salient fraction per layer' });
  for (const layer of saliency.layers) {
    const fill = el('span', { class: 'bar-fill' });
    fill.style.width = `${(Math.min(1, Math.max(0, layer.fraction)) * 100).toFixed(2)}%`;
    // The global share as a tick: layers above it are where the forgetting signal concentrates.
    const tick = el('span', { class: 'bar-tick', 'aria-hidden': 'true' });
    tick.style.left = `${(saliency.salientShare * 100).toFixed(2)}%`;
    const tooltip = layerTooltip(layer);
    list.appendChild(
      el(
        'li',
        { class: 'layer', tabindex: 0, title: tooltip, 'aria-label': tooltip.replace(/\n/g, '. '), 'data-layer': layer.name, 'data-fraction': layer.fraction },
        el('span', { class: 'layer-name' }, layer.name),
        el('span', { class: 'bar-track', role: 'presentation' }, fill, tick),
        el('span', { class: 'layer-value' }, `${formatPercent(layer.fraction)} · ${formatCount(layer.salient)}/${formatCount(layer.count)}`),
      ),
    );
  }
  return list;
}

export const WIDTH = 320;
const HEIGHT = 170;
const GAP_HEIGHT = 90;
const MARGIN = { left: 30, right: 8, top: 8, bottom: 26 };

/** What the legend can hide: a metric (its line, points and reference lines), the gap chart, a reference. */
export type SeriesKey = MetricName | 'gap' | 'retrain' | 'original';
export const SERIES_KEYS: readonly SeriesKey[] = [...METRIC_NAMES, 'gap', 'retrain', 'original'];

const REF_LABEL: Record<'original' | 'retrain', string> = { original: 'Original', retrain: 'Retrain' };

interface Geometry {
  x(epoch: number): number;
  y(value: number): number;
  epochs: number[];
}

/** Plot-area coordinates: x over the epochs seen, y over yMin..yMax (0..100 % by default). */
export function trendGeometry(trend: readonly TrendPoint[], height = HEIGHT, yMax = 100): Geometry {
  const epochs = trend.map((p) => p.epoch);
  const lo = epochs.length ? Math.min(...epochs) : 0;
  const hi = epochs.length ? Math.max(...epochs) : 1;
  const span = hi > lo ? hi - lo : 1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  return {
    epochs,
    x: (epoch) => MARGIN.left + (hi > lo ? ((epoch - lo) / span) * plotW : plotW / 2),
    y: (value) => MARGIN.top + (1 - Math.min(yMax, Math.max(0, value)) / yMax) * plotH,
  };
}

function axes(chart: SVGSVGElement, g: Geometry, height: number, ticks: number[], tickLabel: (v: number) => string): void {
  const x0 = MARGIN.left;
  const x1 = WIDTH - MARGIN.right;
  for (const v of ticks) {
    chart.appendChild(svg('line', { class: 'grid', x1: x0, x2: x1, y1: g.y(v), y2: g.y(v) }));
    chart.appendChild(svg('text', { class: 'axis-label', x: x0 - 4, y: g.y(v) + 3, 'text-anchor': 'end' }, tickLabel(v)));
  }
  const epochLabels = [...new Set(g.epochs)];
  const step = Math.max(1, Math.ceil(epochLabels.length / 8));
  epochLabels.forEach((epoch, i) => {
    if (i % step !== 0 && i !== epochLabels.length - 1) return;
    chart.appendChild(svg('text', { class: 'axis-label', x: g.x(epoch), y: height - 13, 'text-anchor': 'middle' }, String(epoch)));
  });
  chart.appendChild(svg('text', { class: 'axis-label', x: (x0 + x1) / 2, y: height - 2, 'text-anchor': 'middle' }, 'epoch'));
}

function cursorLine(chart: SVGSVGElement, g: Geometry, height: number, epoch: number | undefined): void {
  if (epoch === undefined) return;
  const x = g.x(epoch);
  chart.appendChild(svg('line', { class: 'cursor', x1: x, x2: x, y1: MARGIN.top, y2: height - MARGIN.bottom }));
}

export interface TrendChartOptions {
  hidden: ReadonlySet<SeriesKey>;
  /** The epoch under the mouse or keyboard cursor. */
  cursor?: number;
}

export function trendChart(state: Pick<PanelState, 'trend' | 'references' | 'trendMethod'>, opts: TrendChartOptions): SVGSVGElement {
  const { trend, references } = state;
  const g = trendGeometry(trend);
  const last = trend[trend.length - 1];
  const label = last
    ? `Metric trends of the unlearned model over ${trend.length} evaluation(s); at epoch ${last.epoch}: ` +
      METRIC_NAMES.map((m) => `${m} ${formatMetric(last.metrics[m])}%`).join(', ') +
      (references.retrain ? `; Retrain: ${METRIC_NAMES.map((m) => `${m} ${formatMetric(references.retrain?.[m])}%`).join(', ')}` : '')
    : 'Metric trends: no epochs yet';
  const chart = svg('svg', { class: 'trend-chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': label });
  chart.appendChild(svg('title', {}, label));
  axes(chart, g, HEIGHT, [0, 25, 50, 75, 100], String);

  const x0 = MARGIN.left;
  const x1 = WIDTH - MARGIN.right;
  for (const role of ['original', 'retrain'] as const) {
    const metrics: Metrics | undefined = references[role];
    if (!metrics || opts.hidden.has(role)) continue;
    for (const m of METRIC_NAMES) {
      if (opts.hidden.has(m)) continue;
      const y = g.y(metrics[m]);
      chart.appendChild(
        svg(
          'line',
          { class: `ref ref-${role} series-${m}`, x1: x0, x2: x1, y1: y, y2: y, 'data-series': m, 'data-ref': role },
          svg('title', {}, `${REF_LABEL[role]} ${m}: ${formatMetric(metrics[m])}%`),
        ),
      );
    }
  }
  cursorLine(chart, g, HEIGHT, opts.cursor);

  for (const m of METRIC_NAMES) {
    if (opts.hidden.has(m)) continue;
    const pts = trend.map((p) => `${g.x(p.epoch).toFixed(1)},${g.y(p.metrics[m]).toFixed(1)}`);
    if (pts.length > 1) chart.appendChild(svg('polyline', { class: `line series-${m}`, points: pts.join(' '), 'data-series': m }));
    for (const p of trend) {
      const retrain = references.retrain ? ` (Retrain ${formatMetric(references.retrain[m])}%)` : '';
      chart.appendChild(
        svg(
          'circle',
          {
            class: `dot series-${m}`,
            cx: g.x(p.epoch),
            cy: g.y(p.metrics[m]),
            r: p.epoch === opts.cursor ? 3.5 : 2.5,
            'data-series': m,
            'data-epoch': p.epoch,
          },
          svg('title', {}, `epoch ${p.epoch} · ${m} ${formatMetric(p.metrics[m])}%${retrain}`),
        ),
      );
    }
  }
  return chart;
}

/** Avg. Gap to Retrain per epoch, on its own scale (gaps are a few points, the metrics up to 100). */
export function gapChart(state: Pick<PanelState, 'trend' | 'references'>, opts: TrendChartOptions): SVGSVGElement | undefined {
  const retrain = state.references.retrain;
  if (!retrain || state.trend.length === 0 || opts.hidden.has('gap')) return undefined;
  const gaps = state.trend.map((p) => ({ epoch: p.epoch, gap: avgGap(p.metrics, retrain) }));
  const top = Math.max(1, Math.ceil(Math.max(...gaps.map((p) => p.gap)) * 1.15));
  const g = trendGeometry(state.trend, GAP_HEIGHT, top);
  const last = gaps[gaps.length - 1];
  const label = `Avg. Gap to Retrain per epoch; at epoch ${last.epoch}: ${formatMetric(last.gap)} points`;
  const chart = svg('svg', { class: 'trend-chart gap-chart', viewBox: `0 0 ${WIDTH} ${GAP_HEIGHT}`, role: 'img', 'aria-label': label });
  chart.appendChild(svg('title', {}, label));
  const ticks = [0, top / 2, top];
  axes(chart, g, GAP_HEIGHT, ticks, (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1)));
  cursorLine(chart, g, GAP_HEIGHT, opts.cursor);
  if (gaps.length > 1)
    chart.appendChild(
      svg('polyline', {
        class: 'line series-gap',
        points: gaps.map((p) => `${g.x(p.epoch).toFixed(1)},${g.y(p.gap).toFixed(1)}`).join(' '),
        'data-series': 'gap',
      }),
    );
  for (const p of gaps) {
    chart.appendChild(
      svg(
        'circle',
        { class: 'dot series-gap', cx: g.x(p.epoch), cy: g.y(p.gap), r: p.epoch === opts.cursor ? 3.5 : 2.5, 'data-series': 'gap', 'data-epoch': p.epoch },
        svg('title', {}, `epoch ${p.epoch} · Avg. Gap ${formatMetric(p.gap)}`),
      ),
    );
  }
  return chart;
}

const LEGEND_LABEL: Record<SeriesKey, string> = {
  ...perMetric((k) => k),
  gap: 'Avg. Gap',
  retrain: 'Retrain (dashed)',
  original: 'Original (dotted)',
};

/** Toggle buttons: click or Space/Enter hides or shows a series; aria-pressed says which are shown. */
export function trendLegend(references: PanelState['references'], hidden: ReadonlySet<SeriesKey>, onToggle: (key: SeriesKey) => void): HTMLElement {
  const keys: SeriesKey[] = [...METRIC_NAMES];
  if (references.retrain) keys.push('gap', 'retrain');
  if (references.original) keys.push('original');
  const items = keys.map((key) => {
    const mark =
      key === 'retrain' || key === 'original'
        ? el('span', { class: `swatch-ref ref-${key}`, 'aria-hidden': 'true' })
        : el('span', { class: `swatch series-${key}`, 'aria-hidden': 'true' });
    const button = el(
      'button',
      { type: 'button', class: 'legend-item', 'data-series': key, 'aria-pressed': String(!hidden.has(key)), title: `Show or hide ${LEGEND_LABEL[key]}` },
      mark,
      LEGEND_LABEL[key],
    );
    button.addEventListener('click', () => onToggle(key));
    return el('li', {}, button);
  });
  return el('ul', { class: 'legend', 'aria-label': 'Series (toggle to show or hide)' }, ...items);
}

/** One line per epoch for the keyboard/mouse cursor readout. */
export function epochReadout(state: Pick<PanelState, 'trend' | 'references'>, epoch: number): string {
  const p = state.trend.find((q) => q.epoch === epoch);
  if (!p) return '';
  const retrain = state.references.retrain;
  return (
    `epoch ${epoch}: ` +
    METRIC_NAMES.map((m) => `${m} ${formatMetric(p.metrics[m])}`).join(' · ') +
    (retrain ? ` · Avg. Gap ${formatMetric(avgGap(p.metrics, retrain))}` : '')
  );
}
