// The panel's state beyond the job log: the host's saliency scores, γ previews, the run list, and
// the final rows' Avg. Gap. Replayed from the recorded real run (test/fixtures/panel-replay.json).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobEvent } from '../../src/protocol/jobMessages';
import type { ComparisonRun, HostToWebview, ThresholdPreview } from '../../src/protocol/webviewMessages';
import { isHostToWebview, PreviewThresholdRequest } from '../../src/protocol/webviewMessages';
import { isJobEvent } from '../../src/protocol/jobMessages';
import { applyHostMessage, applyPreview, displayedSaliency, initialPanelState, stateFromEvents } from '../../webview/panelState';

interface Fixture {
  events: JobEvent[];
  scores: Extract<HostToWebview, { type: 'saliencyScores' }>;
  previews: Record<string, ThresholdPreview>;
  runs: ComparisonRun[];
}

const fixture = JSON.parse(readFileSync(join(__dirname, '../../../test/fixtures/panel-replay.json'), 'utf8')) as Fixture;

describe('panel state: previews, scores, runs (recorded run)', () => {
  it('the recording is valid protocol', () => {
    assert.ok(fixture.events.every(isJobEvent));
    assert.ok(isHostToWebview(fixture.scores));
    assert.ok(isHostToWebview({ type: 'runs', runs: fixture.runs }));
    for (const p of Object.values(fixture.previews)) {
      assert.ok(PreviewThresholdRequest.isReply(p));
      assert.ok(isHostToWebview({ type: 'reply', requestId: 1, reply: p }));
    }
  });

  it('takes each final row from the result, so the unlearned row carries its Avg. Gap', () => {
    const s = stateFromEvents(fixture.events, false);
    const finished = fixture.events.find((e): e is Extract<JobEvent, { type: 'finished' }> => e.type === 'finished');
    assert.ok(finished);
    assert.deepEqual(s.rows, finished.result.rows);
    assert.ok(s.rows.every((r) => typeof r.avgGap === 'number'));
  });

  it('draws the preview’s counts over the map’s layers, and the map again once the scores change', () => {
    let s = applyHostMessage(initialPanelState(), { type: 'replay', events: fixture.events, jobRunning: false });
    s = applyHostMessage(s, fixture.scores);
    assert.equal(displayedSaliency(s)?.ratio, fixture.scores.summary.ratio);
    const p = fixture.previews['ratio:0.1'];
    s = applyPreview(s, p);
    const shown = displayedSaliency(s);
    assert.ok(shown);
    assert.equal(shown.ratio, p.ratio);
    assert.equal(shown.gamma, p.gamma);
    assert.deepEqual(
      shown.layers.map((l) => l.fraction),
      p.layers.map((l) => l.fraction),
    );
    assert.deepEqual(
      shown.layers.map((l) => l.maxScore),
      fixture.scores.summary.layers.map((l) => l.maxScore),
      'score ranges stay the map’s',
    );
    s = applyHostMessage(s, fixture.scores);
    assert.equal(s.preview, undefined);
  });

  it('a replay of the same job keeps the scores, preview and run list; a new job drops the scores', () => {
    let s = applyHostMessage(initialPanelState(), { type: 'replay', events: fixture.events, jobRunning: false });
    s = applyHostMessage(s, fixture.scores);
    s = applyHostMessage(s, { type: 'runs', runs: fixture.runs });
    s = applyPreview(s, fixture.previews['ratio:0.9']);
    const again = applyHostMessage(s, { type: 'replay', events: fixture.events, jobRunning: false });
    assert.equal(again.scores, s.scores);
    assert.equal(again.preview, s.preview);
    assert.equal(again.runs, s.runs);
    const started = fixture.events.find((e) => e.type === 'started');
    assert.ok(started && started.type === 'started');
    const next = applyHostMessage(s, { type: 'event', event: { ...started, runId: 'other', runDir: '/elsewhere' } });
    assert.equal(next.scores, undefined);
    assert.equal(next.preview, undefined);
    assert.equal(next.runs, s.runs);
  });
});
