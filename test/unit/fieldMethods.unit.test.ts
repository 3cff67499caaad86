// The methods after SalUn (NegGrad+, SSD, LFSSD, SFR-on, RUM) on toy data (cpu backend): each test
// fails if the method were another one.
import { strict as assert } from 'node:assert';
import { allIndices, type ImageSet } from '../../src/engine/data/dataset';
import { batchImportances } from '../../src/engine/methods/importance';
import { jointGradients } from '../../src/engine/methods/neggradPlus';
import { rum, splitByScore, symmetricKl } from '../../src/engine/methods/rum';
import { adaptiveAscentLoss, clippedToNorm, fisherRatioMask } from '../../src/engine/methods/sfron';
import { SSD_IMPORTANCE } from '../../src/engine/methods/ssd';
import { unlearn, type UnlearnInput } from '../../src/engine/methods/unlearn';
import { predictPerSample } from '../../src/engine/metrics/evaluate';
import { classifierOf, cloneModel, type Classifier } from '../../src/engine/models/io';
import { trainableVariables } from '../../src/engine/train/loop';
import { tf, type T } from '../../src/engine/tf';
import { innerMethodOf, methodEpochs, methodUsesMask } from '../../src/protocol/methods';
import { parseRunConfig } from '../../src/protocol/runConfigSchema';
import { tinyMlp, toyImages, toyRecipe, useCpu, weightsOf } from '../support/tinyModels';

const recipe = toyRecipe;
const snapshot = weightsOf;
const copy = async (clf: Classifier): Promise<Classifier> => classifierOf(await cloneModel(clf.model));
const forgetLoss = async (clf: Classifier, set: ImageSet, rows: Int32Array): Promise<number> => {
  const { confidence } = await predictPerSample(clf, set, rows);
  return -confidence.reduce((s, c) => s + Math.log(Math.max(c, 1e-12)), 0) / rows.length;
};

function toy(): { set: ImageSet; forget: Int32Array; retain: Int32Array; base: Classifier } {
  const set = toyImages(48, 5);
  return { set, forget: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), retain: allIndices(48).slice(8), base: tinyMlp(9) };
}

describe('methods: NegGrad+', () => {
  before(useCpu);

  it('with alpha = 1 (no forget term) is FT bit for bit; with alpha < 1 it raises the forget loss above FT', async () => {
    const { set, forget, retain, base } = toy();
    const common = { train: set, forget, retain, seed: 4, recipe: recipe({ epochs: 3, momentum: 0, weightDecay: 0 }) };
    const ft = await copy(base);
    const plus1 = await copy(base);
    const plus = await copy(base);
    await unlearn({ ...common, method: 'ft', clf: ft });
    await unlearn({ ...common, method: 'neggrad-plus', clf: plus1, options: { neggradPlus: { alpha: 1, forgetBatchSize: 4 } } });
    await unlearn({ ...common, method: 'neggrad-plus', clf: plus, options: { neggradPlus: { alpha: 0.5, forgetBatchSize: 4 } } });
    const a = snapshot(ft);
    snapshot(plus1).forEach((w, i) => assert.deepEqual(Array.from(w), Array.from(a[i])));
    const [lFt, lPlus] = [await forgetLoss(ft, set, forget), await forgetLoss(plus, set, forget)];
    assert.ok(lPlus > lFt + 0.1, `forget loss: NegGrad+ ${lPlus} vs FT ${lFt}`);
    [base, ft, plus1, plus].forEach((c) => c.model.dispose());
  });

  it('steps along alpha·g_r − (1 − alpha)·g_f', () => {
    const [g] = jointGradients([tf.tensor1d([1, 2])], [tf.tensor1d([4, -8])], 0.75);
    assert.deepEqual(Array.from(g.dataSync()), [0.75 - 0.25 * 4, 1.5 + 0.25 * 8]);
  });
});

describe('methods: SSD and LFSSD', () => {
  before(useCpu);

  it('SSD changes no weight whose importance on Df is under alpha × its importance on D, and multiplies the others by min(λ·I_D/I_Df, 1)', async () => {
    const { set, forget, retain, base } = toy();
    const vars = trainableVariables(base);
    const all = Int32Array.from([...retain, ...forget]).sort();
    const iD = await batchImportances(base, vars, set, all, { ...SSD_IMPORTANCE, batchSize: 8 });
    const iF = await batchImportances(base, vars, set, forget, { ...SSD_IMPORTANCE, batchSize: 8 });
    const before = snapshot(base);
    const theta = await copy(base);
    await unlearn({ method: 'ssd', clf: theta, train: set, forget, retain, seed: 1, recipe: recipe(), options: { ssd: { alpha: 2, lambda: 0.5 } } });
    let dampened = 0;
    let kept = 0;
    snapshot(theta).forEach((w, i) => {
      const [d, f] = [iD[i].dataSync(), iF[i].dataSync()];
      w.forEach((x, j) => {
        if (f[j] > 2 * d[j]) {
          dampened++;
          const want = before[i][j] * Math.min((0.5 * d[j]) / f[j], 1);
          assert.ok(Math.abs(x - want) <= 1e-6 * Math.max(1, Math.abs(want)), `weight ${i}/${j}: ${x} vs ${want}`);
        } else {
          kept++;
          assert.equal(x, before[i][j], `weight ${i}/${j} under the threshold moved`);
        }
      });
    });
    assert.ok(dampened > 0 && kept > 0, `dampened ${dampened}, kept ${kept}`);
    tf.dispose([...iD, ...iF]);
    [base, theta].forEach((c) => c.model.dispose());
  });

  it('LFSSD reads no labels (permuting them changes nothing), SSD does', async () => {
    const { set, forget, retain, base } = toy();
    const shuffled: ImageSet = { ...set, labels: Int32Array.from(set.labels, (y) => (y + 1) % set.numClasses) };
    const run = async (method: 'ssd' | 'lfssd', train: ImageSet): Promise<Float32Array[]> => {
      const theta = await copy(base);
      await unlearn({
        method,
        clf: theta,
        train,
        forget,
        retain,
        seed: 1,
        recipe: recipe(),
        options: { ssd: { alpha: 2, lambda: 1 }, lfssd: { alpha: 2, lambda: 1 } },
      });
      const w = snapshot(theta);
      theta.model.dispose();
      return w;
    };
    const same = (a: Float32Array[], b: Float32Array[]): boolean => a.every((w, i) => w.every((x, j) => x === b[i][j]));
    assert.ok(same(await run('lfssd', set), await run('lfssd', shuffled)), 'LFSSD depends on the labels');
    assert.ok(!same(await run('ssd', set), await run('ssd', shuffled)), 'SSD ignored the labels');
    assert.ok(!same(await run('ssd', set), await run('lfssd', set)), 'LFSSD is SSD');
    base.model.dispose();
  });
});

describe('methods: SFR-on', () => {
  before(useCpu);

  it('its mask is F_f / F_r ≥ threshold, its ascent weights low-loss samples most, its clip bounds the global norm', () => {
    const [m] = fisherRatioMask([tf.tensor1d([1, 2, 0, 3])], [tf.tensor1d([2, 2, 0, 1])], 1);
    assert.deepEqual(Array.from(m.dataSync()), [0, 1, 1, 1]);
    const losses = tf.tensor1d([0.25, 4]);
    const grad = tf
      .grad((l: T.Tensor) => adaptiveAscentLoss(l as T.Tensor1D))(losses)
      .dataSync();
    // c = 1/√ℓ = [2, 0.5]: weights 0.8 and 0.2, held constant, so ∂loss/∂ℓ = −[0.8, 0.2].
    assert.ok(Math.abs(grad[0] + 0.8) < 1e-6 && Math.abs(grad[1] + 0.2) < 1e-6, `gradient ${Array.from(grad).join(', ')}`);
    const clipped = clippedToNorm([tf.tensor1d([3, 0]), tf.tensor1d([4])], 1);
    const norm = Math.hypot(...clipped.flatMap((g) => Array.from(g.dataSync())));
    assert.ok(Math.abs(norm - 1) < 1e-5, `norm ${norm}`);
    assert.deepEqual(
      Array.from(clippedToNorm([tf.tensor1d([0.3, 0.4])], 1)[0].dataSync()).map((x) => +x.toFixed(6)),
      [0.3, 0.4],
    );
  });

  it('forgets what fine-tuning alone keeps: forgetAlpha 0 leaves the forget loss low', async () => {
    const { set, forget, retain, base } = toy();
    const run = async (forgetAlpha: number): Promise<number> => {
      const theta = await copy(base);
      await unlearn({
        method: 'sfron',
        clf: theta,
        train: set,
        forget,
        retain,
        seed: 2,
        recipe: recipe({ epochs: 3, lr: 0.05, schedule: 'cosine' }),
        options: { sfron: { forgetAlpha, forgetEvery: 1, maxNorm: 7, threshold: 1 } },
      });
      const l = await forgetLoss(theta, set, forget);
      theta.model.dispose();
      return l;
    };
    const [off, on] = [await run(0), await run(25)];
    assert.ok(on > off + 0.2, `forget loss: SFR-on ${on} vs without its ascent ${off}`);
    base.model.dispose();
  });
});

describe('methods: RUM', () => {
  before(useCpu);

  it('scores by symmetric KL, cuts the forget set into thirds by score, lowest first', () => {
    const p = Float32Array.from([0.7, 0.2, 0.1].map(Math.log));
    const q = Float32Array.from([0.1, 0.2, 0.7].map(Math.log));
    assert.equal(symmetricKl(p, p), 0);
    assert.ok(Math.abs(symmetricKl(p, q) - symmetricKl(q, p)) < 1e-12);
    assert.ok(Math.abs(symmetricKl(p, q) - 0.6 * Math.log(7)) < 1e-6, `${symmetricKl(p, q)}`);
    const parts = splitByScore(Int32Array.from([10, 11, 12, 13, 14, 15]), Float64Array.from([5, 0, 3, 1, 4, 2]));
    assert.deepEqual(
      parts.map((x) => Array.from(x)),
      [
        [11, 13],
        [15, 12],
        [14, 10],
      ],
    );
  });

  it('runs the inner method once per third, least memorised first, each with the thirds not yet unlearned in its retain set', async () => {
    const { set, forget, retain, base } = toy();
    const calls: { method: string; forget: number[]; retain: number }[] = [];
    const u: UnlearnInput = { method: 'rum', clf: base, train: set, forget, retain, seed: 3, recipe: recipe(), test: { set, indices: retain.slice(0, 16) } };
    await rum(u, { proxyEpochs: 1, proxyLr: 0.01 }, 'ft', 2, async (v) => {
      calls.push({ method: v.method, forget: Array.from(v.forget), retain: v.retain.length });
    });
    assert.deepEqual(
      calls.map((c) => c.method),
      ['ft', 'ft', 'ft'],
    );
    assert.deepEqual(
      calls.flatMap((c) => c.forget).sort((a, b) => a - b),
      Array.from(forget),
    );
    assert.deepEqual(
      calls.map((c) => c.retain),
      [retain.length + 6, retain.length + 3, retain.length],
    );
    base.model.dispose();
  });

  it('is configured by its inner method: mask, epochs and schema follow it', () => {
    assert.equal(innerMethodOf('rum'), 'salun');
    assert.equal(methodUsesMask('rum'), true, "SalUn's mask");
    assert.equal(methodUsesMask('rum', false, { rum: { inner: 'ft' } }), false);
    assert.equal(methodEpochs('rum', recipe({ epochs: 4 })), 12);
    assert.equal(methodEpochs('rum', recipe(), { rum: { inner: 'ssd' } }), 3);
    assert.equal(parseRunConfig({ method: 'rum', methodOptions: { rum: { inner: 'neggrad-plus' } } }).methodOptions?.rum?.inner, 'neggrad-plus');
    for (const bad of ['rum', 'salun-auto', 'nope']) assert.throws(() => parseRunConfig({ method: 'rum', methodOptions: { rum: { inner: bad } } }), /inner/);
  });
});
