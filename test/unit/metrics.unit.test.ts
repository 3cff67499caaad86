import { strict as assert } from 'node:assert';
import type { ImageSet } from '../../src/engine/data/dataset';
import { accuracyPercent, predictPerSample } from '../../src/engine/metrics/evaluate';
import { avgGap, metricsOf } from '../../src/engine/metrics/report';
import { classifierOf } from '../../src/engine/models/io';
import { tf } from '../../src/engine/tf';
import { useCpu } from './helpers';

describe('UA / RA / TA', () => {
  before(useCpu);

  it('match a hand-checked case', async () => {
    // A 1-pixel "image" and a fixed linear model: logits = [x, 1 − x], so it predicts class 0 iff x > 0.5.
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [1, 1, 1] }), tf.layers.dense({ units: 2 })] });
    model.layers[1].setWeights([tf.tensor2d([[1, -1]]), tf.tensor1d([0, 1])]);
    const clf = classifierOf(model);
    const set: ImageSet = { images: Float32Array.from([0.9, 0.8, 0.2, 0.1, 0.7, 0.3, 0.6, 0.4]), labels: Int32Array.from([0, 0, 0, 1, 1, 1, 0, 1]), n: 8, height: 1, width: 1, channels: 1, numClasses: 2, source: 't' };
    // Predictions: 0, 0, 1, 1, 0, 1, 0, 1 → correct: 1,1,0,1,0,1,1,1
    const forget = await predictPerSample(clf, set, [0, 2, 4], undefined, 2); // correct 1,0,0 → accuracy 33.3, UA 66.7
    const retain = await predictPerSample(clf, set, [1, 3, 5, 6, 7], undefined, 2); // all correct → 100
    const test = await predictPerSample(clf, set, [2, 3, 4, 5], undefined, 3);  // 0,1,0,1 → 50
    assert.deepEqual(Array.from(forget.correct), [1, 0, 0]);
    assert.equal(accuracyPercent(retain.correct), 100);
    assert.equal(accuracyPercent(test.correct), 50);
    // Confidence of the true label is the softmax probability: sample 0, logits [0.9, 0.1].
    assert.ok(Math.abs(forget.confidence[0] - Math.exp(0.9) / (Math.exp(0.9) + Math.exp(0.1))) < 1e-6);
    const m = metricsOf({ forget, retain, test, miaRetainPositions: Int32Array.from([0, 1, 2, 3]) });
    assert.ok(Math.abs(m.UA - 200 / 3) < 1e-9);
    assert.equal(m.RA, 100);
    assert.equal(m.TA, 50);
    assert.ok(m.MIA >= 0 && m.MIA <= 100);
  });

  it('Avg. Gap is the mean absolute difference over the four metrics', () => {
    assert.equal(avgGap({ UA: 10, RA: 90, TA: 80, MIA: 20 }, { UA: 12, RA: 100, TA: 78, MIA: 10 }), (2 + 10 + 2 + 10) / 4);
  });
});
