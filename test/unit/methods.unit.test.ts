// The baselines' core rules on toy data (cpu backend): ℓ1's schedule and shrinkage, BS's targets,
// BE's head, IU's step on a quadratic, SalUn-soft's pull to θo, and "saliency + X" freezing.
import { strict as assert } from 'node:assert';
import { assertNonSalientUnchanged } from '../support/maskedWeights';
import { allIndices } from '../../src/engine/data/dataset';
import { copyWithoutShadow, withShadowClass } from '../../src/engine/methods/boundaryExpanding';
import { nearestWrongClasses } from '../../src/engine/methods/boundaryShrink';
import { influenceStep, woodFisherCoefficients } from '../../src/engine/methods/influence';
import { l1AlphaAt } from '../../src/engine/methods/l1Sparse';
import { unlearn, type UnlearnInput } from '../../src/engine/methods/unlearn';
import { methodEpochs, methodUsesMask } from '../../src/protocol/methods';
import { cloneModel, classifierOf, type Classifier } from '../../src/engine/models/io';
import { buildMask, SaliencyIndex } from '../../src/store/saliency/mask';
import { computeSaliencyScores } from '../../src/engine/saliency/scores';
import { trainableVariables } from '../../src/engine/train/loop';
import { tf, type T } from '../../src/engine/tf';
import type { MethodName } from '../../src/protocol/config';
import { parseRunConfig } from '../../src/protocol/runConfigSchema';
import { tinyMlp, toyImages, toyRecipe, useCpu, weightsOf } from '../support/tinyModels';

const recipe = toyRecipe;
const snapshot = weightsOf;
const l1Norm = (clf: Classifier): number => snapshot(clf).reduce((s, w) => s + w.reduce((a, x) => a + Math.abs(x), 0), 0);
const l1Distance = (clf: Classifier, ref: Float32Array[]): number =>
  snapshot(clf).reduce((s, w, i) => s + w.reduce((a, x, j) => a + Math.abs(x - ref[i][j]), 0), 0);

/** Solves A·x = b (A n×n, row-major) by Gaussian elimination with partial pivoting, in float64. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

describe('methods: ℓ1-sparse', () => {
  before(useCpu);

  it('α_t decays linearly from α to 0 over the epochs (authors: α·(1 − e/E), e 0-based)', () => {
    const alphas = [1, 2, 3, 4, 5, 6].map((t) => l1AlphaAt(5e-4, t, 5));
    assert.equal(alphas[0], 5e-4);
    for (let t = 1; t < 5; t++) assert.ok(Math.abs(alphas[t - 1] - alphas[t] - 1e-4) < 1e-12, `step ${t}: ${alphas.join(', ')}`);
    assert.ok(alphas[4] > 0, 'the last epoch still has a penalty');
    assert.equal(alphas[5], 0, 'and it reaches 0 where the schedule ends');
  });

  it('shrinks ‖θ‖₁ relative to plain FT with the same seed and recipe', async () => {
    const set = toyImages(40, 3);
    const forget = Int32Array.from([0, 1, 2, 3, 4]);
    const retain = allIndices(40).slice(5);
    const base = tinyMlp(7);
    const ft = classifierOf(await cloneModel(base.model));
    const l1 = classifierOf(await cloneModel(base.model));
    const common = { train: set, forget, retain, seed: 3, recipe: recipe({ epochs: 3 }) };
    await unlearn({ ...common, method: 'ft', clf: ft });
    await unlearn({ ...common, method: 'l1', clf: l1, options: { l1: { alpha: 0.02 } } });
    assert.ok(l1Norm(l1) < l1Norm(ft) - 0.05, `‖θ‖₁: ℓ1 ${l1Norm(l1)} vs FT ${l1Norm(ft)}`);
    // With α = 0 it is FT, bit for bit (same shuffles): the penalty is the only difference.
    const l0 = classifierOf(await cloneModel(base.model));
    const ft2 = classifierOf(await cloneModel(base.model));
    await unlearn({ ...common, method: 'l1', clf: l0, options: { l1: { alpha: 0 } } });
    await unlearn({ ...common, method: 'ft', clf: ft2 });
    const a = snapshot(l0);
    snapshot(ft2).forEach((w, i) => assert.deepEqual(Array.from(w), Array.from(a[i])));
    [base, ft, l1, l0, ft2].forEach((c) => c.model.dispose());
  });
});

describe('methods: boundary shrink', () => {
  before(useCpu);

  it('targets are never the true label, whether or not the FGSM step crosses the boundary', async () => {
    const set = toyImages(40, 9);
    const clf = tinyMlp(5);
    const rows = allIndices(40);
    for (const eps of [0.001, 0.1, 0.5]) {
      const targets = await nearestWrongClasses(clf, set, rows, eps, 7);
      targets.forEach((t, i) => {
        assert.notEqual(t, set.labels[rows[i]], `eps ${eps}, row ${i}`);
        assert.ok(t >= 0 && t < 3);
      });
    }
    clf.model.dispose();
  });

  it('fine-tunes Df toward those targets: the forget rows move to the wrong classes', async () => {
    const set = toyImages(40, 9);
    const clf = tinyMlp(5);
    const forget = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const targets = await nearestWrongClasses(clf, set, forget, 0.1, 8);
    const hits = (): number =>
      tf.tidy(() => {
        const x = tf.tensor(
          Array.from(forget).flatMap((i) => Array.from(set.images.subarray(i * 16, i * 16 + 16))),
          [forget.length, 4, 4, 1],
        );
        const pred = (clf.model.predict(x) as T.Tensor).argMax(1).dataSync();
        return Array.from(pred).filter((p, i) => p === targets[i]).length;
      });
    const before = hits();
    await unlearn({ method: 'bs', clf, train: set, forget, retain: allIndices(40).slice(8), seed: 1, recipe: recipe({ epochs: 5, lr: 0.2 }) });
    assert.ok(hits() > before && hits() >= 6, `rows predicted as their BS target: ${before} → ${hits()} of 8`);
    clf.model.dispose();
  });
});

describe('methods: boundary expanding', () => {
  before(useCpu);

  it('the shadow unit is added (original columns bit for bit) and removed again', async () => {
    const clf = tinyMlp(2, 3, true);
    const wide = await withShadowClass(clf.model, 0.01, 4);
    assert.deepEqual(wide.outputs[0].shape, [null, 4]);
    const k = clf.model.layers[clf.model.layers.length - 1].getWeights()[0];
    const kw = wide.layers[wide.layers.length - 1].getWeights()[0];
    assert.deepEqual(kw.shape, [8, 4]);
    const a = k.dataSync();
    const b = kw.dataSync();
    for (let r = 0; r < 8; r++) for (let c = 0; c < 3; c++) assert.equal(b[r * 4 + c], a[r * 3 + c]);
    const back = classifierOf(await cloneModel(clf.model));
    copyWithoutShadow(wide, back.model);
    snapshot(back).forEach((w, i) => assert.deepEqual(Array.from(w), Array.from(snapshot(clf)[i])));
    [clf.model, wide, back.model].forEach((m) => m.dispose());
  });

  it('after BE the model has its C-class head again, still predicts, and Df moved away from its labels', async () => {
    const set = toyImages(40, 12);
    const clf = tinyMlp(8, 3, true);
    const forget = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const shapes = trainableVariables(clf).map((v) => v.shape.join('×'));
    const forgetCe = (): number =>
      tf.tidy(() => {
        const x = tf.tensor(
          Array.from(forget).flatMap((i) => Array.from(set.images.subarray(i * 16, i * 16 + 16))),
          [forget.length, 4, 4, 1],
        );
        const lp = tf.logSoftmax(clf.model.predict(x) as T.Tensor2D);
        return -tf
          .mean(
            tf.sum(
              tf.mul(
                lp,
                tf.oneHot(
                  tf.tensor1d(
                    Array.from(forget).map((i) => set.labels[i]),
                    'int32',
                  ),
                  3,
                ),
              ),
              1,
            ),
          )
          .dataSync()[0];
      });
    const before = forgetCe();
    const seenShapes: string[] = [];
    await unlearn({
      method: 'be',
      clf,
      train: set,
      forget,
      retain: allIndices(40).slice(8),
      seed: 2,
      recipe: recipe({ epochs: 3, lr: 0.1 }),
      onEpoch: async () => {
        seenShapes.push(String(clf.model.outputs[0].shape[1]));
      },
    });
    assert.deepEqual(seenShapes, ['3', '3', '3'], 'every per-epoch evaluation sees the C-class model');
    assert.deepEqual(clf.model.outputs[0].shape, [null, 3]);
    assert.deepEqual(
      trainableVariables(clf).map((v) => v.shape.join('×')),
      shapes,
    );
    const out = tf.tidy(() => clf.model.predict(tf.tensor(set.images.subarray(0, 5 * 16), [5, 4, 4, 1])) as T.Tensor);
    assert.deepEqual(out.shape, [5, 3]);
    assert.ok(Array.from(out.dataSync()).every(Number.isFinite));
    out.dispose();
    assert.ok(forgetCe() > before, `forget CE ${before} → ${forgetCe()}`);
    clf.model.dispose();
  });
});

describe('methods: influence unlearning', () => {
  before(useCpu);

  it('the WoodFisher recursion equals (λI + GᵀG/N)⁻¹v', () => {
    const rand = ((s) => () => {
      s = (s * 16807) % 2147483647;
      return s / 2147483647 - 0.5;
    })(42);
    for (const [n, p, lambda] of [
      [5, 7, 0.3],
      [9, 4, 1e-3],
    ] as const) {
      const g = Array.from({ length: n }, () => Array.from({ length: p }, rand));
      const v = Array.from({ length: p }, rand);
      const gram = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) gram[i * n + j] = g[i].reduce((s, x, k) => s + x * g[j][k], 0);
      const gv = Float64Array.from(g.map((row) => row.reduce((s, x, k) => s + x * v[k], 0)));
      const c = woodFisherCoefficients(gram, gv, n, lambda);
      const got = v.map((x, k) => x / lambda - g.reduce((s, row, m) => s + row[k] * c[m], 0));
      const f = Array.from({ length: p }, (_, i) =>
        Array.from({ length: p }, (_, j) => (i === j ? lambda : 0) + g.reduce((s, row) => s + row[i] * row[j], 0) / n),
      );
      const want = solve(f, v);
      want.forEach((w, k) => assert.ok(Math.abs(got[k] - w) < 1e-8 * Math.max(1, Math.abs(w)), `n ${n} p ${p} [${k}]: ${got[k]} vs ${w}`));
    }
  });

  it('moves the weights of a least-squares model by α·(λI + H)⁻¹v, H the known Hessian of the retain loss', async () => {
    // Linear model, ℓᵢ = ½(θᵀxᵢ − yᵢ)². Retain targets are set so every retain residual is ±1 at θo:
    // then the per-sample gradients rᵢxᵢ give an empirical Fisher (1/N)Σxᵢxᵢᵀ that IS the Hessian H_r.
    const d = 4;
    const rand = ((s) => () => {
      s = (s * 48271) % 2147483647;
      return s / 2147483647;
    })(7);
    const theta0 = [0.5, -1, 0.25, 2];
    const x: number[][] = [];
    const y: number[] = [];
    const nRetain = 14;
    const nForget = 4;
    for (let i = 0; i < nRetain + nForget; i++) {
      const xi = Array.from({ length: d }, () => rand() * 2 - 1);
      const fit = xi.reduce((s, a, k) => s + a * theta0[k], 0);
      x.push(xi);
      y.push(i < nRetain ? fit - (i % 2 ? 1 : -1) : fit + 3 * rand() - 1.5);
    }
    const retain = Int32Array.from({ length: nRetain }, (_, i) => i);
    const forget = Int32Array.from({ length: nForget }, (_, i) => nRetain + i);
    const theta = tf.variable(tf.tensor1d(theta0), true, 'theta_quadratic');
    const X = tf.tensor2d(x);
    const Y = tf.tensor1d(y);
    const meanLoss = (rows: Int32Array): T.Scalar =>
      tf.tidy(() => {
        const idx = tf.tensor1d(rows, 'int32');
        const r = tf.sub(tf.squeeze(tf.matMul(tf.gather(X, idx), tf.reshape(theta, [d, 1])), [1]), tf.gather(Y, idx));
        return tf.mean<T.Scalar>(tf.mul(0.5, tf.square(r)));
      });
    const alpha = 0.7;
    const lambda = 1e-3;
    await influenceStep({ vars: [theta], meanLoss, forget, retain, fisherRows: retain, alpha, damping: lambda, batchSize: 5 });

    // Closed form, in float64.
    const grad = (i: number): number[] => {
      const r = x[i].reduce((s, a, k) => s + a * theta0[k], 0) - y[i];
      return x[i].map((a) => r * a);
    };
    const n = nRetain + nForget;
    const v = Array.from({ length: d }, (_, k) => {
      let f = 0;
      let r = 0;
      for (const i of forget) f += grad(i)[k];
      for (const i of retain) r += grad(i)[k];
      return f / n - (r * nForget) / (n * nRetain);
    });
    const h = Array.from({ length: d }, (_, a) =>
      Array.from({ length: d }, (_, b) => (a === b ? lambda : 0) + Array.from(retain).reduce((s, i) => s + x[i][a] * x[i][b], 0) / nRetain),
    );
    const step = solve(h, v).map((s) => alpha * s);
    const moved = Array.from(theta.dataSync()).map((t, k) => t - theta0[k]);
    const norm = Math.hypot(...step);
    assert.ok(norm > 0.05, `a visible step (${norm})`);
    moved.forEach((m, k) => assert.ok(Math.abs(m - step[k]) < 2e-3 * norm, `θ[${k}] moved ${m}, predicted ${step[k]}`));
    tf.dispose([theta, X, Y]);
  });
});

describe('methods: SalUn-soft', () => {
  before(useCpu);

  it('a large λ keeps the weights closer to θo than SalUn, and λ orders the distance', async () => {
    const set = toyImages(40, 21);
    const forget = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const retain = allIndices(40).slice(6);
    const base = tinyMlp(11);
    const ref = snapshot(base);
    const index = new SaliencyIndex(await computeSaliencyScores(base, set, forget, 4));
    const masks = buildMask(index, index.summaryForRatio(0.5));
    const distance = async (method: MethodName, lambda?: number): Promise<number> => {
      const clf = classifierOf(await cloneModel(base.model));
      const vars = trainableVariables(clf);
      const mask =
        method === 'salun'
          ? { salient: vars.map((v, i) => tf.cast(tf.tensor(masks[i], v.shape, 'int32'), 'bool')), anchor: vars.map((v) => tf.clone(v)) }
          : undefined;
      await unlearn({ method, clf, train: set, forget, retain, seed: 4, recipe: recipe({ epochs: 2 }), mask, options: { salunSoft: { lambda: lambda ?? 0 } } });
      const dist = l1Distance(clf, ref);
      if (mask) tf.dispose([...mask.salient, ...mask.anchor]);
      clf.model.dispose();
      return dist;
    };
    const salun = await distance('salun');
    // λ = 0 is RL, bit for bit (the same shuffles and random labels): the threshold is the only difference.
    const rl = classifierOf(await cloneModel(base.model));
    const soft0 = classifierOf(await cloneModel(base.model));
    await unlearn({ method: 'rl', clf: rl, train: set, forget, retain, seed: 4, recipe: recipe({ epochs: 2 }) });
    await unlearn({
      method: 'salun-soft',
      clf: soft0,
      train: set,
      forget,
      retain,
      seed: 4,
      recipe: recipe({ epochs: 2 }),
      options: { salunSoft: { lambda: 0 } },
    });
    const r0 = snapshot(rl);
    snapshot(soft0).forEach((w, i) => assert.deepEqual(Array.from(w), Array.from(r0[i])));
    [rl, soft0].forEach((c) => c.model.dispose());
    const soft = [0, 0.05, 2].map((l) => distance('salun-soft', l));
    const [none, small, large] = await Promise.all(soft);
    assert.ok(large < 0.5 * salun, `large λ: ${large} vs SalUn ${salun}`);
    assert.ok(large < small && small < none, `λ 0 / 0.05 / 2: ${none}, ${small}, ${large}`);
    base.model.dispose();
  });
});

describe('methods: masked ("saliency + X")', () => {
  before(useCpu);

  const methods: MethodName[] = ['rl', 'ft', 'ga', 'l1', 'bs', 'be', 'iu', 'salun-soft'];
  for (const method of methods) {
    it(`${method} masked never moves a non-salient weight (bit for bit), but moves salient ones`, async () => {
      const set = toyImages(48, 31);
      const original = tinyMlp(2, 3, true);
      const forget = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
      const retain = allIndices(48).slice(8);
      const index = new SaliencyIndex(await computeSaliencyScores(original, set, forget, 4));
      const masks = buildMask(index, index.summaryForRatio(0.3));
      const theta = classifierOf(await cloneModel(original.model));
      const vars = trainableVariables(theta);
      const before = snapshot(theta);
      const salient = vars.map((v, i) => tf.cast(tf.tensor(masks[i], v.shape, 'int32'), 'bool'));
      const anchor = vars.map((v) => tf.clone(v));
      const input: UnlearnInput = {
        method,
        clf: theta,
        train: set,
        forget,
        retain,
        seed: 1,
        mask: { salient, anchor },
        recipe: recipe({ epochs: 2, lr: method === 'ga' ? 0.02 : 0.1, weightDecay: 0.05 }),
        options: { iu: { alpha: 5, fisherSamples: 16 }, l1: { alpha: 0.01 }, salunSoft: { lambda: 0.01 } },
      };
      await unlearn(input);
      const { moved, frozen } = assertNonSalientUnchanged(
        before,
        vars.map((v) => v.dataSync() as Float32Array),
        masks,
        vars.map((v) => v.name),
      );
      assert.ok(frozen > 0);
      assert.ok(moved > 0, 'some salient weights moved');
      tf.dispose([...salient, ...anchor]);
      [original, theta].forEach((c) => c.model.dispose());
    });
  }

  it('methodUsesMask: SalUn always, the others only when masked', () => {
    assert.equal(methodUsesMask('salun'), true);
    for (const m of methods) {
      assert.equal(methodUsesMask(m), false);
      assert.equal(methodUsesMask(m, true), true);
    }
  });
});

describe('methods: plumbing', () => {
  before(useCpu);

  it('every method leaves no tensors behind, and IU calls onEpoch once', async () => {
    const set = toyImages(30, 41);
    for (const method of ['salun', 'rl', 'ft', 'ga', 'l1', 'bs', 'be', 'iu', 'salun-soft'] as MethodName[]) {
      const clf = tinyMlp(3, 3, true);
      const vars = trainableVariables(clf);
      const mask = method === 'salun' ? { salient: vars.map((v) => tf.onesLike(v).cast('bool')), anchor: vars.map((v) => tf.clone(v)) } : undefined;
      const epochs: number[] = [];
      const n = tf.memory().numTensors;
      await unlearn({
        method,
        clf,
        train: set,
        forget: Int32Array.from([0, 1, 2, 3]),
        retain: allIndices(30).slice(4),
        seed: 2,
        mask,
        recipe: recipe({ epochs: 2 }),
        options: { iu: { fisherSamples: 8 } },
        onEpoch: async (e) => {
          epochs.push(e);
        },
      });
      assert.equal(tf.memory().numTensors - n, 0, `${method} leaked ${tf.memory().numTensors - n} tensors`);
      assert.deepEqual(epochs, method === 'iu' ? [1] : [1, 2], method);
      assert.equal(methodEpochs(method, recipe({ epochs: 2 })), epochs.length);
      if (mask) tf.dispose([...mask.salient, ...mask.anchor]);
      clf.model.dispose();
    }
  });

  it('the config accepts the new methods, masked and their options, and rejects unknown options', () => {
    const c = parseRunConfig({ method: 'be', masked: true, methodOptions: { iu: { alpha: 2 }, bs: { epsilon: 0.05 } } });
    assert.equal(c.method, 'be');
    assert.equal(c.masked, true);
    assert.equal(c.methodOptions?.iu?.alpha, 2);
    for (const m of ['l1', 'bs', 'be', 'iu', 'salun-soft']) assert.equal(parseRunConfig({ method: m }).method, m);
    assert.throws(() => parseRunConfig({ methodOptions: { iu: { beta: 1 } } }), /config\.methodOptions\.iu\.beta is not a known setting/);
    assert.throws(() => parseRunConfig({ methodOptions: { bs: { epsilon: 0 } } }), /epsilon must be > 0/);
  });
});
