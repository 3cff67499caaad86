// The terminal's bar shows the whole job's figure, the same words as the editor's status bar and
// panel, never the phase's own percentage in its place.
import * as assert from 'node:assert/strict';
import { progressLine } from '../../src/cli/progressBar';
import { overallText } from '../../src/protocol/jobProgress';

describe('salun progress bar', () => {
  it('draws the whole job, with the phase count beside it', () => {
    const overall = { fraction: 0.42, etaSeconds: 190 };
    const line = progressLine({ type: 'progress', phase: 'unlearn', done: 9, total: 10, epoch: 2, overall });
    assert.ok(line.includes(overallText(overall)), line);
    assert.ok(line.includes('42% of the job'), line);
    assert.ok(!line.includes('90%'), `the phase's 90% must not stand in for the job's: ${line}`);
    assert.ok(line.includes('this phase 9/10'), line);
    assert.equal((line.match(/█/g) ?? []).length, 12); // floor(42% of 30)
  });

  it('counts fractions of epochs with one decimal', () => {
    const line = progressLine({ type: 'progress', phase: 'unlearn', done: 8.749456915278783, total: 15, epoch: 9, overall: { fraction: 0.88 } });
    assert.ok(line.includes('this phase 8.7/15 epoch 9'), line);
  });

  it('says a phase fraction is the phase when an old event has no whole-job figure', () => {
    const line = progressLine({ type: 'progress', phase: 'train-original', done: 1, total: 4 });
    assert.ok(line.includes('this phase  25%'), line);
    assert.ok(!line.includes('of the job'), line);
  });
});
