// Saliency for generation on wasm: the scores are Σ over batches of |∇θ L_simple| on Df with the draws
// a seed fixes (recomputed here batch by batch with diffusionLossGradients), one seed gives one mask,
// and the mask is the classifiers' global top-ratio rule.
import { strict as assert } from 'node:assert';
import { selectBackend } from '../../src/engine/backend/select';
import { diffusionLossGradients, drawDiffusion } from '../../src/engine/generation/loss';
import { computeGenerationSaliency, generationMask } from '../../src/engine/generation/saliency';
import { linearSchedule } from '../../src/engine/generation/schedule';
import { diffusionBatch } from '../../src/engine/generation/train';
import { unetVariables } from '../../src/engine/generation/unet';
import { makeRng } from '../../src/engine/rng';
import { tf } from '../../src/engine/tf';
import { UserError } from '../../src/store/errors';
import { indicesOfClass, tinyUnet, toyImages } from './generationUnlearnFixtures';

const schedule = linearSchedule();

describe('generation saliency on wasm', function () {
  this.timeout(60000);
  before(async () => {
    await selectBackend('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('scores = Σ_b |∇θ L(θo; Df_b)| over the seeded draws, not |Σ_b ∇θ L| (they differ here)', async () => {
    const model = tinyUnet(2);
    const set = toyImages(18, 4);
    const forget = indicesOfClass(set, 2, true);
    assert.equal(forget.length, 6);
    const scores = await computeGenerationSaliency(model, set, forget, { schedule, batchSize: 4, seed: 9 });
    const vars = unetVariables(model);
    assert.deepEqual(
      scores.names,
      vars.map((v) => v.name),
    );
    const rand = makeRng(9);
    const sumAbs = vars.map((v) => new Float64Array(v.size));
    const absSum = vars.map((v) => new Float64Array(v.size));
    const signed = vars.map((v) => new Float64Array(v.size));
    for (const [from, to] of [
      [0, 4],
      [4, 6],
    ]) {
      const batch = diffusionBatch(set, forget, from, to);
      const { loss, grads } = diffusionLossGradients(model, schedule, batch, drawDiffusion(batch, schedule, 3, 0, rand));
      for (const [i, g] of grads.entries()) {
        const d = await g.data();
        d.forEach((v, j) => {
          sumAbs[i][j] += Math.abs(v);
          signed[i][j] += v;
        });
      }
      tf.dispose([loss, ...grads]);
    }
    signed.forEach((s, i) =>
      s.forEach((v, j) => {
        absSum[i][j] = Math.abs(v);
      }),
    );
    let differ = 0;
    scores.scores.forEach((s, i) =>
      s.forEach((v, j) => {
        assert.ok(Math.abs(v - sumAbs[i][j]) <= 1e-6 * Math.max(1e-3, sumAbs[i][j]), `${vars[i].name}[${j}]: ${v} vs Σ|g| ${sumAbs[i][j]}`);
        if (Math.abs(sumAbs[i][j] - absSum[i][j]) > 1e-3 * sumAbs[i][j]) differ++;
      }),
    );
    assert.ok(differ > 0.1 * scores.scores.reduce((n, s) => n + s.length, 0), `the two sums differ on ${differ} weights: the check could tell them apart`);
    model.dispose();
  });

  it('the same seed gives the same scores; another seed other scores', async () => {
    const model = tinyUnet(3);
    const set = toyImages(9, 5);
    const forget = indicesOfClass(set, 0, true);
    const run = (seed: number): ReturnType<typeof computeGenerationSaliency> => computeGenerationSaliency(model, set, forget, { schedule, batchSize: 2, seed });
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    assert.deepEqual(a.scores, b.scores);
    assert.notDeepEqual(a.scores, c.scores);
    model.dispose();
  });

  it("the mask holds the top ⌊ratio·total⌋ scores across all layers (the classifiers' rule), one array per variable", async () => {
    const model = tinyUnet(4);
    const set = toyImages(9, 6);
    const scores = await computeGenerationSaliency(model, set, indicesOfClass(set, 1, true), { schedule, batchSize: 3, seed: 3 });
    const total = scores.scores.reduce((n, s) => n + s.length, 0);
    for (const ratio of [0.5, 0.1]) {
      const mask = generationMask(scores, ratio);
      assert.deepEqual(
        mask.map((m) => m.length),
        scores.scores.map((s) => s.length),
      );
      const inside: number[] = [];
      const outside: number[] = [];
      mask.forEach((m, i) => m.forEach((bit, j) => (bit ? inside : outside).push(scores.scores[i][j])));
      assert.equal(inside.length, Math.floor(ratio * total));
      assert.ok(Math.min(...inside) >= Math.max(...outside), `ratio ${ratio}: a salient score below a non-salient one`);
      assert.ok(mask.filter((m) => m.some((b) => b)).length > 1, 'global ranking: salient weights in more than one layer');
    }
    model.dispose();
  });

  it("an empty forget set is the user's error, said so", async () => {
    const model = tinyUnet(5);
    await assert.rejects(computeGenerationSaliency(model, toyImages(3, 1), new Int32Array(0), { schedule, batchSize: 2, seed: 1 }), UserError);
    model.dispose();
  });
});
