// The generation demo's shipped θo (models/gen-demo): missing or damaged, the demo says which file and
// what to do before anything starts, instead of training θo for hours unasked (the packaged 0.1.0
// lacked the folder and trained for 1 h 46 min without a word).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GEN_DEMO_FILES, genDemoConfig, genDemoModelDir, genDemoTrainingConfig, shippedOriginal, type ShippedOriginal } from '../../src/store/generationDemo';
import { fakeHost, installFakeVscodeHost, resetFakeHost } from '../support/fakeVscode';

installFakeVscodeHost();
// After the fake is installed: the command module imports `vscode`.
const { demoBaseConfig } = require('../../src/extension/flows/generationDemoCommand') as typeof import('../../src/extension/flows/generationDemoCommand');

const root = join(__dirname, '..', '..', '..');

describe("the generation demo's shipped θo", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'salun-gendemo-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('is found at the package root, whole, and the demo reads it with its SHA-256', () => {
    assert.equal(genDemoModelDir(), join(root, 'models', 'gen-demo'));
    const s = shippedOriginal();
    assert.ok(s.ok, s.ok ? '' : s.problem);
    const c = genDemoConfig(s);
    assert.deepEqual(c.original, { kind: 'file', path: join(root, 'models', 'gen-demo', 'model.json'), sha256: s.sha256 });
  });

  it('missing, damaged or without a checksum: the problem names the file, and the demo config refuses it', () => {
    const dir = join(tmp, 'gen-demo');
    cpSync(genDemoModelDir(), dir, { recursive: true });
    assert.ok(shippedOriginal(dir).ok);
    for (const f of GEN_DEMO_FILES) {
      const broken = join(tmp, `without-${f}`);
      cpSync(dir, broken, { recursive: true });
      rmSync(join(broken, f));
      const s = shippedOriginal(broken);
      assert.ok(!s.ok && s.file === join(broken, f) && s.problem === `${join(broken, f)} is missing`, JSON.stringify(s));
      assert.throws(() => genDemoConfig(s), new RegExp(`θo cannot be used: .*without-${f.replace('.', '\\.')}`));
    }
    writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(16));
    const damaged = shippedOriginal(dir);
    assert.ok(!damaged.ok && damaged.file === join(dir, 'weights.bin') && /is damaged: its SHA-256 is [0-9a-f]{64}, not the/.test(damaged.problem));
    writeFileSync(join(dir, 'meta.json'), '{"steps": 5000}');
    const unchecked = shippedOriginal(dir);
    assert.ok(!unchecked.ok && unchecked.problem.endsWith('records no SHA-256 of weights.bin'));
    assert.equal(genDemoTrainingConfig().original.kind, 'train', 'training θo is a config of its own, asked for by name');
  });

  it('salun gen-demo without the shipped θo stops before any work, naming the file and both ways on; --train-original is the way to train it', () => {
    // The CLI bundle in a package of its own, without models/: what a broken install looks like.
    mkdirSync(join(tmp, 'dist'));
    copyFileSync(join(root, 'dist', 'cli.js'), join(tmp, 'dist', 'cli.js'));
    writeFileSync(join(tmp, 'package.json'), '{}');
    const ws = join(tmp, 'ws');
    mkdirSync(ws);
    const r = spawnSync(process.execPath, [join(tmp, 'dist', 'cli.js'), 'gen-demo', '--workspace', ws], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, `exit ${r.status}: ${r.stdout}${r.stderr}`);
    const model = join(tmp, 'models', 'gen-demo', 'model.json');
    assert.ok(r.stderr.includes(`${model} is missing`), r.stderr);
    assert.match(r.stderr, /salun gen-train --out .*models\/gen-demo` makes it \(5,000 training steps, about 1 h 45 min/);
    assert.match(r.stderr, /--train-original trains it in this run/);
    assert.ok(!r.stdout.includes('Adam steps') && !r.stderr.includes('Adam steps'), 'nothing was trained');
  });

  it('the editor command: a missing θo is a modal naming the file and reinstalling; θo is trained only when chosen; a script is refused', async () => {
    resetFakeHost();
    const file = join(tmp, 'models', 'gen-demo', 'weights.bin');
    const missing: ShippedOriginal = { ok: false, file, problem: `${file} is missing` };
    assert.equal(await demoBaseConfig(false, missing), undefined, 'dismissed: nothing starts');
    const [n] = fakeHost.notifications;
    assert.equal(n.level, 'warning');
    assert.ok(n.text.includes(`${file} is missing`) && n.text.includes('Reinstall SalUn Lab'), n.text);
    assert.deepEqual(n.actions, ['Show SalUn Lab in Extensions', 'Train θo First']);
    fakeHost.click = () => 'Train θo First';
    assert.equal((await demoBaseConfig(false, missing))?.original.kind, 'train');
    fakeHost.click = () => 'Show SalUn Lab in Extensions';
    assert.equal(await demoBaseConfig(false, missing), undefined);
    assert.deepEqual(fakeHost.executed.at(-1), { command: 'workbench.extensions.action.showExtensionsWithIds', args: [['salun-lab.salun-lab']] });
    await assert.rejects(
      demoBaseConfig(true, missing),
      (e: Error) => e.message.startsWith('salun.runGenerationDemo: ') && e.message.includes(`${file} is missing`),
    );
    assert.equal((await demoBaseConfig(true, shippedOriginal()))?.original.kind, 'file', 'a whole θo is read, without a question');
  });
});
