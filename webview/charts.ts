// The panel's two pictures: per-layer mask sparsity bars (HTML) and metric trends (inline SVG).
// Colours come only from CSS classes that read --vscode-* variables (media/panel.css), so a theme
// change recolours them without a redraw.
import type { Metrics } from '../src/protocol/results';
import type { LayerBar, MetricName, PanelState, SaliencyView, TrendPoint } from './panelState';
import { METRIC_NAMES } from './panelState';
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
    list.appendChild(el('li', { class: 'layer', tabindex: 0, title: tooltip, 'aria-label': tooltip.replace(/\n/g, '. ') },
      el('span', { class: 'layer-name' }, layer.name),
      el('span', { class: 'bar-track', role: 'presentation' }, fill, tick),
      el('span', { class: 'layer-value' }, `${formatPercent(layer.fraction)} · ${formatCount(layer.salient)}/${formatCount(layer.count)}`),
    ));
  }
  return list;
}

const WIDTH = 320;
const HEIGHT = 170;
const MARGIN = { left: 30, right: 8, top: 8, bottom: 22 };

const REF_LABEL: Record<'original' | 'retrain', string> = { original: 'Original', retrain: 'Retrain' };

/** Plot-area coordinates of a trend: x over the epochs seen, y over 0..100 %. */
export function trendGeometry(trend: readonly TrendPoint[]): { x(epoch: number): number; y(value: number): number; epochs: number[] } {
  const epochs = trend.map((p) => p.epoch);
  const lo = epochs.length ? Math.min(...epochs) : 0;
  const hi = epochs.length ? Math.max(...epochs) : 1;
  const span = hi > lo ? hi - lo : 1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  return {
    epochs,
    x: (epoch) => MARGIN.left + (hi > lo ? ((epoch - lo) / span) * plotW : plotW / 2),
    y: (value) => MARGIN.top + (1 - Math.min(100, Math.max(0, value)) / 100) * plotH,
  };
}

export function trendChart(state: Pick<PanelState, 'trend' | 'references' | 'trendMethod'>): SVGSVGElement {
  const { trend, references } = state;
  const g = trendGeometry(trend);
  const last = trend[trend.length - 1];
  const label = last
    ? `Metric trends of the unlearned model over ${trend.length} evaluation(s); at epoch ${last.epoch}: ` +
      METRIC_NAMES.map((m) => `${m} ${formatMetric(last.metrics[m])}%`).join(', ')
    : 'Metric trends: no epochs yet';
  const chart = svg('svg', { class: 'trend-chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': label });
  chart.appendChild(svg('title', {}, label));

  const x0 = MARGIN.left;
  const x1 = WIDTH - MARGIN.right;
  for (const v of [0, 25, 50, 75, 100]) {
    chart.appendChild(svg('line', { class: 'grid', x1: x0, x2: x1, y1: g.y(v), y2: g.y(v) }));
    chart.appendChild(svg('text', { class: 'axis-label', x: x0 - 4, y: g.y(v) + 3, 'text-anchor': 'end' }, String(v)));
  }
  const epochLabels = [...new Set(g.epochs)];
  const step = Math.max(1, Math.ceil(epochLabels.length / 8));
  epochLabels.forEach((epoch, i) => {
    if (i % step !== 0 && i !== epochLabels.length - 1) return;
    chart.appendChild(svg('text', { class: 'axis-label', x: g.x(epoch), y: HEIGHT - 8, 'text-anchor': 'middle' }, String(epoch)));
  });
  chart.appendChild(svg('text', { class: 'axis-label', x: 2, y: HEIGHT - 8, 'text-anchor': 'start' }, 'epoch'));

  for (const role of ['original', 'retrain'] as const) {
    const metrics: Metrics | undefined = references[role];
    if (!metrics) continue;
    for (const m of METRIC_NAMES) {
      const y = g.y(metrics[m]);
      chart.appendChild(svg('line', { class: `ref ref-${role} series-${m}`, x1: x0, x2: x1, y1: y, y2: y },
        svg('title', {}, `${REF_LABEL[role]} ${m}: ${formatMetric(metrics[m])}%`)));
    }
  }

  for (const m of METRIC_NAMES) {
    const pts = trend.map((p) => `${g.x(p.epoch).toFixed(1)},${g.y(p.metrics[m]).toFixed(1)}`);
    if (pts.length > 1) chart.appendChild(svg('polyline', { class: `line series-${m}`, points: pts.join(' '), 'data-metric': m }));
    for (const p of trend) {
      chart.appendChild(svg('circle', { class: `dot series-${m}`, cx: g.x(p.epoch), cy: g.y(p.metrics[m]), r: 2.5 },
        svg('title', {}, `epoch ${p.epoch} · ${m} ${formatMetric(p.metrics[m])}%`)));
    }
  }
  return chart;
}

export function trendLegend(references: PanelState['references']): HTMLElement {
  const items: HTMLElement[] = METRIC_NAMES.map((m: MetricName) =>
    el('li', {}, el('span', { class: `swatch series-${m}`, 'aria-hidden': 'true' }), m));
  for (const role of ['original', 'retrain'] as const) {
    if (references[role]) items.push(el('li', {}, el('span', { class: `swatch-ref ref-${role}`, 'aria-hidden': 'true' }), `${REF_LABEL[role]} (${role === 'original' ? 'dotted' : 'dashed'})`));
  }
  return el('ul', { class: 'legend', 'aria-label': 'Legend' }, ...items);
}
