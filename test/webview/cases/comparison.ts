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
      const rows = await panel.page.$$eval('table.comparison tbody tr', (trs) =>
        trs.map((tr) => ({
          run: (tr as HTMLElement).dataset.run ?? '',
          label: tr.querySelector('th')?.textContent ?? '',
        })),
      );
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
      const rows = (await panel.page.$$eval('table.comparison tbody tr', (trs: Element[]) =>
        trs.map((tr) => ({
          cls: tr.className,
          run: (tr as HTMLElement).dataset.run ?? '',
          cells: [...tr.children].map((c) => c.textContent ?? ''),
        })),
      )) as { cls: string; run: string; cells: string[] }[];
      const retrains = new Set(fx.runs.map((r) => JSON.stringify(r.rows.find((x) => x.role === 'retrain')?.metrics)));
      assertEqual(rows.length, fx.runs.length + retrains.size, 'rows');
      assert(
        rows.slice(0, retrains.size).every((r) => r.cls.includes('row-retrain')),
        'Retrain rows first',
      );
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
      await panel.page.locator(`li:has(> input[data-run="${run.runId}"]) button.link-button[data-link="saliency"]`).click();
      const [msg] = await panel.nthPosted('loadRunSaliency', 1);
      assertEqual(msg.runDir, run.dir, 'runDir');
    },
  },
  {
    name: 'a run’s "config" link asks the host (getRunConfig) and lists the reply; an error reply is shown',
    async run({ panel, fx }) {
      const run = fx.runs[0];
      const link = panel.page.locator(`li:has(> input[data-run="${run.runId}"]) button.link-button[data-link="config"]`);
      await link.click();
      const [req] = await panel.nthPosted('getRunConfig', 1);
      assertEqual(req.runDir, run.dir, 'runDir');
      assert(Number.isSafeInteger(req.requestId), 'a request id');
      const config = { kind: 'run', method: run.method, saliency: { ratio: 0.5 }, unlearn: { epochs: 3, lr: 0.013 }, versions: { node: 'v20' } };
      await panel.reply(Number(req.requestId), { runId: run.runId, config });
      const shown = await until('the config listed', async () => {
        const pairs = await panel.page.$$eval(`input[data-run="${run.runId}"] ~ .run-config dl dt`, (dts) =>
          dts.map((dt) => `${dt.textContent ?? ''}=${dt.nextElementSibling?.textContent ?? ''}`),
        );
        return pairs.length ? pairs : undefined;
      });
      assertEqual(
        JSON.stringify(shown),
        JSON.stringify(['kind=run', `method=${run.method}`, 'saliency.ratio=0.5', 'unlearn.epochs=3', 'unlearn.lr=0.013']),
        'entries (versions left out)',
      );
      assertEqual(await link.getAttribute('aria-expanded'), 'true', 'aria-expanded');
      await link.click();
      assertEqual(await panel.page.locator(`input[data-run="${run.runId}"] ~ .run-config`).isHidden(), true, 'a second click folds it');
      await link.click();
      const [, again] = await panel.nthPosted('getRunConfig', 2);
      await panel.send({ type: 'reply', requestId: again.requestId, error: 'not a run folder of this workspace' });
      await until('the error shown', async () =>
        ((await panel.page.textContent(`input[data-run="${run.runId}"] ~ .run-config`)) ?? '').includes('No config: not a run folder of this workspace'),
      );
      await link.click();
    },
  },
  {
    name: 'runs against two Retrains: two labelled groups, ★ within each, a note, every run row names its model',
    async run({ panel, fx }) {
      assert(fx.runs.length >= 3, 'the recording needs three runs');
      const other = fx.runs[2];
      // The third run measured against another Retrain (another model): its own reference.
      const runs = fx.runs.map((r, i) =>
        i < 2
          ? { ...r, setting: { model: 'built-in CNN', forget: 'random 10% (seed 1)' } }
          : {
              ...r,
              setting: { model: 'my-model/model.json', forget: 'class 7' },
              rows: r.rows.map((x) => (x.role === 'retrain' ? { ...x, metrics: { ...x.metrics, UA: x.metrics.UA + 1 } } : x)),
            },
      );
      await panel.send({ type: 'runs', runs });
      const groups = await until('two groups', async () => {
        const g = await panel.page.$$eval('table.comparison tbody', (bodies) =>
          bodies.map((b) => ({
            head: b.querySelector('tr.group-head')?.textContent ?? '',
            runs: [...b.querySelectorAll('tr[data-run]')].map((tr) => (tr as HTMLElement).dataset.run ?? '').filter(Boolean),
            best: [...b.querySelectorAll('tr.best')].map((tr) => (tr as HTMLElement).dataset.run ?? ''),
            retrain: b.querySelector('tr.row-retrain th')?.textContent ?? '',
          })),
        );
        return g.length === 2 ? g : undefined;
      });
      assert(groups[0].head.includes('Retrain A') && groups[0].head.includes('built-in CNN'), `first group "${groups[0].head}"`);
      assert(groups[1].head.includes('Retrain B') && groups[1].head.includes('my-model/model.json'), `second group "${groups[1].head}"`);
      assertEqual(groups[0].retrain, 'Retrain A', 'first Retrain row');
      assertEqual(groups[1].retrain, 'Retrain B', 'second Retrain row');
      assertEqual(JSON.stringify(groups[1].runs), JSON.stringify([other.runId]), 'the other run alone in its group');
      const gaps = (ids: string[]): number[] => ids.map((id) => fx.runs.find((r) => r.runId === id)?.rows.find((x) => x.role === 'unlearned')?.avgGap ?? NaN);
      const bestA = fx.runs.slice(0, 2).sort((a, b) => gaps([a.runId])[0] - gaps([b.runId])[0])[0].runId;
      assertEqual(JSON.stringify(groups[0].best), JSON.stringify([bestA]), '★ of group A');
      assertEqual(JSON.stringify(groups[1].best), JSON.stringify([other.runId]), '★ of group B');
      const note = (await panel.page.textContent('#compare .warn-note')) ?? '';
      assert(note.includes('2 different Retrain references'), `note "${note}"`);
      const labels = await panel.page.$$eval('#compare .run-list li label', (ls) => ls.map((l) => l.textContent ?? ''));
      assert(
        labels.every((l, i) => l.includes(i < 2 ? 'built-in CNN' : 'my-model/model.json')),
        `run rows ${JSON.stringify(labels)}`,
      );
      await panel.send({ type: 'runs', runs: fx.runs });
      await until('one group again', async () => (await panel.page.locator('table.comparison tbody').count()) === 1);
    },
  },
];
