// The generation job's models (the DDPM θo and Retrain) go through the same model cache as the
// classifiers' (cacheStep.ts): a writer killed mid-entry leaves no entry and a dead lock the next run
// takes over, a damaged entry fails its checksum and is trained again, and a lock held by a live
// process is waited for only as long as SALUN_CACHE_LOCK_WAIT_MS. Real CLI processes on a tiny config.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { cacheEntryDir, lockPathOf } from '../../src/store/runs/modelCache';
import { tinyIdxFolder } from '../support/tinyRuns';
import { tinyGenerationConfig } from '../support/generationJobFixtures';
import { cacheEntries, runCli, tempDir, type CliRun } from './faultKit';

function runGeneration(ws: string, data: string, env: Record<string, string> = {}): Promise<CliRun> {
  const file = join(ws, 'gen.salun.json');
  const config = { ...tinyGenerationConfig(data), methods: ['salun'], sampling: { ddimSteps: 2, guidance: 1, samplesPerClass: 2, gridColumns: 2, every: 0 } };
  writeFileSync(file, JSON.stringify(config));
  return runCli(['run', file, '--workspace', ws], env);
}

/** θo's DDPM entry: of the entries that record a U-Net (θo's and Retrain's), the one trained on every row. */
function originalDdpm(ws: string): string | undefined {
  const ddpms = cacheEntries(ws)
    .map((k) => ({ k, meta: JSON.parse(readFileSync(join(cacheEntryDir(ws, k), 'meta.json'), 'utf8')) as { unet?: unknown; samples?: number } }))
    .filter((e) => e.meta.unet !== undefined)
    .sort((a, b) => (b.meta.samples ?? 0) - (a.meta.samples ?? 0));
  return ddpms[0]?.k;
}

describe('fault: the generation job’s model cache', function () {
  this.timeout(600_000);
  let data: string;
  before(() => {
    data = tinyIdxFolder(200, 60);
  });

  it('kill -9 while θo’s DDPM is cached, a zeroed entry, a live lock: each is handled as for classifiers', async () => {
    const ws = tempDir('gen-cache');
    const killed = await runGeneration(ws, data, { SALUN_FAULT_AFTER_WRITES: '1', SALUN_FAULT_WRITES_UNDER: '/.salun/cache/' });
    assert.equal(killed.signal, 'SIGKILL', `expected the fault hook to kill the writer: ${killed.stderr}`);
    assert.deepEqual(cacheEntries(ws), [], 'a half-written entry is visible');

    const again = await runGeneration(ws, data);
    const out = (r: CliRun): string => r.stdout + r.stderr;
    assert.equal(again.code, 0, out(again));
    assert.match(out(again), /θo \(DDPM\): taking over the cache lock of process \d+ .*is gone/);
    const entry = originalDdpm(ws);
    assert.ok(entry, 'θo’s DDPM was not cached');

    // The same size, other bytes: only the checksum can tell.
    const weights = join(cacheEntryDir(ws, entry), 'weights.bin');
    writeFileSync(weights, Buffer.alloc(statSync(weights).size));
    const third = await runGeneration(ws, data);
    assert.equal(third.code, 0, out(third));
    assert.match(out(third), /θo \(DDPM\): the cached model in .* is discarded: .*sha256.*; training it again/);

    // A live owner of the lock (a sleeping process): waited for, then a copy trained here.
    rmSync(cacheEntryDir(ws, entry), { recursive: true });
    const holder = spawn('sleep', ['60']);
    try {
      writeFileSync(lockPathOf(cacheEntryDir(ws, entry)), JSON.stringify({ pid: holder.pid, host: hostname(), since: new Date().toISOString() }));
      const t0 = Date.now();
      const waited = await runGeneration(ws, data, { SALUN_CACHE_LOCK_WAIT_MS: '1500' });
      assert.equal(waited.code, 0, out(waited));
      assert.match(out(waited), new RegExp(`θo \\(DDPM\\): still locked by process ${holder.pid} on .*; training a copy here`));
      assert.ok(Date.now() - t0 >= 1500, 'the run did not wait for the live lock');
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
