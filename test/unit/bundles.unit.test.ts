// The extension host never does tensor math (docs/architecture.md): its bundle must not pull in tfjs
// through some pure-looking import chain (it did once, via a report helper → metrics → tfjs,
// growing dist/extension.js from 150 KB to 4.6 MB and the host's activation with it).
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

describe('bundles', () => {
  it('dist/extension.js holds no tfjs and no jpeg decoder', () => {
    const path = join(root, 'dist', 'extension.js');
    assert.ok(existsSync(path), `${path} is missing: npm test builds it first`);
    const text = readFileSync(path, 'utf8');
    for (const marker of ['registerKernel', 'tfjs-core', 'jpeg-js', 'backend-wasm']) {
      assert.ok(!text.includes(marker), `dist/extension.js contains '${marker}': an import chain from src/extension reaches the engine's tensor code`);
    }
    assert.ok(statSync(path).size < 1024 * 1024, `dist/extension.js is ${statSync(path).size} bytes`);
  });

  it('dist/job.js does carry tfjs (so the check above can see it)', () => {
    const job = join(root, 'dist', 'job.js');
    assert.ok(existsSync(job), `${job} is missing: npm test builds it first`);
    assert.ok(readFileSync(job, 'utf8').includes('registerKernel'));
  });
});
