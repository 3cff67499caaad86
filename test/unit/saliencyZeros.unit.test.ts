// Zero saliency scores and the ratios that keep γ > 0, and finding a map that
// was already computed for the same model, data and forget set.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRunConfig } from '../../src/protocol/defaults';
import { SaliencyIndex, type SaliencyScores } from '../../src/store/saliency/mask';
import { findSameSaliency, saliencyKey, type SaliencyQuestion } from '../../src/store/saliency/sameMap';
import { ratioReachesZeros, saliencyZeros, suggestedRatio } from '../../src/store/saliency/zeros';

/** Two layers, exactly `zeros` of `total` scores 0, scattered over both (i ↦ 7919·i mod total is a bijection), the rest positive. */
function scoresWith(total: number, zeros: number): SaliencyScores {
  const all = Array.from({ length: total }, (_, i) => ((i * 7919) % total < zeros ? 0 : 1 + i));
  const cut = Math.floor(total / 3);
  return { names: ['a', 'b'], shapes: [[cut], [total - cut]], scores: [Float32Array.from(all.slice(0, cut)), Float32Array.from(all.slice(cut))] };
}

describe('saliency zeros: the largest ratio with γ > 0', () => {
  for (const [total, zeros] of [
    [1000, 580],
    [997, 131],
    [155898, 12817],
    [50, 0],
  ] as const) {
    it(`agrees with the mask index's γ for ${zeros} zeros of ${total}`, () => {
      const scores = scoresWith(total, zeros);
      const z = saliencyZeros(scores);
      assert.equal(z.zeros, zeros);
      assert.equal(z.total, total);
      assert.ok(Math.abs(z.zeroShare - zeros / total) < 1e-12);
      const index = new SaliencyIndex(scores);
      // The largest ratio with γ > 0 exactly, and just beyond it γ = 0 (when there are zeros at all).
      assert.ok(index.gammaForRatio(z.maxPositiveRatio) > 0);
      assert.equal(ratioReachesZeros(z, z.maxPositiveRatio), false);
      if (zeros > 0) {
        const beyond = z.maxPositiveRatio + 1 / total;
        assert.equal(index.gammaForRatio(beyond), 0);
        assert.equal(ratioReachesZeros(z, beyond), true);
      }
      // The rounded offer keeps γ > 0 and is at most 1% of the weights below the exact one.
      const offer = suggestedRatio(z);
      assert.ok(offer !== undefined && offer <= z.maxPositiveRatio && offer > z.maxPositiveRatio - 0.01, `${offer} vs ${z.maxPositiveRatio}`);
      assert.ok(index.gammaForRatio(offer) > 0);
      for (const r of [0.1, 0.3, 0.5, 0.7, 0.9]) assert.equal(ratioReachesZeros(z, r), index.gammaForRatio(r) === 0, `ratio ${r}`);
    });
  }

  it('offers two significant digits for a small share, and nothing when every score is 0', () => {
    const z = saliencyZeros(scoresWith(10000, 9463));
    assert.equal(suggestedRatio(z), 0.053);
    assert.equal(suggestedRatio(saliencyZeros({ names: ['a'], shapes: [[4]], scores: [new Float32Array(4)] })), undefined);
  });
});

describe('saliency map of the same question, from a run folder', () => {
  let ws: string;
  const model = (): string => join(ws, 'model.json');
  const question = (over: Partial<SaliencyQuestion> = {}): SaliencyQuestion => {
    const c = defaultRunConfig();
    return {
      model: { kind: 'file', path: model() },
      data: { kind: 'default' },
      forget: { kind: 'class', classIndex: 7 },
      train: c.train,
      seed: c.seed,
      ...over,
    };
  };

  function runFolder(runId: string, config: Record<string, unknown>, startedAt: string, scores = scoresWith(30, 12)): void {
    const dir = join(ws, '.salun', 'runs', runId);
    mkdirSync(join(dir, 'saliency'), { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'status.json'), JSON.stringify({ state: 'finished', startedAt }));
    const layers = scores.scores.map((s, i) => ({ name: scores.names[i], shape: scores.shapes[i], count: s.length, salient: 0, salientFraction: 0 }));
    writeFileSync(join(dir, 'saliency', 'summary.json'), JSON.stringify({ ratio: 0.5, gamma: 0, totalWeights: 30, salientWeights: 15, layers }));
    const all = new Float32Array(scores.scores.reduce((n, s) => n + s.length, 0));
    let at = 0;
    for (const s of scores.scores) all.set(s, (at += s.length) - s.length);
    writeFileSync(join(dir, 'saliency', 'scores.f32'), new Uint8Array(all.buffer));
  }

  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'salun-samemap-'));
    writeFileSync(model(), '{}');
    utimesSync(model(), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('finds the newest run or saliency job of the same model, data and forget set, with its scores', () => {
    const q = question();
    runFolder('20260101-100000-salun', { ...q, kind: 'run', method: 'salun' }, '2026-01-01T10:00:00Z', scoresWith(30, 3));
    runFolder('20260102-100000-saliency', { ...q, kind: 'saliency', data: { kind: 'default', normalize: 'unit' } }, '2026-01-02T10:00:00Z');
    const found = findSameSaliency(ws, q);
    assert.equal(found?.runId, '20260102-100000-saliency');
    assert.equal(saliencyZeros(found.scores).zeros, 12);
  });

  it('does not take a map of other scaling, another forget set, or a model file changed since', () => {
    runFolder('20260102-100000-saliency', { ...question({ data: { kind: 'default', normalize: 'centered' } }), kind: 'saliency' }, '2026-01-02T10:00:00Z');
    runFolder('20260103-100000-saliency', { ...question({ forget: { kind: 'class', classIndex: 3 } }), kind: 'saliency' }, '2026-01-03T10:00:00Z');
    assert.equal(findSameSaliency(ws, question()), undefined);
    runFolder('20260104-100000-saliency', { ...question(), kind: 'saliency' }, '2026-01-04T10:00:00Z');
    assert.equal(findSameSaliency(ws, question())?.runId, '20260104-100000-saliency');
    utimesSync(model(), new Date('2026-02-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'));
    assert.equal(findSameSaliency(ws, question()), undefined);
  });

  it('keys a built-in θo by its training recipe and seed too, a model file by the file alone', () => {
    const builtin = question({ model: { kind: 'builtin', architecture: 'mlp' } });
    assert.notEqual(saliencyKey(builtin), saliencyKey({ ...builtin, seed: builtin.seed + 1 }));
    assert.equal(saliencyKey(question()), saliencyKey({ ...question(), seed: 99 }));
    assert.equal(saliencyKey(question()), saliencyKey({ ...question(), data: { kind: 'default', normalize: 'unit' } }));
    assert.equal(findSameSaliency(join(ws, 'nowhere'), question()), undefined);
  });
});
