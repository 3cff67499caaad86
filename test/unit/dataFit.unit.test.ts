// The data/model fit check (θo's RA close to its TA and far below Retrain's: the inputs are scaled
// otherwise than the model was trained on) and data.normalize.
import { strict as assert } from 'node:assert';
import { dataFitWarning } from '../../src/engine/pipeline/classification/fitCheck';
import { NORMALIZE_QUESTION } from '../../src/protocol/normalizations';
import { channelStats, normalizeSplit } from '../../src/engine/data/normalize';
import type { ImageSet, SplitData } from '../../src/engine/data/dataset';
import { RUN_CONFIG_SCHEMA } from '../../src/protocol/runConfigSchema';
import { validate } from '../../src/protocol/schema';

const set = (pixels: number[], channels: number): ImageSet => ({
  images: Float32Array.from(pixels),
  labels: new Int32Array(pixels.length / channels),
  n: pixels.length / channels,
  height: 1,
  width: 1,
  channels,
  numClasses: 1,
  source: 't',
});

describe('data/model fit check', () => {
  it("warns when θo's RA ≈ its TA and is clearly below Retrain's (the numbers of the issue: 84.5, 82.6, 91.6)", () => {
    const w = dataFitWarning({ UA: 80, RA: 84.5, TA: 82.6, MIA: 20 }, { UA: 85, RA: 91.6, TA: 88, MIA: 12 });
    assert.ok(w?.includes('84.5') && w.includes('82.6') && w.includes('91.6') && w.includes('data.normalize'), w);
  });

  it('says what scaling the run used, the others in training-code terms, and where the setting goes', () => {
    const w = dataFitWarning({ UA: 80, RA: 84.5, TA: 82.6, MIA: 20 }, { UA: 85, RA: 91.6, TA: 88, MIA: 12 }) ?? '';
    assert.match(w, /This run fed it pixels in \[0, 1\] \(data\.normalize "unit"\)/);
    assert.match(w, /Normalize\(0\.5, 0\.5\), use "centered"; with Normalize\(mean, std\), use "standardize"/);
    // Where: the New Run flow's step by its own words, the setting, and a run config's key.
    assert.ok(w.includes(`"${NORMALIZE_QUESTION}"`), w);
    assert.match(w, /salun\.data setting \("normalize": "centered"\)/);
    assert.match(w, /"data": \{ …, "normalize": "centered" \}/);
    const centered = dataFitWarning({ UA: 80, RA: 84.5, TA: 82.6, MIA: 20 }, { UA: 85, RA: 91.6, TA: 88, MIA: 12 }, 'centered') ?? '';
    assert.match(centered, /fed it pixels in \[-1, 1\] \(data\.normalize "centered"\); if the model was trained with ToTensor\(\) only, use "unit"/);
  });

  it('is quiet for a model trained on this data (RA above TA), when Retrain is as low, or without a Retrain', () => {
    assert.equal(dataFitWarning({ UA: 0.5, RA: 98.98, TA: 86.45, MIA: 2.2 }, { UA: 11, RA: 98.96, TA: 85.95, MIA: 15.2 }), undefined);
    assert.equal(dataFitWarning({ UA: 80, RA: 84.5, TA: 82.6, MIA: 20 }, { UA: 80, RA: 86, TA: 84, MIA: 20 }), undefined);
    assert.equal(dataFitWarning({ UA: 80, RA: 84.5, TA: 82.6, MIA: 20 }, undefined), undefined);
  });
});

describe('data.normalize', () => {
  const split = (): SplitData => ({ train: set([0, 1, 0.5, 0.25, 1, 0.75], 2), test: set([0.5, 0.5], 2) });

  it('unit leaves [0, 1]; centered maps to [-1, 1]', () => {
    assert.deepEqual(Array.from(normalizeSplit(split(), 'unit').train.images), [0, 1, 0.5, 0.25, 1, 0.75]);
    const c = normalizeSplit(split(), 'centered');
    assert.deepEqual(Array.from(c.train.images), [-1, 1, 0, -0.5, 1, 0.5]);
    assert.deepEqual(Array.from(c.test.images), [0, 0]);
  });

  it("standardize uses the training set's per-channel mean and std for train and test", () => {
    const s = normalizeSplit(split(), 'standardize');
    const mean0 = 0.5;
    const std0 = Math.sqrt(((0 - mean0) ** 2 + (0.5 - mean0) ** 2 + (1 - mean0) ** 2) / 3);
    assert.ok(Math.abs(s.train.images[0] - (0 - mean0) / std0) < 1e-6);
    assert.ok(Math.abs(s.test.images[0] - (0.5 - mean0) / std0) < 1e-6);
    const after = channelStats(s.train);
    after.mean.forEach((m) => assert.ok(Math.abs(m) < 1e-6));
    after.std.forEach((d) => assert.ok(Math.abs(d - 1) < 1e-5));
    assert.ok(s.notes?.some((n) => n.message.includes('standardize')));
  });

  it('the run config schema accepts data.normalize on every data kind and rejects other values', () => {
    const data = RUN_CONFIG_SCHEMA.properties?.data;
    assert.ok(data);
    assert.deepEqual(validate({ kind: 'default', normalize: 'centered' }, data), []);
    assert.deepEqual(validate({ kind: 'idx', dir: 'x', normalize: 'standardize' }, data), []);
    assert.notDeepEqual(validate({ kind: 'default', normalize: 'minmax' }, data), []);
  });
});
