import { strict as assert } from 'node:assert';
import { ConfigError, parseRunConfig, withoutRunRecord } from '../../src/protocol/runConfigSchema';
import { defaultRunConfig, defaultTrainRecipe } from '../../src/protocol/defaults';
import { METHOD_NAMES } from '../../src/protocol/methods';

describe('run config', () => {
  it('fills what is missing from the defaults', () => {
    const c = parseRunConfig({ method: 'rl', unlearn: { epochs: 3 } });
    assert.equal(c.method, 'rl');
    assert.equal(c.unlearn.epochs, 3);
    assert.equal(c.unlearn.lr, defaultRunConfig().unlearn.lr);
    assert.deepEqual(c.data, { kind: 'default' });
  });

  it('a built-in MLP defaults to the longer recipe that memorises; an explicit one wins', () => {
    assert.equal(parseRunConfig({}).train.epochs, defaultTrainRecipe('cnn').epochs);
    assert.equal(parseRunConfig({ model: { kind: 'builtin', architecture: 'mlp' } }).train.epochs, defaultTrainRecipe('mlp').epochs);
    assert.ok(defaultTrainRecipe('mlp').epochs > defaultTrainRecipe('cnn').epochs);
    assert.equal(parseRunConfig({ model: { kind: 'builtin', architecture: 'mlp' }, train: { epochs: 2 } }).train.epochs, 2);
  });

  it('names every bad field, with the path and what is allowed', () => {
    try {
      parseRunConfig({ method: 'magic', forget: { kind: 'random', fraction: 1.5 }, saliency: { ratio: 0 }, unlearn: { lr: -1 }, extra: 1 }, 'my.json');
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      const text = e.message;
      assert.match(text, /my\.json is not a valid SalUn config/);
      assert.ok(text.includes(`config.method must be one of ${METHOD_NAMES.map((m) => `"${m}"`).join(', ')} (got "magic")`), text);
      assert.match(text, /config\.forget\.fraction must be < 1 \(got 1\.5\)/);
      assert.match(text, /config\.saliency\.ratio must be > 0/);
      assert.match(text, /config\.unlearn\.lr must be > 0/);
      assert.match(text, /config\.extra is not a known setting/);
    }
  });

  it('tells the kinds of a union apart', () => {
    assert.throws(() => parseRunConfig({ model: { kind: 'keras' } }), /config\.model\.kind must be one of "builtin", "file", "onnx", "pytorch"/);
    assert.throws(() => parseRunConfig({ model: { kind: 'file' } }), /config\.model\.path is required/);
  });
});

describe('re-running from a run folder', () => {
  it("a run folder's config.json parses back to the config once its run record is dropped", () => {
    const recorded = { ...defaultRunConfig(), kind: 'run', resolved: { backend: { name: 'wasm' } }, versions: { tfjs: '4.22.0' } };
    assert.throws(() => parseRunConfig(recorded), /config\.kind is not a known setting/);
    assert.deepEqual(parseRunConfig(withoutRunRecord(recorded)), defaultRunConfig());
  });
});
