// What a job shows outside the panel (jobFeedback.ts, jobProgress.ts, backendLogLine.ts), driven in
// plain Node through a fake `vscode`: one progress (the whole job's as the job stamped it, in the status bar and the view),
// a notification at the start and one at the end, and one calm log line for the backend.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeHost, installFakeVscodeHost, resetFakeHost } from '../support/fakeVscode';
import type { JobOutcome } from '../../src/extension/api';
import type { JobEvent, JobKind, JobPhase } from '../../src/protocol/jobMessages';
import type { BackendInfo } from '../../src/protocol/results';
import { defaultRunConfig } from '../../src/protocol/defaults';
import { jobPlan } from '../../src/protocol/configKinds';
import { JobProgress } from '../../src/protocol/jobProgress';
import { backendLogLine } from '../../src/extension/jobs/backendLogLine';

installFakeVscodeHost();
// Required only now: the fake must be in place before jobFeedback loads `vscode`.
const { JobFeedback } = require('../../src/extension/jobs/jobFeedback') as typeof import('../../src/extension/jobs/jobFeedback');

const WASM_AFTER_AUTO: BackendInfo = {
  name: 'wasm',
  reason: 'auto: …; using wasm',
  detail: 'wasm SIMD, 1 thread',
  skipped: [
    {
      name: 'tensorflow-gpu',
      why: '@tensorflow/tfjs-node-gpu is not installed beside the engine (no SALUN_TFJS_NODE_DIR or native backend folder set): run the command "SalUn: Install Native TensorFlow Backend", …',
    },
    { name: 'webgpu', why: 'webgpu: Dawn found no GPU adapter (no Vulkan, Metal or Direct3D 12 driver)' },
    {
      name: 'tensorflow',
      why: '@tensorflow/tfjs-node is not installed beside the engine (no SALUN_TFJS_NODE_DIR or native backend folder set): run the command …',
    },
  ],
};

/** The events of an unlearning run of the user's own model.json (no θo training), Retrain trained, 5 epochs, as the job stamps them. */
function userModelRun(): JobEvent[] {
  const phase = (p: JobPhase, label = ''): JobEvent => ({ type: 'phase', phase: p, label });
  const steps = (p: JobPhase, total: number, n: number, epochOf?: (k: number) => number): JobEvent[] =>
    Array.from({ length: n }, (_, k) => ({ type: 'progress', phase: p, done: ((k + 1) * total) / n, total, epoch: epochOf?.(k), etaSeconds: 60 }));
  const config = {
    ...defaultRunConfig(),
    model: { kind: 'file' as const, path: 'model.json' },
    retrain: true,
    train: { ...defaultRunConfig().train, epochs: 12 },
  };
  const progress = new JobProgress(
    jobPlan({ type: 'start', kind: 'run', config: { ...config, unlearn: { ...config.unlearn, epochs: 5 } }, workspaceDir: '/ws' }),
  );
  const events: JobEvent[] = [
    { type: 'started', kind: 'run', runId: 'r1', runDir: '/ws/.salun/runs/r1', backend: WASM_AFTER_AUTO },
    phase('load', 'Loading data'),
    phase('load', 'Loading /ws/model.json'),
    phase('evaluate', 'Evaluating original'),
    phase('evaluate', 'Retrain-free verdict on original'),
    phase('retrain', 'Retrain: 12 epochs on 9000 samples'),
    ...steps('retrain', 12 * 9000, 12, (k) => k + 1),
    phase('evaluate', 'Evaluating retrain'),
    phase('evaluate', 'Retrain-free verdict on retrain'),
    phase('saliency', 'Saliency map'),
    phase('unlearn', 'SalUn, 5 epochs'),
    // Each epoch is evaluated inside the unlearning stage (no phase event of its own).
    ...steps('unlearn', 5, 5, (k) => k + 1),
    phase('evaluate', 'Retrain-free verdict on unlearned'),
    phase('write', 'Writing the run folder'),
  ];
  return events.map((e) => progress.stamp(e));
}

class FakeSupervisor {
  readonly listeners: { onEvent?(e: JobEvent): void; onJobStarted?(k: JobKind): void; onJobEnded?(o: JobOutcome): void }[] = [];
  kind: JobKind | undefined;
  runningKind: JobKind | undefined;
  subscribe(l: FakeSupervisor['listeners'][number]): { dispose(): void } {
    this.listeners.push(l);
    return {
      dispose: () => {
        this.listeners.splice(this.listeners.indexOf(l), 1);
      },
    };
  }
  play(kind: JobKind, events: JobEvent[], outcome: JobOutcome): void {
    this.kind = kind;
    this.runningKind = kind;
    for (const l of [...this.listeners]) l.onJobStarted?.(kind);
    for (const e of events) for (const l of [...this.listeners]) l.onEvent?.(e);
    this.runningKind = undefined;
    for (const l of [...this.listeners]) l.onJobEnded?.(outcome);
  }
}

class FakeLog {
  readonly info: string[] = [];
  readonly lines: { level: string; text: string }[] = [];
  constructor() {
    for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) {
      (this as unknown as Record<string, (t: string) => void>)[level] = (text: string): void => {
        this.lines.push({ level, text });
      };
    }
  }
  show(): void {
    /* nothing to show */
  }
}

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('job feedback: one meaning of progress', () => {
  beforeEach(() => resetFakeHost());

  it('shows progress in the status bar and the view, never as a long-lived notification; notifies at start and at the end', async () => {
    const supervisor = new FakeSupervisor();
    const log = new FakeLog();
    const feedback = new JobFeedback(supervisor as never, log as never);
    const status = fakeHost.statusItems[0];
    const texts: string[] = [];
    const events = userModelRun();
    supervisor.kind = 'run';
    supervisor.runningKind = 'run';
    for (const l of [...supervisor.listeners]) l.onJobStarted?.('run');
    for (const e of events) {
      for (const l of [...supervisor.listeners]) l.onEvent?.(e);
      texts.push(status.text);
    }
    await flush();
    assert.deepEqual(
      fakeHost.progress.map((r) => r.options.location),
      [{ viewId: 'salun.panel' }],
      'progress shown somewhere else than the view',
    );
    assert.ok(fakeHost.progress.every((r) => !r.options.cancellable));
    const percents = texts.map((t) => Number(/SalUn (\d+)%/.exec(t)?.[1]));
    assert.ok(
      percents.every((x) => Number.isFinite(x)),
      texts.join(' | '),
    );
    assert.ok(percents.at(-1)! > 95, texts.at(-1));
    // The view's bar reports the same whole-job percentage, in increments that add up to it.
    const increments = fakeHost.progress[0].reports.reduce((sum, r) => sum + (r.increment ?? 0), 0);
    assert.equal(increments, percents.at(-1));
    assert.equal(fakeHost.notifications.length, 1, 'one notification at the start');
    assert.match(fakeHost.notifications[0].text, /started/);

    fakeHost.click = (n) => (n.actions.includes('Open in SalUn View') && /finished/.test(n.text) ? 'Open in SalUn View' : undefined);
    supervisor.runningKind = undefined;
    const outcome: JobOutcome = {
      status: 'finished',
      events,
      result: { runId: 'r1', runDir: '/ws/.salun/runs/r1', backend: WASM_AFTER_AUTO, rows: [], report: '/ws/.salun/runs/r1/report.md' },
    };
    for (const l of [...supervisor.listeners]) l.onJobEnded?.(outcome);
    await flush();
    assert.equal(status.visible, false);
    assert.ok(fakeHost.progress[0].ended, "the view's progress did not end with the job");
    assert.equal(fakeHost.notifications.length, 2);
    assert.deepEqual(fakeHost.notifications[1].actions, ['Open Report', 'Open in SalUn View']);
    // Each button is named after the command it runs ("Show in Panel" ran "Open in Panel").
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string; title: string }[] };
    };
    const commandTitle = (id: string): string | undefined => manifest.contributes.commands.find((c) => c.command === id)?.title;
    assert.equal(commandTitle('salun.openRunInPanel'), 'Open in SalUn View');
    assert.ok(
      fakeHost.notifications[0].actions.every((a) => a === commandTitle('salun.openPanel')),
      fakeHost.notifications[0].actions.join(', '),
    );
    assert.deepEqual(fakeHost.executed.at(-1), { command: 'salun.openRunInPanel', args: ['/ws/.salun/runs/r1'] });
    feedback.dispose();
  });

  it("each kind's end says what it made: a generation job names its run and report, not a saliency map", async () => {
    const supervisor = new FakeSupervisor();
    const log = new FakeLog();
    const feedback = new JobFeedback(supervisor as never, log as never);
    const result = { runId: 'g1', runDir: '/ws/.salun/runs/g1', backend: WASM_AFTER_AUTO, rows: [], report: '/ws/.salun/runs/g1/report.md' };
    const saliency = { type: 'saliency', summary: { ratio: 0.5, gamma: 1e-3, totalWeights: 10, salientWeights: 5, layers: [] } } as unknown as JobEvent;
    supervisor.play('generation', [saliency], { status: 'finished', events: [saliency], result });
    await flush();
    const end = fakeHost.notifications.at(-1)!;
    assert.equal(end.text, 'SalUn generation unlearning g1 finished.');
    assert.deepEqual(end.actions, ['Open Report', 'Open in SalUn View']);
    supervisor.play('saliency', [saliency], { status: 'finished', events: [saliency] });
    await flush();
    assert.equal(fakeHost.notifications.at(-1)!.text, 'SalUn saliency map computed. 50.0% of weights are salient.');
    supervisor.play('grid', [], { status: 'finished', events: [], result: { ...result, runDir: '/ws/.salun/grids/x' } });
    await flush();
    assert.equal(fakeHost.notifications.at(-1)!.text, 'SalUn grid search written to /ws/.salun/grids/x');
    feedback.dispose();
  });

  it('logs the backend as one calm line, the missing native packages named with how to get a faster backend', () => {
    const supervisor = new FakeSupervisor();
    const log = new FakeLog();
    const feedback = new JobFeedback(supervisor as never, log as never);
    supervisor.play('run', [userModelRun()[0]], { status: 'cancelled', events: [] });
    const info = log.lines.filter((l) => l.level === 'info' && /backend|not installed|Cannot find/i.test(l.text));
    assert.equal(info.length, 1, info.map((l) => l.text).join('\n'));
    assert.equal(info[0].text, backendLogLine(WASM_AFTER_AUTO));
    assert.equal(
      info[0].text,
      'backend: wasm (wasm SIMD, 1 thread; native TensorFlow (CUDA) and TensorFlow (CPU) not installed — SalUn: Install Native TensorFlow Backend for a faster one; webgpu: Dawn found no GPU adapter (no Vulkan, Metal or Direct3D 12 driver))',
    );
    feedback.dispose();
  });

  it('a forced or first-choice backend says why in its one line', () => {
    assert.equal(backendLogLine({ name: 'cpu', reason: 'forced by configuration; cpu', detail: '' }), 'backend: cpu (forced by configuration; cpu)');
  });
});
