// The noise schedule and the DDIM/DDPM sampler, with an exact noise predictor where one exists:
// for data x_0 ~ N(μ, σ²) per coordinate, x_t = √a·x_0 + √(1−a)·ε is Gaussian with
// Cov(ε, x_t) = √(1−a) and Var(x_t) = a·σ² + 1 − a, so the MSE-optimal prediction is
//   ε*(x_t, t) = E[ε | x_t] = √(1−a) · (x_t − √a·μ) / (a·σ² + 1 − a),   a = ᾱ_t.
// With ε* every update is affine in x, so each sample's result is m + k·z for its own starting
// noise z, with m and k given by a recursion in plain float64 below — an exact check per sample —
// and the sample mean must land on μ within sampling error.
import { strict as assert } from 'node:assert';
import { ddimTimesteps, guidedNoise, sampleDdim, unetPredictor, type NoisePredictor } from '../../src/engine/generation/ddim';
import { gaussian } from '../../src/engine/generation/noise';
import { linearSchedule, type NoiseSchedule } from '../../src/engine/generation/schedule';
import { buildUnet } from '../../src/engine/generation/unet';
import { CancelledError } from '../../src/store/errors';
import { makeRng } from '../../src/engine/rng';
import { tf, type T } from '../../src/engine/tf';

const MU = [1, -0.5, 2, 0];
const SIGMA = [0.5, 1, 0.3, 0.8];
const N = 2000;

function exactPredictor(schedule: NoiseSchedule): NoisePredictor {
  return (x, t) =>
    tf.tidy(() => {
      const a = schedule.alphaBar[t];
      const mu = tf.tensor4d(MU, [1, 2, 2, 1]);
      const denom = tf.tensor4d(
        SIGMA.map((s) => a * s * s + 1 - a),
        [1, 2, 2, 1],
      );
      return tf.div<T.Tensor4D>(tf.mul(tf.sub(x, tf.mul(mu, Math.sqrt(a))), Math.sqrt(1 - a)), denom);
    });
}

/** DDIM (η = 0) with ε* applied to x = m + k·z, in float64: the final (m, k) per coordinate. */
function ddimAffine(schedule: NoiseSchedule, steps: number, mu: number, sigma: number): { m: number; k: number } {
  const taus = ddimTimesteps(schedule.steps, steps);
  let m = 0;
  let k = 1;
  for (let i = steps; i >= 1; i--) {
    const a = schedule.alphaBar[taus[i]];
    const ap = schedule.alphaBar[taus[i - 1]];
    const c = Math.sqrt(1 - a) / (a * sigma * sigma + 1 - a);
    const [em, ek] = [c * (m - Math.sqrt(a) * mu), c * k];
    const [x0m, x0k] = [(m - Math.sqrt(1 - a) * em) / Math.sqrt(a), (k - Math.sqrt(1 - a) * ek) / Math.sqrt(a)];
    [m, k] = [Math.sqrt(ap) * x0m + Math.sqrt(1 - ap) * em, Math.sqrt(ap) * x0k + Math.sqrt(1 - ap) * ek];
  }
  return { m, k };
}

function columnStats(x: Float32Array, dims: number): { mean: number[]; std: number[] } {
  const n = x.length / dims;
  const mean = Array.from({ length: dims }, (_, d) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * dims + d];
    return s / n;
  });
  const std = mean.map((m, d) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (x[i * dims + d] - m) ** 2;
    return Math.sqrt(s / (n - 1));
  });
  return { mean, std };
}

const seedsFrom = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('generation: schedule and DDIM sampler', function () {
  this.timeout(60000);
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('the linear β schedule: β from 1e-4 to 0.02, ᾱ_t at t = 1, 500, 1000 as exp(Σ log(1 − β_s))', () => {
    const s = linearSchedule();
    assert.equal(s.steps, 1000);
    assert.equal(s.alphaBar[0], 1);
    assert.ok(Math.abs(s.betas[1] - 1e-4) < 1e-18 && Math.abs(s.betas[1000] - 0.02) < 1e-15);
    // An independent route: the linspace as numpy writes it, summed in log space.
    const beta = (t: number): number => 1e-4 * (1 - (t - 1) / 999) + 0.02 * ((t - 1) / 999);
    for (const t of [1, 500, 1000]) {
      let logSum = 0;
      for (let u = 1; u <= t; u++) logSum += Math.log1p(-beta(u));
      const want = Math.exp(logSum);
      assert.ok(Math.abs(s.alphaBar[t] - want) / want < 1e-12, `ᾱ_${t} = ${s.alphaBar[t]}, want ${want}`);
    }
    assert.ok(s.alphaBar[1000] > 3e-5 && s.alphaBar[1000] < 5e-5, 'x_T is almost pure noise (ᾱ_T ≈ 4e-5)');
  });

  it('DDIM timesteps: 0, then S evenly spread steps ending at T', () => {
    const t50 = ddimTimesteps(1000, 50);
    assert.equal(t50.length, 51);
    assert.equal(t50[0], 0);
    assert.equal(t50[50], 1000);
    t50.forEach((t, i) => {
      if (i) assert.equal(t - t50[i - 1], 20);
    });
    const t30 = ddimTimesteps(1000, 30);
    t30.forEach((t, i) => {
      if (i) assert.ok(t > t30[i - 1]);
    });
    assert.throws(() => ddimTimesteps(1000, 0));
  });

  it('guidance: ε̃ = (1 + w)·ε(x, c) − w·ε(x, ∅), both halves in one call', () => {
    let calls = 0;
    // A predictor whose output names the class it was given: ε(x, c) = (c + 1)·x.
    const predict: NoisePredictor = (x, _t, classes) => {
      calls += 1;
      return tf.tidy(() =>
        tf.mul<T.Tensor4D>(
          x,
          tf.tensor4d(
            Array.from(classes, (c) => c + 1),
            [classes.length, 1, 1, 1],
          ),
        ),
      );
    };
    const x = tf.tensor4d([1, 2], [2, 1, 1, 1]);
    const got = guidedNoise(predict, x, 10, Int32Array.from([0, 2]), 5, 2);
    // (1 + 2)·(c + 1)·x − 2·6·x
    assert.deepEqual(Array.from(got.dataSync()), [3 * 1 * 1 - 12 * 1, 3 * 3 * 2 - 12 * 2]);
    assert.equal(calls, 1);
    tf.dispose([x, got]);
  });

  it('DDIM (η = 0, 50 steps) with the exact ε* for Gaussian data: each sample is the float64 affine map of its noise, and the mean is μ', async () => {
    const schedule = linearSchedule();
    const seeds = seedsFrom(100, N);
    const x = await sampleDdim(exactPredictor(schedule), {
      schedule,
      steps: 50,
      classes: new Int32Array(N),
      nullClass: 1,
      seeds,
      imageShape: [2, 2, 1],
    });
    const maps = MU.map((mu, d) => ddimAffine(schedule, 50, mu, SIGMA[d]));
    let worst = 0;
    seeds.forEach((seed, i) => {
      const z = gaussian(4, makeRng(seed));
      for (let d = 0; d < 4; d++) worst = Math.max(worst, Math.abs(x[i * 4 + d] - (maps[d].m + maps[d].k * z[d])));
    });
    assert.ok(worst < 1e-4, `largest difference from the float64 map: ${worst}`);
    const { mean, std } = columnStats(x, 4);
    MU.forEach((mu, d) => {
      const se = SIGMA[d] / Math.sqrt(N);
      assert.ok(Math.abs(mean[d] - mu) < 4 * se, `coordinate ${d}: mean ${mean[d]}, μ = ${mu} (standard error ${se})`);
      // 50 steps shrink the spread a little (a discretisation effect, ≤ 8% here); the map says how much.
      assert.ok(Math.abs(std[d] - maps[d].k) < (4 * maps[d].k) / Math.sqrt(2 * N), `coordinate ${d}: std ${std[d]}, the map gives ${maps[d].k}`);
      assert.ok(Math.abs(maps[d].k - SIGMA[d]) < 0.1 * SIGMA[d], `coordinate ${d}: 50-step std ${maps[d].k} vs σ = ${SIGMA[d]}`);
    });
  });

  it('DDPM (η = 1, all 1000 steps) with ε* gives the same mean as DDIM: μ within sampling error', async () => {
    const schedule = linearSchedule();
    const predict = exactPredictor(schedule);
    // Half the samples of the DDIM test: 1000 steps cost 20× more each run.
    const n = N / 2;
    const common = { schedule, classes: new Int32Array(n), nullClass: 1, seeds: seedsFrom(5000, n), imageShape: [2, 2, 1] as [number, number, number] };
    const ddpm = columnStats(await sampleDdim(predict, { ...common, steps: 1000, eta: 1 }), 4);
    const ddim = columnStats(await sampleDdim(predict, { ...common, steps: 50 }), 4);
    MU.forEach((mu, d) => {
      const se = SIGMA[d] / Math.sqrt(n);
      assert.ok(Math.abs(ddpm.mean[d] - mu) < 4 * se, `coordinate ${d}: DDPM mean ${ddpm.mean[d]}, μ = ${mu}`);
      assert.ok(Math.abs(ddpm.mean[d] - ddim.mean[d]) < 4 * Math.SQRT2 * se, `coordinate ${d}: DDPM ${ddpm.mean[d]} vs DDIM ${ddim.mean[d]}`);
      assert.ok(Math.abs(ddpm.std[d] - SIGMA[d]) < 0.1 * SIGMA[d], `coordinate ${d}: DDPM std ${ddpm.std[d]}, σ = ${SIGMA[d]}`);
    });
  });

  it('with a U-Net: fixed seeds give the same images, a sample does not depend on its batch, guidance and clipping act', async () => {
    const model = buildUnet({ height: 8, width: 8, channels: 1, numClasses: 2, widths: [4, 8], groups: 2, embedDim: 8, seed: 9 });
    const predict = unetPredictor(model);
    const schedule = linearSchedule();
    const run = (classes: number[], seeds: number[], extra: { guidance?: number; clip?: [number, number] } = {}): Promise<Float32Array> =>
      sampleDdim(predict, { schedule, steps: 5, classes: Int32Array.from(classes), nullClass: 2, seeds, imageShape: [8, 8, 1], ...extra });
    const before = tf.memory().numTensors;
    const a = await run([0, 1], [7, 8]);
    const b = await run([0, 1], [7, 8]);
    const alone = await run([1], [8]);
    assert.equal(tf.memory().numTensors, before, 'the sampler releases every tensor it makes');
    assert.deepEqual(Array.from(b), Array.from(a));
    const second = a.subarray(64);
    assert.ok(
      second.every((v, i) => Math.abs(v - alone[i]) < 1e-5),
      'sample 2 alone equals sample 2 in a batch',
    );
    const guided = await run([0, 1], [7, 8], { guidance: 3 });
    assert.ok(
      guided.some((v, i) => Math.abs(v - a[i]) > 1e-3),
      'guidance changes the samples',
    );
    const clipped = await run([0, 1], [7, 8], { clip: [-1, 1] });
    assert.ok(clipped.every((v) => v >= -1 && v <= 1));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      sampleDdim(predict, { schedule, steps: 5, classes: Int32Array.from([0]), nullClass: 2, seeds: [1], imageShape: [8, 8, 1], signal: controller.signal }),
      CancelledError,
    );
    model.dispose();
  });
});
