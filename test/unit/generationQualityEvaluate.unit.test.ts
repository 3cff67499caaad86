// UA and retained accuracy for generation, the seeds and starting noise that make two runs'
// samples comparable, the penultimate features FID-classifier uses, and evaluateGeneration end to
// end on a tiny U-Net with a stub classifier whose answers are known (cpu backend, tiny shapes).
import { strict as assert } from 'node:assert';
import type { ImageSet } from '../../src/engine/data/dataset';
import { classifierFeatures, penultimateModel } from '../../src/engine/generation/classifierFeatures';
import { sampleDdim } from '../../src/engine/generation/ddim';
import { evaluateGeneration, type GenerationEvalConfig } from '../../src/engine/generation/evaluateGeneration';
import { generationAgreement } from '../../src/engine/generation/quality';
import { columnSeed, initialNoise, sampleLayout } from '../../src/engine/generation/sampleSeeds';
import { linearSchedule } from '../../src/engine/generation/schedule';
import { buildUnet } from '../../src/engine/generation/unet';
import { buildArchitecture } from '../../src/engine/models/architectures';
import { classifierOf, type Classifier } from '../../src/engine/models/io';
import { makeRng } from '../../src/engine/rng';
import { CancelledError } from '../../src/store/errors';
import { tf, type T } from '../../src/engine/tf';
import { useCpu } from '../support/tinyModels';

const SHAPE = [8, 8, 1] as const;

/** flatten → dense(4, ReLU, seeded) → logits that ignore the image: always `label`. */
function constantClassifier(label: number, numClasses = 3, softmaxTail = false): Classifier {
  const layers: T.layers.Layer[] = [
    tf.layers.flatten({ inputShape: [...SHAPE] }),
    tf.layers.dense({ units: 4, activation: 'relu', kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }), name: 'hidden' }),
    tf.layers.dense({ units: numClasses, kernelInitializer: 'zeros', name: 'logits' }),
  ];
  if (softmaxTail) layers.push(tf.layers.softmax());
  const model = tf.sequential({ layers });
  const bias = new Float32Array(numClasses);
  bias[label] = 3;
  const logits = model.getLayer('logits');
  const newBias = tf.tensor1d(bias);
  logits.setWeights([logits.getWeights()[0], newBias]); // copied into the variable
  newBias.dispose();
  return classifierOf(model);
}

function tinyUnet(): T.LayersModel {
  return buildUnet({ height: SHAPE[0], width: SHAPE[1], channels: SHAPE[2], numClasses: 3, widths: [8, 8], groups: 4, embedDim: 16, seed: 3 });
}

function realImages(n: number, seed: number): ImageSet {
  const r = makeRng(seed);
  const per = SHAPE[0] * SHAPE[1];
  return {
    images: Float32Array.from({ length: n * per }, () => r()),
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
    n,
    height: SHAPE[0],
    width: SHAPE[1],
    channels: 1,
    numClasses: 3,
    source: 'test',
  };
}

describe('generation quality: UA and retained accuracy', () => {
  it("counts the forgotten class's images not labelled as it, and each retained class's accuracy", () => {
    const classes = Int32Array.from([0, 0, 0, 0, 1, 1, 2, 2, 2, 2]);
    const correct = Uint8Array.from([1, 0, 0, 0, 1, 1, 0, 1, 1, 1]);
    const a = generationAgreement(classes, correct, 0);
    assert.equal(a.ua, 75);
    assert.equal(a.forgetSamples, 4);
    assert.deepEqual(a.retainedAccuracy.perClass, [
      { class: 1, accuracy: 100, samples: 2 },
      { class: 2, accuracy: 75, samples: 4 },
    ]);
    assert.equal(a.retainedAccuracy.mean, 87.5);
    assert.equal(generationAgreement(classes, correct, 2).ua, 25);
    assert.throws(() => generationAgreement(classes, correct, 7), /forgotten class 7/);
  });
});

describe('generation quality: seeds and starting noise', function () {
  this.timeout(60000);
  before(useCpu);

  it('gives each column one seed for every class, different seeds to different columns and run seeds', () => {
    const a = sampleLayout(42, [0, 2, 1], 4);
    assert.deepEqual(Array.from(a.classes), [0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 1]);
    for (let r = 1; r < 3; r++) assert.deepEqual(Array.from(a.seeds.subarray(4 * r, 4 * r + 4)), Array.from(a.seeds.subarray(0, 4)));
    assert.equal(new Set(a.seeds.subarray(0, 4)).size, 4, 'columns differ');
    assert.deepEqual(sampleLayout(42, [0, 2, 1], 4), a, 'equal across calls');
    const b = sampleLayout(43, [0, 2, 1], 4);
    a.seeds.subarray(0, 4).forEach((s, j) => assert.notEqual(b.seeds[j], s, `column ${j} with another run seed`));
  });

  it('makes the same noise for the same seed and different noise for different seeds', () => {
    const x = initialNoise(columnSeed(1, 0), SHAPE);
    assert.deepEqual(initialNoise(columnSeed(1, 0), SHAPE), x);
    const y = initialNoise(columnSeed(1, 1), SHAPE);
    const z = initialNoise(columnSeed(2, 0), SHAPE);
    assert.ok(x.some((v, i) => v !== y[i]) && x.some((v, i) => v !== z[i]));
    assert.equal(x.length, 64);
  });

  it("is the DDIM sampler's x_T (one step with ε = 0 returns x_T/√ᾱ_T)", async () => {
    const schedule = linearSchedule();
    const seeds = [columnSeed(9, 0), columnSeed(9, 1)];
    const zero = (x: T.Tensor4D): T.Tensor4D => tf.zerosLike(x);
    const out = await sampleDdim(zero, { schedule, steps: 1, classes: Int32Array.from([0, 1]), nullClass: 2, seeds, imageShape: [...SHAPE] });
    const scale = Math.sqrt(schedule.alphaBar[schedule.steps]);
    seeds.forEach((s, i) => {
      const noise = initialNoise(s, SHAPE);
      noise.forEach((v, k) => assert.ok(Math.abs(out[i * 64 + k] * scale - v) < 1e-4 * Math.max(1, Math.abs(v)), `sample ${i} value ${k}`));
    });
  });
});

describe('generation quality: penultimate features', function () {
  this.timeout(60000);
  before(useCpu);

  it("ends the built-in cnn at fc1's 128 units", () => {
    const cnn = buildArchitecture('cnn', { height: 28, width: 28, channels: 1, numClasses: 10 }, 1);
    const sub = penultimateModel(cnn);
    assert.deepEqual(sub.outputs[0].shape, [null, 128]);
    assert.equal(sub.outputs[0].sourceLayer.name, 'fc1');
    cnn.dispose();
  });

  it('are ReLU(xW + b) of the hidden layer, also behind a softmax tail, without leaking tensors', async () => {
    const clf = constantClassifier(0, 3, true);
    const set = realImages(5, 1);
    const before = tf.memory().numTensors;
    const f = await classifierFeatures(clf, set, [4, 0, 2], undefined, 2);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(f.dim, 4);
    const [w, b] = clf.model
      .getLayer('hidden')
      .getWeights()
      .map((t) => t.arraySync() as number[] | number[][]);
    [4, 0, 2].forEach((row, i) => {
      for (let u = 0; u < 4; u++) {
        let s = (b as number[])[u];
        for (let p = 0; p < 64; p++) s += set.images[row * 64 + p] * (w as number[][])[p][u];
        assert.ok(Math.abs(f.values[i * 4 + u] - Math.max(0, s)) < 1e-5, `row ${row} unit ${u}`);
      }
    });
  });
});

describe('generation quality: evaluateGeneration', function () {
  this.timeout(120000);
  let unet: T.LayersModel;
  let sayZero: Classifier;
  before(async () => {
    await useCpu();
    unet = tinyUnet();
    sayZero = constantClassifier(0);
  });
  after(() => {
    unet.dispose();
    sayZero.model.dispose();
  });

  const config = (over: Partial<GenerationEvalConfig>): GenerationEvalConfig => ({
    model: unet,
    classifier: sayZero,
    forgetClass: 1,
    classes: [0, 1, 2],
    samplesPerClass: 3,
    ddimSteps: 3,
    guidance: 1,
    seed: 7,
    batchSize: 4,
    ...over,
  });

  it('reads UA and retained accuracy off a classifier that always says class 0', async () => {
    const before = tf.memory().numTensors;
    const clf = sayZero;
    const phases: string[] = [];
    const forget1 = await evaluateGeneration(config({ classifier: clf, onProgress: (p) => phases.push(`${p.phase} ${p.done}/${p.total}`) }));
    assert.equal(forget1.ua, 100);
    assert.deepEqual(
      forget1.retainedAccuracy.perClass.map((p) => [p.class, p.accuracy]),
      [
        [0, 100],
        [2, 0],
      ],
    );
    assert.equal(forget1.retainedAccuracy.mean, 50);
    assert.equal(forget1.samples.n, 9);
    assert.deepEqual(Array.from(forget1.samples.labels), [0, 0, 0, 1, 1, 1, 2, 2, 2]);
    assert.ok(
      forget1.samples.images.every((v) => v >= 0 && v <= 1),
      'samples in [0, 1]',
    );
    assert.ok(phases.includes('sampling 9/9') && phases.includes('scoring 2/2'), phases.join(', '));
    const forget0 = await evaluateGeneration(config({ classifier: clf, forgetClass: 0 }));
    assert.equal(forget0.ua, 0);
    assert.equal(forget0.retainedAccuracy.mean, 0);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  });

  it('samples the same images for the same seed, and measures FID-classifier against the references', async () => {
    const clf = sayZero;
    const first = await evaluateGeneration(config({ classifier: clf }));
    const again = await evaluateGeneration(
      config({ classifier: clf, reference: { realTest: realImages(12, 2), theta0Samples: first.samples, retrainSamples: realImages(6, 3) } }),
    );
    assert.deepEqual(again.samples.images, first.samples.images, 'same seed, same samples');
    assert.equal(first.fidClassifier.realTest, undefined);
    assert.equal(again.fidClassifier.featureDim, 4);
    assert.equal(again.fidClassifier.samples, 6, 'two retained classes × 3 samples');
    assert.ok((again.fidClassifier.theta0 ?? NaN) < 1e-9, `FID-classifier against its own samples: ${again.fidClassifier.theta0}`);
    assert.ok((again.fidClassifier.realTest ?? NaN) > 1e-6, `FID-classifier against random real images: ${again.fidClassifier.realTest}`);
    assert.ok(Number.isFinite(again.fidClassifier.retrain));
    const other = await evaluateGeneration(config({ classifier: clf, seed: 8 }));
    assert.ok(
      other.samples.images.some((v, i) => v !== first.samples.images[i]),
      'another seed, other samples',
    );
  });

  it('stops on an aborted signal and refuses class lists without the forgotten class or a retained one', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(evaluateGeneration(config({ signal: ctl.signal })), CancelledError);
    await assert.rejects(evaluateGeneration(config({ classes: [0, 2] })), /do not include the forgotten class 1/);
    await assert.rejects(evaluateGeneration(config({ classes: [1] })), /Only the forgotten class/);
  });
});
