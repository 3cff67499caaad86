// The class-conditional U-Net as a model: shapes at the sizes the engine uses, its parameter count
// against a count from the layout, saving and loading through models/io.ts (the custom layers are
// registered and serializable), and the inputs it takes (one-hot classes with the null class).
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupNormalization } from '../../src/engine/generation/groupNormLayer';
import { sinusoidalEmbedding, timeFrequencies } from '../../src/engine/generation/timeEmbedding';
import {
  buildUnet,
  classInput,
  DEFAULT_UNET,
  parameterCount,
  predictNoise,
  unetNumClasses,
  unetVariables,
  type UnetConfig,
} from '../../src/engine/generation/unet';
import { cloneModel, loadModel, saveModel } from '../../src/engine/models/io';
import { tf, type T } from '../../src/engine/tf';

/** Weights and biases from the layout in unet.ts's opening comment, layer by layer. */
function expectedParameters(c: UnetConfig): number {
  const E = c.embedDim;
  const w = c.widths;
  const conv = (k: number, i: number, o: number): number => k * k * i * o + o;
  const block = (i: number, o: number): number => 2 * i + conv(3, i, o) + E * o + o + 2 * o + conv(3, o, o) + (i === o ? 0 : conv(1, i, o));
  let n = w[0] * E + E + E * E + E + (c.numClasses + 1) * E + conv(3, c.channels, w[0]);
  const last = w.length - 1;
  for (let i = 0; i < last; i++) n += block(i === 0 ? w[0] : w[i - 1], w[i]) + conv(3, w[i], w[i]);
  n += block(w[last - 1], w[last]);
  for (let i = last - 1; i >= 0; i--) n += conv(3, w[i + 1], w[i]) + block(2 * w[i], w[i]);
  return n + 2 * w[0] + conv(3, w[0], c.channels);
}

function randomImages(shape: [number, number, number, number], seed: number): T.Tensor4D {
  return tf.randomNormal<T.Rank.R4>(shape, 0, 1, 'float32', seed);
}

describe('generation U-Net', function () {
  this.timeout(60000);
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const [h, ch] of [
    [28, 1],
    [32, 3],
  ]) {
    it(`${h}×${h}×${ch} with the default widths [${DEFAULT_UNET.widths.join(', ')}]: ε̂ has the image's shape and the parameter count follows the layout`, () => {
      const cfg: UnetConfig = { height: h, width: h, channels: ch, numClasses: 10, ...DEFAULT_UNET, widths: [...DEFAULT_UNET.widths], seed: 1 };
      const model = buildUnet(cfg);
      const eps = tf.tidy(() => predictNoise(model, randomImages([2, h, h, ch], 2), [1, 1000], [3, 10]));
      assert.deepEqual(eps.shape, [2, h, h, ch]);
      assert.ok(eps.dataSync().every(Number.isFinite));
      eps.dispose();
      assert.equal(parameterCount(model), expectedParameters(cfg));
      assert.equal(unetNumClasses(model), 10);
      assert.equal(unetVariables(model).length, model.trainableWeights.length);
      model.dispose();
    });
  }

  it('one seed builds the same weights, another seed different ones', () => {
    const cfg: UnetConfig = { height: 8, width: 8, channels: 1, numClasses: 2, widths: [4, 8], groups: 2, embedDim: 8, seed: 11 };
    const [a, b, c] = [cfg, cfg, { ...cfg, seed: 12 }].map((x) => buildUnet(x));
    const values = (m: T.LayersModel): number[] => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
    assert.deepEqual(values(b), values(a));
    assert.notDeepEqual(values(c), values(a));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('rejects sizes it cannot halve, widths the groups do not divide, and classes outside 0..K', () => {
    const base: UnetConfig = { height: 28, width: 28, channels: 1, numClasses: 2, widths: [8, 8, 8], groups: 4, embedDim: 8, seed: 1 };
    assert.throws(() => buildUnet({ ...base, widths: [8, 8, 8, 8] }), /cannot be halved 3 times/);
    assert.throws(() => buildUnet({ ...base, widths: [8, 6, 8] }), /not a multiple of 4 groups/);
    assert.throws(() => classInput([0, 3], 2), /outside 0\.\.2/);
    const oneHot = classInput([1, 2], 2);
    assert.deepEqual(Array.from(oneHot.dataSync()), [0, 1, 0, 0, 0, 1]);
    oneHot.dispose();
  });

  it('the sinusoidal embedding is [sin(t·f_i), cos(t·f_i)] with f_i = 10000^(−2i/d)', () => {
    const d = 8;
    const ts = [1, 500, 1000];
    const got = tf.tidy(() => sinusoidalEmbedding(tf.tensor2d(ts, [3, 1]), d)).arraySync();
    ts.forEach((t, r) => {
      for (let i = 0; i < d / 2; i++) {
        const f = Math.pow(10000, (-2 * i) / d);
        // float32 holds t·f to ≈ 6e-5 at t = 1000: sin and cos move by no more than that.
        assert.ok(Math.abs(got[r][i] - Math.sin(t * f)) < 2e-4, `sin, t=${t}, i=${i}`);
        assert.ok(Math.abs(got[r][d / 2 + i] - Math.cos(t * f)) < 2e-4, `cos, t=${t}, i=${i}`);
      }
    });
    assert.throws(() => timeFrequencies(7), /even/);
  });

  it('saves and loads through models/io.ts (custom layers registered, config kept) and clones, with identical predictions', async () => {
    const model = buildUnet({ height: 8, width: 8, channels: 1, numClasses: 3, widths: [4, 8], groups: 2, embedDim: 8, seed: 3 });
    // Move γ and β off their 1/0 start, so that a load that re-initialised them would show.
    tf.tidy(() => model.setWeights(model.getWeights().map((w, i) => tf.add(w, tf.randomNormal(w.shape, 0, 0.1, 'float32', 40 + i)))));
    const dir = mkdtempSync(join(tmpdir(), 'salun-unet-'));
    try {
      await saveModel(model, join(dir, 'model'));
      const json = JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8')) as {
        modelTopology: { config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> } };
      };
      const classes = new Set(json.modelTopology.config.layers.map((l) => l.class_name));
      for (const c of ['GroupNormalization', 'SinusoidalTimeEmbedding', 'NearestUpsampling2x']) assert.ok(classes.has(c), `${c} in model.json`);
      const gn = json.modelTopology.config.layers.find((l) => l.class_name === 'GroupNormalization');
      assert.equal(gn?.config.groups, 2);
      const loaded = await loadModel(join(dir, 'model', 'model.json'));
      const cloned = await cloneModel(model);
      assert.ok(loaded.layers.some((l) => l instanceof GroupNormalization));
      const x = randomImages([3, 8, 8, 1], 5);
      const outs = [model, loaded, cloned].map((m) => predictNoise(m, x, [1, 250, 999], [0, 2, 3]));
      const [a, b, c] = await Promise.all(outs.map((o) => o.data()));
      assert.deepEqual(Array.from(b), Array.from(a));
      assert.deepEqual(Array.from(c), Array.from(a));
      tf.dispose([x, ...outs]);
      [model, loaded, cloned].forEach((m) => m.dispose());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
