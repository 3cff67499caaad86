// Training the diffusion model on the wasm backend (the engine's default on a machine without a
// GPU): the draw of t, ε and class dropout, batches in [−1, 1], gradients per variable for
// saliency, a short training run that lowers the loss on fixed draws with flat memory, and the
// optimizers' saliency-mask contract (non-salient weights keep their bits).
import { strict as assert } from 'node:assert';
import { assertNonSalientUnchanged } from '../support/maskedWeights';
import { selectBackend } from '../../src/engine/backend/select';
import type { ImageSet } from '../../src/engine/data/dataset';
import { Adam } from '../../src/engine/generation/adam';
import { diffusionLoss, diffusionLossGradients, drawDiffusion, type DiffusionBatch, type DiffusionDraw } from '../../src/engine/generation/loss';
import { linearSchedule } from '../../src/engine/generation/schedule';
import { diffusionBatch, diffusionTrainStep, toUnitRange } from '../../src/engine/generation/train';
import { buildUnet, unetVariables } from '../../src/engine/generation/unet';
import { makeRng } from '../../src/engine/rng';
import { Sgd, weightMask } from '../../src/engine/train/sgd';
import { tf, type T } from '../../src/engine/tf';

/** 8×8 images of two classes: class 0 bright on the left half, class 1 bright on the top half. */
function toyImages(n: number, seed: number): ImageSet {
  const rand = makeRng(seed);
  const images = new Float32Array(n * 64);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < 64; p++) {
      const bright = labels[i] === 0 ? p % 8 < 4 : p < 32;
      images[i * 64 + p] = (bright ? 0.85 : 0.05) + 0.1 * rand();
    }
  }
  return { images, labels, n, height: 8, width: 8, channels: 1, numClasses: 2, source: 'toy' };
}

const tinyUnet = (seed: number): T.LayersModel =>
  buildUnet({ height: 8, width: 8, channels: 1, numClasses: 2, widths: [8, 16], groups: 4, embedDim: 16, seed });
const range = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

describe('generation training on wasm', function () {
  this.timeout(60000);
  before(async () => {
    await selectBackend('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('draws t in 1..T, drops the class to the null class at rate p_uncond, standard normal ε, the same for the same seed', () => {
    const schedule = linearSchedule();
    const n = 4000;
    const batch: DiffusionBatch = { x0: new Float32Array(n), classes: Int32Array.from({ length: n }, (_, i) => i % 3), shape: [n, 1, 1, 1] };
    const d = drawDiffusion(batch, schedule, 3, 0.1, makeRng(4));
    assert.ok(d.t.every((t) => t >= 1 && t <= 1000));
    assert.ok(d.t.some((t) => t === 1) || d.t.some((t) => t < 5), 'the low end is drawn');
    const dropped = d.condition.filter((c) => c === 3).length / n;
    assert.ok(Math.abs(dropped - 0.1) < 4 * Math.sqrt(0.09 / n), `class dropout rate ${dropped}`);
    assert.ok(d.condition.every((c, i) => c === 3 || c === batch.classes[i]));
    const mean = d.noise.reduce((s, v) => s + v, 0) / n;
    const variance = d.noise.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    assert.ok(Math.abs(mean) < 4 / Math.sqrt(n) && Math.abs(variance - 1) < 4 * Math.sqrt(2 / n), `ε mean ${mean}, variance ${variance}`);
    assert.deepEqual(drawDiffusion(batch, schedule, 3, 0.1, makeRng(4)), d);
  });

  it('batches are x_0 = 2·image − 1, and toUnitRange maps them back', () => {
    const set = toyImages(4, 1);
    const b = diffusionBatch(set, Int32Array.from([3, 1]));
    assert.deepEqual(b.shape, [2, 8, 8, 1]);
    assert.deepEqual(Array.from(b.classes), [1, 1]);
    b.x0.forEach((v, i) => assert.ok(Math.abs(v - (2 * set.images[(i < 64 ? 3 * 64 : 64) + (i % 64)] - 1)) < 1e-6));
    const back = toUnitRange(b.x0);
    back.forEach((v, i) => assert.ok(Math.abs(v - set.images[(i < 64 ? 3 * 64 : 64) + (i % 64)]) < 1e-6));
  });

  it('diffusionLossGradients: one gradient per trainable variable, in order and shape, from which saliency |g| can be read', async () => {
    const model = tinyUnet(1);
    const schedule = linearSchedule();
    const batch = diffusionBatch(toyImages(8, 2), range(8));
    const { loss, grads } = diffusionLossGradients(model, schedule, batch, drawDiffusion(batch, schedule, 2, 0.1, makeRng(3)));
    const vars = unetVariables(model);
    assert.equal(grads.length, vars.length);
    let nonZero = 0;
    for (const [i, g] of grads.entries()) {
      assert.deepEqual(g.shape, vars[i].shape, vars[i].name);
      const abs = (await tf.abs(g).data()) as Float32Array;
      assert.ok(abs.every(Number.isFinite), vars[i].name);
      nonZero += abs.filter((v) => v > 0).length;
    }
    assert.ok(nonZero > 0.5 * vars.reduce((n, v) => n + v.size, 0), 'most weights have a gradient');
    assert.ok(Number.isFinite((await loss.data())[0]));
    tf.dispose([loss, ...grads]);
    model.dispose();
  });

  it('50 Adam steps on two classes of toy images lower the loss on fixed draws, with the tensor count flat', async () => {
    const model = tinyUnet(2);
    const schedule = linearSchedule();
    const set = toyImages(64, 5);
    // Fixed evaluation draws (no class dropout): the loss before and after is measured on the same noise.
    const evalBatch = diffusionBatch(set, range(64));
    const evalDraws: DiffusionDraw[] = [11, 12, 13].map((s) => drawDiffusion(evalBatch, schedule, 2, 0, makeRng(s)));
    const evalLoss = async (): Promise<number> => {
      let sum = 0;
      for (const d of evalDraws) {
        const l = diffusionLoss(model, schedule, evalBatch, d);
        sum += (await l.data())[0];
        l.dispose();
      }
      return sum / evalDraws.length;
    };
    const before = await evalLoss();
    const opt = new Adam(unetVariables(model), { lr: 3e-3 });
    const rand = makeRng(6);
    const counts: number[] = [];
    for (let step = 0; step < 50; step++) {
      const batch = diffusionBatch(set, range(64), (step % 4) * 16, (step % 4) * 16 + 16);
      await diffusionTrainStep(model, opt, schedule, batch, drawDiffusion(batch, schedule, 2, 0.1, rand));
      counts.push(tf.memory().numTensors);
    }
    const after = await evalLoss();
    assert.ok(
      counts.every((c) => c === counts[0]),
      `tensors per step: ${[...new Set(counts)].join(', ')}`,
    );
    assert.ok(after < 0.7 * before, `loss on fixed draws: ${before.toFixed(4)} before, ${after.toFixed(4)} after 50 steps`);
    opt.dispose();
    model.dispose();
  });

  it('masked Adam and masked SGD keep every non-salient weight bit for bit and move salient ones', async () => {
    const schedule = linearSchedule();
    const set = toyImages(16, 7);
    for (const kind of ['adam', 'sgd'] as const) {
      const model = tinyUnet(3);
      const vars = unetVariables(model);
      const rand = makeRng(8);
      const masks = vars.map((v) => Uint8Array.from({ length: v.size }, () => (rand() < 0.5 ? 1 : 0)));
      const mask = weightMask(vars, masks);
      const before = vars.map((v) => v.dataSync().slice() as Float32Array);
      const opt = kind === 'adam' ? new Adam(vars, { lr: 1e-2, weightDecay: 0.01 }, mask) : new Sgd(vars, { lr: 0.05, momentum: 0.9, weightDecay: 0.01 }, mask);
      for (let step = 0; step < 3; step++) {
        const batch = diffusionBatch(set, range(16), 0, 16);
        await diffusionTrainStep(model, opt, schedule, batch, drawDiffusion(batch, schedule, 2, 0.1, rand));
      }
      const after = vars.map((v) => v.dataSync() as Float32Array);
      const { moved, salient } = assertNonSalientUnchanged(
        before,
        after,
        masks,
        vars.map((v) => `${kind}: ${v.name}`),
      );
      assert.ok(moved > 0.5 * salient, `${kind}: salient weights moved (${moved})`);
      opt.dispose();
      tf.dispose([...mask.salient, ...mask.anchor]);
      model.dispose();
    }
  });
});
