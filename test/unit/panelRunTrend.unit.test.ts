// The panel's trend source: a past run's trend (runTrend) replaces the live job's until a job
// starts, a replay comes without it, or the user switches back; the messages are checked on receipt.
import * as assert from 'node:assert/strict';
import type { JobEvent } from '../../src/protocol/jobMessages';
import type { HostToWebview } from '../../src/protocol/webviewMessages';
import { isWebviewToHost } from '../../src/protocol/webviewMessages';
import { markdownReport } from '../../webview/exportFormats';
import { applyHostMessage, shownTrend, showLiveTrend, stateFromEvents } from '../../webview/panelState';

const backend = { name: 'wasm' as const, reason: 'auto', detail: 'wasm SIMD, 1 thread' };
const m = (UA: number): { UA: number; RA: number; TA: number; MIA: number } => ({ UA, RA: 90, TA: 85, MIA: 12 });

const live: JobEvent[] = [
  { type: 'started', kind: 'run', runId: 'live-run', runDir: '/ws/.salun/runs/live-run', backend },
  { type: 'evaluated', row: { role: 'retrain', method: 'retrain', metrics: m(11), seconds: 1 } },
  { type: 'metrics', role: 'unlearned', method: 'salun', epoch: 1, metrics: m(12) },
  { type: 'metrics', role: 'unlearned', method: 'salun', epoch: 2, metrics: m(10) },
];

const past: Extract<HostToWebview, { type: 'runTrend' }> = {
  type: 'runTrend',
  runId: 'past-run',
  runDir: '/ws/.salun/runs/past-run',
  label: 'Run past-run (finished)',
  state: 'finished',
  method: 'rl',
  // Out of order, epoch 2 twice: the panel draws one point per epoch, in order, the later value.
  points: [
    { epoch: 3, metrics: m(7) },
    { epoch: 1, metrics: m(13) },
    { epoch: 2, metrics: m(9) },
    { epoch: 2, metrics: m(8) },
  ],
  reference: { retrain: m(11), original: m(0.5) },
  skippedLines: 1,
};

describe('panel: a past run’s trend', () => {
  it('is drawn instead of the live one, labelled with the run', () => {
    const s = applyHostMessage(stateFromEvents(live, true), past);
    const shown = shownTrend(s);
    assert.equal(shown.past, true);
    assert.equal(shown.label, 'Run past-run (finished)');
    assert.deepEqual(
      shown.trend.map((p) => [p.epoch, p.metrics.UA]),
      [
        [1, 13],
        [2, 8],
        [3, 7],
      ],
    );
    assert.deepEqual(shown.references, past.reference);
    assert.equal(shown.trendMethod, 'rl');
    assert.equal(shown.runId, 'past-run');
    assert.equal(shown.skippedLines, 1);
    // The live job's own state goes on underneath.
    assert.deepEqual(
      s.trend.map((p) => p.epoch),
      [1, 2],
    );
  });

  it('is what the Markdown export describes while it is on screen', () => {
    const md = markdownReport(applyHostMessage(stateFromEvents(live, true), past), { generatedAt: 'now', comparison: [] });
    assert.ok(md.includes('## Metric trends (RL)\n\nRun past-run (finished).\n'), md);
    assert.ok(md.includes('| 3 | 7.00 |'), md);
    assert.ok(!md.includes('| 2 | 10.00 |'), "the live job's epoch 2 is not exported");
  });

  it('the live label says live, with the job and how it ended', () => {
    assert.equal(shownTrend(stateFromEvents(live, true)).label, 'Live: current job · live-run');
    const ended = stateFromEvents([...live, { type: 'cancelled' }], false);
    assert.equal(shownTrend(ended).label, 'Live: current job · live-run (cancelled)');
    assert.equal(shownTrend(ended).past, false);
  });

  it('live events keep it; a new job, a replay or the user switch back to live', () => {
    const s = applyHostMessage(stateFromEvents(live, true), past);
    const more = applyHostMessage(s, { type: 'event', event: { type: 'metrics', role: 'unlearned', method: 'salun', epoch: 3, metrics: m(9) } });
    assert.equal(shownTrend(more).past, true);
    assert.equal(more.trend.length, 3);
    const started = applyHostMessage(more, { type: 'event', event: { ...live[0], runId: 'next' } as JobEvent });
    assert.equal(started.runTrend, undefined);
    assert.equal(shownTrend(started).past, false);
    assert.equal(applyHostMessage(s, { type: 'replay', events: live, jobRunning: false }).runTrend, undefined);
    const back = showLiveTrend(s);
    assert.equal(back.runTrend, undefined);
    assert.deepEqual(
      shownTrend(back).trend.map((p) => p.epoch),
      [1, 2],
    );
    assert.ok(s.runTrend, 'showLiveTrend does not mutate its input');
  });

  it('the webview’s trend messages to the host are checked', () => {
    assert.ok(isWebviewToHost({ type: 'ready' }));
    assert.ok(isWebviewToHost({ type: 'ready', trendRunDir: '/ws/.salun/runs/past-run' }));
    assert.ok(!isWebviewToHost({ type: 'ready', trendRunDir: '' }));
    assert.ok(!isWebviewToHost({ type: 'ready', trendRunDir: 3 }));
    assert.ok(isWebviewToHost({ type: 'showLiveTrend' }));
  });
});
