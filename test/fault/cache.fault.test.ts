// The model cache under faults: concurrent writers, kill -9 mid-write, damaged entries, diverged
// trainings, locks left by dead processes, a full disk. Real CLI processes on tiny data (≈2 s each).
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CancelledError } from '../../src/store/errors';
import { cacheEntryDir, LOCK_STALE_MS, lockCacheEntry, lockPathOf, readCacheEntry, writeCacheEntry } from '../../src/store/runs/modelCache';
import { cacheEntries, root, runConfigInWorkspace, tempDir, tinyRunConfig, walk, writeTinyData } from './faultKit';

interface RunJson {
  runDir: string;
  warnings?: string[];
}

function originalFrom(runDir: string): string {
  return (JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as { resolved: { originalModel: string } }).resolved.originalModel;
}

/** No temp file, no unreadable JSON and no cache entry that fails its checksum anywhere under `ws`. */
function assertNothingHalfWritten(ws: string): void {
  const salun = join(ws, '.salun');
  if (!existsSync(salun)) return;
  for (const rel of walk(salun)) {
    const path = join(salun, rel);
    assert.ok(!/\.tmp$/.test(rel) || !statSync(path).isFile(), `a temp file was left: ${rel}`);
    if (rel.endsWith('.json') && !rel.split('/').some((p) => p.startsWith('.'))) {
      assert.doesNotThrow(() => JSON.parse(readFileSync(path, 'utf8')), `${rel} is not whole JSON`);
    }
  }
  for (const key of cacheEntries(ws)) assert.equal(readCacheEntry(cacheEntryDir(ws, key)).state, 'ok', `cache entry ${key} is not whole`);
}

describe('fault: the model cache', function () {
  this.timeout(120_000);
  let data: string;
  before(() => {
    data = writeTinyData(join(tempDir('data'), 'd'));
  });

  it('two runs training the same uncached θo at once both finish: one trains, the other waits and reuses it', async () => {
    const ws = tempDir('concurrent');
    // Long enough (≈3 s of training) that the second process starts while the first trains.
    const config = tinyRunConfig(data, { train: { epochs: 30, lr: 0.05, momentum: 0.9, weightDecay: 0.0005, batchSize: 32 } });
    const [a, b] = await Promise.all([runConfigInWorkspace(ws, config, {}, 'a.json'), runConfigInWorkspace(ws, config, {}, 'b.json')]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const from = [a, b].map((r) => originalFrom((JSON.parse(r.stdout) as RunJson).runDir)).sort();
    assert.deepEqual(from, ['cache', 'trained']);
    assert.match(a.stderr + b.stderr, /is training this model; waiting to reuse it/);
    assert.equal(cacheEntries(ws).length, 1);
    assertNothingHalfWritten(ws);
    assert.ok(!existsSync(lockPathOf(cacheEntryDir(ws, cacheEntries(ws)[0]))), 'the lock was not released');
  });

  for (const n of [1, 2, 3]) {
    it(`kill -9 after write ${n} of a cache entry leaves no entry; the next run takes the dead lock over and trains`, async () => {
      const ws = tempDir(`kill${n}`);
      const config = tinyRunConfig(data);
      const killed = await runConfigInWorkspace(ws, config, { SALUN_FAULT_AFTER_WRITES: String(n), SALUN_FAULT_WRITES_UNDER: '/.salun/cache/' });
      assert.equal(killed.signal, 'SIGKILL', `expected the fault hook to kill the writer: ${killed.stderr}`);
      assert.deepEqual(cacheEntries(ws), [], 'a half-written entry is visible');
      const again = await runConfigInWorkspace(ws, config);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(originalFrom((JSON.parse(again.stdout) as RunJson).runDir), 'trained');
      assert.match(again.stderr, /taking over the cache lock of process \d+ .*is gone/);
      assertNothingHalfWritten(ws);
      const left = readdirSync(join(ws, '.salun', 'cache', 'models')).filter((f) => f.endsWith('.tmp'));
      assert.deepEqual(left, [], "the dead writer's temp folder was not cleaned");
    });
  }

  it('a cached θo whose weights were zeroed (same size) fails its checksum: discarded, said so, trained again', async () => {
    const ws = tempDir('zeroed');
    const config = tinyRunConfig(data);
    assert.equal((await runConfigInWorkspace(ws, config)).code, 0);
    const [key] = cacheEntries(ws);
    const weights = join(cacheEntryDir(ws, key), 'weights.bin');
    writeFileSync(weights, Buffer.alloc(statSync(weights).size));
    const r = await runConfigInWorkspace(ws, config);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /cached model in .* is discarded: weights\.bin does not match its checksum.*training it again/);
    assert.equal(originalFrom((JSON.parse(r.stdout) as RunJson).runDir), 'trained');
    assert.equal(readCacheEntry(cacheEntryDir(ws, key)).state, 'ok');
  });

  it('an entry cached before checksums (no sha256 in meta.json) is not trusted', async () => {
    const ws = tempDir('nosum');
    const config = tinyRunConfig(data);
    assert.equal((await runConfigInWorkspace(ws, config)).code, 0);
    const [key] = cacheEntries(ws);
    const meta = join(cacheEntryDir(ws, key), 'meta.json');
    const { sha256: _drop, ...old } = JSON.parse(readFileSync(meta, 'utf8')) as Record<string, unknown>;
    writeFileSync(meta, JSON.stringify(old));
    const r = await runConfigInWorkspace(ws, config);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /records no sha256/);
    assert.equal(readCacheEntry(cacheEntryDir(ws, key)).state, 'ok');
  });

  it('a diverged θo (lr 10, momentum 0.99) is refused naming the recipe and the epoch, and is not cached', async () => {
    const ws = tempDir('diverge');
    const r = await runConfigInWorkspace(
      ws,
      tinyRunConfig(data, { train: { epochs: 10, lr: 10, momentum: 0.99, weightDecay: 0.0005, batchSize: 32, schedule: 'constant' } }),
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Original model diverged: .* at epoch \d+ of 10 \(lr 10, momentum 0\.99/);
    assert.match(r.stderr, /smaller learning rate/);
    assert.doesNotMatch(r.stderr, /looks like a bug/);
    assert.deepEqual(cacheEntries(ws), []);
  });

  it('"another writer finished the same entry" is success: the second write keeps the first entry', () => {
    const ws = tempDir('theirs');
    const dir = cacheEntryDir(ws, 'k');
    assert.equal(writeCacheEntry(dir, { 'weights.bin': new Uint8Array([1, 2, 3]) }, { seconds: 1 }), 'written');
    assert.equal(writeCacheEntry(dir, { 'weights.bin': new Uint8Array([9, 9, 9]) }, { seconds: 2 }), 'theirs');
    assert.deepEqual([...readFileSync(join(dir, 'weights.bin'))], [1, 2, 3]);
    assert.deepEqual(readdirSync(join(ws, '.salun', 'cache', 'models')), ['k']);
  });

  it('a lock held by a live process is waited for (with a timeout), and the wait stops on the AbortSignal', async () => {
    const ws = tempDir('lock');
    const dir = cacheEntryDir(ws, 'k');
    const holder = spawn('sleep', ['30']);
    try {
      mkdirSync(join(ws, '.salun', 'cache', 'models'), { recursive: true });
      writeFileSync(lockPathOf(dir), JSON.stringify({ pid: holder.pid, host: hostname(), since: new Date().toISOString() }));
      let waited = 0;
      const t0 = Date.now();
      const r = await lockCacheEntry(dir, {
        timeoutMs: 300,
        pollMs: 50,
        onWait: () => {
          waited++;
        },
      });
      assert.equal(r.held, false);
      assert.equal(waited, 1);
      assert.ok(Date.now() - t0 >= 300);
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 100);
      await assert.rejects(lockCacheEntry(dir, { signal: abort.signal, pollMs: 50 }), CancelledError);
      // A lock nobody touched for longer than LOCK_STALE_MS counts as abandoned (a hung owner, another host).
      const old = new Date(Date.now() - LOCK_STALE_MS - 1000);
      utimesSync(lockPathOf(dir), old, old);
      const taken = await lockCacheEntry(dir, { timeoutMs: 300, pollMs: 50 });
      assert.equal(taken.held, true);
      if (taken.held) taken.release();
      assert.ok(!existsSync(lockPathOf(dir)));
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a full disk (a 1 MiB tmpfs) while writing θo or the run: a disk-full message, nothing half-written', async () => {
    const mount = tempDir('tmpfs');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
    if (mounted.status !== 0) {
      // Not root, or no mount in this container: say so loudly instead of passing.
      if (process.env.SALUN_FAULT_NO_TMPFS === '1') return;
      assert.fail(
        `the full-disk case did not run: mount -t tmpfs failed (${mounted.stderr.toString().trim() || `exit ${mounted.status}`}). Run as root, or set SALUN_FAULT_NO_TMPFS=1 to accept skipping it.`,
      );
    }
    try {
      // The MLP's weights on 8×8 images are 200 KB: fill so that θo's entry fails, then so that
      // θo fits and the run's own model/ does not.
      for (const leaveKiB of [100, 330]) {
        const ws = join(mount, `ws${leaveKiB}`);
        mkdirSync(ws);
        const free = (): number => Number(spawnSync('df', ['-k', '--output=avail', mount]).stdout.toString().split('\n')[1]);
        writeFileSync(join(mount, `filler${leaveKiB}`), Buffer.alloc(Math.max(0, (free() - leaveKiB) * 1024)));
        const r = await runConfigInWorkspace(ws, tinyRunConfig(data));
        assert.notEqual(r.code, 0, `the run succeeded with ${leaveKiB} KiB free`);
        assert.match(r.stderr, /ENOSPC/);
        assert.match(r.stderr, /disk is full/);
        assert.doesNotMatch(r.stderr, /looks like a bug/);
        assertNothingHalfWritten(ws);
        const status = readdirSync(join(ws, '.salun', 'runs'))
          .map((id) => join(ws, '.salun', 'runs', id, 'status.json'))
          .filter(existsSync);
        for (const s of status) assert.notEqual((JSON.parse(readFileSync(s, 'utf8')) as { state: string }).state, 'finished');
      }
    } finally {
      spawnSync('umount', [mount]);
      try {
        rmdirSync(mount);
      } catch {
        /* left for the OS */
      }
    }
  });

  after(() => {
    // The suite writes only under the OS temp dir; nothing under the repository.
    assert.ok(!existsSync(join(root, '.salun', 'cache', 'models', 'k')));
  });
});
