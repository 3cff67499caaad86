// The panel's progress: the whole job's percentage and ETA exactly as the job stamped
// them on its events, the number the status bar shows, with the phase's own count as detail; a
// generation job has one. A log recorded before jobs sent the figure shows the count, no percentage.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parsedStartCommand, jobPlan } from '../../../src/protocol/configKinds';
import type { JobCommand, JobEvent, JobKind, OverallProgress } from '../../../src/protocol/jobMessages';
import { JobProgress, overallPercent } from '../../../src/protocol/jobProgress';
import type { Ctx, Entry } from './case';
import { assert, assertEqual, until } from '../harness';

interface Recorded {
  name: string;
  kind: JobKind;
  config: unknown;
  events: (JobEvent & { t: number })[];
}

/** The recorded generation job as the job sends it: stamped by the job's own fold, on the recording's clock. */
function generationEvents(ctx: Ctx): JobEvent[] {
  const root = dirname(dirname(ctx.artifacts));
  const jobs = (JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'job-progress.json'), 'utf8')) as { jobs: Recorded[] }).jobs;
  const job = jobs.find((j) => j.kind === 'generation');
  assert(job, 'no recorded generation job');
  let now = 0;
  const command = parsedStartCommand({ type: 'start', kind: job.kind, config: job.config, workspaceDir: '/ws' } as Extract<JobCommand, { type: 'start' }>);
  const progress = new JobProgress(jobPlan(command), () => now);
  return job.events.map(({ t, ...e }) => {
    now = t;
    return progress.stamp(e);
  });
}

async function drawn(ctx: Ctx): Promise<{ text: string; barHidden: boolean; valueNow: string | null; width: string }> {
  return ctx.panel.page.$eval('section.status', (s) => {
    const bar = s.querySelector<HTMLElement>('.progress.bar-track');
    return {
      text: s.querySelector('.progress-text')?.textContent ?? '',
      barHidden: !bar || bar.hidden,
      valueNow: bar?.getAttribute('aria-valuenow') ?? null,
      width: bar?.querySelector<HTMLElement>('.bar-fill')?.style.width ?? '',
    };
  });
}

export const progress: Entry[] = [
  {
    name: "progress: a generation job shows the whole job's percentage and ETA as the job sent them, with the phase's count as detail",
    async run(ctx) {
      const events = generationEvents(ctx);
      const cut = events.findIndex((e) => e.type === 'progress' && e.phase === 'unlearn');
      assert(cut > 0, 'no unlearning progress in the recording');
      const last = events[cut];
      assert(last.type === 'progress' && last.overall, 'the recorded event carries no figure');
      await ctx.panel.send({ type: 'replay', events: events.slice(0, cut + 1), jobRunning: true });
      const pct = overallPercent(last.overall);
      const d = await until('the progress line', async () => {
        const x = await drawn(ctx);
        return x.text.startsWith(`${pct}% of the job`) && x;
      });
      assert(!d.barHidden, 'the bar is hidden');
      assertEqual(d.valueNow, String(pct), 'aria-valuenow');
      assertEqual(d.width, `${pct}%`, 'bar width');
      assert(/ · about .+ left · this phase \d+\/\d+$/.test(d.text), `"${d.text}"`);
    },
  },
  {
    name: "progress: a live event moves the figure to the job's value; the phase's own ETA is not shown",
    async run(ctx) {
      const overall: OverallProgress = { fraction: 0.874, etaSeconds: 6400 };
      await ctx.panel.send({ type: 'event', event: { type: 'progress', phase: 'unlearn', done: 3, total: 6, etaSeconds: 2, overall } });
      const d = await until('87%', async () => {
        const x = await drawn(ctx);
        return x.text.startsWith('87% of the job') && x;
      });
      assertEqual(d.text, '87% of the job · about 1 h 46 min left · this phase 3/6', 'progress line');
      assertEqual(d.valueNow, '87', 'aria-valuenow');
    },
  },
  {
    name: 'progress: a log recorded before jobs sent the figure shows the phase count and no percentage',
    async run(ctx) {
      const cut = ctx.fx.events.findIndex((e) => e.type === 'progress' && e.phase === 'saliency');
      await ctx.panel.send({ type: 'replay', events: ctx.fx.events.slice(0, cut + 1), jobRunning: true });
      const d = await until('the phase count', async () => {
        const x = await drawn(ctx);
        return x.text.startsWith('this phase') && x;
      });
      assertEqual(d.text, 'this phase 128/1,000', 'progress line');
      assert(d.barHidden, 'a bar without a figure to fill');
    },
  },
  {
    setup: 'the host replays the recorded job again, finished',
    async run({ panel, fx }) {
      await panel.send({ type: 'replay', events: fx.events, jobRunning: false });
      await panel.send(fx.scores);
      await panel.frame();
    },
  },
];
