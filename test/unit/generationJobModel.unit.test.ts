// θo from a file for generation jobs: the SHA-256 in the config is checked before the weights are
// used, and the shipped demo weights (models/gen-demo) are what gen-demo's config names.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { genDemoConfig, genDemoModelDir } from '../../src/store/generationDemo';
import { ddpmFromFile } from '../../src/engine/pipeline/generation/model';
import type { JobContext } from '../../src/engine/pipeline/shared/jobContext';
import { buildUnet } from '../../src/engine/generation/unet';
import { saveModel } from '../../src/engine/models/io';
import { selectBackend } from '../../src/engine/backend/select';
import { UserError } from '../../src/store/errors';

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('generation θo from a file', function () {
  this.timeout(60_000);
  before(async () => {
    await selectBackend('cpu');
  });

  it('loads a U-Net whose weights match the SHA-256 and refuses one that does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salun-gen-file-'));
    const unet = buildUnet({ height: 8, width: 8, channels: 1, numClasses: 3, widths: [4, 4], groups: 2, embedDim: 8, seed: 1 });
    await saveModel(unet, join(dir, 'm'));
    const ctx: JobContext = { workspaceDir: dir, emit: () => undefined, signal: new AbortController().signal };
    const good = sha256(join(dir, 'm', 'weights.bin'));
    const loaded = await ddpmFromFile(join(dir, 'm', 'model.json'), good, ctx);
    assert.equal(loaded.from, 'file');
    assert.deepEqual(await loaded.model.getWeights()[0].data(), await unet.getWeights()[0].data());
    loaded.model.dispose();
    const bad = `${good.slice(0, 63)}${good[63] === '0' ? '1' : '0'}`;
    await assert.rejects(ddpmFromFile(join(dir, 'm', 'model.json'), bad, ctx), (e: Error) => e instanceof UserError && e.message.includes(`not the ${bad}`));
    unet.dispose();
  });

  it('gen-demo names the shipped θo with the SHA-256 of its weights.bin', () => {
    const dir = genDemoModelDir();
    assert.ok(dir, 'models/gen-demo is shipped');
    const c = genDemoConfig();
    assert.ok(c.original.kind === 'file' && c.original.sha256 === sha256(join(dir, 'weights.bin')));
    assert.ok(existsSync(join(dir, 'README.md')), 'the folder says how it was made');
  });
});
