// The salun.* settings map onto the protocol's job configs, defaults untouched where unset.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { defaultRunConfig, defaultSaliencyJobConfig } from '../../src/protocol/defaults';
import { SettingsError, dataFromSetting, runConfigFromSettings, saliencyConfigFromSettings } from '../../src/extension/jobs/jobConfigs';

const ws = join('/', 'ws');

describe('settings → job configs', () => {
  it('no settings give the defaults', () => {
    assert.deepEqual(runConfigFromSettings({}, ws), defaultRunConfig());
    assert.deepEqual(saliencyConfigFromSettings({}, ws), defaultSaliencyJobConfig());
    // The contributed defaults (null / '') mean "unset" too.
    assert.deepEqual(runConfigFromSettings({ forgetClass: null, modelPath: '' }, ws), defaultRunConfig());
  });

  it('overlays every setting', () => {
    const c = runConfigFromSettings(
      {
        backend: 'wasm',
        saliencyRatio: 0.3,
        forgetFraction: 0.2,
        modelPath: 'models/m/model.json',
        unlearnEpochs: 7,
        unlearnLr: 0.01,
      },
      ws,
    );
    assert.equal(c.backend, 'wasm');
    assert.deepEqual(c.saliency, { ratio: 0.3 });
    assert.deepEqual(c.forget, { kind: 'random', fraction: 0.2, seed: 1 });
    assert.deepEqual(c.model, { kind: 'file', path: join(ws, 'models/m/model.json') });
    assert.equal(c.unlearn.epochs, 7);
    assert.equal(c.unlearn.lr, 0.01);
    assert.deepEqual(c.train, defaultRunConfig().train);
  });

  it('forgetClass switches to class-wise forgetting, and saliency jobs get the same forget set', () => {
    assert.deepEqual(runConfigFromSettings({ forgetClass: 3, forgetFraction: 0.5 }, ws).forget, { kind: 'class', classIndex: 3 });
    assert.deepEqual(saliencyConfigFromSettings({ forgetClass: 0 }, ws).forget, { kind: 'class', classIndex: 0 });
  });

  it('salun.data reaches every run and saliency job from the settings, its folder relative to the workspace', () => {
    assert.deepEqual(runConfigFromSettings({ data: { kind: 'idx', folder: 'data/fmnist' } }, ws).data, { kind: 'idx', dir: join(ws, 'data/fmnist') });
    assert.deepEqual(saliencyConfigFromSettings({ data: { kind: 'imagefolder', folder: '/abs/images' } }, ws).data, {
      kind: 'imagefolder',
      dir: '/abs/images',
    });
    assert.deepEqual(runConfigFromSettings({ data: { kind: 'default', folder: '' } }, ws).data, { kind: 'default' });
    assert.equal(dataFromSetting(undefined, ws), undefined);
    for (const bad of [{ kind: 'cifar10' }, { kind: 'cifar10', folder: '  ' }, { kind: 'mnist', folder: 'x' }, 'data', [1]]) {
      assert.throws(
        () => runConfigFromSettings({ data: bad }, ws),
        (e: unknown) => e instanceof SettingsError && e.setting === 'salun.data',
        JSON.stringify(bad),
      );
    }
  });

  it("salun.data.normalize reaches the run's data.normalize ('unit', the default, left out); another value is refused", () => {
    assert.deepEqual(runConfigFromSettings({ data: { kind: 'default', normalize: 'centered' } }, ws).data, { kind: 'default', normalize: 'centered' });
    assert.deepEqual(dataFromSetting({ kind: 'idx', folder: '/d', normalize: 'standardize' }, ws), { kind: 'idx', dir: '/d', normalize: 'standardize' });
    assert.deepEqual(dataFromSetting({ kind: 'default', normalize: 'unit' }, ws), { kind: 'default' });
    assert.throws(
      () => dataFromSetting({ kind: 'default', normalize: 'minmax' }, ws),
      (e: unknown) =>
        e instanceof SettingsError && e.setting === 'salun.data' && /normalize "minmax" is not one of unit, centered, standardize/.test(e.message),
    );
  });

  it('salun.workers reaches run and saliency configs only above 1 (1 is the exact single-thread default)', () => {
    assert.equal(runConfigFromSettings({ workers: 2 }, ws).workers, 2);
    assert.equal(saliencyConfigFromSettings({ workers: 3 }, ws).workers, 3);
    assert.equal('workers' in runConfigFromSettings({ workers: 1 }, ws), false);
    assert.equal('workers' in runConfigFromSettings({}, ws), false);
  });

  it('keeps absolute model paths', () => {
    assert.deepEqual(saliencyConfigFromSettings({ modelPath: '/abs/model.json' }, ws).model, { kind: 'file', path: '/abs/model.json' });
  });

  it('salun.modelPath reads an .onnx graph by the model-source table; a checkpoint is refused, naming what asks its architecture', () => {
    assert.deepEqual(runConfigFromSettings({ modelPath: 'net/model.onnx' }, ws).model, { kind: 'onnx', path: join(ws, 'net', 'model.onnx') });
    assert.throws(
      () => runConfigFromSettings({ modelPath: 'net.pth' }, ws),
      (e: unknown) => e instanceof SettingsError && e.setting === 'salun.modelPath' && /PyTorch checkpoint.*New Unlearning Run/.test(e.message),
    );
  });

  it("salun.data.normalize takes torchvision's Normalize constants as { mean, std }, and refuses a std of 0", () => {
    const normalize = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.243, 0.261] };
    assert.deepEqual(dataFromSetting({ kind: 'default', normalize }, ws), { kind: 'default', normalize });
    assert.throws(
      () => dataFromSetting({ kind: 'default', normalize: { mean: [0.5], std: [0] } }, ws),
      (e: unknown) => e instanceof SettingsError && /one std above 0 per channel/.test(e.message),
    );
  });

  it('rejects out-of-range values, naming the setting', () => {
    const bad: [string, Record<string, unknown>][] = [
      ['salun.backend', { backend: 'gpu' }],
      ['salun.saliencyRatio', { saliencyRatio: 0 }],
      ['salun.saliencyRatio', { saliencyRatio: 1.5 }],
      ['salun.forgetFraction', { forgetFraction: 1 }],
      ['salun.forgetClass', { forgetClass: -1 }],
      ['salun.forgetClass', { forgetClass: 1.5 }],
      ['salun.unlearnEpochs', { unlearnEpochs: 0 }],
      ['salun.unlearnLr', { unlearnLr: -0.1 }],
      ['salun.workers', { workers: 0 }],
      ['salun.workers', { workers: 1.5 }],
      ['salun.workers', { workers: 65 }],
    ];
    for (const [setting, settings] of bad) {
      assert.throws(
        () => runConfigFromSettings(settings, ws),
        (err: unknown) => err instanceof SettingsError && err.setting === setting,
        setting,
      );
    }
  });
});
