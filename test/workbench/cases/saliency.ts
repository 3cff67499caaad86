// The saliency section against the run folder the suite left: one bar per layer of
// saliency/summary.json with its fraction, the γ readout, the histogram with γ marked.
import { type Case, summaryOf } from './case';
import { assert } from '../../webview/harness';
import { barCounts, readBars, readHistogram, readSummary, salientOfTotal } from '../panelReadings';

/** The γ readout's text ("1.23 × 10−4", "0.5") as a number; undefined when it is not one. */
function shownGamma(text: string): number | undefined {
  const m = /^\s*([0-9.]+)(?:\s*×\s*10(−|-)?(\d+))?\s*$/.exec(text.replace(/\u2212/g, '-').replace(/10-/, '10−'));
  if (!m) return undefined;
  return Number(m[1]) * 10 ** ((m[2] ? -1 : 1) * Number(m[3] ?? 0));
}

export const saliency: Case[] = [
  {
    name: 'per-layer sparsity bars: one per layer of the run, each 0–100 %',
    needs: ['panel', 'saliency'],
    async run(ctx) {
      const summary = summaryOf(ctx);
      const bars = await readBars(ctx.wb);
      assert(bars.length > 0, 'no bars');
      assert(bars.length === summary.layers.length, `${bars.length} bars, but the run's saliency/summary.json has ${summary.layers.length} layers`);
      const names = summary.layers.map((l) => l.name);
      assert(JSON.stringify(bars.map((b) => b.name)) === JSON.stringify(names), `bar names ${bars.map((b) => b.name).join(',')} ≠ layers ${names.join(',')}`);
      for (const b of bars) {
        const pct = parseFloat(b.width);
        assert(/%$/.test(b.width) && pct >= 0 && pct <= 100, `${b.name}: bar width ${b.width}`);
        assert(b.fraction >= 0 && b.fraction <= 1 && Math.abs(pct - b.fraction * 100) < 0.01, `${b.name}: width ${b.width} vs fraction ${b.fraction}`);
        assert(!(b.rendered > 1.001) && !(b.rendered < -0.001), `${b.name}: drawn ${b.rendered} of the track`);
      }
      const [salient, total] = salientOfTotal((await readSummary(ctx.wb)).weights);
      const sums = bars.map(barCounts).reduce((a, b) => [a[0] + b[0], a[1] + b[1]], [0, 0]);
      assert(sums[0] === salient && sums[1] === total, `the bars add up to ${sums[0]}/${sums[1]}, the readout says ${salient}/${total}`);
      assert(total === summary.totalWeights, `the readout's total ${total} ≠ totalWeights ${summary.totalWeights} on disk`);
      return `${bars.length} bars (${summary.layers.length} layers), ${salient}/${total} salient`;
    },
  },
  {
    name: "γ readout is a number (the run's γ)",
    needs: ['panel', 'saliency'],
    async run(ctx) {
      const { gamma } = summaryOf(ctx);
      const s = await readSummary(ctx.wb);
      const shown = shownGamma(s.gammaText);
      assert(shown !== undefined, `γ shows "${s.gammaText}"`);
      assert(Number.isFinite(shown) && Math.abs(shown - gamma) <= Math.abs(gamma) * 0.01, `γ shows ${s.gammaText} = ${shown}, the run's γ is ${gamma}`);
      assert(Number(s.gammaTitle) === gamma, `γ's title ${s.gammaTitle} ≠ ${gamma}`);
      assert(/^γ = /.test(s.readout), `the γ control's readout says "${s.readout}"`);
      return s.gammaText;
    },
  },
  {
    name: 'histogram of log10 |g| is drawn with γ marked',
    needs: ['panel', 'saliency'],
    async run(ctx) {
      const { gamma } = summaryOf(ctx);
      const h = await readHistogram(ctx.wb);
      assert(h, 'no svg.histogram in #saliency');
      assert(h.bars > 0, 'the histogram has no bars');
      assert(h.w > 50 && h.h > 20, `the histogram is ${h.w}×${h.h} px`);
      assert(Number(h.gamma) === gamma, `the γ line marks ${h.gamma}, the run's γ is ${gamma}`);
      return `${h.bars} bins (${h.salient} salient)`;
    },
  },
];
