// The generation unlearning losses on a tiny U-Net (8×8×1, widths [4, 8], three classes), on wasm:
// c′ is never the sample's class nor the null class; SalUn-gen's forget term is exactly 0 for a model
// whose class input has no effect and positive otherwise; ESD's target is the formula computed by
// hand from θo's two predictions; and both losses' gradients agree with central finite differences
// of the very function that returns them (float32 forwards, so a looser tolerance than the float64
// U-Net check in generationGradients.unit.test.ts, which already vouches for the U-Net's own backward).
import { strict as assert } from 'node:assert';
import { selectBackend } from '../../src/engine/backend/select';
import { esdLossGradients, esdTarget } from '../../src/engine/generation/esdLoss';
import { diffusionLoss, drawDiffusion, noisyImages, type DiffusionBatch } from '../../src/engine/generation/loss';
import { drawForget, drawOtherClasses, retainWeight, salunGenLossGradients, type RetainTerm } from '../../src/engine/generation/salunGenLoss';
import { linearSchedule } from '../../src/engine/generation/schedule';
import { diffusionBatch } from '../../src/engine/generation/train';
import { predictNoise, unetVariables } from '../../src/engine/generation/unet';
import type { UnlearnLossGradients } from '../../src/engine/generation/unlearnLoss';
import { makeRng } from '../../src/engine/rng';
import { tf, type T } from '../../src/engine/tf';
import { centralDifference, maxAbs, relErr } from '../support/gradientChecks';
import { classBlindUnet, indicesOfClass, snapshot, tinyUnet, toyImages } from './generationUnlearnFixtures';

// L is float32 (rounding ~1e-7·L), so the step is large enough that rounding/(2h) stays near 1e-5 of
// these gradients, and small enough that the O(h²) truncation does too: the worst case measured on
// wasm was 1.0e-3 relative (1.0e-2 at h = 1e-3). A gradient that misses a term (the retain loss
// computed off the tape, say) is off by 32% on the stem. The values themselves are held to the
// formulas by the tests above, since differences only say that a gradient matches its own loss.
const FD_STEP = 1e-2;
const TOL_VS_FD = 5e-3;

const schedule = linearSchedule();
const set = toyImages(24, 3);
const forgetBatch = (): DiffusionBatch => diffusionBatch(set, indicesOfClass(set, 1, true).slice(0, 3));
const retainTerm = (beta: number): RetainTerm => {
  const batch = diffusionBatch(set, indicesOfClass(set, 1, false).slice(0, 3));
  return { batch, draw: drawDiffusion(batch, schedule, 3, 0.3, makeRng(12)), beta };
};

async function value(s: T.Scalar): Promise<number> {
  return (await s.data())[0];
}

/** Reads a tensor the test made and disposes it. */
async function take(t: T.Tensor): Promise<Float32Array> {
  const out = (await t.data()) as Float32Array;
  t.dispose();
  return out;
}

function disposeAll(lg: UnlearnLossGradients): void {
  tf.dispose([lg.loss, lg.forget, ...lg.grads]);
}

/**
 * ∂L/∂θ from the loss function against central differences of its own value, for the 3 largest
 * gradient entries of one weight of each layer kind (well above float32 rounding of L).
 */
async function checkAgainstDifferences(model: T.LayersModel, lossOf: () => UnlearnLossGradients): Promise<void> {
  const lg = lossOf();
  const grads = await Promise.all(lg.grads.map(async (g) => (await g.data()) as Float32Array));
  disposeAll(lg);
  const vars = unetVariables(model);
  const indexOf = new Map(model.trainableWeights.map((w, i) => [w, i]));
  const layers: Array<[string, number]> = [
    ['stem', 0],
    ['down0_gn1', 0],
    ['down0_conv1', 0],
    ['down0_emb', 1],
    ['bottom_conv2', 0],
    ['up0_skip', 0],
    ['time_mlp2', 0],
    ['class_embedding', 0],
    ['out_gn', 1],
    ['out_conv', 0],
  ];
  for (const [layer, k] of layers) {
    const i = indexOf.get(model.getLayer(layer).trainableWeights[k]) as number;
    const v = vars[i];
    const x = Float64Array.from(v.dataSync());
    const entries = Array.from(grads[i].keys())
      .sort((a, b) => Math.abs(grads[i][b]) - Math.abs(grads[i][a]))
      .slice(0, 3);
    const loss = (): number => {
      tf.tidy(() => v.assign(tf.tensor(Float32Array.from(x), v.shape)));
      const r = lossOf();
      const out = r.loss.dataSync()[0];
      disposeAll(r);
      return out;
    };
    const want = entries.map((j) => centralDifference(loss, x, j, FD_STEP));
    loss();
    assert.ok(maxAbs(want) > 1e-4, `${layer}[${k}]: the finite-difference gradient is ~0, the case tests nothing`);
    const e = relErr(
      entries.map((j) => grads[i][j]),
      want,
    );
    assert.ok(e < TOL_VS_FD, `${layer}[${k}]: gradient ${entries.map((j) => grads[i][j]).join(', ')} vs differences ${want.join(', ')} (relative error ${e})`);
  }
}

describe('generation unlearning losses on wasm', function () {
  this.timeout(120000);
  before(async () => {
    await selectBackend('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it("c′ is a real class other than the sample's own, each of the others about equally often", () => {
    const classes = Int32Array.from({ length: 3000 }, (_, i) => i % 3);
    const other = drawOtherClasses(classes, 3, makeRng(1));
    const counts = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    other.forEach((o, i) => counts[classes[i]][o]++);
    counts.forEach((row, c) => {
      assert.equal(row[c], 0, `class ${c} drawn as its own other class`);
      row.filter((_, o) => o !== c).forEach((n) => assert.ok(Math.abs(n - 500) < 4 * Math.sqrt(250), `class ${c}: counts ${row.join(', ')}`));
    });
    assert.ok(
      other.every((o) => o >= 0 && o < 3),
      'never the null class (3)',
    );
  });

  it("otherClass 'next': c′ = (c + 1) mod K for every sample, as the authors' code, drawing nothing", () => {
    const classes = Int32Array.from([0, 1, 2, 9, 7, 7]);
    let draws = 0;
    const rand = (): number => {
      draws++;
      return 0.5;
    };
    assert.deepEqual(Array.from(drawOtherClasses(classes, 10, rand, 'next')), [1, 2, 3, 0, 8, 8]);
    assert.equal(draws, 0);
  });

  it('SalUn-gen: the forget term is exactly 0 when the model ignores its class, and then the loss is β·D times the retain MSE', async () => {
    const model = classBlindUnet(4);
    const frozen = classBlindUnet(4);
    const forget = forgetBatch();
    const draw = drawForget(forget, schedule, 3, makeRng(5));
    const retain = retainTerm(2e-3);
    const lg = salunGenLossGradients(model, frozen, schedule, forget, draw, retain);
    assert.equal(await value(lg.forget), 0);
    const mse = diffusionLoss(model, schedule, retain.batch, retain.draw);
    const want = retainWeight(retain) * (await value(mse));
    assert.equal(retainWeight(retain), 2e-3 * 64);
    assert.ok(want > 0 && Math.abs((await value(lg.loss)) - want) <= 1e-6 * want, `loss ${await value(lg.loss)}, β·D·MSE ${want}`);
    mse.dispose();
    disposeAll(lg);
    const alone = salunGenLossGradients(model, frozen, schedule, forget, draw);
    assert.equal(await value(alone.loss), 0);
    for (const g of alone.grads) assert.equal(maxAbs((await g.data()) as Float32Array), 0);
    disposeAll(alone);
    [model, frozen].forEach((m) => m.dispose());
  });

  it('SalUn-gen: the forget term is positive when the class matters, and equals mean (ε_θu(x_t|c) − ε_θo(x_t|c′))² computed apart', async () => {
    const model = tinyUnet(4);
    const frozen = tinyUnet(4);
    const forget = forgetBatch();
    const draw = drawForget(forget, schedule, 3, makeRng(5));
    const lg = salunGenLossGradients(model, frozen, schedule, forget, draw);
    const got = await value(lg.forget);
    const xt = tf.tensor4d(noisyImages(forget, draw, schedule), forget.shape);
    const own = await take(predictNoise(model, xt, draw.t, draw.condition));
    const other = await take(predictNoise(frozen, xt, draw.t, draw.other));
    const want = own.reduce((s, v, i) => s + (v - other[i]) ** 2, 0) / own.length;
    assert.ok(got > 0, 'positive');
    assert.ok(Math.abs(got - want) <= 1e-5 * want, `forget term ${got}, by hand ${want}`);
    assert.equal(await value(lg.loss), got, 'no retain term: the loss is the forget term');
    xt.dispose();
    disposeAll(lg);
    [model, frozen].forEach((m) => m.dispose());
  });

  for (const eta of [1, 2.5]) {
    it(`ESD (η = ${eta}): the target is ε*(x|∅) − η·(ε*(x|c) − ε*(x|∅)) from θo's two predictions, and the loss the MSE to it`, async () => {
      const model = tinyUnet(6);
      const frozen = tinyUnet(7);
      const forget = forgetBatch();
      const draw = drawDiffusion(forget, schedule, 3, 0, makeRng(8));
      const xt = tf.tensor4d(noisyImages(forget, draw, schedule), forget.shape);
      const cond = await take(predictNoise(frozen, xt, draw.t, draw.condition));
      const uncond = await take(predictNoise(frozen, xt, draw.t, new Int32Array(3).fill(3)));
      const byHand = uncond.map((u, i) => u - eta * (cond[i] - u));
      const target = esdTarget(frozen, xt, draw.t, draw.condition, eta);
      const e = relErr(await take(target), byHand);
      assert.ok(e < 1e-5, `target vs the formula: relative error ${e}`);
      const own = await take(predictNoise(model, xt, draw.t, draw.condition));
      const want = own.reduce((s, v, i) => s + (v - byHand[i]) ** 2, 0) / own.length;
      const lg = esdLossGradients(model, frozen, schedule, forget, draw, eta);
      const got = await value(lg.loss);
      assert.ok(Math.abs(got - want) <= 1e-5 * want, `ESD loss ${got}, by hand ${want}`);
      xt.dispose();
      disposeAll(lg);
      [model, frozen].forEach((m) => m.dispose());
    });
  }

  it('SalUn-gen (with the retain term) and ESD: ∂L/∂θu against central differences of L; θo is left untouched', async () => {
    const model = tinyUnet(9);
    const frozen = tinyUnet(10);
    const before = snapshot(unetVariables(frozen));
    const forget = forgetBatch();
    const draw = drawForget(forget, schedule, 3, makeRng(11));
    // β·D = 1: both terms weigh alike, so a wrong retain scale shows in the gradient.
    const retain = retainTerm(1 / 64);
    await checkAgainstDifferences(model, () => salunGenLossGradients(model, frozen, schedule, forget, draw, retain));
    await checkAgainstDifferences(model, () => esdLossGradients(model, frozen, schedule, forget, draw, 1.5));
    snapshot(unetVariables(frozen)).forEach((w, i) =>
      assert.ok(
        w.every((v, j) => Object.is(v, before[i][j])),
        'θo changed',
      ),
    );
    [model, frozen].forEach((m) => m.dispose());
  });

  it('every tensor a loss call makes is handed back or disposed', () => {
    const model = tinyUnet(12);
    const frozen = tinyUnet(13);
    const forget = forgetBatch();
    const draw = drawForget(forget, schedule, 3, makeRng(14));
    const retain = retainTerm(1e-3);
    const start = tf.memory().numTensors;
    const lg = salunGenLossGradients(model, frozen, schedule, forget, draw, retain);
    assert.equal(tf.memory().numTensors, start + 2 + lg.grads.length, 'loss, forget term and one gradient per variable');
    disposeAll(lg);
    const esd = esdLossGradients(model, frozen, schedule, forget, draw, 1);
    disposeAll(esd);
    assert.equal(tf.memory().numTensors, start);
    [model, frozen].forEach((m) => m.dispose());
  });
});
