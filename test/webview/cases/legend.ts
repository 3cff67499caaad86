// The trend legend hides series and is persisted; legend and chart work from the keyboard.
import type { Entry } from './case';
import { assert, assertEqual, until } from '../harness';

export const legend: Entry[] = [
  {
    name: 'legend: clicking UA hides its points and lines; the choice is persisted',
    async run({ panel, fx }) {
      const { page } = panel;
      const ua = page.locator('button.legend-item[data-series="UA"]');
      await ua.click();
      assertEqual(await ua.getAttribute('aria-pressed'), 'false', 'aria-pressed');
      assertEqual(await page.locator('svg.trend-chart [data-series="UA"]').count(), 0, 'UA elements');
      assertEqual(await page.locator('svg.trend-chart:not(.gap-chart) circle[data-series="RA"]').count(), fx.trendEpochs.length, 'RA points stay');
      await until('UA saved as hidden with setState', async () => (await panel.saved())?.ui?.hiddenSeries?.includes('UA'), 3000);
    },
  },
  {
    name: 'legend and chart work from the keyboard',
    async run({ panel, fx }) {
      const { page } = panel;
      await page.locator('button.legend-item[data-series="TA"]').focus();
      await page.keyboard.press('Space');
      assertEqual(await page.getAttribute('button.legend-item[data-series="TA"]', 'aria-pressed'), 'false', 'TA hidden by Space');
      assert(
        await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.dataset.series === 'TA'),
        'focus stays on the TA button',
      );
      await page.keyboard.press('Enter');
      assertEqual(await page.getAttribute('button.legend-item[data-series="TA"]', 'aria-pressed'), 'true', 'TA shown by Enter');
      await page.locator('button.legend-item[data-series="UA"]').click();
      await page.locator('.trend-charts').focus();
      await page.keyboard.press('End');
      const lastEpoch = fx.trendEpochs[fx.trendEpochs.length - 1];
      const last = fx.metricsAt(lastEpoch);
      const readout = (await page.textContent('.trend-readout')) ?? '';
      assert(readout.startsWith(`epoch ${lastEpoch}: UA ${last.UA.toFixed(2)}`), `readout "${readout}"`);
      await page.keyboard.press('ArrowLeft');
      assert(
        ((await page.textContent('.trend-readout')) ?? '').startsWith(`epoch ${fx.trendEpochs[fx.trendEpochs.length - 2]}:`),
        'ArrowLeft moves to the previous epoch',
      );
      assertEqual(await page.locator('svg.trend-chart line.cursor').count(), 2, 'cursor line in both charts');
    },
  },
];
