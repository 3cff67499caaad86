// The unlearning challenge's forgetting quality (src/engine/metrics/forgetQuality.ts): its pieces
// against hand values, and F's order on samples whose answer is known. The example-by-example
// check against an independent numpy port is bench/forget-quality-crosscheck.ts (CI runs it).
import * as assert from 'node:assert/strict';
import {
  EPSILON_CAP,
  epsilonScore,
  exampleEpsilon,
  forgetQuality,
  linspace,
  logitScaledConfidence,
  testEpsilon,
  DELTA,
} from '../../src/engine/metrics/forgetQuality';
import { makeRng } from '../../src/engine/rng';

const near = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

function gaussian(seed: number): () => number {
  const r = makeRng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** N models × n examples around per-example means, shifted by `shift`, spread `sd`. */
function models(n: number, count: number, seed: number, shift: number, sd: number): Float64Array[] {
  const m = makeRng(99);
  const means = Float64Array.from({ length: n }, () => 2 + 6 * m());
  const z = gaussian(seed);
  return Array.from({ length: count }, () => Float64Array.from(means, (mu) => mu + shift + sd * z()));
}

describe('forgetting quality (the unlearning challenge)', () => {
  it('logit-scales the true class: log p_y − log(1 − p_y)', () => {
    const lp = [0.7, 0.2, 0.1].map(Math.log);
    near(logitScaledConfidence(lp, 0), Math.log(0.7 / 0.3), 1e-9);
    near(logitScaledConfidence(lp, 2), Math.log(0.1 / 0.9), 1e-9);
  });

  it('builds grids as numpy.linspace does, the last point exactly the end', () => {
    assert.deepEqual(Array.from(linspace(0, 1, 5)), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(Array.from(linspace(3, 3, 3)), [3, 3, 3]);
    assert.deepEqual(Array.from(linspace(2, 5, 1)), [2]);
    assert.equal(linspace(0.1, 0.7, 7)[6], 0.7);
  });

  it('scores ε in buckets of 0.5 up to ⌈ln(N − 1)⌉, halving each bucket, 0 past the last', () => {
    // N = 8: ⌈ln 7⌉ = 2, four buckets.
    assert.deepEqual(
      [0.2, 0.7, 1.2, 1.7, 2.1, 49].map((e) => epsilonScore(e, 8)),
      [1, 0.5, 0.25, 0.125, 0, 0],
    );
    // N = 512 (the challenge): ⌈ln 511⌉ = 7, fourteen buckets.
    assert.equal(epsilonScore(6.9, 512), 2 ** -13);
    assert.equal(epsilonScore(7, 512), 0);
  });

  it("takes one test's ε from its error rates, perfect separation as unbounded, a one-sided zero as no evidence", () => {
    near(testEpsilon(0.8, 0.2, 0.1, 0.9), Math.max(Math.log(1 - DELTA - 0.1) - Math.log(0.2), Math.log(1 - DELTA - 0.2) - Math.log(0.1)));
    assert.equal(testEpsilon(1, 0, 0, 1), Infinity);
    assert.ok(Number.isNaN(testEpsilon(1, 0, 0.5, 0.5)));
    assert.equal(testEpsilon(0.5, 0.5, 0.5, 0.5), 0, 'a coin flip is ε 0, clipped');
  });

  it('gives the cap at once when one sample barely spreads (a constant "unlearned" model)', () => {
    const spread = Float64Array.from({ length: 8 }, (_, i) => i);
    assert.equal(
      exampleEpsilon(
        Float64Array.from({ length: 8 }, (_, i) => 3 + 1e-5 * i),
        spread,
      ),
      EPSILON_CAP,
    );
  });

  it('orders F as the answer is known: Retrain-like ≫ shifted ≫ copies of one model (0)', () => {
    const retrained = models(40, 16, 1, 0, 1);
    const same = forgetQuality(models(40, 16, 2, 0, 1), retrained);
    const shifted = forgetQuality(models(40, 16, 3, 4, 1), retrained);
    const copies = forgetQuality(models(40, 16, 4, 3, 0), retrained);
    assert.equal(same.epsilonLimit, 3);
    assert.ok(same.score > 0.1 && same.score > shifted.score + 0.08, `same ${same.score}, shifted ${shifted.score}`);
    assert.equal(copies.score, 0);
    assert.ok(copies.epsilons.every((e) => e === EPSILON_CAP));
    assert.throws(() => forgetQuality(models(4, 2, 5, 0, 1), models(4, 2, 6, 0, 1)), /N ≥ 3/);
  });
});
