// The webgpu backend (tfjs-backend-webgpu on Dawn) against cpu and wasm. Without a GPU it runs on
// SwiftShader, Chromium's CPU implementation of Vulkan (scripts/swiftshader.mjs sets the env):
//   eval "$(node scripts/swiftshader.mjs)" && npx mocha --timeout 600000 out/test/backends/webgpu.backend.test.js
// It fails, never skips, when webgpu cannot start. SwiftShader is slow (a CNN step at batch 128
// takes seconds), so every run here is tiny; the same suite on a real GPU takes seconds.
// Tolerances: the op-by-op checks are the wasm suite's (test/support/gradientChecks.ts: 1e-5 of the largest
// gradient vs cpu); whole runs agree with wasm within one sample of the smallest evaluated set.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBatchFits } from '../../src/engine/backend/deviceHealth';
import { selectBackend } from '../../src/engine/backend/select';
import { UserError } from '../../src/store/errors';
import { Sgd } from '../../src/engine/train/sgd';
import { trainableVariables, trainPass } from '../../src/engine/train/loop';
import { makeRng } from '../../src/engine/rng';
import { tf } from '../../src/engine/tf';
import { buildArchitecture } from '../../src/engine/models/architectures';
import { describeGradientChecks } from '../support/gradientChecks';
import { oneStep, randomImages, STEP, stepRelativeError } from '../support/trainingStep';
import { tinyMlp, toyImages } from '../support/tinyModels';
import { assertSameRun, runJob, tinyIdxFolder, tinyRunConfig } from '../support/tinyRuns';

describe('webgpu: choosing the backend', function () {
  this.timeout(120000);
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('starts when named and reports its adapter', async () => {
    const info = await selectBackend('webgpu');
    assert.equal(info.name, 'webgpu');
    assert.ok(info.adapter, 'no adapter reported');
    assert.ok(info.adapter.description || info.adapter.device, 'the adapter has no name');
    assert.equal(tf.getBackend(), 'webgpu');
    console.log(`      adapter: ${info.detail}`);
  });

  it('auto never takes a software adapter, and says why it skipped webgpu', async () => {
    const info = await selectBackend('auto');
    if (info.name === 'webgpu') {
      assert.equal(info.adapter?.software, false, 'auto chose a software adapter');
    } else {
      const skip = info.skipped?.find((s) => s.name === 'webgpu');
      assert.ok(skip, `auto chose ${info.name} without saying why webgpu was not taken`);
      assert.match(skip.why, /software adapter|no GPU adapter|unavailable/);
    }
  });
});

describeGradientChecks('webgpu', 600000);

describe('webgpu: training', function () {
  this.timeout(600000);
  before(async () => {
    await selectBackend('webgpu');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('keeps tensors and GPU bytes flat across epochs', async () => {
    const set = toyImages(64, 3);
    const clf = tinyMlp(5, 3, true);
    const vars = trainableVariables(clf);
    const optimizer = new Sgd(vars, { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 });
    const rand = makeRng(1);
    const seen: Array<{ tensors: number; bytes: number }> = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      await trainPass({ clf, vars, optimizer, set, indices: Int32Array.from({ length: 64 }, (_, i) => i), batchSize: 16, loss: 'ce', rand, shuffle: true });
      const m = tf.memory() as { numTensors: number; numBytesInGPU?: number };
      seen.push({ tensors: m.numTensors, bytes: m.numBytesInGPU ?? -1 });
    }
    // The first epoch creates the optimizer's momentum buffers; after it nothing may grow.
    for (let e = 2; e < seen.length; e++) {
      assert.equal(seen[e].tensors, seen[1].tensors, `tensors grew: ${JSON.stringify(seen)}`);
      assert.equal(seen[e].bytes, seen[1].bytes, `GPU bytes grew: ${JSON.stringify(seen)}`);
    }
    optimizer.dispose();
    clf.model.dispose();
  });

  it("one resnet18 step equals cpu's: loss to 5e-5, weights to 5e-3 of the step (the unit suite's wasm bound)", async () => {
    await tf.setBackend('cpu');
    const seed = buildArchitecture('resnet18', STEP, 7);
    const start = await Promise.all(seed.getWeights().map(async (w) => (await w.data()).slice() as Float32Array));
    seed.dispose();
    const set = randomImages(4, STEP, 9);
    const cpu = await oneStep('cpu', 'resnet18', start, set, false);
    const gpu = await oneStep('webgpu', 'resnet18', start, set, false);
    assert.equal(gpu.leaked, 0, 'the webgpu step left tensors behind');
    assert.ok(Math.abs(gpu.loss - cpu.loss) <= 5e-5 * Math.abs(cpu.loss), `loss webgpu ${gpu.loss} cpu ${cpu.loss}`);
    const worst = Math.max(...cpu.weights.map((c, i) => stepRelativeError(gpu.weights[i], c, start[i])));
    assert.ok(worst < 5e-3, `worst weight disagreement ${worst} of the step`);
  });

  it('refuses a batch whose activations cannot be one GPU buffer, naming the batch size', () => {
    const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [64, 64, 3], filters: 256, kernelSize: 3, padding: 'same' })] });
    // 64·64·256 floats = 4 MiB a sample: 4096 samples are 16 GiB, over any device's binding limit.
    assert.throws(
      () => checkBatchFits(model, 4096),
      (e: unknown) => e instanceof UserError && /Batch size 4096/.test(e.message) && /at most \d+/.test(e.hint ?? ''),
    );
    assert.doesNotThrow(() => checkBatchFits(model, 2));
    model.dispose();
  });
});

describe('webgpu: whole runs agree with wasm', function () {
  this.timeout(900000);
  const workspaces: string[] = [];
  let data: string;
  before(() => {
    data = tinyIdxFolder(120, 60);
  });
  after(async () => {
    await tf.setBackend('cpu');
    for (const w of [data, ...workspaces]) rmSync(w, { recursive: true, force: true });
  });

  for (const architecture of ['mlp', 'cnn'] as const) {
    it(`${architecture}: train θo and Retrain, saliency, SalUn — the same table as wasm`, async () => {
      const results = [];
      for (const backend of ['wasm', 'webgpu'] as const) {
        const ws = mkdtempSync(join(tmpdir(), `salun-${backend}-`));
        workspaces.push(ws);
        const { result } = await runJob(tinyRunConfig(data, architecture, backend), ws);
        assert.equal(result.backend.name, backend);
        results.push(result);
      }
      // 24 forgotten, 96 retained, 60 test rows: one sample of the forget set is 4.2 points.
      assertSameRun(results[1], results[0], 100 / 24 + 1e-9);
    });
  }
});
