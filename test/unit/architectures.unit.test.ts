// The paper's networks (resnet18, vgg16-bn): PyTorch's parameter counts, a functional graph that
// saves and loads, and a training step that gives the same loss and weights on wasm (our kernels)
// as on the cpu backend. Sizes are tiny where the net allows (8×8 and 4×4 images: ResNet-18 is
// fully convolutional up to its global pooling, so its 11.2 M weights are the same at any size).
// The cpu backend's filter gradient loops element by element (≈ 27 s for one 8×8 step of the
// 11.2 M weights, ≈ 10 s at 4×4), so the cpu-vs-wasm step runs at 4×4.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultTrainRecipe } from '../../src/protocol/defaults';
import { parseRunConfig } from '../../src/protocol/runConfigSchema';
import { selectBackend } from '../../src/engine/backend/select';
import { SGD_STEP_KERNEL } from '../../src/engine/backend/kernelNames';
import { buildArchitecture, type InputShape } from '../../src/engine/models/architectures';
import { classifierOf, loadModel, saveModel } from '../../src/engine/models/io';
import { makeRng } from '../../src/engine/rng';
import { SaliencyIndex } from '../../src/store/saliency/mask';
import { computeSaliencyScores } from '../../src/engine/saliency/scores';
import { trainableVariables, trainPass } from '../../src/engine/train/loop';
import { Sgd } from '../../src/engine/train/sgd';
import { tf, type T } from '../../src/engine/tf';
import { oneStep, randomImages, STEP, stepRelativeError } from '../support/trainingStep';

const CIFAR: InputShape = { height: 32, width: 32, channels: 3, numClasses: 10 };
const FASHION: InputShape = { height: 28, width: 28, channels: 1, numClasses: 10 };
const TINY: InputShape = { height: 8, width: 8, channels: 3, numClasses: 10 };

/**
 * PyTorch's trainable-parameter counts (torch 1.13, bench/architecture-params.py, which builds the
 * authors' networks in torch): the count the authors' ResNet-18 is known by (11,173,962), and the
 * same script's output for the 1-channel input and for VGG-16-BN. The test below that runs the
 * script recomputes them when torch is present.
 */
const TORCH_COUNTS: Record<'resnet18' | 'vgg16-bn', { cifar: number; fashion: number }> = {
  resnet18: { cifar: 11_173_962, fashion: 11_172_810 },
  'vgg16-bn': { cifar: 15_311_818, fashion: 15_310_666 },
};

function trainableCount(model: T.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? NaN), 1), 0);
}

/** The logits' shape for one zero image, from a real forward pass. */
function outputShape(model: T.LayersModel, s: InputShape): number[] {
  return tf.tidy(() => (model.predict(tf.zeros([1, s.height, s.width, s.channels])) as T.Tensor).shape);
}

describe("built-in resnet18 and vgg16-bn (the paper's networks)", function () {
  this.timeout(300_000);

  before(async () => {
    await selectBackend('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  for (const name of ['resnet18', 'vgg16-bn'] as const) {
    it(`${name}: PyTorch's trainable-parameter count and 10 logits for 32×32×3 and 28×28×1`, () => {
      for (const [shape, expected] of [
        [CIFAR, TORCH_COUNTS[name].cifar],
        [FASHION, TORCH_COUNTS[name].fashion],
      ] as const) {
        const model = buildArchitecture(name, shape, 1);
        try {
          assert.equal(trainableCount(model), expected, `${name} ${shape.height}×${shape.width}×${shape.channels}`);
          assert.deepEqual(outputShape(model, shape), [1, 10]);
        } finally {
          model.dispose();
        }
      }
    });
  }

  it('resnet18 is a functional graph with a projection shortcut in each of stages 2–4 and none in stage 1', () => {
    const model = buildArchitecture('resnet18', TINY, 1);
    try {
      const classes = model.layers.map((l) => l.getClassName());
      assert.equal(classes.filter((c) => c === 'Add').length, 8);
      assert.equal(classes.filter((c) => c === 'MaxPooling2D').length, 0);
      assert.deepEqual(
        model.layers.filter((l) => l.name.includes('downsample_conv')).map((l) => l.name),
        ['layer2_0_downsample_conv', 'layer3_0_downsample_conv', 'layer4_0_downsample_conv'],
      );
      assert.equal(model.trainableWeights.length, 62);
      assert.equal(model.layers[model.layers.length - 1].getClassName(), 'Dense');
    } finally {
      model.dispose();
    }
  });

  it('both match the PyTorch reference tensor by tensor (bench/architecture-params.py, when /usr/bin/python3 has torch)', function () {
    const python = process.env.PYTHON ?? '/usr/bin/python3';
    const script = join(__dirname, '..', '..', '..', 'bench', 'architecture-params.py');
    const probe = existsSync(python) ? spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }) : undefined;
    if (!probe || probe.status !== 0) this.skip();
    for (const shape of [CIFAR, FASHION]) {
      const r = spawnSync(python, [script, String(shape.channels), String(shape.numClasses), String(shape.height)], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const ref = JSON.parse(r.stdout) as Record<string, { trainable: number; shapes: number[][]; output: number[] }>;
      for (const name of ['resnet18', 'vgg16-bn'] as const) {
        const model = buildArchitecture(name, shape, 1);
        try {
          const ours = model.trainableWeights.map((w) => w.shape.join('×')).sort();
          assert.equal(trainableCount(model), ref[name].trainable, name);
          assert.deepEqual(ours, ref[name].shapes.map((s) => s.join('×')).sort(), name);
          assert.deepEqual(outputShape(model, shape).slice(1), ref[name].output.slice(1));
          assert.equal(ref[name].trainable, TORCH_COUNTS[name][shape === CIFAR ? 'cifar' : 'fashion']);
        } finally {
          model.dispose();
        }
      }
    }
  });

  it('vgg16-bn pools like AdaptiveAvgPool2d((2, 2)) at 16, 20 and 48 pixels, and refuses images under 16', () => {
    for (const size of [16, 20, 48]) {
      const model = buildArchitecture('vgg16-bn', { height: size, width: size, channels: 1, numClasses: 3 }, 1);
      try {
        assert.deepEqual(model.layers.find((l) => l.name === 'flatten')?.outputShape, [null, 2048], `${size}`);
      } finally {
        model.dispose();
      }
    }
    assert.throws(() => buildArchitecture('vgg16-bn', TINY, 1), /at least 16×16/);
  });

  it('resnet18 saves and loads (Add layers, zero padding) and predicts bit for bit the same after a training step', async () => {
    await tf.setBackend('wasm');
    const set = randomImages(4, TINY, 5);
    const model = buildArchitecture('resnet18', TINY, 3);
    const clf = classifierOf(model);
    const vars = trainableVariables(clf);
    const sgd = new Sgd(vars, { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
    // A step moves the weights and the batch-norm statistics away from their initial values.
    await trainPass({ clf, vars, optimizer: sgd, set, indices: [0, 1, 2, 3], batchSize: 4, loss: 'ce', rand: makeRng(1), shuffle: false });
    sgd.dispose();
    const root = mkdtempSync(join(tmpdir(), 'salun-resnet-'));
    try {
      await saveModel(model, join(root, 'm'));
      const loaded = await loadModel(join(root, 'm', 'model.json'));
      assert.deepEqual(
        loaded.layers.map((l) => l.getClassName()),
        model.layers.map((l) => l.getClassName()),
      );
      const x = tf.tensor4d(set.images, [4, 8, 8, 3]);
      const [a, b] = [model, loaded].map((m) => (m.predict(x) as T.Tensor).dataSync());
      assert.deepEqual(Array.from(b), Array.from(a));
      assert.ok(a.some((v) => v !== 0));
      tf.dispose(x);
      loaded.dispose();
    } finally {
      model.dispose();
      rmSync(root, { recursive: true, force: true });
      await tf.setBackend('cpu');
    }
  });

  // Tolerances: at 4×4 the last stages' batch norm normalises over 4 values (1×1 maps, batch 4), so
  // the step is ill-conditioned: perturbing the input images by one float32 rounding (×(1 ± 1.2e-7))
  // moves the loss by 0.6–1.2e-5 (relative) and the weights by 1.1–2.2e-3 of the step, on either
  // backend. Measured cpu vs wasm: 6.8e-6 and 1.5e-3 (at 8×8: 1.6e-6 and 1.4e-4, floor 2.7e-4). A wrong
  // kernel (padding, stride, a missing term) is off by the size of the step itself.
  it('one resnet18 training step on wasm (our conv, 1×1 and batch-norm kernels) matches cpu: loss to 5e-5, weights to 5e-3 of the step', async () => {
    await tf.setBackend('cpu');
    const seedModel = buildArchitecture('resnet18', STEP, 7);
    const start = seedModel.getWeights().map((w) => w.dataSync().slice() as Float32Array);
    seedModel.dispose();
    const set = randomImages(4, STEP, 9);
    const cpu = await oneStep('cpu', 'resnet18', start, set, false);
    const wasm = await oneStep('wasm', 'resnet18', start, set, true);
    await tf.setBackend('cpu');
    // The step must have run through this project's wasm kernels, not tfjs's defaults.
    for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'SalunBatchNormTrain', 'SalunBatchNormTrainGrad', SGD_STEP_KERNEL]) {
      assert.ok(wasm.kernels.has(k), `wasm step did not run ${k}`);
    }
    assert.equal(wasm.leaked, 0);
    assert.equal(cpu.leaked, 0);
    assert.ok(Math.abs(wasm.loss - cpu.loss) <= 5e-5 * Math.abs(cpu.loss), `loss wasm ${wasm.loss} cpu ${cpu.loss}`);
    let worst = { err: 0, name: '' };
    cpu.weights.forEach((c, i) => {
      const err = stepRelativeError(wasm.weights[i], c, start[i]);
      if (err > worst.err) worst = { err, name: cpu.names[i] };
    });
    assert.ok(worst.err < 5e-3, `worst weight disagreement ${worst.err} of the step, in ${worst.name}`);
  });

  it('vgg16-bn trains on wasm at 16×16×1 (max-pool and repeat gradients): finite loss, every tensor moves, no tensor left behind', async () => {
    await tf.setBackend('wasm');
    const shape: InputShape = { height: 16, width: 16, channels: 1, numClasses: 10 };
    const model = buildArchitecture('vgg16-bn', shape, 5);
    try {
      const clf = classifierOf(model);
      const vars = trainableVariables(clf);
      const before = vars.map((v) => v.dataSync().slice() as Float32Array);
      const sgd = new Sgd(vars, { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
      const tensors = tf.memory().numTensors;
      const r = await trainPass({
        clf,
        vars,
        optimizer: sgd,
        set: randomImages(4, shape, 3),
        indices: [0, 1, 2, 3],
        batchSize: 4,
        loss: 'ce',
        rand: makeRng(1),
        shuffle: false,
      });
      assert.equal(tf.memory().numTensors, tensors);
      sgd.dispose();
      assert.ok(Number.isFinite(r.meanLoss) && r.meanLoss > 0);
      const frozen = vars.filter((v, i) => v.dataSync().every((x, j) => x === before[i][j])).map((v) => v.name);
      assert.deepEqual(frozen, []);
    } finally {
      model.dispose();
      await tf.setBackend('cpu');
    }
  });

  it("saliency over resnet18's 62 trainable tensors: finite scores and a per-layer summary for every one", async () => {
    await tf.setBackend('wasm');
    const model = buildArchitecture('resnet18', TINY, 11);
    try {
      const scores = await computeSaliencyScores(classifierOf(model), randomImages(6, TINY, 13), [0, 1, 2, 3, 4, 5], 4);
      assert.equal(scores.scores.length, 62);
      const index = new SaliencyIndex(scores);
      assert.equal(index.total, TORCH_COUNTS.resnet18.cifar);
      const summary = index.summaryForRatio(0.5);
      assert.equal(summary.layers.length, 62);
      assert.equal(summary.salientWeights, Math.floor(0.5 * TORCH_COUNTS.resnet18.cifar));
      assert.ok(summary.layers.every((l) => Number.isFinite(l.maxScore)));
    } finally {
      model.dispose();
      await tf.setBackend('cpu');
    }
  });

  it("a resnet18 run config takes the authors' recipe unless it names its own", () => {
    const r = parseRunConfig({ model: { kind: 'builtin', architecture: 'resnet18' } });
    assert.deepEqual(r.train, defaultTrainRecipe('resnet18'));
    assert.deepEqual({ lr: r.train.lr, momentum: r.train.momentum, weightDecay: r.train.weightDecay }, { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
    assert.equal(parseRunConfig({ model: { kind: 'builtin', architecture: 'vgg16-bn' }, train: { epochs: 3 } }).train.epochs, 3);
    assert.throws(() => parseRunConfig({ model: { kind: 'builtin', architecture: 'resnet50' } }));
  });
});
