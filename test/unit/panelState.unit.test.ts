// The panel's state is a pure fold over the job's event log: a recorded stream must yield the
// same bars, trend points and rows whether it arrives live or as one replay.
import * as assert from 'node:assert/strict';
import type { JobEvent } from '../../src/protocol/jobMessages';
import type { EvaluatedModel } from '../../src/protocol/results';
import type { PanelState } from '../../webview/panelState';
import { applyHostMessage, initialPanelState, progressLine, reducePanel, stateFromEvents } from '../../webview/panelState';
import { AUTO_ON_GPU } from './backendFixtures';

const backend = { name: 'wasm' as const, reason: 'tensorflow-gpu: no CUDA; tensorflow: not installed', detail: 'wasm SIMD, 1 thread' };

const original: EvaluatedModel = { role: 'original', method: 'original', metrics: { UA: 0.2, RA: 100, TA: 90.1, MIA: 99.5 }, seconds: 41.2 };
const retrain: EvaluatedModel = { role: 'retrain', method: 'retrain', metrics: { UA: 9.8, RA: 100, TA: 89.6, MIA: 18.3 }, seconds: 38.7 };
const unlearned: EvaluatedModel = { role: 'unlearned', method: 'salun', metrics: { UA: 8.9, RA: 98.7, TA: 88.2, MIA: 21.4 }, avgGap: 1.65, seconds: 6.1 };

/** A recorded run: what a job emits for a small SalUn run. */
const recorded: JobEvent[] = [
  { type: 'started', kind: 'run', runId: '2024-demo-1', runDir: '/ws/.salun/runs/2024-demo-1', backend },
  { type: 'phase', phase: 'load', label: 'Loading Fashion-MNIST subset' },
  { type: 'progress', phase: 'load', done: 1, total: 1 },
  { type: 'phase', phase: 'train-original', label: 'Training the original model' },
  { type: 'progress', phase: 'train-original', done: 10, total: 40, etaSeconds: 30, epoch: 1 },
  { type: 'evaluated', row: original },
  { type: 'phase', phase: 'retrain', label: 'Retraining on Dr' },
  { type: 'evaluated', row: retrain },
  { type: 'phase', phase: 'saliency', label: 'Computing the saliency map' },
  {
    type: 'saliency',
    summary: {
      ratio: 0.5,
      gamma: 0.000123,
      totalWeights: 1000,
      salientWeights: 500,
      layers: [
        { name: 'conv2d_1/kernel', shape: [3, 3, 1, 8], count: 72, salient: 60, salientFraction: 60 / 72, minScore: 1e-6, medianScore: 2e-4, maxScore: 3e-2 },
        { name: 'dense_1/kernel', shape: [900, 1], count: 900, salient: 420, salientFraction: 420 / 900, minScore: 0, medianScore: 1e-4, maxScore: 1e-2 },
        { name: 'dense_1/bias', shape: [28], count: 28, salient: 20, salientFraction: 20 / 28, minScore: 1e-5, medianScore: 3e-4, maxScore: 5e-3 },
      ],
    },
  },
  { type: 'phase', phase: 'unlearn', label: 'Unlearning with SalUn' },
  { type: 'metrics', role: 'unlearned', method: 'salun', epoch: 0, metrics: { UA: 0.2, RA: 100, TA: 90.1, MIA: 99.5 } },
  { type: 'progress', phase: 'unlearn', done: 1, total: 3, etaSeconds: 4, epoch: 1 },
  { type: 'metrics', role: 'unlearned', method: 'salun', epoch: 2, metrics: { UA: 12.1, RA: 97.9, TA: 87.5, MIA: 30.2 } },
  { type: 'metrics', role: 'unlearned', method: 'salun', epoch: 1, metrics: { UA: 6.4, RA: 99.2, TA: 89.0, MIA: 45.0 } },
  // A re-evaluation of the same epoch replaces the point rather than adding one.
  { type: 'metrics', role: 'unlearned', method: 'salun', epoch: 2, metrics: { UA: 8.9, RA: 98.7, TA: 88.2, MIA: 21.4 } },
  // Training-time metrics of other roles are not the unlearned model's trend.
  { type: 'metrics', role: 'retrain', method: 'retrain', epoch: 1, metrics: { UA: 50, RA: 50, TA: 50, MIA: 50 } },
  { type: 'log', level: 'info', message: 'epoch 2 done' },
  { type: 'log', level: 'warn', message: 'wasm threads unavailable' },
  { type: 'phase', phase: 'evaluate', label: 'Evaluating' },
  { type: 'evaluated', row: unlearned },
  { type: 'phase', phase: 'write', label: 'Writing the run folder' },
  {
    type: 'finished',
    result: { runId: '2024-demo-1', runDir: '/ws/.salun/runs/2024-demo-1', backend, rows: [original, retrain, unlearned] },
  },
];

function foldLive(events: readonly JobEvent[]): PanelState {
  return events.reduce((s, event) => applyHostMessage(s, { type: 'event', event }), initialPanelState());
}

describe('panel state reducer', () => {
  it('starts empty', () => {
    const s = initialPanelState();
    assert.equal(s.eventCount, 0);
    assert.equal(s.jobRunning, false);
    assert.deepEqual(s.rows, []);
    assert.deepEqual(s.trend, []);
  });

  it('yields one bar per layer with its salient fraction, counts and score range', () => {
    const s = stateFromEvents(recorded, false);
    assert.ok(s.saliency);
    assert.equal(s.saliency.ratio, 0.5);
    assert.equal(s.saliency.gamma, 0.000123);
    assert.equal(s.saliency.salientShare, 0.5);
    assert.deepEqual(
      s.saliency.layers.map((l) => [l.name, l.count, l.salient, Number(l.fraction.toFixed(4))]),
      [
        ['conv2d_1/kernel', 72, 60, 0.8333],
        ['dense_1/kernel', 900, 420, 0.4667],
        ['dense_1/bias', 28, 20, 0.7143],
      ],
    );
    assert.deepEqual(s.saliency.layers[0], {
      name: 'conv2d_1/kernel',
      shape: [3, 3, 1, 8],
      count: 72,
      salient: 60,
      fraction: 60 / 72,
      minScore: 1e-6,
      medianScore: 2e-4,
      maxScore: 3e-2,
    });
  });

  it('yields the unlearned trend sorted by epoch, one point per epoch, latest value wins', () => {
    const s = stateFromEvents(recorded, false);
    assert.deepEqual(
      s.trend.map((p) => p.epoch),
      [0, 1, 2],
    );
    assert.deepEqual(
      s.trend.map((p) => p.metrics.UA),
      [0.2, 6.4, 8.9],
    );
    assert.deepEqual(s.trend[2].metrics, { UA: 8.9, RA: 98.7, TA: 88.2, MIA: 21.4 });
    assert.equal(s.trendMethod, 'salun');
  });

  it('yields the evaluated rows once each, and Original/Retrain as reference lines', () => {
    const s = stateFromEvents(recorded, false);
    assert.deepEqual(s.rows, [original, retrain, unlearned]);
    assert.deepEqual(s.references.original, original.metrics);
    assert.deepEqual(s.references.retrain, retrain.metrics);
  });

  it('tracks the job: backend, outcome, warnings, not running after finished', () => {
    const s = stateFromEvents(recorded, false);
    assert.equal(s.kind, 'run');
    assert.equal(s.runDir, '/ws/.salun/runs/2024-demo-1');
    assert.deepEqual(s.backend, backend);
    assert.deepEqual(s.outcome, { status: 'finished' });
    assert.equal(s.progress, undefined);
    assert.deepEqual(s.warnings, [{ level: 'warn', message: 'wasm threads unavailable' }]);
    assert.equal(s.jobRunning, false);
    assert.equal(s.eventCount, recorded.length);
  });

  it('shows phase progress mid-run', () => {
    const cut = recorded.findIndex((e) => e.type === 'progress' && e.phase === 'unlearn');
    const s = stateFromEvents(recorded.slice(0, cut + 1), true);
    assert.equal(s.jobRunning, true);
    assert.equal(s.phase, 'unlearn');
    assert.equal(s.phaseLabel, 'Unlearning with SalUn');
    assert.ok(s.progress);
    // Recorded before jobs stamped the whole job's figure: the phase's count, and no percentage of the panel's own making.
    assert.equal(s.progress.overall, undefined);
    assert.deepEqual(s.progress.step, { phase: 'unlearn', done: 1, total: 3, epoch: 1 });
    assert.equal(progressLine(s.progress), 'this phase 1/3 · epoch 1');
    // A new phase clears the previous phase's count.
    const next = reducePanel(s, { type: 'phase', phase: 'evaluate', label: 'Evaluating' });
    assert.equal(next.progress, undefined);
  });

  it("shows the whole job's figure as the job sent it, kept across a phase change until the next", () => {
    let s = stateFromEvents(recorded.slice(0, 1), true);
    s = reducePanel(s, { type: 'phase', phase: 'saliency', label: 'Saliency map', overall: { fraction: 0.42, etaSeconds: 190 } });
    assert.deepEqual(s.progress, { overall: { fraction: 0.42, etaSeconds: 190 } });
    assert.equal(progressLine(s.progress), '42% of the job · about 3 min 10 s left');
    s = reducePanel(s, { type: 'progress', phase: 'saliency', done: 384, total: 1000, etaSeconds: 2, overall: { fraction: 0.436, etaSeconds: 180 } });
    // The phase's own ETA (2 s) is not shown: one ETA, the whole job's.
    assert.equal(progressLine(s.progress!), '43% of the job · about 3 min 00 s left · this phase 384/1,000');
    s = reducePanel(s, { type: 'phase', phase: 'unlearn', label: 'SalUn: 4 epochs' });
    assert.deepEqual(s.progress, { overall: { fraction: 0.436, etaSeconds: 180 } }, 'a phase event without the figure keeps the last one');
  });

  it('draws the same from a replay as from the live stream', () => {
    const live = foldLive(recorded);
    const replayed = applyHostMessage(initialPanelState(), { type: 'replay', events: recorded, jobRunning: false });
    assert.deepEqual(replayed, live);
  });

  it('fills rows and saliency from the final result when the stream missed them', () => {
    const s = stateFromEvents([recorded[0], recorded[recorded.length - 1]], false);
    assert.deepEqual(
      s.rows.map((r) => r.role),
      ['original', 'retrain', 'unlearned'],
    );
    assert.deepEqual(s.references.retrain, retrain.metrics);
    assert.equal(s.eventCount, 2);
  });

  it("keeps a webgpu job's adapter and the backends auto skipped, live and from a replay", () => {
    const started = { type: 'started' as const, kind: 'run' as const, runId: 'g1', runDir: '/ws/.salun/runs/g1', backend: AUTO_ON_GPU };
    const live = reducePanel(initialPanelState(), started);
    assert.deepEqual(live.backend?.adapter, AUTO_ON_GPU.adapter);
    assert.deepEqual(live.backend?.skipped, AUTO_ON_GPU.skipped);
    assert.deepEqual(applyHostMessage(initialPanelState(), { type: 'replay', events: [started], jobRunning: true }).backend, AUTO_ON_GPU);
  });

  it('a new started event discards the previous job', () => {
    const s = reducePanel(stateFromEvents(recorded, false), { type: 'started', kind: 'saliency', runId: 'r2', runDir: '/ws/.salun/runs/r2', backend });
    assert.equal(s.kind, 'saliency');
    assert.equal(s.saliency, undefined);
    assert.deepEqual(s.rows, []);
    assert.deepEqual(s.trend, []);
    assert.equal(s.outcome, undefined);
    assert.equal(s.jobRunning, true);
  });

  it('records failure and cancellation, and jobState toggles running', () => {
    const failed = reducePanel(stateFromEvents(recorded.slice(0, 3), true), {
      type: 'failed',
      error: { message: 'model.json not found', hint: 'Check salun.modelPath', file: '/ws/m/model.json' },
    });
    assert.deepEqual(failed.outcome, { status: 'failed', error: { message: 'model.json not found', hint: 'Check salun.modelPath', file: '/ws/m/model.json' } });
    assert.equal(failed.jobRunning, false);
    const cancelled = reducePanel(stateFromEvents(recorded.slice(0, 5), true), { type: 'cancelled' });
    assert.deepEqual(cancelled.outcome, { status: 'cancelled' });
    assert.equal(cancelled.progress, undefined);
    const idle = applyHostMessage(cancelled, { type: 'jobState', running: false });
    assert.equal(idle, cancelled);
    assert.equal(applyHostMessage(idle, { type: 'jobState', running: true }).jobRunning, true);
  });

  it('does not mutate the state it is given', () => {
    const before = stateFromEvents(recorded.slice(0, 12), true);
    const snapshot = JSON.parse(JSON.stringify(before)) as unknown;
    for (const e of recorded.slice(12)) reducePanel(before, e);
    assert.deepEqual(JSON.parse(JSON.stringify(before)), snapshot);
  });
});
