import { strict as assert } from 'node:assert';
import { predictPerSample } from '../../src/engine/metrics/evaluate';
import { collectSampleOutputs, unseenReference } from '../../src/engine/metrics/sampleOutputs';
import { aucWithSe, ksStatistic, normalQuantile } from '../../src/engine/metrics/twoSample';
import { retrainFreeVerdict, splitSpread, type SampleOutputs, type VerdictInput } from '../../src/engine/metrics/verdict';
import { makeRng } from '../../src/engine/rng';
import { tf } from '../../src/engine/tf';
import { tinyMlp, toyImages, useCpu } from '../support/tinyModels';

/** Per-sample outputs from a draw of the true-label probability p (argmax is the label when p > ½). */
function outputsOf(ps: number[], rand: () => number): SampleOutputs {
  const correct = ps.map((p) => (p > 0.5 ? 1 : 0));
  // A wrong prediction's top probability lies between (1 − p)/(classes − 1) and 1 − p; (1 − p)·U(½, 1) stands in for it.
  const confidence = ps.map((p) => (p > 0.5 ? p : (1 - p) * (0.5 + 0.5 * rand())));
  return { correct, loss: ps.map((p) => -Math.log(p)), confidence };
}

/** Data a model never saw: ≈ 85% right with a spread of confidences, the rest wrong. */
function unseen(n: number, rand: () => number): SampleOutputs {
  return outputsOf(
    Array.from({ length: n }, () => (rand() < 0.85 ? 1 - 0.45 * rand() ** 2 : 0.5 * rand())),
    rand,
  );
}

/** Data it trained on: right, with p within 1e-3 of 1. */
function memorised(n: number, rand: () => number): SampleOutputs {
  return outputsOf(
    Array.from({ length: n }, () => 1 - 1e-3 * rand() ** 3),
    rand,
  );
}

/** Pushed past unseen: almost always wrong. */
function overForgotten(n: number, rand: () => number): SampleOutputs {
  return outputsOf(
    Array.from({ length: n }, () => 0.02 + 0.5 * rand() ** 2),
    rand,
  );
}

function input(forget: SampleOutputs, seed: number, retain?: SampleOutputs): VerdictInput {
  const rand = makeRng(seed);
  return { forget, heldOut: unseen(600, rand), retain: retain ?? memorised(1200, rand), originalRetainAccuracy: 100 };
}

describe('two-sample statistics (twoSample.ts)', () => {
  it('AUC and its DeLong SE match the hand computation, ties counted half', () => {
    // a = [3, 5, 7], b = [1, 5, 6, 8]: pairs a > b: 1 + (1 + ½) + 3 = 5.5 of 12.
    // Placements a: [1/4, 1.5/4, 3/4]; b: [3/3, 1.5/3, 1/3, 0]; SE² = s²(a)/3 + s²(b)/4 = 0.0677083/3 + 0.1736111/4.
    const r = aucWithSe([7, 3, 5], [8, 1, 6, 5]);
    assert.ok(Math.abs(r.auc - 5.5 / 12) < 1e-12, `auc ${r.auc}`);
    assert.ok(Math.abs(r.se - Math.sqrt(0.0677083333 / 3 + 0.1736111111 / 4)) < 1e-9, `se ${r.se}`);
    assert.equal(aucWithSe([1, 2], [3, 4]).auc, 0);
    assert.equal(aucWithSe([2, 2], [2, 2, 2]).auc, 0.5);
  });

  it('KS D is the largest CDF difference (hand-computed), symmetric, 0 for equal samples and 1 for disjoint ones', () => {
    // CDFs at 1, 3, 5, 6, 7, 8: a 0, ⅓, ⅔, ⅔, 1, 1; b ¼, ¼, ½, ¾, ¾, 1 → D = ¼ (at 1 and at 7).
    assert.ok(Math.abs(ksStatistic([3, 5, 7], [1, 5, 6, 8]) - 0.25) < 1e-12);
    assert.equal(ksStatistic([1, 5, 6, 8], [3, 5, 7]), ksStatistic([3, 5, 7], [1, 5, 6, 8]));
    assert.equal(ksStatistic([1, 2, 2, 3], [3, 2, 1, 2]), 0);
    assert.equal(ksStatistic([1, 2], [3, 4]), 1);
  });

  it('normal quantiles: Φ⁻¹(0.975) = 1.95996, Φ⁻¹(0.995) = 2.57583, Φ⁻¹(½) = 0', () => {
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.995) - 2.575829) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.5)) < 1e-6);
  });

  it('the spread of a share between random halves is the binomial one: σ = 2·√(p(1−p)/n)·100 for halves of n/2', () => {
    const rand = makeRng(3);
    const flags: number[] = Array.from({ length: 2000 }, () => (rand() < 0.3 ? 1 : 0));
    const p = flags.reduce((s, v) => s + v, 0) / flags.length;
    const mean = (at: Int32Array): number => Array.from(at, (i) => flags[i]).reduce((s, v) => s + v, 0) / at.length;
    const spread = splitSpread(flags.length, 400, 1, (a, b) => 100 * (mean(a) - mean(b)));
    // Halves without replacement: variance p(1−p)·(2/1000 + 2/1000)·(n/(n−1)).
    const expected = 100 * Math.sqrt(p * (1 - p) * (4 / flags.length) * (2000 / 1999));
    assert.ok(Math.abs(spread / expected - 1) < 0.1, `spread ${spread} vs ${expected}`);
  });
});

describe('retrainFreeVerdict (verdict.ts)', function () {
  this.timeout(120_000);

  it('a memorised Df (loss ≪ held-out) still remembers, on every figure', () => {
    const v = retrainFreeVerdict(input(memorised(300, makeRng(5)), 1), { seed: 1, splits: 100 });
    assert.equal(v.label, 'still remembers', v.reason);
    for (const name of ['accuracy', 'loss', 'confidence', 'mia'] as const) {
      const f = v.figures.find((x) => x.name === name)!;
      assert.ok(f.z > v.k, `${name}: z ${f.z} ≤ k ${v.k}`);
    }
    assert.ok(v.score > 5);
  });

  it('a Df drawn from the held-out distribution looks unseen (and at most ~α of such draws are flagged)', () => {
    let flagged = 0;
    const draws = 12;
    for (let s = 0; s < draws; s++) {
      const v = retrainFreeVerdict(input(unseen(300, makeRng(100 + s)), 200 + s), { seed: s, splits: 60 });
      if (s === 0) assert.equal(v.label, 'looks unseen', v.reason);
      if (v.label !== 'looks unseen') flagged++;
    }
    // α = 0.05 family-wise: 12 draws expect 0.6 alarms; 3 or more would mean thresholds far too tight.
    assert.ok(flagged <= 2, `${flagged} of ${draws} same-distribution forget sets were not called unseen`);
  });

  it('a Df far below held-out accuracy over-forgot', () => {
    const v = retrainFreeVerdict(input(overForgotten(300, makeRng(6)), 2), { seed: 2, splits: 100 });
    assert.equal(v.label, 'over-forgot', v.reason);
    assert.ok(v.figures.find((f) => f.name === 'accuracy')!.z < -v.k);
  });

  it('retain accuracy lost vs θo alone makes it over-forgot, even when Df looks unseen', () => {
    const rand = makeRng(8);
    const retain = memorised(1200, rand);
    const correct = Array.from(retain.correct, (c, i) => (i % 10 === 0 ? 0 : c)); // RA 90 vs θo's 100
    const v = retrainFreeVerdict(input(unseen(300, makeRng(100)), 200, { ...retain, correct }), { seed: 0, splits: 60 });
    assert.equal(v.label, 'over-forgot', v.reason);
    const r = v.figures.find((f) => f.name === 'retain')!;
    assert.ok(Math.abs(r.gap + 10) < 1e-9 && r.z < -v.k);
  });

  it('a held-out set with no spread (a forgotten class, all wrong) falls back to the analytic noise', () => {
    const rand = makeRng(9);
    const allWrong = (n: number): SampleOutputs =>
      outputsOf(
        Array.from({ length: n }, () => 0.05 + 0.3 * rand()),
        rand,
      );
    const v = retrainFreeVerdict({ forget: allWrong(300), heldOut: allWrong(100), retain: memorised(600, rand), originalRetainAccuracy: 100 }, { splits: 60 });
    const acc = v.figures.find((f) => f.name === 'accuracy')!;
    assert.equal(acc.noiseFrom, 'analytic floor');
    assert.ok(acc.noise > 0 && acc.z === 0);
    assert.equal(v.label, 'looks unseen', v.reason);
  });

  it('a whole forgotten class: accuracy is judged against 0, so a model that still classifies the class is caught even when its held-out rows score as high', () => {
    const rand = makeRng(10);
    // θo-like: Df and unseen rows of the class both classified well (it generalises), no memorisation signal.
    const knowsClass = (n: number): SampleOutputs => unseen(n, rand);
    const plain = retrainFreeVerdict(
      { forget: knowsClass(300), heldOut: knowsClass(100), retain: memorised(600, rand), originalRetainAccuracy: 100 },
      { splits: 60 },
    );
    assert.ok(Math.abs(plain.figures.find((f) => f.name === 'accuracy')!.gap) < 15, 'against its own held-out rows the gap is small');
    const cls = retrainFreeVerdict(
      { forget: knowsClass(300), heldOut: knowsClass(100), retain: memorised(600, rand), originalRetainAccuracy: 100, unseenClass: true },
      { splits: 60 },
    );
    const acc = cls.figures.find((f) => f.name === 'accuracy')!;
    assert.equal(acc.reference, 0);
    assert.ok(acc.gap > 50, `gap ${acc.gap}`);
    assert.equal(cls.label, 'still remembers', cls.reason);
    // Retrain-like: the class is never predicted; against 0 nothing is flagged.
    const never = (n: number): SampleOutputs =>
      outputsOf(
        Array.from({ length: n }, () => 0.05 + 0.3 * rand()),
        rand,
      );
    const gone = retrainFreeVerdict(
      { forget: never(300), heldOut: never(100), retain: memorised(600, rand), originalRetainAccuracy: 100, unseenClass: true },
      { splits: 60 },
    );
    assert.equal(gone.figures.find((f) => f.name === 'accuracy')!.gap, 0);
  });

  it('is deterministic given its seed; another seed moves the thresholds, not the decision', () => {
    const data = input(memorised(200, makeRng(7)), 3);
    const a = retrainFreeVerdict(data, { seed: 4, splits: 50 });
    assert.deepEqual(retrainFreeVerdict(data, { seed: 4, splits: 50 }), a);
    const b = retrainFreeVerdict(data, { seed: 5, splits: 50 });
    assert.notDeepEqual(
      b.figures.map((f) => f.threshold),
      a.figures.map((f) => f.threshold),
    );
    assert.equal(b.label, a.label);
  });

  it('rejects sets it cannot halve and inconsistent arrays', () => {
    const rand = makeRng(1);
    const ok = input(unseen(50, rand), 1);
    assert.throws(() => retrainFreeVerdict({ ...ok, heldOut: unseen(1, rand) }), /at least 2/);
    assert.throws(() => retrainFreeVerdict({ ...ok, forget: { ...ok.forget, loss: [1] } }), /differ in length/);
    assert.throws(() => retrainFreeVerdict(ok, { alpha: 0 }), /alpha/);
  });
});

describe('collectSampleOutputs (sampleOutputs.ts)', () => {
  before(useCpu);

  it('agrees with the evaluator: same correct flags, exp(−loss) = true-label confidence, max prob ≥ it', async () => {
    // Relative to the count before: other files of the same mocha process may keep tensors of their own.
    const before = tf.memory().numTensors;
    const set = toyImages(37, 2);
    const clf = tinyMlp(4);
    try {
      const idx = Int32Array.from({ length: 30 }, (_, i) => i + 5);
      const got = await collectSampleOutputs(clf, set, idx, undefined, 8);
      const ref = await predictPerSample(clf, set, idx, undefined, 8);
      assert.deepEqual(got.correct, ref.correct);
      for (let i = 0; i < idx.length; i++) {
        assert.ok(Math.abs(Math.exp(-got.loss[i]) - ref.confidence[i]) < 1e-5, `sample ${i}`);
        assert.ok(got.confidence[i] >= ref.confidence[i] - 1e-6);
        assert.equal(got.correct[i] === 1, Math.abs(got.confidence[i] - ref.confidence[i]) < 1e-5);
      }
    } finally {
      clf.model.dispose();
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('held-out rows: the whole test set, or only the forgotten class', () => {
    const test = toyImages(40, 3);
    assert.equal(unseenReference(test, undefined, undefined).indices.length, 40);
    const cls = unseenReference(test, undefined, 1).indices;
    assert.ok(cls.length > 0 && cls.every((i) => test.labels[i] === 1));
    assert.equal(cls.length, test.labels.filter((l) => l === 1).length);
  });
});
