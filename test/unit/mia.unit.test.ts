import { strict as assert } from 'node:assert';
import { makeRng } from '../../src/engine/rng';
import { miaEfficacy } from '../../src/engine/metrics/mia';

const rng = makeRng;

// Confidence of the true label, as float32 like a softmax output.
/** Samples a model has trained on: almost all within 1e-3 of 1. */
function memorised(n: number, r: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => 1 - 1e-3 * r() ** 3);
}

/** Samples it has not seen: half confidently right, the rest spread over [0, 1]. */
function unseen(n: number, r: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => (r() < 0.5 ? 1 - 0.2 * r() : r()));
}

describe('miaEfficacy (SVC_MIA confidence attack, RBF SVM C=3 gamma=auto)', function () {
  this.timeout(30_000);

  it('scores a memorised forget set low and a never-seen forget set high', () => {
    const r = rng(11);
    const retainConfidence = memorised(800, r);
    const testConfidence = unseen(800, r);
    const before = miaEfficacy({ retainConfidence, testConfidence, forgetConfidence: memorised(400, r) });
    const after = miaEfficacy({ retainConfidence, testConfidence, forgetConfidence: unseen(400, r) });
    assert.ok(before.converged && after.converged);
    assert.ok(before.efficacy < 10, `memorised forget set: efficacy ${before.efficacy}`);
    assert.ok(after.efficacy > 40, `unseen forget set: efficacy ${after.efficacy}`);
    assert.ok(after.efficacy - before.efficacy > 35);
  });

  it('calls 1.0 a member and 0.0 a non-member (label orientation)', () => {
    const r = rng(12);
    const base = { retainConfidence: memorised(300, r), testConfidence: unseen(300, r) };
    assert.equal(miaEfficacy({ ...base, forgetConfidence: [1, 1, 1, 1] }).efficacy, 0);
    assert.equal(miaEfficacy({ ...base, forgetConfidence: [0, 0.05, 0.1] }).efficacy, 100);
  });

  it('reports counts consistent with the percentage', () => {
    const r = rng(13);
    const res = miaEfficacy({ retainConfidence: memorised(250, r), testConfidence: unseen(250, r), forgetConfidence: unseen(137, r) });
    assert.equal(res.memberCount, 250);
    assert.equal(res.nonMemberCount, 250);
    assert.equal(res.forgetCount, 137);
    assert.equal(res.efficacy, (100 * res.forgetPredictedNonMember) / 137);
    assert.ok(res.supportVectorCount > 0 && res.iterations > 0);
  });

  it('gives the same answer for Float32Array, Float64Array and number[] inputs', () => {
    const r = rng(14);
    const retain = memorised(200, r);
    const test = unseen(200, r);
    const forget = unseen(100, r);
    const a = miaEfficacy({ retainConfidence: retain, testConfidence: test, forgetConfidence: forget });
    const b = miaEfficacy({ retainConfidence: Float64Array.from(retain), testConfidence: Array.from(test), forgetConfidence: Array.from(forget) });
    assert.deepEqual(a, b);
  });

  it('rejects empty or non-finite inputs, naming the array and index', () => {
    const good = [0.5, 0.9];
    assert.throws(() => miaEfficacy({ retainConfidence: [], testConfidence: good, forgetConfidence: good }), /retainConfidence is empty/);
    assert.throws(() => miaEfficacy({ retainConfidence: good, testConfidence: [], forgetConfidence: good }), /testConfidence is empty/);
    assert.throws(() => miaEfficacy({ retainConfidence: good, testConfidence: good, forgetConfidence: new Float32Array(0) }), /forgetConfidence is empty/);
    assert.throws(() => miaEfficacy({ retainConfidence: good, testConfidence: [0.1, 0.2, 0.3, NaN], forgetConfidence: good }), /testConfidence\[3\] is NaN/);
    assert.throws(() => miaEfficacy({ retainConfidence: good, testConfidence: good, forgetConfidence: [0.2, Infinity] }), /forgetConfidence\[1\] is Infinity/);
  });
});
