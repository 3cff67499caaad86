// Every run's config.json records the SalUn Lab version that made it (src/engine/pipeline/shared/versions.ts);
// scripts/build.mjs defines it from package.json in every build (without the define a packaged
// build records "dev"). Here: the production build (what scripts/package.mjs ships) and
// the development build each record package.json's version.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versions } from '../../src/engine/pipeline/shared/versions';

const root = join(__dirname, '..', '..', '..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

describe('the recorded SalUn Lab version', () => {
  it("a development build records package.json's version, marked +dev (this test's own build)", () => {
    assert.equal(versions().salunLab, `${version}+dev`);
    const job = readFileSync(join(root, 'dist', 'job.js'), 'utf8');
    assert.ok(job.includes(`salunLab: "${version}+dev"`), 'dist/job.js records the version');
  });

  it("the production build, the one packaged, records package.json's version and never 'dev'", function () {
    this.timeout(180_000);
    const out = mkdtempSync(join(tmpdir(), 'salun-build-'));
    try {
      const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production', '--outdir', out], { cwd: root, encoding: 'utf8' });
      assert.equal(r.status, 0, `the production build failed: ${r.stderr}`);
      assert.ok(existsSync(join(out, 'job.js')));
      const job = readFileSync(join(out, 'job.js'), 'utf8');
      const recorded = [...job.matchAll(/salunLab:"([^"]*)"/g)].map((m) => m[1]);
      assert.deepEqual(recorded, [version], `the minified job.js records ${JSON.stringify(recorded)}`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
