// "Compare runs": the current run preselected under Retrain, more runs added, the best gap marked,
// and a run's links asking the host through the channel.
import type { Entry } from './case';
import type { Fixture } from '../fixture';
import { assert, assertEqual, until } from '../harness';

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
  {
    name: 'a run’s "config" link asks the host (getRunConfig) and lists the reply; an error reply is shown',
    async run({ panel, fx }) {
      const run = fx.runs[0];
      const link = panel.page.locator(`input[data-run="${run.runId}"] ~ button.link-button[data-link="config"]`);
      await link.click();
      const [req] = await panel.nthPosted('getRunConfig', 1);
      assertEqual(req.runDir, run.dir, 'runDir');
      assert(Number.isSafeInteger(req.requestId), 'a request id');
      const config = { kind: 'run', method: run.method, saliency: { ratio: 0.5 }, unlearn: { epochs: 3, lr: 0.013 }, versions: { node: 'v20' } };
      await panel.reply(Number(req.requestId), { runId: run.runId, config });
      const shown = await until('the config listed', async () => {
        const pairs = await panel.page.$$eval(`input[data-run="${run.runId}"] ~ .run-config dl dt`, (dts) => dts.map((dt) => `${dt.textContent ?? ''}=${dt.nextElementSibling?.textContent ?? ''}`));
        return pairs.length ? pairs : undefined;
      });
      assertEqual(JSON.stringify(shown), JSON.stringify(['kind=run', `method=${run.method}`, 'saliency.ratio=0.5', 'unlearn.epochs=3', 'unlearn.lr=0.013']), 'entries (versions left out)');
      assertEqual(await link.getAttribute('aria-expanded'), 'true', 'aria-expanded');
      await link.click();
      assertEqual(await panel.page.locator(`input[data-run="${run.runId}"] ~ .run-config`).isHidden(), true, 'a second click folds it');
      await link.click();
      const [, again] = await panel.nthPosted('getRunConfig', 2);
      await panel.send({ type: 'reply', requestId: again.requestId, error: 'not a run folder of this workspace' });
      await until('the error shown', async () => ((await panel.page.textContent(`input[data-run="${run.runId}"] ~ .run-config`)) ?? '').includes('No config: not a run folder of this workspace'));
      await link.click();
    },
  },
];
