// The backend line says when training leaves cores idle, and how this user uses them. The default stays 1 worker, so that a config's table does not depend on the machine.
import { strict as assert } from 'node:assert';
import { coresHint } from '../../src/engine/backend/coresHint';
import { selectBackend } from '../../src/engine/backend/select';
import { defaultRunConfig } from '../../src/protocol/defaults';

describe('the cores hint on the backend line', () => {
  it('one worker on a 2-core machine: the extension user is told the setting, the CLI user the flag', () => {
    assert.equal(coresHint('wasm', 1, 'vscode', 2), '2 cores: set salun.workers to 2 to train on both');
    assert.equal(coresHint('wasm', 1, 'cli', 2), '2 cores: --workers 2 to train on both');
    assert.equal(coresHint('cpu', 1, 'cli', 8), '8 cores: --workers 8 to train on all 8');
  });

  it('says nothing when no core is idle or workers do not apply', () => {
    assert.equal(coresHint('wasm', 2, 'vscode', 2), undefined, 'workers already use the cores');
    assert.equal(coresHint('wasm', 1, 'vscode', 1), undefined, 'one core');
    assert.equal(coresHint('tensorflow', 1, 'vscode', 8), undefined, 'native TensorFlow spreads each op over every core');
    assert.equal(coresHint('webgpu', 1, 'vscode', 8), undefined);
  });

  it('selectBackend puts it in the detail of a job that trains, and only there', async () => {
    const trains = await selectBackend('cpu', { trainingWorkers: 1, cores: 2, client: 'vscode' });
    assert.equal(trains.detail, 'pure JavaScript; 2 cores: set salun.workers to 2 to train on both');
    const pooled = await selectBackend('cpu', { trainingWorkers: 2, cores: 2, client: 'vscode' });
    assert.equal(pooled.detail, 'pure JavaScript');
    const noTraining = await selectBackend('cpu', { cores: 2, client: 'vscode' });
    assert.equal(noTraining.detail, 'pure JavaScript');
  });

  it('the default stays one worker: the same config gives the same table on any machine', () => {
    assert.equal(defaultRunConfig().workers ?? 1, 1);
  });
});
