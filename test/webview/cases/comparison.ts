// "Compare runs": the current run preselected under Retrain, more runs added, the best gap marked,
// and a run's links asking the host through the channel.
import type { Entry } from './case';
import type { Fixture } from '../fixture';
import { assert, assertEqual } from '../harness';

function unlearnedGap(run: Fixture['runs'][number]): number {
  const gap = run.rows.find((r) => r.role === 'unlearned')?.avgGap;
  if (gap === undefined) throw new Error(`run ${run.runId} has no unlearned row with an Avg. Gap`);
  return gap;
}

export const comparison: Entry[] = [
  {
    name: 'comparison: the current run preselected, Retrain first',
    async run({ panel, fx }) {
      const rows = await panel.page.$$eval('table.comparison tbody tr', (trs) => trs.map((tr) => ({
        run: (tr as HTMLElement).dataset.run ?? '', label: tr.querySelector('th')?.textContent ?? '',
      })));
      assertEqual(rows.length, 2, 'rows');
      assertEqual(rows[0].label, 'Retrain', 'first row');
      assertEqual(rows[1].run, fx.finished.result.runId, 'the current run');
    },
  },
  {
    name: 'comparison: adding runs lists them once under one Retrain, best gap marked',
    async run({ panel, fx }) {
      for (const run of fx.runs) {
        const box = panel.page.locator(`input[type="checkbox"][data-run="${run.runId}"]`);
        if (!(await box.isChecked())) await box.check();
      }
      const rows = await panel.page.$$eval('table.comparison tbody tr', (trs) => trs.map((tr) => ({
        cls: tr.className, run: (tr as HTMLElement).dataset.run ?? '', cells: [...tr.children].map((c) => c.textContent ?? ''),
      })));
      const retrains = new Set(fx.runs.map((r) => JSON.stringify(r.rows.find((x) => x.role === 'retrain')?.metrics)));
      assertEqual(rows.length, fx.runs.length + retrains.size, 'rows');
      assert(rows.slice(0, retrains.size).every((r) => r.cls.includes('row-retrain')), 'Retrain rows first');
      const best = rows.filter((r) => r.cls.split(' ').includes('best'));
      const bestRun = [...fx.runs].sort((a, b) => unlearnedGap(a) - unlearnedGap(b))[0];
      assertEqual(best.length, 1, 'best rows');
      assertEqual(best[0].run, bestRun.runId, 'best run');
      assertEqual(best[0].cells[7], unlearnedGap(bestRun).toFixed(2), 'best gap cell');
    },
  },
  {
    name: 'a run’s "saliency" link asks the host to load that run folder’s map',
    async run({ panel, fx }) {
      const run = fx.runs[fx.runs.length - 1];
      await panel.page.locator(`input[data-run="${run.runId}"] ~ button.link-button[data-link="saliency"]`).click();
      const [msg] = await panel.nthPosted('loadRunSaliency', 1);
      assertEqual(msg.runDir, run.dir, 'runDir');
    },
  },
];
