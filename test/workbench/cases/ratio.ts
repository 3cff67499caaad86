// The ratio control's round trip (webview → host → webview): typing a ratio asks the host for a
// preview of the mask at that ratio, computed from the run's stored scores; the slider does the same.
import { type Case, summaryOf } from './case';
import { assert } from '../../webview/harness';
import { barCounts, readBars, readSummary, salientOfTotal, type BarReading } from '../panelReadings';
import type { Workbench } from '../workbench';

function previewHeading(wb: Workbench, ratio: number, timeoutMs: number): Promise<void> {
  return wb
    .panel()
    .locator('#saliency h3', { hasText: `preview at ratio ${ratio.toFixed(3)}` })
    .waitFor({ state: 'attached', timeout: timeoutMs });
}

function changed(after: readonly BarReading[], before: readonly BarReading[]): boolean {
  return after.some((b, i) => b.fraction !== before[i].fraction);
}

export const ratio: Case[] = [
  {
    name: 'typing a ratio previews new bars (webview → host → webview)',
    needs: ['panel', 'saliency'],
    async run(ctx) {
      const { wb, budget } = ctx;
      const summary = summaryOf(ctx);
      const before = await readBars(wb);
      const target = summary.ratio <= 0.5 ? 0.9 : 0.1;
      await wb.panel().locator('#ratio-input').fill(String(target), { timeout: 10_000 });
      await previewHeading(wb, target, budget(60_000));
      const after = await readBars(wb);
      assert(after.length === before.length, `${after.length} bars after the preview, ${before.length} before`);
      assert(changed(after, before), 'no bar changed');
      const [salient, total] = salientOfTotal((await readSummary(wb)).weights);
      const sums = after.reduce((a, b) => a + barCounts(b)[0], 0);
      assert(Math.abs(sums - target * total) <= Math.max(1, 0.01 * total), `the preview's bars hold ${sums} salient of ${total}, not ≈ ${target} × ${total}`);
      assert(salient === summary.salientWeights, 'the mask summary should still show the computed mask');
      const slider = await wb.inPanel(() => document.querySelector<HTMLInputElement>('#ratio-slider')?.value);
      assert(Math.abs(Number(slider) - target) < 0.006, `the slider shows ${slider}`);
      // And on with the slider itself, from the keyboard: to the end it is nearer.
      const sliderLocator = wb.panel().locator('#ratio-slider');
      await sliderLocator.focus();
      await sliderLocator.press(target > 0.5 ? 'End' : 'Home');
      const end = target > 0.5 ? 1 : 0.01;
      await previewHeading(wb, end, budget(60_000));
      const last = await readBars(wb);
      assert(changed(last, after), 'moving the slider changed no bar');
      return `ratio ${summary.ratio} → ${target}: ${sums}/${total} salient; slider → ${end}: ${last.map((b) => b.fraction.toFixed(2)).join(' ')}`;
    },
  },
];
