// One progress figure from one source: the job stamps the whole job's fraction and ETA
// on its phase and progress events (protocol/jobProgress.ts, from a plan of every job kind), and
// the status bar and the panel show those fields as they came. Fed with jobs recorded from
// dist/job.js (test/fixtures/job-progress.json, one of every kind) and with constructed ones.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installFakeVscodeHost } from '../support/fakeVscode';
import { parsedStartCommand, jobPlan } from '../../src/protocol/configKinds';
import { defaultGenerationConfig } from '../../src/protocol/generationConfig';
import { isJobEvent, type JobCommand, type JobEvent, type JobKind } from '../../src/protocol/jobMessages';
import { JobProgress, overallPercent, overallText } from '../../src/protocol/jobProgress';
import { JobStatus } from '../../src/extension/jobs/jobProgress';
import { progressLine, stateFromEvents } from '../../webview/panelState';

installFakeVscodeHost();
// Required only now: the fake must be in place before jobFeedback loads `vscode`.
const { statusText } = require('../../src/extension/jobs/jobFeedback') as typeof import('../../src/extension/jobs/jobFeedback');

type StartCommand = Extract<JobCommand, { type: 'start' }>;
type Timed = JobEvent & { t: number };
interface Recorded {
  name: string;
  kind: JobKind;
  config: unknown;
  events: Timed[];
}

const root = join(__dirname, '..', '..', '..');
const recorded = (JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'job-progress.json'), 'utf8')) as { jobs: Recorded[] }).jobs;

/** The recorded events as the job sends them today: stamped by the fold, its clock the recording's. */
function replay(job: Recorded): { events: JobEvent[]; progress: JobProgress } {
  let now = 0;
  const command = parsedStartCommand({ type: 'start', kind: job.kind, config: job.config, workspaceDir: '/ws' } as StartCommand);
  const progress = new JobProgress(jobPlan(command), () => now);
  const events = job.events.map(({ t, ...e }) => {
    now = t;
    return progress.stamp(e);
  });
  return { events, progress };
}

const shown = (events: readonly JobEvent[]): { fraction: number; etaSeconds?: number; event: JobEvent }[] =>
  events.flatMap((e) => ((e.type === 'phase' || e.type === 'progress') && e.overall ? [{ ...e.overall, event: e }] : []));

describe('job progress: one figure from the job', () => {
  it('has a recorded job of every kind', () => {
    assert.deepEqual([...new Set(recorded.map((j) => j.kind))].sort(), ['evaluate', 'generation', 'grid', 'run', 'saliency', 'table']);
  });

  for (const job of recorded) {
    it(`${job.name}: every phase and progress event carries the whole job's figure, which never goes back and ends at 100%`, () => {
      const { events, progress } = replay(job);
      const phaseEvents = events.filter((e) => e.type === 'phase' || e.type === 'progress');
      const figures = shown(events);
      assert.equal(figures.length, phaseEvents.length, 'an event without the figure');
      for (let i = 1; i < figures.length; i++) {
        assert.ok(
          figures[i].fraction >= figures[i - 1].fraction,
          `went back at ${i}: ${JSON.stringify(figures.slice(i - 1, i + 1).map((f) => [f.fraction, f.event]))}`,
        );
      }
      assert.ok(
        figures.every((f) => f.fraction < 1),
        'at 100% before the job finished',
      );
      assert.equal(events.at(-1)?.type, 'finished');
      assert.equal(progress.fraction, 1, 'not at 100% once finished');
      // The recording followed the plan: no stage it holds as certain was passed over.
      assert.deepEqual(progress.missed, [], `the plan of ${job.kind} no longer matches what the engine runs`);
      // It moves through the job, not at one end: the last phase starts past 80%, a middle event is between 5% and 95%.
      assert.ok(figures.at(-1)!.fraction > 0.8, `ends at ${figures.at(-1)!.fraction}`);
      assert.ok(
        figures.some((f) => f.fraction > 0.05 && f.fraction < 0.95),
        figures.map((f) => f.fraction.toFixed(2)).join(' '),
      );
      // The whole job's ETA, once past the start: finite, not negative, and shrinking to little at the end.
      const etas = figures.filter((f) => f.fraction >= 0.05).map((f) => f.etaSeconds);
      assert.ok(
        etas.every((x) => x !== undefined && Number.isFinite(x) && x >= 0),
        JSON.stringify(etas),
      );
      const total = (job.events.at(-1)!.t - job.events[0].t) / 1000;
      assert.ok(etas.at(-1)! < Math.max(2, total / 4), `ETA ${etas.at(-1)} s at the last phase of a ${total} s job`);
    });
  }

  it('a table counts its seeds × models: the second seed starts near half-way', () => {
    const job = recorded.find((j) => j.kind === 'table')!;
    const { events } = replay(job);
    const loads = shown(events).filter((f) => f.event.type === 'phase' && f.event.phase === 'load');
    assert.equal(loads.length, 2, 'two seeds, two loads');
    assert.ok(loads[1].fraction > 0.3 && loads[1].fraction < 0.7, `second seed at ${loads[1].fraction}`);
  });

  it('the generation demo on the shipped θo has a percentage and an ETA of the whole job, not of one phase', () => {
    const config = { ...defaultGenerationConfig(), original: { kind: 'file' as const, path: 'models/gen-demo/model.json' } };
    const plan = jobPlan({ type: 'start', kind: 'generation', config, workspaceDir: '/ws' });
    assert.ok(!plan.some((s) => s.phase === 'train-original'), 'a θo read from a file has no training stage');
    let now = 0;
    const progress = new JobProgress(plan, () => now);
    const phase = (p: JobEvent & { type: 'phase' }): JobEvent => progress.stamp(p);
    phase({ type: 'phase', phase: 'load', label: 'Loading data' });
    now = 20_000;
    // The judge trained under 'evaluate'; then θo sampled: its own ETA says seconds, the job's says minutes.
    phase({ type: 'phase', phase: 'evaluate', label: 'Judge classifier (cnn): 12 epochs on 6000 samples' });
    now = 60_000;
    phase({ type: 'phase', phase: 'sample', label: 'θo: 20 images per class, 20 DDIM steps' });
    now = 70_000;
    const e = progress.stamp({ type: 'progress', phase: 'sample', done: 100, total: 200, etaSeconds: 10 });
    assert.ok(e.type === 'progress' && e.overall);
    assert.ok(e.overall.fraction > 0.05 && e.overall.fraction < 0.3, `${e.overall.fraction}`);
    assert.ok(e.overall.etaSeconds! > 200, `the rest of the job (3 methods, 4 samplings) is minutes, not ${e.overall.etaSeconds} s`);
  });

  it('an unforeseen event never moves the figure back, and a repeated phase does not jump it ahead', () => {
    const config = { ...defaultGenerationConfig(), original: { kind: 'train' as const } };
    const progress = new JobProgress(jobPlan({ type: 'start', kind: 'generation', config, workspaceDir: '/ws' }));
    progress.stamp({ type: 'phase', phase: 'load', label: 'Loading data' });
    progress.stamp({ type: 'phase', phase: 'train-original', label: 'θo (DDPM): another job is training this model; waiting to reuse it' });
    const a = progress.fraction;
    // Waited, then trains it itself: the same stage, not the next of its phase.
    progress.stamp({ type: 'phase', phase: 'train-original', label: 'θo (DDPM): 5000 Adam steps of 64' });
    assert.equal(progress.fraction, a);
    progress.stamp({ type: 'progress', phase: 'train-original', done: 2500, total: 5000 });
    const half = progress.fraction;
    assert.ok(half > a);
    progress.stamp({ type: 'progress', phase: 'load', done: 1, total: 2 });
    progress.stamp({ type: 'phase', phase: 'load', label: 'Loading something else' });
    assert.ok(progress.fraction >= half, 'went back');
  });

  it('the event guard takes the figure and refuses a malformed one', () => {
    assert.ok(isJobEvent({ type: 'progress', phase: 'unlearn', done: 1, total: 4, overall: { fraction: 0.3, etaSeconds: 12 } }));
    assert.ok(isJobEvent({ type: 'phase', phase: 'unlearn', label: 'x' }), 'a log recorded before the figure existed');
    assert.ok(!isJobEvent({ type: 'phase', phase: 'unlearn', label: 'x', overall: { fraction: 'half' } }));
    assert.ok(!isJobEvent({ type: 'progress', phase: 'unlearn', done: 1, total: 4, overall: { fraction: 0.3, etaSeconds: null } }));
  });
});

describe('job progress: the status bar and the panel show the same number', () => {
  for (const job of recorded) {
    it(`${job.name}: after every event`, () => {
      const { events } = replay(job);
      const status = new JobStatus();
      let compared = 0;
      for (let i = 0; i < events.length - 1; i++) {
        const view = status.update(events[i]);
        const panel = stateFromEvents(events.slice(0, i + 1), true);
        if (!view || !panel.progress) continue;
        const bar = Number(/SalUn (\d+)%/.exec(statusText(view))?.[1]);
        const line = progressLine(panel.progress);
        const drawn = Number(/^(\d+)% of the job/.exec(line)?.[1]);
        assert.equal(drawn, bar, `event ${i}: status "${statusText(view)}", panel "${line}"`);
        // The panel's ETA is the job's, as the status bar's tooltip words it.
        assert.ok(line.startsWith(overallText(view.overall!)), `${line} | ${overallText(view.overall!)}`);
        compared++;
      }
      assert.ok(compared > 3, `compared only ${compared} times`);
    });
  }

  it('a log recorded before jobs sent the figure: the panel shows the phase count, no percentage of its own', () => {
    const fixture = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'panel-replay.json'), 'utf8')) as { events: JobEvent[] };
    const cut = fixture.events.findIndex((e) => e.type === 'progress' && e.phase === 'saliency');
    const s = stateFromEvents(fixture.events.slice(0, cut + 1), true);
    assert.ok(s.progress);
    assert.equal(s.progress.overall, undefined);
    assert.equal(progressLine(s.progress), 'this phase 128/1,000');
    assert.doesNotMatch(progressLine(s.progress), /%/);
  });

  it('the percentage is rounded down: 100% only once the job has finished', () => {
    assert.equal(overallPercent({ fraction: 0.999 }), 99);
    assert.equal(overallPercent({ fraction: 1 }), 100);
    assert.equal(overallText({ fraction: 0.42, etaSeconds: 6400 }), '42% of the job · about 1 h 46 min left');
    assert.equal(overallText({ fraction: 0.99, etaSeconds: 0.3 }), '99% of the job · almost done');
    assert.equal(overallText({ fraction: 0.003 }), '0% of the job', 'no ETA before 1% of the job');
  });
});
