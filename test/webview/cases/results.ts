// The metric trends and the results table of the replayed job.
import type { Entry } from './case';
import { METRICS } from '../fixture';
import { assert, assertEqual, mean } from '../harness';
import { TERMS } from '../../../src/protocol/terms';

export const results: Entry[] = [
  {
    name: 'trend chart: one point per epoch per series, Retrain reference lines, Avg. Gap chart',
    async run({ panel, fx }) {
      const { page } = panel;
      for (const m of METRICS) {
        assertEqual(await page.locator(`svg.trend-chart:not(.gap-chart) circle[data-series="${m}"]`).count(), fx.trendEpochs.length, `${m} points`);
        assertEqual(await page.locator(`svg.trend-chart line.ref-retrain[data-series="${m}"]`).count(), 1, `Retrain ${m} line`);
      }
      assertEqual(await page.locator('svg.gap-chart circle[data-series="gap"]').count(), fx.trendEpochs.length, 'Avg. Gap points');
      const lastEpoch = fx.trendEpochs[fx.trendEpochs.length - 1];
      const last = fx.metricsAt(lastEpoch);
      const retrain = fx.retrainRow.metrics;
      const gap = mean(METRICS.map((m) => Math.abs(last[m] - retrain[m])));
      const title = (await page.textContent(`svg.gap-chart circle[data-epoch="${lastEpoch}"] title`)) ?? '';
      assert(title.includes(gap.toFixed(2)), `gap point title "${title}" lacks ${gap.toFixed(2)}`);
      const uaTitle = (await page.textContent(`svg.trend-chart circle[data-series="UA"][data-epoch="${lastEpoch}"] title`)) ?? '';
      assert(uaTitle.includes(last.UA.toFixed(2)) && uaTitle.includes(`Retrain ${retrain.UA.toFixed(2)}`), `UA point title "${uaTitle}"`);
    },
  },
  {
    name: 'results: the final rows with their Avg. Gap',
    async run({ panel, fx }) {
      const rows = await panel.page.$$eval('#results tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
      const finalRows = fx.finished.result.rows;
      assertEqual(rows.length, finalRows.length, 'result rows');
      const u = finalRows.find((r) => r.role === 'unlearned');
      assert(u?.avgGap !== undefined, 'the recording has no unlearned row with an Avg. Gap');
      assertEqual(rows[2][6], u.avgGap.toFixed(2), 'SalUn Avg. Gap');
      // The shorthand the table and its rows use is glossed beside it, in the same words as the New Run flow.
      const note = (await panel.page.textContent('#results .terms-note')) ?? '';
      for (const t of Object.values(TERMS)) assert(note.includes(`${t.short}: ${t.gloss}`), `the results' legend "${note}" lacks ${t.short}`);
    },
  },
  {
    name: 'the run folder is shown relative to the workspace (.salun/runs/<id>), the full path in its tooltip',
    async run({ panel, fx }) {
      const runDir = fx.finished.result.runDir;
      const shown = await panel.page.$eval('.outcome .run-folder', (d) => ({ text: d.textContent ?? '', title: (d as HTMLElement).title }));
      assertEqual(shown.text, `.salun/runs/${fx.finished.result.runId}`, 'run folder shown');
      assertEqual(shown.title, runDir, 'tooltip');
      const status = (await panel.page.textContent('section.status')) ?? '';
      assert(!status.includes(runDir), `the status still prints the absolute path ${runDir}`);
    },
  },
];
