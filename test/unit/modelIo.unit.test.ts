import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchShapeFor } from '../../src/engine/models/forward';
import { classifierOf, loadModel, saveModel } from '../../src/engine/models/io';
import { tf, type T } from '../../src/engine/tf';
import { toyImages, useCpu } from '../support/tinyModels';

describe('model files (tfjs LayersModel: model.json + weights.bin)', () => {
  before(useCpu);

  it('round-trip: a user model with a softmax head loads, is recognised as such, and predicts the same', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [4, 4, 1] }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }),
      ],
    });
    const dir = join(mkdtempSync(join(tmpdir(), 'salun-model-')), 'm');
    await saveModel(model, dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { format: string; weightsManifest: unknown[] };
    assert.equal(json.format, 'layers-model');
    const loaded = await loadModel(join(dir, 'model.json'));
    assert.ok(classifierOf(loaded).outputsProbabilities);
    const x = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 1);
    assert.deepEqual(Array.from((loaded.predict(x) as T.Tensor).dataSync()), Array.from((model.predict(x) as T.Tensor).dataSync()));
  });

  it('rejects a truncated weights file and a model whose input does not match the data', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 3 })] });
    const dir = join(mkdtempSync(join(tmpdir(), 'salun-model-')), 'm');
    await saveModel(model, dir);
    assert.throws(() => batchShapeFor(classifierOf(model), toyImages(2, 1)), /expects inputs of shape \[5\] but the data is 4×4×1/);
    writeFileSync(join(dir, 'weights.bin'), readFileSync(join(dir, 'weights.bin')).subarray(0, 10));
    await assert.rejects(loadModel(join(dir, 'model.json')), /weight files hold 10 bytes but the manifest describes 72/);
  });
});
