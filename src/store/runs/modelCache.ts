// The model cache, <workspace>/.salun/cache/models/<key>/: θo and Retrain, trained once per
// (data, architecture, recipe, seed) and reused by later runs. Files only, no tensors, so the
// host could read it too. Three rules keep it honest when runs overlap or die:
//  - one writer per key: `<key>.lock`, created exclusively, names its owner (pid, host); the owner
//    touches it while it holds it, and a lock whose process is gone (same host) or whose owner
//    stopped touching it (any host: a hung process, a dead machine on a shared disk) is taken over;
//  - an entry appears whole or not at all: it is built in a temp folder, meta.json included, and
//    renamed into place; a rename that finds the entry already there means another writer
//    finished the same model, which is success (its entry is used);
//  - an entry is used only when its files still hash to the sha256 recorded in its meta.json.
import { processAlive } from './liveness';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CancelledError } from '../errors';
import { isRecord } from '../../protocol/guards';
import { createFolder, writeFileAtomic, writeJsonAtomic } from './atomic';

export function cacheEntryDir(workspaceDir: string, key: string): string {
  return join(workspaceDir, '.salun', 'cache', 'models', key);
}

/** What meta.json holds: the writer's fields plus the sha256 of every file of the entry. */
export interface CacheMeta {
  seconds: number;
  sha256: Record<string, string>;
  [field: string]: unknown;
}

export type CacheRead =
  | { state: 'missing' }
  | { state: 'ok'; meta: CacheMeta }
  /** Present but not usable: `problem` says why (the caller discards it and trains again). */
  | { state: 'bad'; problem: string };

function sha256Of(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function parseMeta(text: string): CacheMeta | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `meta.json is not valid JSON (${(e as Error).message})`;
  }
  if (!isRecord(value)) return 'meta.json is not an object';
  if (typeof value.seconds !== 'number' || !Number.isFinite(value.seconds)) return 'meta.json has no training time';
  const sums = value.sha256;
  if (!isRecord(sums) || Object.keys(sums).length === 0) return 'meta.json records no sha256 (written before entries had checksums)';
  if (!Object.values(sums).every((s) => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s))) return 'meta.json has a malformed sha256';
  return value as CacheMeta;
}

/** Reads an entry and checks every file it lists against its recorded sha256. */
export function readCacheEntry(dir: string): CacheRead {
  const metaPath = join(dir, 'meta.json');
  if (!existsSync(dir)) return { state: 'missing' };
  if (!existsSync(metaPath)) return { state: 'bad', problem: 'it has no meta.json' };
  const meta = parseMeta(readFileSync(metaPath, 'utf8'));
  if (typeof meta === 'string') return { state: 'bad', problem: meta };
  for (const [name, expected] of Object.entries(meta.sha256)) {
    // Names come from the file; only plain names of this folder are ever written.
    if (name !== basename(name) || name.startsWith('.')) return { state: 'bad', problem: `meta.json lists ${JSON.stringify(name)}, not a file of the entry` };
    const file = join(dir, name);
    if (!existsSync(file)) return { state: 'bad', problem: `${name} is missing` };
    const actual = sha256Of(readFileSync(file));
    if (actual !== expected)
      return {
        state: 'bad',
        problem: `${name} does not match its checksum (sha256 ${actual.slice(0, 12)}…, recorded ${expected.slice(0, 12)}…): the file changed after it was cached`,
      };
  }
  return { state: 'ok', meta };
}

/** The model files of an entry (what its meta.json checksums, meta.json itself left out), as paths; [] when it reads no list. */
export function entryFiles(dir: string): string[] {
  try {
    const meta = parseMeta(readFileSync(join(dir, 'meta.json'), 'utf8'));
    return typeof meta === 'string'
      ? []
      : Object.keys(meta.sha256)
          .filter((n) => n === basename(n) && !n.startsWith('.'))
          .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** Removes an entry by renaming it aside first, so no reader ever sees it half deleted. */
export function discardCacheEntry(dir: string): void {
  const trash = `${join(dirname(dir), `.${basename(dir)}`)}.${process.pid}.${randomBytes(4).toString('hex')}.discarded`;
  try {
    renameSync(dir, trash);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  rmSync(trash, { recursive: true, force: true });
}

/**
 * Writes `files` and meta.json (with their sha256) into a temp folder, then renames it into place.
 * 'theirs': a valid entry was already there (another writer finished first); it is kept.
 */
export function writeCacheEntry(dir: string, files: Record<string, string | Uint8Array>, meta: Omit<CacheMeta, 'sha256'>): 'written' | 'theirs' {
  const tmp = `${join(dirname(dir), `.${basename(dir)}`)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  removeDeadWritersTemps(dir);
  createFolder(tmp);
  try {
    const sha256: Record<string, string> = {};
    for (const [name, bytes] of Object.entries(files)) {
      writeFileAtomic(join(tmp, name), bytes);
      sha256[name] = sha256Of(bytes);
    }
    writeJsonAtomic(join(tmp, 'meta.json'), { ...meta, sha256 });
    return moveIntoPlace(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Temp folders of this key left by writers that were killed (their pid is gone). */
function removeDeadWritersTemps(dir: string): void {
  const parent = dirname(dir);
  if (!existsSync(parent)) return;
  const prefix = `.${basename(dir)}.`;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix) || !(name.endsWith('.tmp') || name.endsWith('.discarded'))) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) rmSync(join(parent, name), { recursive: true, force: true });
  }
}

function moveIntoPlace(tmp: string, dir: string): 'written' | 'theirs' {
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(tmp, dir);
      return 'written';
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
      if (readCacheEntry(dir).state === 'ok') return 'theirs';
      // A broken entry is in the way (an old one without checksums, or a damaged one): replace it.
      if (attempt >= 2) throw e;
      discardCacheEntry(dir);
    }
  }
}

// ---- the lock ----

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/** How often the owner touches its lock, and how old a touch may be before the lock counts as abandoned. */
export const LOCK_HEARTBEAT_MS = 10_000;
export const LOCK_STALE_MS = 120_000;

export interface LockOptions {
  signal?: AbortSignal;
  /** Give up waiting after this long (the caller then works without the lock). */
  timeoutMs?: number;
  pollMs?: number;
  /** Called once, when the lock is found held by a live owner. */
  onWait?: (owner: LockOwner | undefined) => void;
  /** Called when an abandoned lock is taken over. */
  onTakeOver?: (owner: LockOwner | undefined, why: string) => void;
}

export type LockResult = { held: true; release: () => void } | { held: false; owner: LockOwner | undefined };

export function lockPathOf(dir: string): string {
  return `${dir}.lock`;
}

function readOwner(text: string): LockOwner | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (isRecord(v) && Number.isInteger(v.pid) && typeof v.host === 'string' && typeof v.since === 'string')
      return { pid: v.pid as number, host: v.host, since: v.since };
  } catch {
    // Empty or torn: the owner is between create and write; its age decides.
  }
  return undefined;
}

/** Why a lock is abandoned, or undefined while its owner may still be working. */
function staleness(owner: LockOwner | undefined, ageMs: number): string | undefined {
  if (owner && owner.host === hostname() && !processAlive(owner.pid)) return `its process ${owner.pid} is gone`;
  if (ageMs > LOCK_STALE_MS) return `its owner has not touched it for ${Math.round(ageMs / 1000)} s`;
  return undefined;
}

/**
 * One process at a time removes an abandoned lock, and only if it is still the one it judged.
 * False when another process holds the takeover (the caller waits a poll and looks again).
 */
function takeOver(lockPath: string, judged: string): boolean {
  const guard = `${lockPath}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx');
  } catch {
    // A guard left by a process killed mid-takeover expires.
    try {
      if (Date.now() - statSync(guard).mtimeMs > 10_000) unlinkSync(guard);
    } catch {
      /* gone already */
    }
    return false;
  }
  closeSync(fd);
  try {
    if (readFileSync(lockPath, 'utf8') === judged) unlinkSync(lockPath);
  } catch {
    // Already removed by its owner.
  } finally {
    rmSync(guard, { force: true });
  }
  return true;
}

function tryCreate(lockPath: string): (() => void) | undefined {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() } satisfies LockOwner);
  try {
    writeSync(fd, mine);
  } finally {
    closeSync(fd);
  }
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(lockPath, now, now);
    } catch {
      /* taken over or removed; release checks */
    }
  }, LOCK_HEARTBEAT_MS);
  heartbeat.unref();
  return () => {
    clearInterval(heartbeat);
    try {
      if (readFileSync(lockPath, 'utf8') === mine) unlinkSync(lockPath);
    } catch {
      /* already gone */
    }
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolvePromise();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Takes the entry's lock, waiting (cancellable) while a live owner holds it. */
export async function lockCacheEntry(dir: string, o: LockOptions = {}): Promise<LockResult> {
  const lockPath = lockPathOf(dir);
  createFolder(dirname(lockPath));
  const started = Date.now();
  let told = false;
  for (;;) {
    if (o.signal?.aborted) throw new CancelledError();
    const release = tryCreate(lockPath);
    if (release) return { held: true, release };
    let text = '';
    let ageMs = 0;
    try {
      text = readFileSync(lockPath, 'utf8');
      ageMs = Date.now() - statSync(lockPath).mtimeMs;
    } catch {
      continue; // released between our create and our read: try again at once
    }
    const owner = readOwner(text);
    const why = staleness(owner, ageMs);
    if (why) {
      if (takeOver(lockPath, text)) {
        o.onTakeOver?.(owner, why);
        continue;
      }
      await sleep(o.pollMs ?? 500, o.signal);
      continue;
    }
    if (!told) {
      o.onWait?.(owner);
      told = true;
    }
    if (o.timeoutMs !== undefined && Date.now() - started >= o.timeoutMs) return { held: false, owner };
    await sleep(o.pollMs ?? 500, o.signal);
  }
}
