import { strict as assert } from 'node:assert';
import { makeRng } from '../../src/engine/rng';
import { fitRbfSvm, type RbfSvm } from '../../src/engine/metrics/svm';

const rng = makeRng;

/** Two overlapping 1-D classes shaped like MIA confidences: −1 piled up near 1, +1 spread out. */
function overlapping(n: number, seed: number, decimals?: number): { x: Float64Array; y: Int8Array } {
  const r = rng(seed);
  const x = new Float64Array(n);
  const y = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const positive = i < n / 2;
    let v = positive ? (r() < 0.7 ? 1 - 0.3 * r() ** 2 : r()) : r() < 0.95 ? 1 - 0.05 * r() ** 4 : r();
    if (decimals !== undefined) v = Math.round(v * 10 ** decimals) / 10 ** decimals;
    x[i] = v;
    y[i] = positive ? 1 : -1;
  }
  return { x, y };
}

function accuracy(model: RbfSvm, x: ArrayLike<number>, y: ArrayLike<number>): number {
  const p = model.predict(x);
  let ok = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === y[i]) ok++;
  return ok / p.length;
}

describe('fitRbfSvm (LIBSVM-style SMO, RBF kernel)', () => {
  it('solves the two-point problem exactly: α = 1/(1 − e^−γ), ρ = 0', () => {
    const gamma = 1;
    const m = fitRbfSvm([0, 1], 1, [-1, 1], { C: 10, gamma });
    const expected = 1 / (1 - Math.exp(-gamma));
    assert.ok(m.converged);
    assert.ok(Math.abs(m.alpha[0] - expected) < 1e-6, `alpha[0]=${m.alpha[0]}, expected ${expected}`);
    assert.ok(Math.abs(m.alpha[1] - expected) < 1e-6, `alpha[1]=${m.alpha[1]}, expected ${expected}`);
    assert.ok(Math.abs(m.rho) < 1e-6, `rho=${m.rho}`);
    const f = m.decision([0, 0.5, 1]);
    assert.ok(Math.abs(f[0] + 1) < 1e-5 && Math.abs(f[1]) < 1e-6 && Math.abs(f[2] - 1) < 1e-5, `f=${Array.from(f).join(', ')}`);
    assert.deepEqual(Array.from(m.dualCoef).map(Math.sign), [-1, 1]);
  });

  it('classifies separable 1-D data perfectly, on and off the training set', () => {
    const r = rng(1);
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 40; i++) {
      x.push(0.3 * r());
      y.push(-1);
    }
    for (let i = 0; i < 40; i++) {
      x.push(0.7 + 0.3 * r());
      y.push(1);
    }
    const m = fitRbfSvm(x, 1, y, { C: 100, gamma: 10 });
    assert.ok(m.converged);
    assert.equal(accuracy(m, x, y), 1);
    assert.deepEqual(Array.from(m.predict([0.05, 0.25, 0.75, 0.95])), [-1, -1, 1, 1]);
    // A margin classifier on separable data needs only the points near the gap.
    assert.ok(m.supportCount < x.length / 2, `${m.supportCount} support vectors`);
  });

  it('fits an interval (+1 inside, −1 on both sides) that no linear classifier can', () => {
    const r = rng(2);
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 60; i++) {
      const u = r();
      if (u < 1 / 3) {
        x.push(0.25 * r());
        y.push(-1);
      } else if (u < 2 / 3) {
        x.push(0.4 + 0.2 * r());
        y.push(1);
      } else {
        x.push(0.75 + 0.25 * r());
        y.push(-1);
      }
    }
    const m = fitRbfSvm(x, 1, y, { C: 100, gamma: 30 });
    assert.ok(m.converged);
    assert.equal(accuracy(m, x, y), 1);
    assert.deepEqual(Array.from(m.predict([0.02, 0.5, 0.98])), [-1, 1, -1]);
    // Any threshold rule on 1-D data is monotone, so it gets at most 2 of these 3 right.
  });

  it('fits 2-D XOR clusters (general-dimension kernel path)', () => {
    const r = rng(3);
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 80; i++) {
      const a = r() < 0.5 ? -1 : 1;
      const b = r() < 0.5 ? -1 : 1;
      x.push(a + 0.3 * (r() - 0.5), b + 0.3 * (r() - 0.5));
      y.push(a * b);
    }
    const m = fitRbfSvm(x, 2, y, { C: 10, gamma: 1 });
    assert.ok(m.converged);
    assert.equal(accuracy(m, x, y), 1);
    assert.deepEqual(Array.from(m.predict([1, 1, -1, -1, 1, -1, -1, 1])), [1, 1, -1, -1]);
  });

  it('satisfies the KKT conditions at the solution within the stopping tolerance', () => {
    const C = 3;
    const { x, y } = overlapping(400, 4);
    const m = fitRbfSvm(x, 1, y, { C, gamma: 1 });
    assert.ok(m.converged);
    let sumAlphaY = 0;
    for (let i = 0; i < y.length; i++) {
      assert.ok(m.alpha[i] >= 0 && m.alpha[i] <= C, `alpha[${i}]=${m.alpha[i]} outside [0, C]`);
      sumAlphaY += m.alpha[i] * y[i];
    }
    assert.ok(Math.abs(sumAlphaY) < 1e-9, `Σαy=${sumAlphaY}`);
    // α = 0 ⇒ y·f ≥ 1, α = C ⇒ y·f ≤ 1, 0 < α < C ⇒ y·f = 1; the solver stops once the largest
    // violation is below eps = 1e-3 and ρ sits inside that gap.
    const f = m.decision(x);
    const slack = 1.5e-3;
    let free = 0;
    let bounded = 0;
    for (let i = 0; i < y.length; i++) {
      const yf = y[i] * f[i];
      if (m.alpha[i] === 0) assert.ok(yf >= 1 - slack, `i=${i}: α=0 but y·f=${yf}`);
      else if (m.alpha[i] === C) {
        bounded++;
        assert.ok(yf <= 1 + slack, `i=${i}: α=C but y·f=${yf}`);
      } else {
        free++;
        assert.ok(Math.abs(yf - 1) <= slack, `i=${i}: free α but y·f=${yf}`);
      }
    }
    assert.equal(bounded, m.boundedSupportCount);
    assert.equal(free + bounded, m.supportCount);
    assert.ok(bounded > 0 && free > 0, `want both free (${free}) and bounded (${bounded}) SVs in this test`);
  });

  it('gives the same solution whatever the cache size or row sharing (they change speed only)', function () {
    this.timeout(30_000);
    // Values rounded to 3 decimals repeat, so the shared-row path is taken; n > 1000 iterations
    // so shrinking, un-shrinking and column swaps happen.
    const { x, y } = overlapping(3000, 5, 3);
    const base = fitRbfSvm(x, 1, y, { C: 3, gamma: 1 });
    const tiny = fitRbfSvm(x, 1, y, { C: 3, gamma: 1, cacheMb: 0.01 });
    const noShare = fitRbfSvm(x, 1, y, { C: 3, gamma: 1, shareDuplicateRows: false });
    assert.ok(base.iterations > 1000, `only ${base.iterations} iterations`);
    for (const other of [tiny, noShare]) {
      assert.equal(other.iterations, base.iterations);
      assert.equal(other.rho, base.rho);
      assert.deepEqual(other.alpha, base.alpha);
    }
  });

  it('reaches the same decision function with and without shrinking', function () {
    this.timeout(30_000);
    const { x, y } = overlapping(1500, 6);
    const a = fitRbfSvm(x, 1, y, { C: 3, gamma: 1, shrinking: true });
    const b = fitRbfSvm(x, 1, y, { C: 3, gamma: 1, shrinking: false });
    const grid = Array.from({ length: 201 }, (_, k) => k / 200);
    const fa = a.decision(grid);
    const fb = b.decision(grid);
    let maxDiff = 0;
    for (let k = 0; k < grid.length; k++) maxDiff = Math.max(maxDiff, Math.abs(fa[k] - fb[k]));
    assert.ok(maxDiff < 1e-2, `decision functions differ by ${maxDiff}`);
    assert.ok(Math.abs(a.objective - b.objective) < 1e-3 * Math.abs(a.objective), `objectives ${a.objective} vs ${b.objective}`);
  });

  it('reports converged=false when the iteration cap stops it', () => {
    const { x, y } = overlapping(300, 7);
    const capped = fitRbfSvm(x, 1, y, { C: 3, gamma: 1, maxIter: 3 });
    assert.equal(capped.converged, false);
    assert.equal(capped.iterations, 3);
    assert.ok(Number.isFinite(capped.rho));
    assert.equal(fitRbfSvm(x, 1, y, { C: 3, gamma: 1 }).converged, true);
  });

  it('fits n = 4000 MIA-shaped points in a few seconds', function () {
    this.timeout(30_000);
    const { x, y } = overlapping(4000, 8);
    const t0 = Date.now();
    const m = fitRbfSvm(x, 1, y, { C: 3, gamma: 1 });
    const ms = Date.now() - t0;
    assert.ok(m.converged);
    assert.ok(ms < 10_000, `took ${ms} ms`);
  });

  it('rejects bad input with a message naming it', () => {
    const ok = { C: 1, gamma: 1 };
    assert.throws(() => fitRbfSvm([0, 1], 1, [0, 1], ok), /labels\[0\] is 0/);
    assert.throws(() => fitRbfSvm([0, 1], 1, [1, 1], ok), /need both classes/);
    assert.throws(() => fitRbfSvm([0, NaN], 1, [-1, 1], ok), /features\[1\] is NaN/);
    assert.throws(() => fitRbfSvm([0, 1, 2], 1, [-1, 1], ok), /features has 3 values/);
    assert.throws(() => fitRbfSvm([], 1, [], ok), /labels is empty/);
    assert.throws(() => fitRbfSvm([0, 1], 0, [-1, 1], ok), /dim must be a positive integer/);
    assert.throws(() => fitRbfSvm([0, 1], 1, [-1, 1], { C: 0, gamma: 1 }), /C must be/);
    assert.throws(() => fitRbfSvm([0, 1], 1, [-1, 1], { C: 1, gamma: -1 }), /gamma must be/);
    const m = fitRbfSvm([0, 0, 1, 1], 2, [-1, 1], ok);
    assert.throws(() => m.decision([1, 2, 3]), /not a multiple of dim=2/);
  });
});
