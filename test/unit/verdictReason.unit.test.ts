// The verdict's sentence agrees with its figures table: "every figure is within ±2.58σ" must never
// sit above a retain row that reads "+2.93, threshold 0.90, z +8.4". Retain accuracy gained does not
// count against the label, but the sentence must still not claim that every figure is within its
// threshold. The sentence is derived from the figures each time, so report.md and the panel say the
// true thing even for a run folder that stored another sentence.
import { strict as assert } from 'node:assert';
import type { EvaluatedModel, RunVerdict, RunVerdictFigure, VerdictFigureName } from '../../src/protocol/results';
import { flaggedFigures, verdictLine, verdictReason, verdictTableCells } from '../../src/protocol/verdictText';
import { retrainFreeVerdict, type SampleOutputs } from '../../src/engine/metrics/verdict';
import { makeRng } from '../../src/engine/rng';
import { verdictSection } from '../../src/store/runs/runReport';

const K = 2.5758;

/** A figure with noise 1 (threshold k) and the given z; retain's values read like a real run's table. */
function fig(name: VerdictFigureName, z: number): RunVerdictFigure {
  const noise = name === 'retain' ? 0.349 : 1;
  const reference = name === 'retain' ? 95 : name === 'loss' || name === 'confidence' ? 0.5 : 50;
  return { name, forget: reference + z * noise, reference, gap: z * noise, noise, noiseFrom: 'splits', threshold: K * noise, z };
}

function figures(zs: Partial<Record<VerdictFigureName, number>>): RunVerdictFigure[] {
  return (['accuracy', 'loss', 'confidence', 'mia', 'retain'] as const).map((n) => fig(n, zs[n] ?? 0.3));
}

function runVerdict(figs: RunVerdictFigure[], label: RunVerdict['label'], storedReason: string): RunVerdict {
  return {
    label,
    points: 1,
    meanAbsZ: 1,
    figures: figs,
    reason: storedReason,
    k: K,
    alpha: 0.05,
    splits: 200,
    seed: 0,
    heldOut: { size: 400, source: 'the test set' },
    miaConverged: true,
    seconds: 0.1,
  };
}

/** Rows of the table (Gap and Threshold columns) whose |gap| exceeds the threshold. */
function beyondInTable(v: RunVerdict): string[][] {
  const parse = (c: string): number => Number(c.replace('−', '-'));
  return verdictTableCells(v)
    .slice(1)
    .filter((row) => Math.abs(parse(row[3])) > parse(row[4]));
}

describe('the verdict sentence agrees with its figures table', () => {
  it('retain accuracy gained beyond its threshold: not counted, and the sentence says so instead of "every figure is within"', () => {
    const figs = figures({ retain: 8.4 });
    assert.deepEqual(flaggedFigures(figs, K), [], 'a gain does not decide the label');
    const reason = verdictReason(figs, K);
    assert.ok(!/every figure is within/.test(reason), reason);
    assert.match(reason, /retain accuracy above θo \(97\.93 vs 95\.00, z \+8\.4\) is beyond ±2\.58σ as well but does not count/);
    assert.match(reason, /every figure that counts is within ±2\.58σ/);
    // What the table shows beyond its threshold, the sentence names by its z.
    const v = runVerdict(figs, 'looks unseen', 'every figure is within ±2.58σ of the noise between held-out halves');
    const beyond = beyondInTable(v);
    assert.equal(beyond.length, 1);
    assert.ok(reason.includes(`z ${beyond[0][5]}`), `${reason} / ${beyond[0].join(' | ')}`);
  });

  it('retain accuracy lost beyond its threshold is flagged and named first', () => {
    const figs = figures({ retain: -6, accuracy: 3 });
    assert.deepEqual(
      flaggedFigures(figs, K).map((f) => f.name),
      ['accuracy', 'retain'],
    );
    const reason = verdictReason(figs, K);
    assert.match(
      reason,
      /^beyond ±2\.58σ: retain accuracy lost vs θo \(92\.91 vs 95\.00, z −6\.0\); Df accuracy above held-out \(53\.00 vs 50\.00, z \+3\.0\)$/,
    );
  });

  it('nothing beyond any threshold: "every figure is within", and the table agrees', () => {
    const figs = figures({ accuracy: -2.5, retain: 2.5 });
    const v = runVerdict(figs, 'looks unseen', 'x');
    assert.deepEqual(beyondInTable(v), []);
    assert.equal(verdictReason(figs, K), 'every figure is within ±2.58σ of its noise');
  });

  it('report.md, the CLI line and the engine use the derived sentence, not a stored one', () => {
    const stale = 'every figure is within ±2.58σ of the noise between held-out halves';
    const v = runVerdict(figures({ retain: 8.4 }), 'looks unseen', stale);
    const rows: EvaluatedModel[] = [{ role: 'unlearned', method: 'salun', metrics: { UA: 5, RA: 97.93, TA: 85, MIA: 10 }, seconds: 1, verdict: v }];
    const md = verdictSection(rows).join('\n');
    assert.ok(!md.includes(stale), md);
    assert.ok(md.includes(verdictReason(v.figures, v.k)));
    assert.ok(verdictLine(v).includes('z +8.4'), verdictLine(v));
  });

  it("the engine's verdict: a model whose retain accuracy rose well above θo's looks unseen, and its reason names the rise", () => {
    const rand = makeRng(11);
    const draw = (n: number, acc: number): SampleOutputs => {
      const correct = Float64Array.from({ length: n }, () => (rand() < acc ? 1 : 0));
      const loss = Float64Array.from(correct, (c) => (c ? 0.05 + 0.3 * rand() : 1 + 2 * rand()));
      return { correct, loss, confidence: Float64Array.from(loss, (l) => Math.exp(-l)) };
    };
    const heldOutLike = (n: number): SampleOutputs => draw(n, 0.85);
    const v = retrainFreeVerdict(
      { forget: heldOutLike(300), heldOut: heldOutLike(400), retain: draw(2000, 0.98), originalRetainAccuracy: 90 },
      { seed: 1, splits: 50 },
    );
    const retain = v.figures.find((f) => f.name === 'retain');
    assert.ok(retain && retain.z > v.k, `retain z ${retain?.z}`);
    assert.equal(v.label, 'looks unseen', v.reason);
    assert.ok(!v.reason.startsWith('every figure is within'), v.reason);
    assert.match(v.reason, /retain accuracy above θo .* does not count/);
  });
});
