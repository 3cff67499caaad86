// Shared by the fault suite: tiny idx data that a built-in MLP learns in a second, configs for it,
// and the real CLI (bin/salun.js → dist/cli.js) run as a child process, as a user would run it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

export const root = resolve(__dirname, '..', '..', '..');
export const cli = join(root, 'bin', 'salun.js');

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `salun-fault-${label}-`));
}

/** An idx file: 0,0,0x08,ndims, big-endian sizes, bytes. */
export function idxBytes(shape: number[], data: Uint8Array | number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = 0x08;
  header[3] = shape.length;
  shape.forEach((s, i) => header.writeUInt32BE(s, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** n 8×8 images whose class (0…classes−1) is the brightest of `classes` column bands. */
export function tinySplit(n: number, classes: number, seed: number): { images: Buffer; labels: Buffer } {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const px = new Uint8Array(n * 64);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % classes;
    for (let p = 0; p < 64; p++) px[i * 64 + p] = Math.floor(80 * rand()) + ((p % 8) % classes === labels[i] ? 150 : 0);
  }
  return { images: idxBytes([n, 8, 8], px), labels: idxBytes([n], labels) };
}

/** Writes the four idx files of a tiny data set (gzip or not) and returns the folder. */
export function writeTinyData(dir: string, opts: { train?: number; test?: number; classes?: number; gzip?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true });
  const classes = opts.classes ?? 4;
  const train = tinySplit(opts.train ?? 160, classes, 1);
  const test = tinySplit(opts.test ?? 40, classes, 2);
  const put = (name: string, bytes: Buffer): void => writeFileSync(join(dir, opts.gzip ? `${name}.gz` : name), opts.gzip ? gzipSync(bytes) : bytes);
  put('train-images-idx3-ubyte', train.images);
  put('train-labels-idx1-ubyte', train.labels);
  put('t10k-images-idx3-ubyte', test.images);
  put('t10k-labels-idx1-ubyte', test.labels);
  return dir;
}

/** A run config on the tiny data with the MLP: θo trains in about a second, no Retrain. */
export function tinyRunConfig(dataDir: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    data: { kind: 'idx', dir: dataDir },
    model: { kind: 'builtin', architecture: 'mlp' },
    forget: { kind: 'random', fraction: 0.1 },
    method: 'salun',
    train: { epochs: 3, lr: 0.05, momentum: 0.9, weightDecay: 0.0005, batchSize: 32 },
    unlearn: { epochs: 1, lr: 0.01, momentum: 0.9, weightDecay: 0.0005, batchSize: 32 },
    retrain: false,
    seed: 1,
    backend: 'cpu',
    ...over,
  };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `salun <args>` in a child process; resolves when it exits, however it exits. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** Writes the config into the workspace and runs `salun run` on it (`--json`, so stdout is the result). */
export function runConfigInWorkspace(ws: string, config: Record<string, unknown>, env: Record<string, string> = {}, name = 'config.json'): Promise<CliRun> {
  const file = join(ws, name);
  writeFileSync(file, JSON.stringify(config));
  return runCli(['run', file, '--workspace', ws, '--json'], env);
}

/** Every path under `dir`, relative, depth first. */
export function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    out.push(rel);
    if (e.isDirectory()) out.push(...walk(join(dir, e.name), rel));
  }
  return out;
}

/** The cache entries (not temp folders or locks) of a workspace. */
export function cacheEntries(ws: string): string[] {
  try {
    return readdirSync(join(ws, '.salun', 'cache', 'models')).filter((n) => !n.startsWith('.') && !n.endsWith('.lock'));
  } catch {
    return [];
  }
}
