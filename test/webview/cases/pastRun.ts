// "Open in Panel" on a past run: its metric trend replaces the live job's, survives reloads and live
// events, and gives way to "Show live trends" or a new job.
import type { Ctx, Entry } from './case';
import { METRICS } from '../fixture';
import type { Posted } from '../panelPage';
import { assert, assertEqual, mean, sleep, until } from '../harness';
import { PERSIST_WAIT_MS } from './reload';

interface DrawnPoint {
  epoch: number;
  title: string;
}

/** The trend charts as drawn: per metric the epochs and the value in each point's tooltip. */
function drawnTrend({ panel }: Ctx): Promise<Record<string, DrawnPoint[]> | undefined> {
  return panel.page.evaluate(
    (metrics) => {
      const chart = document.querySelector('#trend:not([hidden]) svg.trend-chart:not(.gap-chart)');
      if (!chart) return undefined;
      const out: Record<string, { epoch: number; title: string }[]> = {};
      for (const m of metrics) {
        out[m] = [...chart.querySelectorAll<SVGCircleElement>(`circle[data-series="${m}"]`)].map((c) => ({
          epoch: Number(c.dataset.epoch),
          title: c.querySelector('title')?.textContent ?? '',
        }));
      }
      return out;
    },
    [...METRICS],
  );
}

interface TrendSource {
  sectionHidden: boolean;
  source?: string;
  label: string;
  liveButton: boolean;
}

function trendSource({ panel }: Ctx): Promise<TrendSource> {
  return panel.page.evaluate(() => {
    const section = document.querySelector<HTMLElement>('#trend');
    const src = document.querySelector<HTMLElement>('#trend .trend-source');
    const live = document.querySelector<HTMLElement>('#trend vscode-button[data-action="showLiveTrend"]');
    return {
      sectionHidden: section?.hidden ?? true,
      source: src?.dataset.source,
      label: src?.querySelector('.trend-source-label')?.textContent ?? '',
      liveButton: !!live && !live.hidden && live.getBoundingClientRect().width > 0,
    };
  });
}

async function assertLivePoints(ctx: Ctx, what: string): Promise<void> {
  const drawn = await drawnTrend(ctx);
  assert(drawn, `${what}: no trend chart`);
  for (const m of METRICS) assertEqual(JSON.stringify(drawn[m].map((p) => p.epoch)), JSON.stringify(ctx.fx.trendEpochs), `${what}: live ${m} epochs`);
}

async function readyAfterReload(ctx: Ctx): Promise<Posted> {
  await ctx.panel.reload();
  return until("'ready'", async () => (await ctx.panel.postedOfType('ready'))[0]);
}

export const pastRun: Entry[] = [
  {
    name: 'the trend is labelled as the live job’s, with no "Show live trends" button',
    async run(ctx) {
      const src = await trendSource(ctx);
      assertEqual(src.source, 'live', 'data-source');
      assert(src.label.startsWith('Live: current job') && src.label.includes(ctx.fx.finished.result.runId), `label "${src.label}"`);
      assert(!src.liveButton, 'the "Show live trends" button is shown in live mode');
    },
  },
  {
    name: 'a past run (runTrend) draws exactly the points of its metrics.jsonl, labelled with its run id',
    async run(ctx) {
      const { panel, fx, artifacts } = ctx;
      const { pastTrend, pastPoints, pastRetrain } = fx;
      assert(pastPoints.length > 0, 'the fixture’s past run has no unlearned lines');
      if (pastPoints.length === fx.trendEpochs.length)
        console.log('      (note: the past run has as many epochs as the live job; re-record with another run to tell them apart by count)');
      await panel.send(pastTrend);
      await until('the past run’s trend', async () => (await trendSource(ctx)).source === 'run');
      const src = await trendSource(ctx);
      assert(src.label.includes(`Run ${pastTrend.runId}`) && /\((finished|stopped|failed|cancelled)/.test(src.label), `label "${src.label}"`);
      assert(src.liveButton, 'no visible "Show live trends" button');
      const drawn = await drawnTrend(ctx);
      assert(drawn, 'no trend chart');
      for (const m of METRICS) {
        assertEqual(JSON.stringify(drawn[m].map((p) => p.epoch)), JSON.stringify(pastPoints.map((p) => p.epoch)), `${m} epochs`);
        drawn[m].forEach((p, i) =>
          assert(
            p.title.includes(`${m} ${pastPoints[i][m].toFixed(2)}%`) && p.title.includes(`Retrain ${pastRetrain[m].toFixed(2)}%`),
            `${m} at epoch ${p.epoch}: "${p.title}"`,
          ),
        );
        const ref = (await panel.page.textContent(`svg.trend-chart line.ref-retrain[data-series="${m}"] title`)) ?? '';
        assert(ref.includes(pastRetrain[m].toFixed(2)), `Retrain ${m} line "${ref}"`);
      }
      const gaps = await panel.page.$$eval('svg.gap-chart circle[data-series="gap"] title', (ts) => ts.map((t) => t.textContent ?? ''));
      assertEqual(gaps.length, pastPoints.length, 'Avg. Gap points');
      gaps.forEach((title, i) => {
        const gap = mean(METRICS.map((m) => Math.abs(pastPoints[i][m] - pastRetrain[m])));
        assert(title.includes(gap.toFixed(2)), `gap at epoch ${pastPoints[i].epoch}: "${title}"`);
      });
      await panel.page.locator('#trend').screenshot({ path: `${artifacts}/panel-past-run.png` });
    },
  },
  {
    name: 'Open in Panel switches the Results table to the opened run too, labelled, and scrolls what changed into view',
    async run(ctx) {
      const { panel, fx } = ctx;
      const past = fx.runs.find((r) => r.runId === fx.pastTrend.runId);
      assert(past, 'the recording lists no run for the past trend');
      // As the host's showRun does: the run list (re-read), then the run's trend (sent by the case before).
      await panel.send({ type: 'runs', runs: fx.runs });
      const results = await until('results of the past run', async () => {
        const r = await panel.page.evaluate(() => {
          const s = document.querySelector<HTMLElement>('#results');
          return { source: s?.dataset.source, run: s?.dataset.run, label: s?.querySelector('.results-source')?.textContent ?? '' };
        });
        return r.source === 'run' ? r : undefined;
      });
      assertEqual(results.run, past.runId, 'results run');
      assert(results.label.includes(past.runId), `results label "${results.label}"`);
      // The label can switch a frame before the rows are drawn: wait for the rows, then compare.
      const readRows = (): Promise<string[][]> =>
        panel.page.$$eval('#results tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
      const rows = await until("the past run's rows in the Results table", async () => {
        const r = await readRows();
        return r.length === past.rows.length ? r : undefined;
      }).catch(async (e: unknown) => {
        throw new Error(`rows of the past run: expected ${past.rows.length}, got ${(await readRows()).length} (${e instanceof Error ? e.message : String(e)})`);
      });
      past.rows.forEach((r, i) => assertEqual(rows[i][6], (r.avgGap ?? NaN).toFixed(2), `${r.role} Avg. Gap`));
      // The host's focusRun follows: the panel must not scroll away to the comparison at the bottom.
      await panel.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await panel.send({ type: 'focusRun', runId: past.runId });
      await panel.frame();
      await panel.frame();
      const top = await panel.page.evaluate(() => document.querySelector('#trend')?.getBoundingClientRect().top ?? NaN);
      const height = await panel.page.evaluate(() => window.innerHeight);
      assert(top >= -1 && top < height / 2, `the trend section's top is at ${top} px of a ${height} px view`);
      assert(await panel.page.locator(`#compare input[data-run="${past.runId}"]`).isChecked(), 'the run is selected in the comparison');
    },
  },
  {
    name: 'live events keep the past run in view; its trend survives a reload, and the panel names it in ready',
    async run(ctx) {
      const { panel, fx } = ctx;
      // A live event (the host's job log) must not pull the charts away from the run the user opened.
      await panel.send({ type: 'event', event: { type: 'log', level: 'info', message: 'a live event while a past run is shown' } });
      await panel.frame();
      assertEqual((await trendSource(ctx)).source, 'run', 'after a live event');
      await sleep(PERSIST_WAIT_MS);
      assertEqual((await panel.saved())?.runTrend?.runId, fx.pastTrend.runId, 'saved with setState');
      const ready = await readyAfterReload(ctx);
      assertEqual(ready.trendRunDir, fx.pastTrend.runDir, 'ready names the past run');
      const src = await trendSource(ctx);
      assertEqual(src.source, 'run', 'drawn from the saved state');
      assert(src.label.includes(fx.pastTrend.runId), `label after the reload "${src.label}"`);
      const drawn = await drawnTrend(ctx);
      assert(drawn, 'no trend chart after the reload');
      assertEqual(JSON.stringify(drawn.UA.map((p) => p.epoch)), JSON.stringify(fx.pastPoints.map((p) => p.epoch)), 'UA epochs after the reload');
      // What the host then sends: the replay of its job log, and (still showing it) the run's trend.
      await panel.send({ type: 'replay', events: fx.events, jobRunning: false });
      await panel.send(fx.scores);
      await panel.send({ type: 'runs', runs: fx.runs });
      await panel.send(fx.pastTrend);
      await panel.frame();
      await panel.frame();
      assertEqual((await trendSource(ctx)).source, 'run', 'after the host’s replay and runTrend');
    },
  },
  {
    name: '"Show live trends" restores the live points, tells the host, and is kept across a reload',
    async run(ctx) {
      const { panel } = ctx;
      await panel.page.click('#trend vscode-button[data-action="showLiveTrend"]');
      await panel.nthPosted('showLiveTrend', 1);
      assertEqual((await panel.postedOfType('showLiveTrend')).length, 1, 'showLiveTrend messages');
      await until('the live trend', async () => (await trendSource(ctx)).source === 'live');
      const src = await trendSource(ctx);
      assert(src.label.startsWith('Live: current job'), `label "${src.label}"`);
      assert(!src.liveButton, 'the "Show live trends" button stays after switching');
      await assertLivePoints(ctx, 'after Show live trends');
      assertEqual(await panel.page.getAttribute('#results', 'data-source'), 'live', 'the results follow back to the live job');
      await sleep(PERSIST_WAIT_MS);
      const ready = await readyAfterReload(ctx);
      assertEqual(ready.trendRunDir, undefined, 'ready names no past run');
      assertEqual((await trendSource(ctx)).source, 'live', 'live after the reload');
      await assertLivePoints(ctx, 'after the reload');
    },
  },
  {
    name: 'a new job switches the charts back to live',
    async run(ctx) {
      const { panel, fx } = ctx;
      await panel.send(fx.pastTrend);
      await until('the past run’s trend', async () => (await trendSource(ctx)).source === 'run');
      const started = fx.events.find((e) => e.type === 'started');
      assert(started, 'the recording has no started event');
      await panel.send({ type: 'event', event: { ...started, runId: `${started.runId}-next`, runDir: `${started.runDir}-next` } });
      await panel.frame();
      await panel.frame();
      const src = await trendSource(ctx);
      // The new job has no epochs yet: the section waits for its first one.
      assert(src.sectionHidden || src.source === 'live', `after a job started: ${JSON.stringify(src)}`);
      assertEqual(
        await panel.page.evaluate(() => document.querySelectorAll('#trend:not([hidden]) svg.trend-chart circle[data-series="UA"]').length),
        0,
        'no past points shown',
      );
      await panel.send({ type: 'replay', events: fx.events, jobRunning: false });
      await until('the live trend', async () => (await trendSource(ctx)).source === 'live');
      await assertLivePoints(ctx, 'after the replay');
    },
  },
  {
    name: 'a malformed runTrend is ignored and logged',
    async run(ctx) {
      const { panel, fx } = ctx;
      const before = (await panel.warnings()).length;
      await panel.send({ ...fx.pastTrend, points: [{ epoch: 1, metrics: { UA: 'x' } }] });
      await panel.frame();
      const warnings = await panel.warnings();
      assert(
        warnings.length === before + 1 && /ignored an unexpected message/.test(warnings.at(-1) ?? ''),
        `warnings: ${JSON.stringify(warnings.slice(before))}`,
      );
      assertEqual((await trendSource(ctx)).source, 'live', 'still live');
    },
  },
];
