// The distribution of log10|g| with γ as a vertical line: where the threshold cuts the scores.
// Bins right of γ are the salient ones. Zeros have no logarithm and are reported beside the chart.
import type { ScoreHistogram } from '../src/protocol/webviewMessages';
import { svg } from './dom';
import { formatCount, formatScientific } from './format';

const WIDTH = 320;
const HEIGHT = 96;
const MARGIN = { left: 6, right: 6, top: 6, bottom: 16 };

export interface HistogramScale {
  /** viewBox x of a log10 score, clamped to the plot. */
  x(log10: number): number;
  /** log10 score at a viewBox x. */
  log10At(x: number): number;
}

export function histogramScale(h: ScoreHistogram): HistogramScale {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const span = h.log10Max - h.log10Min || 1;
  return {
    x: (l) => MARGIN.left + Math.min(1, Math.max(0, (l - h.log10Min) / span)) * plotW,
    log10At: (x) => h.log10Min + ((x - MARGIN.left) / plotW) * span,
  };
}

/** x of γ: γ = 0 (every score salient) sits at the left edge, γ above every score at the right. */
export function gammaX(h: ScoreHistogram, gamma: number): number {
  const scale = histogramScale(h);
  if (!(gamma > 0)) return scale.x(h.log10Min);
  if (!Number.isFinite(gamma)) return scale.x(h.log10Max);
  return scale.x(Math.log10(gamma));
}

export function scoreHistogramChart(h: ScoreHistogram, gamma: number, onPick?: (gamma: number) => void): SVGSVGElement {
  const scale = histogramScale(h);
  const max = Math.max(1, ...h.bins);
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const binW = (h.log10Max - h.log10Min) / Math.max(1, h.bins.length);
  const gLog = gamma > 0 && Number.isFinite(gamma) ? Math.log10(gamma) : gamma > 0 ? Infinity : -Infinity;
  const label =
    `Histogram of log10 saliency scores over ${formatCount(h.total - h.zeros)} nonzero weights; γ = ${formatScientific(gamma)}` +
    (h.zeros ? `; ${formatCount(h.zeros)} weights have score 0` : '');
  const chart = svg('svg', { class: 'histogram', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': label });
  chart.appendChild(svg('title', {}, label));
  h.bins.forEach((count, i) => {
    const lo = h.log10Min + i * binW;
    const x0 = scale.x(lo);
    const x1 = scale.x(lo + binW);
    // Heights on a square-root scale, so the thin tails (where γ often sits) stay visible.
    const height = count > 0 ? Math.max(1, Math.sqrt(count / max) * plotH) : 0;
    const salient = lo + binW / 2 >= gLog;
    chart.appendChild(
      svg(
        'rect',
        {
          class: salient ? 'hist-bar salient' : 'hist-bar',
          x: x0.toFixed(2),
          width: Math.max(0.5, x1 - x0 - 0.4).toFixed(2),
          y: (MARGIN.top + plotH - height).toFixed(2),
          height: height.toFixed(2),
        },
        svg('title', {}, `|g| ${formatScientific(10 ** lo)} … ${formatScientific(10 ** (lo + binW))}: ${formatCount(count)} weights`),
      ),
    );
  });
  const baseY = MARGIN.top + plotH;
  chart.appendChild(svg('line', { class: 'axis', x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: baseY, y2: baseY }));
  const decades = Math.ceil(h.log10Max) - Math.floor(h.log10Min);
  const step = Math.max(1, Math.ceil(decades / 6));
  for (let d = Math.ceil(h.log10Min); d <= h.log10Max; d += step) {
    chart.appendChild(svg('text', { class: 'axis-label', x: scale.x(d).toFixed(1), y: HEIGHT - 4, 'text-anchor': 'middle' }, `1e${d}`));
  }
  const gx = gammaX(h, gamma);
  chart.appendChild(
    svg(
      'line',
      { class: 'gamma-line', x1: gx.toFixed(2), x2: gx.toFixed(2), y1: MARGIN.top - 4, y2: baseY, 'data-gamma': String(gamma) },
      svg('title', {}, `γ = ${formatScientific(gamma, 3)}`),
    ),
  );
  if (onPick) {
    chart.classList.add('pickable');
    chart.addEventListener('click', (e: MouseEvent) => {
      const box = chart.getBoundingClientRect();
      if (box.width <= 0) return;
      const x = ((e.clientX - box.left) / box.width) * WIDTH;
      onPick(10 ** scale.log10At(x));
    });
  }
  return chart;
}
