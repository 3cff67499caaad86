// The γ control's host side: a run folder's saliency map read back and previewed at any ratio or γ
// by binary search, the log10 histogram the panel draws, the run list for the comparison, and the
// guards every message passes through.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SaliencyIndex } from '../../src/store/saliency/mask';
import { logScoreHistogram } from '../../src/store/saliency/histogram';
import { readSaliency, SaliencyReadError } from '../../src/store/runs/readSaliency';
import { loadSaliencyScores } from '../../src/extension/panel/saliencyPreview';
import { comparisonRuns, isListedRun } from '../../src/extension/runs/comparisonRuns';
import { isHostToWebview, isWebviewToHost, PreviewThresholdRequest } from '../../src/protocol/webviewMessages';

const names = ['conv/kernel', 'dense/bias'];
const layerScores = [Float32Array.from([0, 1e-6, 1e-4, 1e-4, 1e-2, 0.5]), Float32Array.from([0, 2e-3, 3e-1, 1e-5])];

function writeRun(ws: string, id: string, ratio = 0.5): string {
  const dir = join(ws, '.salun', 'runs', id);
  mkdirSync(join(dir, 'saliency'), { recursive: true });
  const index = new SaliencyIndex({ names, shapes: [[2, 3], [4]], scores: layerScores });
  writeFileSync(join(dir, 'saliency', 'summary.json'), JSON.stringify({ ...index.summaryForRatio(ratio), seconds: 1, layout: 'x' }));
  const all = new Float32Array(10);
  all.set(layerScores[0], 0);
  all.set(layerScores[1], 6);
  writeFileSync(join(dir, 'saliency', 'scores.f32'), new Uint8Array(all.buffer));
  return dir;
}

describe('saliency preview (host)', () => {
  const ws = mkdtempSync(join(tmpdir(), 'salun-preview-'));
  const dir = writeRun(ws, '20261126-000000-salun');

  it('reads the scores back per layer, in weight order', () => {
    const stored = readSaliency(dir);
    assert.deepEqual(stored.scores.names, names);
    assert.deepEqual(Array.from(stored.scores.scores[1]), Array.from(layerScores[1]));
    assert.equal(stored.summary.salientWeights, 5);
  });

  it('answers a ratio or a γ exactly as the engine builds the mask', () => {
    const preview = loadSaliencyScores(dir);
    const index = new SaliencyIndex({ names, shapes: [[2, 3], [4]], scores: layerScores });
    const byRatio = preview.preview('ratio', 0.3);
    const expected = index.summaryForRatio(0.3);
    assert.equal(byRatio.gamma, expected.gamma);
    assert.equal(byRatio.salientWeights, 3);
    assert.deepEqual(
      byRatio.layers,
      expected.layers.map((l) => ({ name: l.name, salient: l.salient, total: l.count, fraction: l.salientFraction })),
    );
    // Scores are float32: the γ the user means is the float32 value.
    const byGamma = preview.preview('gamma', Math.fround(1e-4));
    assert.equal(byGamma.salientWeights, 6);
    assert.ok(Math.abs(byGamma.ratio - 0.6) < 1e-12);
    assert.deepEqual(
      byGamma.layers.map((l) => l.salient),
      [4, 2],
    );
  });

  it('clamps what a mask cannot be: ratio 0 is one weight, γ above every score is an empty mask', () => {
    const preview = loadSaliencyScores(dir);
    assert.equal(preview.preview('ratio', 0).salientWeights, 1);
    assert.equal(preview.preview('ratio', 7).salientWeights, 10);
    const none = preview.preview('gamma', 10);
    assert.equal(none.salientWeights, 0);
    assert.equal(none.ratio, 0);
  });

  it('sends the summary and a histogram of log10 scores with zeros apart', () => {
    const m = loadSaliencyScores(dir, 'run-1').scoresMessage();
    assert.equal(m.type, 'saliencyScores');
    assert.equal(m.runId, 'run-1');
    assert.equal(m.histogram.zeros, 2);
    assert.equal(m.histogram.total, 10);
    assert.equal(m.histogram.bins.length, 60);
    assert.equal(
      m.histogram.bins.reduce((a, b) => a + b, 0),
      8,
    );
    assert.ok(Math.abs(m.histogram.log10Min - -6) < 1e-6 && Math.abs(m.histogram.log10Max - Math.log10(0.5)) < 1e-6);
    assert.ok(isHostToWebview(m));
  });

  it('bins equal-width in log10: the smallest score in the first bin, the largest in the last', () => {
    const h = logScoreHistogram(Float32Array.from([0, 1e-4, 1e-3, 1e-2]), 2);
    assert.deepEqual(h.bins, [1, 2]);
    assert.deepEqual(logScoreHistogram(Float32Array.from([0, 0]), 3), { log10Min: 0, log10Max: 0, bins: [0, 0, 0], zeros: 2, total: 2 });
  });

  it('refuses an incomplete map with a message naming the file', () => {
    const broken = writeRun(ws, '20261126-000001-salun');
    writeFileSync(join(broken, 'saliency', 'scores.f32'), new Uint8Array(12));
    assert.throws(
      () => loadSaliencyScores(broken),
      (e: unknown) => e instanceof SaliencyReadError && /scores\.f32: 12 bytes, expected 40/.test(e.message),
    );
    assert.throws(() => loadSaliencyScores(join(ws, 'nowhere')), SaliencyReadError);
  });

  it('lists finished runs for the comparison with the ratio their mask used; only listed folders may be read', () => {
    const cws = mkdtempSync(join(tmpdir(), 'salun-compare-'));
    const a = writeRun(cws, '20261126-000000-salun', 0.3);
    const rows = [{ role: 'unlearned', method: 'salun', metrics: { UA: 1, RA: 2, TA: 3, MIA: 4 }, avgGap: 1, seconds: 2 }];
    writeFileSync(join(a, 'config.json'), JSON.stringify({ kind: 'run', method: 'salun' }));
    writeFileSync(join(a, 'status.json'), JSON.stringify({ state: 'finished', startedAt: 't' }));
    writeFileSync(join(a, 'report.json'), JSON.stringify({ rows }));
    const b = join(cws, '.salun', 'runs', '20261126-010000-rl');
    mkdirSync(b, { recursive: true });
    writeFileSync(join(b, 'config.json'), JSON.stringify({ kind: 'run', method: 'rl' }));
    writeFileSync(join(b, 'report.json'), JSON.stringify({ rows }));
    mkdirSync(join(cws, '.salun', 'runs', '20261126-020000-saliency'), { recursive: true });
    const runs = comparisonRuns([cws]);
    assert.deepEqual(
      runs.map((r) => [r.runId, r.method, r.ratio]),
      [
        ['20261126-010000-rl', 'rl', undefined],
        ['20261126-000000-salun', 'salun', 0.3],
      ],
    );
    assert.ok(isHostToWebview({ type: 'runs', runs }));
    assert.ok(isListedRun([cws], a));
    assert.ok(!isListedRun([cws], join(cws, '.salun')));
  });
});

describe('panel message guards', () => {
  it('accepts well-formed requests from the webview', () => {
    assert.ok(isWebviewToHost({ type: 'previewThreshold', requestId: 3, by: 'gamma', value: 0 }));
    assert.ok(isWebviewToHost({ type: 'applySaliencyRatio', ratio: 0.25 }));
    assert.ok(isWebviewToHost({ type: 'export', format: 'png', fileName: 'salun-trend-2026.png', content: 'iVBORw0KGgo=' }));
    assert.ok(isWebviewToHost({ type: 'requestRuns' }));
    assert.ok(isWebviewToHost({ type: 'loadRunSaliency', runDir: '/ws/.salun/runs/x' }));
  });

  it('rejects malformed ones', () => {
    for (const bad of [
      { type: 'previewThreshold', requestId: 1.5, by: 'ratio', value: 0.1 },
      { type: 'previewThreshold', requestId: 1, by: 'k', value: 0.1 },
      { type: 'previewThreshold', requestId: 1, by: 'ratio', value: -1 },
      { type: 'previewThreshold', requestId: 1, by: 'ratio', value: Number.NaN },
      { type: 'applySaliencyRatio', ratio: 0.001 },
      { type: 'applySaliencyRatio', ratio: 2 },
      { type: 'export', format: 'exe', fileName: 'a', content: '' },
      { type: 'export', format: 'csv', fileName: '../../etc/passwd', content: '' },
      { type: 'loadRunSaliency', runDir: '' },
      { type: 'nope' },
      null,
    ])
      assert.ok(!isWebviewToHost(bad), JSON.stringify(bad));
  });

  it('rejects malformed host answers', () => {
    // A reply's body is checked against the request it answers (the asking end knows which).
    assert.ok(!PreviewThresholdRequest.isReply({ ratio: 0.1, gamma: 1, salientWeights: 1, totalWeights: 2, layers: [{ name: 'x' }] }));
    assert.ok(PreviewThresholdRequest.isReply({ ratio: 0, gamma: Infinity, salientWeights: 0, totalWeights: 2, layers: [] }));
    assert.ok(!isHostToWebview({ type: 'saliencyScores', runId: 'r', runDir: 'd', summary: { layers: [] }, histogram: { bins: 'x' } }));
    assert.ok(isHostToWebview({ type: 'reply', requestId: 2, error: 'No saliency map has been read yet.' }));
    assert.ok(!isHostToWebview({ type: 'reply', requestId: 'x', reply: {} }));
    assert.ok(!isHostToWebview({ type: 'reply', requestId: 2 }));
    // Old names are gone: nothing but the defined kinds passes.
    assert.ok(!isHostToWebview({ type: 'previewUnavailable', requestId: 2, reason: 'none' }));
  });
});
