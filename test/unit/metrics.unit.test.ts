import { selectBackend } from '../../src/engine/backend/select';
import { strict as assert } from 'node:assert';
import type { ImageSet } from '../../src/engine/data/dataset';
import { accuracyPercent, predictPerSample } from '../../src/engine/metrics/evaluate';
import { avgGap, metricsOf } from '../../src/engine/metrics/report';
import { classifierOf } from '../../src/engine/models/io';
import { tf } from '../../src/engine/tf';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepare } from '../../src/engine/pipeline/classification/prepare';
import { useCpu } from '../support/tinyModels';

describe('UA / RA / TA', () => {
  before(useCpu);

  it('match a hand-checked case', async () => {
    // A 1-pixel "image" and a fixed linear model: logits = [x, 1 − x], so it predicts class 0 iff x > 0.5.
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [1, 1, 1] }), tf.layers.dense({ units: 2 })] });
    model.layers[1].setWeights([tf.tensor2d([[1, -1]]), tf.tensor1d([0, 1])]);
    const clf = classifierOf(model);
    const set: ImageSet = {
      images: Float32Array.from([0.9, 0.8, 0.2, 0.1, 0.7, 0.3, 0.6, 0.4]),
      labels: Int32Array.from([0, 0, 0, 1, 1, 1, 0, 1]),
      n: 8,
      height: 1,
      width: 1,
      channels: 1,
      numClasses: 2,
      source: 't',
    };
    // Predictions: 0, 0, 1, 1, 0, 1, 0, 1 → correct: 1,1,0,1,0,1,1,1
    const forget = await predictPerSample(clf, set, [0, 2, 4], undefined, 2); // correct 1,0,0 → accuracy 33.3, UA 66.7
    const retain = await predictPerSample(clf, set, [1, 3, 5, 6, 7], undefined, 2); // all correct → 100
    const test = await predictPerSample(clf, set, [2, 3, 4, 5], undefined, 3); // 0,1,0,1 → 50
    assert.deepEqual(Array.from(forget.correct), [1, 0, 0]);
    assert.equal(accuracyPercent(retain.correct), 100);
    assert.equal(accuracyPercent(test.correct), 50);
    // Confidence of the true label is the softmax probability: sample 0, logits [0.9, 0.1].
    assert.ok(Math.abs(forget.confidence[0] - Math.exp(0.9) / (Math.exp(0.9) + Math.exp(0.1))) < 1e-6);
    const m = metricsOf({ forget, retain, test, miaRetainPositions: Int32Array.from([0, 1, 2, 3]), miaTestPositions: Int32Array.from([0, 1, 2, 3]) });
    assert.ok(Math.abs(m.UA - 200 / 3) < 1e-9);
    assert.equal(m.RA, 100);
    assert.equal(m.TA, 50);
    assert.ok(m.MIA >= 0 && m.MIA <= 100);
  });

  it('Avg. Gap is the mean absolute difference over the four metrics', () => {
    assert.equal(avgGap({ UA: 10, RA: 90, TA: 80, MIA: 20 }, { UA: 12, RA: 100, TA: 78, MIA: 10 }), (2 + 10 + 2 + 10) / 4);
  });
});

describe('MIA sets', function () {
  this.timeout(120_000);
  // wasm, not cpu: prepare() trains an MLP epoch on 10k images (plus its accuracy curve), minutes in pure JS.
  before(async () => {
    await selectBackend('wasm');
  });
  after(useCpu);

  it('members and non-members are equally many, distinct and in range, whichever of Dr and Dt is smaller', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-mia-'));
    const ctx = { workspaceDir: ws, signal: new AbortController().signal, emit: (): void => undefined };
    const backend = { name: 'wasm' as const, reason: 'test', detail: 'test' };
    const base = {
      data: { kind: 'default' as const },
      model: { kind: 'builtin' as const, architecture: 'mlp' as const },
      train: { epochs: 1, lr: 0.05, momentum: 0.9, weightDecay: 0, batchSize: 128 },
      seed: 3,
      backend: 'wasm' as const,
    };
    // Retain 500 < test 2000: the test side is subsampled to 500.
    const small = await prepare({ ...base, forget: { kind: 'random', fraction: 0.5, seed: 3 }, trainSubset: 1000 }, ctx, backend);
    // Retain 9000 > test 2000: every test sample is a non-member, 2000 retain samples are members.
    const large = await prepare({ ...base, forget: { kind: 'random', fraction: 0.1, seed: 3 } }, ctx, backend);
    try {
      for (const [p, n, pool] of [
        [small, 500, 2000],
        [large, 2000, 2000],
      ] as const) {
        assert.equal(p.miaRetainPositions.length, n);
        assert.equal(p.miaTestPositions.length, n);
        assert.equal(new Set(p.miaTestPositions).size, n);
        assert.equal(new Set(p.miaRetainPositions).size, n);
        assert.ok(p.miaTestPositions.every((i) => i >= 0 && i < pool));
        assert.ok(p.miaRetainPositions.every((i) => i >= 0 && i < p.split.retain.length));
      }
    } finally {
      small.original.model.dispose();
      large.original.model.dispose();
    }
  });
});
