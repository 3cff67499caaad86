// The native-backend install without VS Code: which packages are offered, which folder jobs load
// from, and every way the user's npm can end (a fake npm script stands in for the real one).
import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKENDS } from '../../src/protocol/backends';
import { nativeChoices, nativeModulesDir, npmFailureMessage, npmInstallArgs, runNpm } from '../../src/extension/native/nativeInstall';

// Behaviour by its first argument: ok | fail-download | hang.
const FAKE_NPM = `#!/usr/bin/env node
const mode = process.env.FAKE_NPM_MODE;
console.log('args ' + JSON.stringify(process.argv.slice(2)));
if (mode === 'ok') { console.log('added 60 packages'); process.exit(0); }
if (mode === 'fail-download') {
  console.error('npm error path ' + process.argv[process.argv.indexOf('--prefix') + 1] + '/node_modules/@tensorflow/tfjs-node');
  console.error('npm error * Downloading libtensorflow');
  console.error('npm error Error: getaddrinfo ENOTFOUND storage.googleapis.com');
  process.exit(1);
}
setInterval(() => console.log('still installing'), 50);
`;

describe('native backend install', function () {
  this.timeout(20_000);
  let dir: string;
  let npm: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'salun-npm-'));
    npm = join(dir, 'npm');
    writeFileSync(npm, FAKE_NPM);
    chmodSync(npm, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('offers tfjs-node everywhere, tfjs-node-gpu only where it has builds (Linux and Windows x64)', () => {
    assert.deepEqual(
      nativeChoices('linux', 'x64').map((c) => c.backend),
      ['tensorflow', 'tensorflow-gpu'],
    );
    assert.deepEqual(
      nativeChoices('win32', 'x64').map((c) => c.backend),
      ['tensorflow', 'tensorflow-gpu'],
    );
    assert.deepEqual(
      nativeChoices('darwin', 'arm64').map((c) => c.backend),
      ['tensorflow'],
    );
    assert.deepEqual(
      nativeChoices('linux', 'arm64').map((c) => c.backend),
      ['tensorflow'],
    );
    const gpu = nativeChoices('linux', 'x64')[1];
    assert.match(`${gpu.label} ${gpu.detail}`, /CUDA 11\.2/);
    assert.match(`${gpu.label} ${gpu.detail}`, /cuDNN 8\.1/);
  });

  it('jobs load from the setting, else SALUN_TFJS_NODE_DIR, else native/ in the global storage', () => {
    const storage = join(dir, 'storage');
    assert.equal(nativeModulesDir('', storage, {}), join(storage, 'native'));
    assert.equal(nativeModulesDir('  ', storage, {}), join(storage, 'native'));
    assert.equal(nativeModulesDir(undefined, storage, { SALUN_TFJS_NODE_DIR: join(dir, 'env') }), join(dir, 'env'));
    assert.equal(nativeModulesDir(join(dir, 'set'), storage, { SALUN_TFJS_NODE_DIR: join(dir, 'env') }), join(dir, 'set'));
    assert.equal(nativeModulesDir('~/tf', storage, {}), join(homedir(), 'tf'));
    assert.equal(nativeModulesDir('tf', storage, {}), join(homedir(), 'tf'));
  });

  it("installs exactly the one package at the engine's version, into the folder, saving nothing", () => {
    const args = npmInstallArgs('tensorflow-gpu', '4.22.0', '/x/native');
    assert.equal(args[0], 'install');
    assert.deepEqual(args.slice(args.indexOf('--prefix'), args.indexOf('--prefix') + 2), ['--prefix', '/x/native']);
    assert.equal(args[args.length - 1], `${BACKENDS['tensorflow-gpu'].package}@4.22.0`);
    assert.ok(args.includes('--no-save'));
  });

  it("streams npm's output by line and reports a clean exit as installed", async () => {
    const lines: string[] = [];
    const r = await runNpm({
      npm,
      args: npmInstallArgs('tensorflow', '4.22.0', join(dir, 'n')),
      onLine: (l) => lines.push(l),
      env: { ...process.env, FAKE_NPM_MODE: 'ok' },
    });
    assert.deepEqual(r, { status: 'installed' });
    assert.deepEqual(lines, [`args ${JSON.stringify(npmInstallArgs('tensorflow', '4.22.0', join(dir, 'n')))}`, 'added 60 packages']);
  });

  it('a failed download says it needs internet and how offline machines get it', async () => {
    const r = await runNpm({
      npm,
      args: npmInstallArgs('tensorflow', '4.22.0', join(dir, 'n')),
      onLine: () => undefined,
      env: { ...process.env, FAKE_NPM_MODE: 'fail-download' },
    });
    assert.equal(r.status, 'failed');
    if (r.status !== 'failed') return;
    assert.equal(r.code, 1);
    assert.ok(
      r.lastLines.some((l) => l.includes('ENOTFOUND')),
      r.lastLines.join('\n'),
    );
    const message = npmFailureMessage(r, 'tensorflow', join(dir, 'n'));
    assert.match(message, /exited with code 1, while downloading/);
    assert.match(message, /internet/);
    // Its reader has the installed extension: the same npm command elsewhere, never a source checkout's script.
    assert.match(message, /Offline machines: run the same npm command/);
    assert.match(message, /salun\.nativeModulesDir/);
    assert.doesNotMatch(message, /source checkout|scripts\/|build-tfjs-node/);
  });

  it('npm missing from PATH is its own message', async () => {
    const r = await runNpm({ npm: join(dir, 'no-such-npm'), args: ['install'], onLine: () => undefined });
    assert.equal(r.status, 'no-npm');
    if (r.status !== 'no-npm') return;
    assert.match(npmFailureMessage(r, 'tensorflow', dir), /not found on PATH.*Install Node\.js/);
  });

  it('cancel stops npm and settles as cancelled', async () => {
    const abort = new AbortController();
    const lines: string[] = [];
    const done = runNpm({
      npm,
      args: ['install'],
      signal: abort.signal,
      onLine: (l) => {
        lines.push(l);
        if (lines.length === 3) abort.abort();
      },
      env: { ...process.env, FAKE_NPM_MODE: 'hang' },
    });
    assert.deepEqual(await done, { status: 'cancelled' });
  });
});
