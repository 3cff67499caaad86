// `salun run` on a "task": "generation" config file: the same dispatch, the generation table printed
// through tableText with the FID-classifier note, the grids and the run folder named.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinyIdxFolder } from '../support/tinyRuns';
import { tinyGenerationConfig } from '../support/generationJobFixtures';

const root = join(__dirname, '..', '..', '..');
const cli = join(root, 'bin', 'salun.js');

describe('salun run <generation config> and salun gen-demo --help', function () {
  this.timeout(120_000);

  it('runs a task: generation file and prints the table, the grids and the folder', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-gen-cli-'));
    const file = join(ws, 'gen.salun.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...tinyGenerationConfig(tinyIdxFolder(200, 60)),
        methods: ['salun'],
        sampling: { ddimSteps: 2, guidance: 1, samplesPerClass: 2, gridColumns: 2, every: 0 },
      }),
    );
    const r = spawnSync(process.execPath, [cli, 'run', file, '--workspace', ws, '--quiet'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Model +UA \(forgotten class\) +Acc\. retained +FID-cl\. vs test/);
    assert.match(r.stdout, /^θo +\d/m);
    assert.match(r.stdout, /^SalUn +\d/m);
    assert.match(r.stdout, /not Inception/);
    const folder = /run folder: (.+)/.exec(r.stdout)?.[1];
    assert.ok(folder && existsSync(join(folder, 'samples', 'salun.png')), r.stdout);
    assert.match(r.stdout, /wall time: [\d.]+ s/);
  });

  it('a bad forget class in the file fails before any work, naming the file', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-gen-cli-bad-'));
    const file = join(ws, 'bad.salun.json');
    writeFileSync(file, JSON.stringify({ task: 'generation', forgetClass: 11 }));
    const r = spawnSync(process.execPath, [cli, 'run', file, '--workspace', ws], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.salun\.json is not a valid SalUn config/);
    assert.match(r.stderr, /config\.forgetClass must be a class of the data: 0\.\.9/);
  });

  it('gen-demo refuses a bad --other-class or --samples before any work, naming the flag', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-gen-cli-flags-'));
    const bad = spawnSync(process.execPath, [cli, 'gen-demo', '--other-class', 'first', '--workspace', ws], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--other-class must be random or next, got 'first'/);
    const few = spawnSync(process.execPath, [cli, 'gen-demo', '--samples', '1', '--workspace', ws], { encoding: 'utf8' });
    assert.equal(few.status, 2);
    assert.match(few.stderr, /samplesPerClass/);
    assert.ok(!existsSync(join(ws, '.salun', 'runs')) || readdirSync(join(ws, '.salun', 'runs')).length === 0, 'no run folder for a refused config');
  });

  it('gen-demo refuses a method outside the table or a repeated seed before any work, naming it', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-gen-cli-table-'));
    const method = spawnSync(process.execPath, [cli, 'gen-demo', '--methods', 'salun,ft', '--workspace', ws], { encoding: 'utf8' });
    assert.equal(method.status, 2);
    assert.match(method.stderr, /--methods: "ft" is not a method of a generation job; choose from salun, esd, rl/);
    const seeds = spawnSync(process.execPath, [cli, 'gen-demo', '--seeds', '1,1', '--workspace', ws], { encoding: 'utf8' });
    assert.equal(seeds.status, 2);
    assert.match(seeds.stderr, /seeds must not repeat/);
    const tune = spawnSync(process.execPath, [cli, 'gen-demo', '--tune', 'rl', '--grid', 'ratio=0.3,0.5', '--workspace', ws], { encoding: 'utf8' });
    assert.equal(tune.status, 2);
    assert.match(tune.stderr, /axis ratio: RL moves every weight, it has no mask ratio/);
    const grid = spawnSync(process.execPath, [cli, 'gen-demo', '--grid', 'lr=1e-4', '--workspace', ws], { encoding: 'utf8' });
    assert.equal(grid.status, 2);
    assert.match(grid.stderr, /--grid is the grid of --tune <method>/);
    assert.ok(!existsSync(join(ws, '.salun')) || readdirSync(join(ws, '.salun')).length === 0, 'nothing written for a refused config');
  });

  it('gen-demo --help names the demo, its methods from the table and the seed table', () => {
    const r = spawnSync(process.execPath, [cli, 'gen-demo', '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /forget class 7 \(Sneaker\)/);
    assert.match(r.stdout, /θo, SalUn, ESD and RL;/);
    assert.match(r.stdout, /--seeds <N> +a table over seeds/);
  });
});
