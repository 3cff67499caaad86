// `salun audit <config>`: a run config becomes the audit of its θo (the user's own model too), its
// forget set (a deletion request's rows too) and its method at its own recipe.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAuditArgs } from '../../src/cli/auditCommand';

describe('salun audit <config>', () => {
  it("takes the run config's data, model, forget rows, seed, mask and recipe; flags add methods and N", () => {
    const dir = mkdtempSync(join(tmpdir(), 'salun-auditargs-'));
    const unlearn = { epochs: 3, lr: 0.02, schedule: 'constant', momentum: 0.9, weightDecay: 0.0005, batchSize: 64, auto: false };
    const file = join(dir, 'req.salun.json');
    writeFileSync(
      file,
      JSON.stringify({
        model: { kind: 'onnx', path: 'net.onnx' },
        forget: { kind: 'indices', file: 'request.json' },
        method: 'rl',
        masked: true,
        seed: 4,
        saliency: { ratio: 0.3 },
        unlearn,
        backend: 'wasm',
      }),
    );
    const { config } = parseAuditArgs([file, '--models', '5']);
    assert.deepEqual(config.scenario, { kind: 'indices', file: 'request.json' });
    assert.deepEqual(config.model, { kind: 'onnx', path: 'net.onnx' });
    assert.deepEqual([config.seed, config.models, config.methods, config.saliency, config.backend], [4, 5, ['rl'], { ratio: 0.3 }, 'wasm']);
    const { auto: _auto, ...plain } = unlearn;
    assert.deepEqual(config.runRecipe, { method: 'rl', unlearn: plain, masked: true });
    const more = parseAuditArgs([file, '--methods', 'rl,salun', '--backend', 'cpu']).config;
    assert.deepEqual([more.methods, more.backend], [['rl', 'salun'], 'cpu']);
  });

  it('without a config it is the built-in audit it was', () => {
    const { config } = parseAuditArgs(['--models', '4']);
    assert.equal(config.runRecipe, undefined);
    assert.deepEqual(config.model, { kind: 'builtin', architecture: 'cnn' });
    assert.deepEqual(config.scenario, { kind: 'random', fraction: 0.1 });
  });
});
