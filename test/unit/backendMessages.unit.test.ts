// Backend messages name only what their reader has: a job forked by the
// installed extension is told about the install command, never a source checkout's script; the CLI
// (which ships only in a source checkout) is told about the script. A package that is simply not
// installed reads "not installed", once per reason, with the raw location kept for the debug lines.
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineClient } from '../../src/engine/backend/attempt';
import { startNative } from '../../src/engine/backend/native/backend';
import { autoReason, BackendError, selectBackend } from '../../src/engine/backend/select';
import { backendDetailLines } from '../../src/extension/jobs/backendLogLine';
import { jobEnvironment } from '../../src/extension/jobs/jobSupervisor';
import type { SkippedBackend } from '../../src/protocol/backends';

const DEVELOPER_WORDS = /source checkout|scripts\/|build-tfjs-node|\.cache\//;
const COMMAND = 'SalUn: Install Native TensorFlow Backend';

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('backend messages for their reader', () => {
  const empty = mkdtempSync(join(tmpdir(), 'salun-no-native-'));

  it('a native package that is not there says so, where it looked, and no install hint of either audience', async () => {
    const r = await startNative('tensorflow-gpu', empty);
    assert.equal(r.ok, false);
    assert.equal(r.why, `@tensorflow/tfjs-node-gpu is not installed in ${empty}/node_modules`);
  });

  it("auto's reason: the missing packages in one clause with one hint, the installed extension's or the CLI's", () => {
    const skipped: SkippedBackend[] = [
      { name: 'tensorflow-gpu', why: `@tensorflow/tfjs-node-gpu is not installed in ${empty}/node_modules` },
      { name: 'webgpu', why: 'webgpu: Dawn found no GPU adapter (no Vulkan, Metal or Direct3D 12 driver)' },
      { name: 'tensorflow', why: `@tensorflow/tfjs-node is not installed in ${empty}/node_modules` },
    ];
    const vscode = autoReason(skipped, 'wasm', 'vscode');
    assert.equal(
      vscode,
      `auto: TensorFlow (CUDA) and TensorFlow (CPU) not installed (to install: run the command "${COMMAND}"); webgpu: Dawn found no GPU adapter (no Vulkan, Metal or Direct3D 12 driver); using wasm`,
    );
    assert.doesNotMatch(vscode, DEVELOPER_WORDS);
    assert.equal(count(vscode, 'not installed'), 1);
    const cli = autoReason(skipped, 'wasm', 'cli');
    assert.match(cli, /node scripts\/build-tfjs-node\.mjs/);
    assert.equal(count(cli, 'build-tfjs-node'), 1);
    assert.ok(!cli.includes(COMMAND), cli);
  });

  it("a forced native backend that cannot start: the extension's user gets the command, the CLI's the script", async () => {
    const failure = async (client: 'vscode' | 'cli'): Promise<BackendError> => {
      try {
        await selectBackend('tensorflow', { nativeModulesDir: empty, client });
      } catch (e) {
        assert.ok(e instanceof BackendError, String(e));
        return e;
      }
      throw new Error('tensorflow started from an empty folder');
    };
    const vscode = await failure('vscode');
    assert.ok(vscode.hint.includes(COMMAND), vscode.hint);
    assert.doesNotMatch(`${vscode.message} ${vscode.hint}`, DEVELOPER_WORDS);
    const cli = await failure('cli');
    assert.match(cli.hint, /build-tfjs-node\.mjs/);
    assert.ok(!cli.hint.includes(COMMAND), cli.hint);
  });

  it('who runs the job is explicit: the supervisor tells its job SALUN_CLIENT=vscode; anything else is the CLI', () => {
    const env = jobEnvironment({ nativeModulesDir: () => undefined }, { PATH: '/bin' });
    assert.equal(env.SALUN_CLIENT, 'vscode');
    assert.equal(engineClient(env), 'vscode');
    assert.equal(engineClient({}), 'cli');
  });

  it('the log\'s debug lines keep the engine\'s full reason, where the user lines say only "not installed"', () => {
    const lines = backendDetailLines({
      name: 'wasm',
      reason: 'auto: …',
      detail: 'wasm SIMD, 2 threads',
      skipped: [{ name: 'tensorflow', why: `@tensorflow/tfjs-node is not installed in ${empty}/node_modules` }],
    });
    assert.ok(lines.includes(`skipped tensorflow (TensorFlow (CPU)): @tensorflow/tfjs-node is not installed in ${empty}/node_modules`), lines.join('\n'));
  });
});
