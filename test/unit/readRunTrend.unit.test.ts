// Reading a run folder's metrics.jsonl back for the panel's trend charts: what RunFolder writes
// reads back exactly, and a damaged or half-written file yields what can be read, never a throw.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metrics } from '../../src/protocol/results';
import { parseMetricsLog, readRunTrend } from '../../src/store/runs/readRunTrend';
import { RunFolder } from '../../src/store/runs/runFolder';
import { runTrendLabel, runTrendMessage } from '../../src/extension/panel/runTrendMessage';
import { isHostToWebview } from '../../src/protocol/webviewMessages';

const original: Metrics = { UA: 0.5, RA: 98.97777777777777, TA: 86.45, MIA: 2.2 };
const retrain: Metrics = { UA: 11, RA: 98.95555555555555, TA: 85.95, MIA: 15.2 };
const epochs: Metrics[] = [
  { UA: 12.299999999999997, RA: 88.31111111111112, TA: 82.25, MIA: 17 },
  { UA: 9.799999999999997, RA: 91.3, TA: 82.65, MIA: 13.4 },
  { UA: 8.299999999999997, RA: 92.7, TA: 83.75, MIA: 13.5 },
];

function line(role: string, epoch: number, m: Metrics, method = role === 'unlearned' ? 'salun' : role): string {
  return JSON.stringify({ time: '2026-11-26T00:33:27.136Z', role, method, epoch, ...m, ...(role === 'unlearned' ? { loss: 1.5, tensors: 77 } : {}) });
}

const goodLines = [line('original', 0, original), line('retrain', 0, retrain), ...epochs.map((m, i) => line('unlearned', i + 1, m))];

/** A run folder as the job leaves it, with metrics.jsonl as given (undefined: none). */
function runDir(metrics: string | undefined, files: Record<string, unknown> = { 'status.json': { state: 'finished', startedAt: 'x' } }): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'salun-trend-')), '.salun', 'runs', '20261126-003323-salun');
  mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));
  if (metrics !== undefined) writeFileSync(join(dir, 'metrics.jsonl'), metrics);
  return dir;
}

describe('reading a run’s metric trend (metrics.jsonl)', () => {
  it('a good file: every unlearned epoch in order, Original and Retrain as reference, nothing skipped', () => {
    const trend = readRunTrend(runDir(`${goodLines.join('\n')}\n`));
    assert.deepEqual(
      trend.points,
      epochs.map((metrics, i) => ({ epoch: i + 1, metrics })),
    );
    assert.deepEqual(trend.reference, { original, retrain });
    assert.equal(trend.referenceFrom, 'metrics');
    assert.equal(trend.method, 'salun');
    assert.equal(trend.state, 'finished');
    assert.equal(trend.runId, '20261126-003323-salun');
    assert.deepEqual(trend.corruptLines, []);
    assert.equal(trend.tornTail, false);
    assert.equal(trend.missing, false);
    assert.deepEqual(trend.problems, []);
  });

  it('reads back exactly what RunFolder.appendMetrics wrote', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-trend-ws-'));
    const folder = RunFolder.create(ws, 'salun');
    folder.setStatus('running');
    folder.appendMetrics('original', 'original', 0, original);
    folder.appendMetrics('retrain', 'retrain', 0, retrain);
    epochs.forEach((m, i) => folder.appendMetrics('unlearned', 'salun', i + 1, m, { loss: 0.9, tensors: 12 }));
    const trend = readRunTrend(folder.dir);
    assert.deepEqual(
      trend.points.map((p) => p.metrics),
      epochs,
    );
    assert.deepEqual(trend.reference, { original, retrain });
    assert.equal(trend.state, 'running');
  });

  it('a corrupt line in the middle is skipped and counted; the lines around it are kept', () => {
    const lines = [...goodLines];
    lines.splice(
      3,
      0,
      '{"time":"2026-11-26T00:34:00Z","role":"unlearned","epo',
      'not json at all',
      JSON.stringify({ role: 'unlearned', epoch: 9, UA: 'high' }),
    );
    const trend = readRunTrend(runDir(`${lines.join('\n')}\n`));
    assert.deepEqual(
      trend.points.map((p) => p.epoch),
      [1, 2, 3],
    );
    assert.deepEqual(trend.corruptLines, [4, 5, 6]);
    assert.equal(trend.tornTail, false);
    assert.equal(trend.problems.length, 1);
    assert.match(trend.problems[0], /skipped 3 unreadable line\(s\) \(line 4, 5, 6\)/);
    const { message } = runTrendMessage(trend.dir);
    assert.equal(message.skippedLines, 3);
  });

  it('a half-written last line (no newline yet) is left out without throwing and flagged as torn', () => {
    const full = `${goodLines.join('\n')}\n`;
    const torn = `${full}${line('unlearned', 4, epochs[2]).slice(0, 40)}`;
    const trend = readRunTrend(runDir(torn, { 'status.json': { state: 'running', startedAt: 'x' } }));
    assert.deepEqual(
      trend.points.map((p) => p.epoch),
      [1, 2, 3],
    );
    assert.deepEqual(trend.corruptLines, []);
    assert.equal(trend.tornTail, true);
    assert.match(trend.problems.join('\n'), /last line is incomplete/);
    const { message } = runTrendMessage(trend.dir);
    assert.equal(message.skippedLines, 1);
    assert.equal(message.label, 'Run 20261126-003323-salun (running; as read just now)');
    // A complete last line whose newline is not written yet is a whole record: it counts.
    const whole = parseMetricsLog(`${full}${line('unlearned', 4, epochs[0])}`);
    assert.deepEqual(
      whole.points.map((p) => p.epoch),
      [1, 2, 3, 4],
    );
    assert.equal(whole.tornTail, false);
  });

  it('an empty file: no points, no reference, no problems', () => {
    for (const text of ['', '\n', '  \n\n']) {
      const trend = readRunTrend(runDir(text));
      assert.deepEqual(trend.points, []);
      assert.deepEqual(trend.reference, {});
      assert.equal(trend.referenceFrom, 'none');
      assert.equal(trend.missing, false);
      assert.deepEqual(trend.problems, []);
    }
  });

  it('a missing file (or folder): an empty trend marked missing, never a throw', () => {
    const trend = readRunTrend(runDir(undefined, { 'status.json': { state: 'failed', startedAt: 'x', error: { message: 'boom' } } }));
    assert.equal(trend.missing, true);
    assert.deepEqual(trend.points, []);
    assert.equal(trend.state, 'failed');
    assert.equal(runTrendMessage(trend.dir).message.label, 'Run 20261126-003323-salun (failed)');
    const nowhere = readRunTrend(join(tmpdir(), 'salun-no-such-run-folder'));
    assert.equal(nowhere.missing, true);
    assert.equal(nowhere.state, 'unknown');
  });

  it('CRLF line ends and a re-evaluated epoch: one point per epoch, the later line wins', () => {
    const again = { ...epochs[1], UA: 7 };
    const log = parseMetricsLog([...goodLines, line('unlearned', 2, again)].join('\r\n'));
    assert.deepEqual(
      log.points.map((p) => p.epoch),
      [1, 2, 3],
    );
    assert.deepEqual(log.points[1].metrics, again);
    assert.deepEqual(log.corruptLines, []);
  });

  it('without Original/Retrain lines the reference comes from report.json', () => {
    const rows = [
      { role: 'original', method: 'original', seconds: 1, metrics: original },
      { role: 'retrain', method: 'retrain', seconds: 1, metrics: retrain },
      { role: 'unlearned', method: 'salun', seconds: 1, metrics: epochs[2] },
    ];
    const dir = runDir(`${goodLines.slice(2).join('\n')}\n`, { 'status.json': { state: 'stopped', startedAt: 'x' }, 'report.json': { rows } });
    const trend = readRunTrend(dir);
    assert.deepEqual(trend.reference, { original, retrain });
    assert.equal(trend.referenceFrom, 'report');
    assert.equal(runTrendLabel(trend), 'Run 20261126-003323-salun (stopped after epoch 3)');
  });

  it('the message the host sends passes the webview’s check; a damaged one does not', () => {
    const { message } = runTrendMessage(runDir(`${goodLines.join('\n')}\n`));
    assert.equal(message.label, 'Run 20261126-003323-salun (finished)');
    assert.equal(message.points.length, 3);
    assert.ok(isHostToWebview(JSON.parse(JSON.stringify(message))));
    assert.ok(!isHostToWebview({ ...message, points: [{ epoch: 1, metrics: { UA: 1, RA: 2, TA: 3 } }] }));
    assert.ok(!isHostToWebview({ ...message, reference: { retrain: { UA: 'x' } } }));
    assert.ok(!isHostToWebview({ ...message, skippedLines: -1 }));
    assert.ok(!isHostToWebview({ ...message, label: undefined }));
  });
});
