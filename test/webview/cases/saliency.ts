// The saliency section as the replayed job left it: one bar per layer, the γ readout, the histogram.
import type { Entry } from './case';
import { assert, assertClose, assertEqual } from '../harness';

export const saliency: Entry[] = [
  {
    name: 'one bar per layer, with the fractions of the saliency event',
    async run({ panel, fx }) {
      const bars = await panel.barFractions();
      assertEqual(bars.length, fx.summary.layers.length, 'bar count');
      fx.summary.layers.forEach((l, i) => {
        assertEqual(bars[i].name, l.name, `bar ${i} name`);
        assertClose(bars[i].fraction, l.salientFraction, `${l.name} fraction`);
      });
      const widths = await panel.page.$$eval('li.layer .bar-fill', (fs) => fs.map((f) => (f as HTMLElement).style.width));
      fx.summary.layers.forEach((l, i) => {
        assert(widths[i].endsWith('%'), `${l.name} bar width ${widths[i]}`);
        assertClose(parseFloat(widths[i]), l.salientFraction * 100, `${l.name} bar width (%)`, 0.005);
      });
    },
  },
  {
    name: 'γ readout shows the job’s γ and salient count',
    async run({ panel, fx }) {
      const { page } = panel;
      const s = fx.summary;
      assertEqual(await page.getAttribute('#gamma-value span', 'title'), String(s.gamma), 'γ in the summary');
      const readout = (await page.textContent('#gamma-readout')) ?? '';
      assert(
        readout.includes(s.salientWeights.toLocaleString('en-US')) && readout.includes(s.totalWeights.toLocaleString('en-US')),
        `readout "${readout}" lacks ${s.salientWeights} of ${s.totalWeights}`,
      );
      const [mantissa, exponent] = s.gamma.toExponential(3).split('e');
      assert(readout.includes(mantissa), `readout "${readout}" lacks γ's mantissa ${mantissa}`);
      assertEqual(await page.inputValue('#gamma-input'), `${mantissa}e${Number(exponent)}`, 'γ input');
      assertClose(Number(await page.inputValue('#ratio-slider')), s.ratio, 'slider', 1e-9);
    },
  },
  {
    name: 'histogram: the host’s bins, with γ drawn where it falls',
    async run({ panel, fx }) {
      const { page } = panel;
      const h = fx.scores.histogram;
      assertEqual(await page.locator('svg.histogram rect.hist-bar').count(), h.bins.length, 'histogram bars');
      assertEqual(await page.getAttribute('svg.histogram .gamma-line', 'data-gamma'), String(fx.summary.gamma), 'γ line');
      const salientBins = await page.locator('svg.histogram rect.hist-bar.salient').count();
      const width = (h.log10Max - h.log10Min) / h.bins.length;
      const expected = h.bins.filter((_, i) => h.log10Min + (i + 0.5) * width >= Math.log10(fx.summary.gamma)).length;
      assertEqual(salientBins, expected, 'bins right of γ');
    },
  },
];
