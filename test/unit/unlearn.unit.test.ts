import { strict as assert } from 'node:assert';
import { allIndices } from '../../src/engine/data/dataset';
import { unlearn } from '../../src/engine/methods/unlearn';
import { trainableVariables } from '../../src/engine/train/loop';
import { Sgd } from '../../src/engine/train/sgd';
import { tf, type T } from '../../src/engine/tf';
import { maskedSalunBits, tinyMlp, toyImages, useCpu } from '../support/tinyModels';

describe('SalUn', () => {
  before(useCpu);

  it('moves only salient weights: every non-salient weight equals θo bit for bit, even with momentum and weight decay', async () => {
    const { moved, frozen, salient } = await maskedSalunBits();
    assert.ok(frozen > 0, 'some weights are frozen');
    assert.ok(moved > 0.5 * salient, 'most salient weights moved');
  });

  it('unmasked RL moves weights the mask would freeze', async () => {
    const set = toyImages(30, 4);
    const clf = tinyMlp(3);
    const before = trainableVariables(clf).map((v) => v.dataSync().slice());
    await unlearn({
      method: 'rl',
      clf,
      train: set,
      forget: Int32Array.from([0, 1, 2]),
      retain: allIndices(30).slice(3),
      seed: 1,
      recipe: { epochs: 1, lr: 0.1, momentum: 0, weightDecay: 0, batchSize: 8 },
    });
    const changed = trainableVariables(clf).map((v, i) => v.dataSync().some((x, j) => x !== before[i][j]));
    assert.ok(changed.every(Boolean));
  });

  it('GA raises the forget loss', async () => {
    const set = toyImages(30, 5);
    const clf = tinyMlp(4);
    const forget = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const lossOn = (): number =>
      tf.tidy(() => {
        const x = tf.tensor(
          Array.from(forget).flatMap((i) => Array.from(set.images.subarray(i * 16, i * 16 + 16))),
          [forget.length, 4, 4, 1],
        );
        const p = tf.logSoftmax(clf.model.predict(x) as T.Tensor2D);
        return -tf
          .mean(
            tf.sum(
              tf.mul(
                p,
                tf.oneHot(
                  tf.tensor1d(
                    Array.from(forget).map((i) => set.labels[i]),
                    'int32',
                  ),
                  3,
                ),
              ),
              1,
            ),
          )
          .dataSync()[0];
      });
    const before = lossOn();
    await unlearn({
      method: 'ga',
      clf,
      train: set,
      forget,
      retain: allIndices(30).slice(6),
      seed: 1,
      recipe: { epochs: 2, lr: 0.05, momentum: 0, weightDecay: 0, batchSize: 3 },
    });
    assert.ok(lossOn() > before + 0.05, `forget loss ${before} → ${lossOn()}`);
  });
});

describe('SGD', () => {
  before(useCpu);
  it('follows PyTorch semantics: v = μv + g + wd·w; w −= lr·v', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const opt = new Sgd([w], { lr: 0.1, momentum: 0.5, weightDecay: 0.1 });
    opt.step([tf.tensor1d([0.5, 0.5])]);
    // v1 = g + wd·w = [0.6, 0.3]; w1 = [0.94, -2.03]
    assert.deepEqual(
      Array.from(w.dataSync()).map((x) => +x.toFixed(5)),
      [0.94, -2.03],
    );
    opt.step([tf.tensor1d([0, 0])]);
    // v2 = 0.5·v1 + wd·w1 = [0.3 + 0.094, 0.15 − 0.203]; w2 = w1 − 0.1·v2
    assert.deepEqual(
      Array.from(w.dataSync()).map((x) => +x.toFixed(5)),
      [+(0.94 - 0.0394).toFixed(5), +(-2.03 + 0.0053).toFixed(5)],
    );
    opt.dispose();
    w.dispose();
  });

  it('keeps tf memory flat across steps', () => {
    const w = tf.variable(tf.randomNormal([10, 10]));
    const opt = new Sgd([w], { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 }, { salient: [tf.randomUniform([10, 10]).greater(0.5)], anchor: [tf.clone(w)] });
    const g = tf.ones([10, 10]);
    opt.step([g]);
    const n = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) opt.step([g]);
    assert.equal(tf.memory().numTensors, n);
  });
});

describe('training memory', () => {
  before(useCpu);
  it('keeps the tensor count flat across epochs of SalUn', async () => {
    const set = toyImages(40, 8);
    const clf = tinyMlp(6, 3, true);
    const vars = trainableVariables(clf);
    const salient = vars.map((v) => tf.onesLike(v).cast('bool'));
    const anchor = vars.map((v) => tf.clone(v));
    const counts: number[] = [];
    await unlearn({
      method: 'salun',
      clf,
      train: set,
      forget: Int32Array.from([0, 1, 2, 3]),
      retain: allIndices(40).slice(4),
      seed: 2,
      mask: { salient, anchor },
      recipe: { epochs: 4, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, batchSize: 8 },
      onEpoch: async () => {
        counts.push(tf.memory().numTensors);
      },
    });
    assert.equal(new Set(counts).size, 1, `tensor counts per epoch: ${counts.join(', ')}`);
    tf.dispose([...salient, ...anchor]);
  });
});
