// The backend matrix of bench/speed.ts: every backend of the table at 1 and 2 threads, each in its
// own process (bench/speedCell.ts), against both PyTorch peers (Debian's 1.13 and 2.13 from the
// wheel, in .cache/py311 by scripts/python-peers.sh) at the same thread counts: the CNN's train
// epoch and ResNet-18 training steps, with each backend's epoch ÷ the best PyTorch at its thread
// count (the goal: the best CPU backend ≤ 1.5×).
//
// "Threads" per backend: wasm, 1 thread or 2 data-parallel workers (src/engine/train/parallel.ts);
// tensorflow, TensorFlow's intra-op pool (TF_NUM_INTRAOP_THREADS); torch, torch.set_num_threads
// and OMP_NUM_THREADS. cpu and webgpu do not take a thread count: one cell each.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { BACKEND_NAMES, type BackendName } from '../src/protocol/backends';
import type { ImageSet } from '../src/engine/data/dataset';
import { DEFAULT_TRAIN } from '../src/protocol/defaults';
import { adapterLabel } from '../src/engine/backend/webgpu/backend';
import { CNN_BATCH, type CellResult, type CellSpec, type CnnResult, type ResnetResult } from './speedCell';

const ROOT = resolve(__dirname, '..', '..');
const SEED = 2024;
const CELL_TIMEOUT_S = 15 * 60;
const GOAL = 1.5;
/** Other processes' cores above which a row's figures are flagged as contended. */
const BUSY_CORES = 0.25;

export interface Peer {
  label: string;
  python: string;
}

export interface MatrixOptions {
  quick: boolean;
  backends: readonly BackendName[];
  threads: readonly number[];
  data: string;
  repeats: number;
  peers: readonly Peer[];
  resnet: boolean;
}

interface PeerResult {
  peer: Peer;
  threads: number;
  ok: boolean;
  why?: string;
  versions?: Record<string, string>;
  config?: string;
  threadInfo?: { torch: number; interop: number; openblas: number | null };
  epochSeconds?: number[];
  resnet?: ResnetResult;
  load?: { ownCores: number; othersCores: number | null };
}

export interface MatrixResult {
  cells: CellResult[];
  peers: PeerResult[];
  /** How each backend was reached (SwiftShader's environment, the tfjs-node folder). */
  notes: string[];
  lines: string[];
}

/** The thread counts a backend takes (cpu and webgpu ignore one). */
function threadCounts(b: BackendName, asked: readonly number[]): number[] {
  return b === 'wasm' || b === 'tensorflow' ? asked.slice() : [1];
}

// ---------------------------------------------------------------------------------------------
// Running cells and peers

function swiftShaderEnv(): Record<string, string> | { why: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'swiftshader.mjs')], { encoding: 'utf8' });
  if (r.status !== 0) return { why: (r.stderr || 'scripts/swiftshader.mjs failed').trim().split('\n').pop() ?? '' };
  const env: Record<string, string> = {};
  for (const m of r.stdout.matchAll(/^export (\w+)=(".*")$/gm)) env[m[1]] = JSON.parse(m[2]) as string;
  return env;
}

function runCellProcess(spec: CellSpec, env: NodeJS.ProcessEnv): CellResult {
  const r = spawnSync(process.execPath, [join(__dirname, 'speedCell.js'), JSON.stringify(spec)], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: CELL_TIMEOUT_S * 1000,
    maxBuffer: 1 << 24,
  });
  const base = { backend: spec.backend, threads: spec.threads, seconds: 0 };
  if (r.error) return { ...base, ok: false, why: `the cell process failed: ${r.error.message}` };
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return { ...base, ...(JSON.parse(last) as Partial<CellResult>) } as CellResult;
  } catch {
    return { ...base, ok: false, why: `the cell process ended (${r.signal ?? `exit ${r.status}`}) without a result` };
  }
}

/** webgpu: a hardware adapter as the environment has it; failing that, SwiftShader, marked as such. */
function runWebgpu(spec: CellSpec, log: (s: string) => void, notes: string[]): CellResult {
  const first = runCellProcess(spec, process.env);
  if (first.ok || process.env.VK_ICD_FILENAMES) return first;
  const env = swiftShaderEnv();
  if ('why' in env) return { ...first, why: `${first.why}; SwiftShader: ${env.why}` };
  log(`[webgpu] no adapter as the environment stands (${first.why}); trying SwiftShader (software Vulkan)`);
  notes.push(`webgpu: no hardware adapter here (${first.why}); run on SwiftShader (VK_ICD_FILENAMES from scripts/swiftshader.mjs)`);
  return runCellProcess(spec, { ...process.env, ...env });
}

function runCells(o: MatrixOptions, train: number, log: (s: string) => void, notes: string[]): CellResult[] {
  const env = { ...process.env };
  const tfDir = join(ROOT, '.cache', 'tfjs-node');
  if (!env.SALUN_TFJS_NODE_DIR && existsSync(tfDir)) {
    env.SALUN_TFJS_NODE_DIR = tfDir;
    notes.push(`tensorflow: SALUN_TFJS_NODE_DIR=${tfDir} (built by scripts/build-tfjs-node.mjs)`);
  }
  const cells: CellResult[] = [];
  for (const backend of o.backends) {
    let unavailable: string | undefined;
    for (const threads of threadCounts(backend, o.threads)) {
      const spec: CellSpec = { backend, threads, quick: o.quick, data: o.data, train, repeats: o.repeats, noResnet: !o.resnet };
      if (unavailable) {
        cells.push({ backend, threads, ok: false, why: unavailable, seconds: 0 });
        continue;
      }
      if (threads > cpus().length) {
        cells.push({ backend, threads, ok: false, why: `${threads} threads on ${cpus().length} cores`, seconds: 0 });
        continue;
      }
      log(`\n[matrix] ${backend}, ${threads} thread${threads === 1 ? '' : 's'}`);
      const r = backend === 'webgpu' ? runWebgpu(spec, log, notes) : runCellProcess(spec, env);
      log(`[matrix] ${backend}, ${threads}: ${r.ok ? `done in ${r.seconds.toFixed(0)} s` : `not available: ${r.why}`}`);
      if (!r.ok) unavailable = r.why;
      cells.push(r);
    }
  }
  return cells;
}

const bytesOf = (t: Float32Array | Int32Array): Buffer => Buffer.from(t.buffer, t.byteOffset, t.byteLength);

/** torch 2.13's venv is made on first use (offline, ~1 min); its failure is the peer's reason. */
function ensurePeer(p: Peer, log: (s: string) => void): string | undefined {
  if (existsSync(p.python)) return undefined;
  const venvPython = join(ROOT, '.cache', 'py311', 'bin', 'python');
  if (resolve(p.python) !== venvPython) return `${p.python} does not exist`;
  log(`[peers] ${venvPython} missing: scripts/python-peers.sh`);
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'python-peers.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  return r.status === 0 && existsSync(venvPython) ? undefined : `scripts/python-peers.sh failed (exit ${r.status ?? r.signal}), see its message above`;
}

function runPeer(p: Peer, threads: number, dir: string, spec: Record<string, unknown>, log: (s: string) => void): PeerResult {
  const missing = ensurePeer(p, log);
  if (missing) return { peer: p, threads, ok: false, why: missing };
  writeFileSync(join(dir, 'in.json'), JSON.stringify({ ...spec, threads }));
  rmSync(join(dir, 'out.json'), { force: true });
  const t = String(threads);
  const env = { ...process.env, OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t };
  log(`\n[peers] ${p.label} (${p.python}), ${threads} thread${threads === 1 ? '' : 's'}`);
  const r = spawnSync(p.python, [join(ROOT, 'bench', 'speed.py'), dir], { env, stdio: ['ignore', 'inherit', 'inherit'], timeout: CELL_TIMEOUT_S * 1000 });
  if (r.error || r.status !== 0 || !existsSync(join(dir, 'out.json'))) {
    return {
      peer: p,
      threads,
      ok: false,
      why: `bench/speed.py failed (${r.error?.message ?? r.signal ?? `exit ${r.status}`}); does ${p.python} have torch and numpy?`,
    };
  }
  const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as {
    versions: Record<string, string>;
    config: string;
    threads: PeerResult['threadInfo'];
    ops: { train: { seconds: number[] } };
    resnet: ResnetResult | null;
    load: PeerResult['load'];
  };
  return {
    peer: p,
    threads,
    ok: true,
    versions: out.versions,
    config: out.config,
    threadInfo: out.threads,
    epochSeconds: out.ops.train.seconds,
    ...(out.resnet ? { resnet: out.resnet } : {}),
    ...(out.load ? { load: out.load } : {}),
  };
}

function runPeers(o: MatrixOptions, train: ImageSet, cnnParams: number | undefined, resnetParams: number | undefined, log: (s: string) => void): PeerResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'salun-speed-matrix-'));
  try {
    writeFileSync(join(dir, 'train-x.bin'), bytesOf(train.images));
    writeFileSync(join(dir, 'train-y.bin'), bytesOf(train.labels));
    const spec = {
      mode: 'matrix',
      hwc: [train.height, train.width, train.channels],
      numClasses: train.numClasses,
      nTrain: train.n,
      batch: CNN_BATCH,
      repeats: o.repeats,
      seed: SEED,
      expectedParams: cnnParams,
      train: { lr: DEFAULT_TRAIN.lr, momentum: DEFAULT_TRAIN.momentum, weightDecay: DEFAULT_TRAIN.weightDecay },
      resnet: o.resnet ? { batch: o.quick ? 16 : 128, steps: o.quick ? 1 : 3, expectedParams: resnetParams } : null,
    };
    const out: PeerResult[] = [];
    for (const p of o.peers) {
      for (const threads of o.threads) {
        const r =
          threads > cpus().length ? { peer: p, threads, ok: false, why: `${threads} threads on ${cpus().length} cores` } : runPeer(p, threads, dir, spec, log);
        out.push(r);
        if (!r.ok && r.why?.includes('does not exist')) break;
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function median(xs: readonly number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmt(xs: readonly number[]): string {
  const d = median(xs) < 10 ? 2 : 1;
  return xs.length === 1 ? median(xs).toFixed(d) : `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})`;
}

/** Rows of three cells (label, threads, a sentence) are notes: they do not widen the columns. */
function table(header: string[], rows: string[][]): string[] {
  const full = rows.filter((row) => row.length === header.length);
  const widths = header.map((h, i) => Math.max(h.length, ...full.map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : i < 2 ? c.padStart(widths[i]) : c.padStart(cells.length === header.length ? widths[i] : 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)];
}

/** "Intel(R) Xeon(R) …, 2 logical cores (2 physical), AVX2 FMA AVX-512F", from /proc/cpuinfo. */
export function machineLine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  let physical = '';
  let flags = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? model;
    const cores = new Set([...info.matchAll(/^physical id\s*:\s*(\d+)[\s\S]*?^core id\s*:\s*(\d+)/gm)].map((m) => `${m[1]}/${m[2]}`));
    if (cores.size) physical = ` (${cores.size} physical)`;
    const f = new Set((/^flags\s*:\s*(.+)$/m.exec(info)?.[1] ?? '').split(' '));
    flags = [
      ['avx2', 'AVX2'],
      ['fma', 'FMA'],
      ['avx512f', 'AVX-512F'],
      ['avx512_vnni', 'AVX-512 VNNI'],
      ['amx_tile', 'AMX'],
    ]
      .filter(([k]) => f.has(k))
      .map(([, v]) => v)
      .join(' ');
  } catch {
    /* not Linux: os.cpus() only */
  }
  return `${model}, ${cpus().length} logical cores${physical}${flags ? `, ${flags}` : ''}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`;
}

function cellLabel(c: CellResult): string {
  if (c.backend === 'wasm') return c.threads === 1 ? 'wasm, 1 thread' : `wasm, ${c.threads} workers`;
  if (c.backend === 'tensorflow') return `tensorflow, ${c.threads} intra-op thread${c.threads === 1 ? '' : 's'}`;
  if (c.backend === 'webgpu' && c.adapter)
    return `webgpu on ${c.adapter.software ? `${c.adapter.description || 'software adapter'} (software)` : adapterLabel(c.adapter)}`;
  return c.backend;
}

const isCnn = (x: CellResult['cnn']): x is CnnResult => x !== undefined && 'epochSeconds' in x;
const isResnet = (x: CellResult['resnet']): x is ResnetResult => x !== undefined && 'stepSeconds' in x;
const loadOf = (l: { ownCores: number; othersCores?: number | null } | undefined): string =>
  l ? `${l.ownCores.toFixed(2)} / ${l.othersCores === undefined || l.othersCores === null ? '?' : l.othersCores.toFixed(2)}` : '-';

/** A backend that emulates a GPU, or has no thread count to compare at: never the "best CPU backend". */
const cpuContender = (c: CellResult): boolean => c.backend === 'wasm' || c.backend === 'tensorflow' || c.backend === 'cpu';

function bestPeer(peers: PeerResult[], threads: number): PeerResult | undefined {
  return peers.filter((p) => p.ok && p.threads === threads && p.epochSeconds).sort((a, b) => median(a.epochSeconds!) - median(b.epochSeconds!))[0];
}

function bestPeerResnet(peers: PeerResult[], threads: number): PeerResult | undefined {
  const ips = (p: PeerResult): number => p.resnet!.batch / median(p.resnet!.stepSeconds);
  return peers.filter((p) => p.ok && p.threads === threads && p.resnet).sort((a, b) => ips(b) - ips(a))[0];
}

function peerLabel(p: PeerResult): string {
  return `torch ${p.versions?.torch ?? p.peer.label}, ${p.threads} thread${p.threads === 1 ? '' : 's'}`;
}

function cnnRows(cells: CellResult[], peers: PeerResult[]): string[][] {
  const rows = cells.map((c): string[] => {
    const label = cellLabel(c);
    if (!c.ok) return [label, String(c.threads), `not available: ${c.why ?? '?'}`];
    if (!isCnn(c.cnn)) return [label, String(c.threads), `failed: ${c.cnn?.error ?? 'no result'}`];
    const best = bestPeer(peers, c.threads);
    const how =
      c.cnn.mode === 'steps'
        ? `${c.cnn.steps} steps, extrapolated ×${(Math.ceil(c.cnn.samples / CNN_BATCH) / c.cnn.steps).toFixed(1)}`
        : `${c.cnn.epochSeconds.length} epoch${c.cnn.epochSeconds.length === 1 ? '' : 's'}`;
    const ratio = best ? (median(c.cnn.epochSeconds) / median(best.epochSeconds!)).toFixed(2) : '-';
    return [label, String(c.workers && c.backend === 'wasm' ? c.workers : c.threads), fmt(c.cnn.epochSeconds), how, ratio, loadOf(c.load)];
  });
  for (const p of peers) {
    rows.push(
      p.ok && p.epochSeconds
        ? [
            peerLabel(p),
            String(p.threadInfo?.torch ?? p.threads),
            fmt(p.epochSeconds),
            `${p.epochSeconds.length} epoch${p.epochSeconds.length === 1 ? '' : 's'}`,
            (median(p.epochSeconds) / median(bestPeer(peers, p.threads)!.epochSeconds!)).toFixed(2),
            loadOf(p.load ?? undefined),
          ]
        : [`${p.peer.label}, ${p.threads} thread${p.threads === 1 ? '' : 's'}`, String(p.threads), `not available: ${p.why ?? '?'}`],
    );
  }
  return rows;
}

function resnetRows(cells: CellResult[], peers: PeerResult[]): string[][] {
  const rows: string[][] = [];
  const row = (label: string, threads: number, r: ResnetResult, best: PeerResult | undefined, load: string): string[] => {
    const s = median(r.stepSeconds);
    const ips = r.batch / s;
    const bestIps = best ? best.resnet!.batch / median(best.resnet!.stepSeconds) : undefined;
    return [label, String(threads), String(r.batch), fmt(r.stepSeconds), (1 / s).toFixed(3), ips.toFixed(1), bestIps ? (bestIps / ips).toFixed(2) : '-', load];
  };
  for (const c of cells) {
    const label = cellLabel(c);
    if (!c.ok) rows.push([label, String(c.threads), `not available: ${c.why ?? '?'}`]);
    else if (isResnet(c.resnet)) rows.push(row(label, c.threads, c.resnet, bestPeerResnet(peers, c.threads), loadOf(c.load)));
    else rows.push([label, String(c.threads), c.resnet?.error.startsWith('not run') ? c.resnet.error : `failed: ${c.resnet?.error ?? 'not run'}`]);
  }
  for (const p of peers) if (p.ok && p.resnet) rows.push(row(peerLabel(p), p.threads, p.resnet, bestPeerResnet(peers, p.threads), loadOf(p.load ?? undefined)));
  return rows;
}

function goalLines(cells: CellResult[], peers: PeerResult[], threads: readonly number[]): string[] {
  const out: string[] = [];
  for (const t of threads) {
    const best = bestPeer(peers, t);
    const ours = cells
      .filter((c) => c.ok && cpuContender(c) && c.threads === t && isCnn(c.cnn) && c.cnn.mode === 'epoch')
      .sort((a, b) => median((a.cnn as CnnResult).epochSeconds) - median((b.cnn as CnnResult).epochSeconds))[0];
    if (!best || !ours) {
      out.push(`  ${t} thread${t === 1 ? '' : 's'}: not measured (${!best ? 'no PyTorch peer ran' : 'no CPU backend ran a whole epoch'})`);
      continue;
    }
    const r = median((ours.cnn as CnnResult).epochSeconds) / median(best.epochSeconds!);
    // Oversubscribed cores wreck a multi-threaded run far more than a one-threaded one (OpenMP barriers
    // wait for a descheduled thread): such a ratio says more about the neighbours than the backends.
    const busy = Math.max(ours.load?.othersCores ?? 0, best.load?.othersCores ?? 0);
    if (busy > BUSY_CORES)
      out.push(
        `  ${t} thread${t === 1 ? '' : 's'}: the machine was busy (other processes kept ${busy.toFixed(2)} cores busy during these runs): not a valid comparison, rerun on a quiet machine`,
      );
    out.push(
      `  ${t} thread${t === 1 ? '' : 's'}: best CPU backend ${cellLabel(ours)} ${median((ours.cnn as CnnResult).epochSeconds).toFixed(2)} s ÷ best PyTorch (${peerLabel(best)}) ${median(best.epochSeconds!).toFixed(2)} s = ${r.toFixed(2)} → goal ≤ ${GOAL}: ${r <= GOAL ? 'met' : 'NOT met'}`,
    );
  }
  return out;
}

function report(o: MatrixOptions, train: ImageSet, cells: CellResult[], peers: PeerResult[], notes: string[]): string[] {
  const lines: string[] = [];
  const v = cells.find((c) => c.versions)?.versions ?? {};
  lines.push(
    `versions: ${Object.entries(v)
      .map(([k, x]) => `${k} ${x}`)
      .join(', ')}`,
  );
  for (const c of cells.filter((x) => x.ok))
    lines.push(
      `  ${cellLabel(c)}: ${c.detail ?? ''}${c.adapter ? ` [adapter: vendor '${c.adapter.vendor}', architecture '${c.adapter.architecture}', device '${c.adapter.device}', description '${c.adapter.description}'${c.adapter.software ? ', SOFTWARE: a CPU emulating a GPU, not a GPU figure' : ''}]` : ''}`,
    );
  for (const p of peers.filter((x) => x.ok))
    lines.push(
      `  ${peerLabel(p)} (${p.peer.python}): python ${p.versions?.python}, numpy ${p.versions?.numpy}; ${p.config}; intra-op ${p.threadInfo?.torch}, inter-op ${p.threadInfo?.interop}, OpenBLAS ${p.threadInfo?.openblas ?? 'n/a'}`,
    );
  for (const n of notes) lines.push(`  note: ${n}`);
  const busiest = Math.max(0, ...cells.map((c) => c.load?.othersCores ?? 0), ...peers.map((p) => p.load?.othersCores ?? 0));
  if (busiest > BUSY_CORES)
    lines.push(
      `  WARNING: other processes kept up to ${busiest.toFixed(2)} of ${cpus().length} cores busy during this run (the load column): the figures are contended, the 2-thread ones most`,
    );
  lines.push('');
  lines.push(
    `CNN train epoch: built-in 'cnn', ${train.source}, ${train.n} images, batch ${CNN_BATCH}, engine SGD (momentum ${DEFAULT_TRAIN.momentum}, wd ${DEFAULT_TRAIN.weightDecay}); seconds, median (min–max) after a 2-batch warm-up`,
  );
  lines.push('  "extrapolated": a few timed steps × the epoch\'s step count, for backends whose step takes seconds (cpu; webgpu on a software adapter)');
  lines.push(
    "  ÷ best torch: this epoch ÷ the faster PyTorch peer's epoch at the same thread count; load: cores this process kept busy / cores the rest of the machine kept busy meanwhile",
  );
  lines.push(...table(['backend', 'threads', 'epoch s', 'how', '÷ best torch', 'load'], cnnRows(cells, peers)).map((l) => `  ${l}`));
  lines.push('');
  if (o.resnet) {
    lines.push(
      'ResNet-18 training steps: CIFAR ResNet-18 (3×3 stem, no max-pool, BasicBlocks 64-128-256-512, 11,173,962 weights), synthetic 32×32×3 data, same engine path; seconds per step after one warm-up step',
    );
    lines.push(
      `  batch ${o.quick ? '16 (--quick)' : '128'}, except: ${[...new Set(cells.filter((c) => isResnet(c.resnet) && c.resnet.note && c.resnet.note !== '--quick' && c.resnet.batch < 128).map((c) => `${cellLabel(c)} at ${(c.resnet as ResnetResult).batch} (${(c.resnet as ResnetResult).note})`))].join('; ') || 'none'}`,
    );
    lines.push("  ÷ best torch: the faster PyTorch peer's images/s at the same thread count ÷ this row's images/s (how many times slower)");
    lines.push(
      ...table(['backend', 'threads', 'batch', 's/step', 'steps/s', 'images/s', '÷ best torch', 'load'], resnetRows(cells, peers)).map((l) => `  ${l}`),
    );
    lines.push('');
  }
  lines.push(`Goal: best CPU backend's CNN train epoch ≤ ${GOAL}× the best PyTorch at the same thread count`);
  lines.push(...goalLines(cells, peers, o.threads));
  return lines;
}

export function runMatrix(o: MatrixOptions, train: ImageSet, log: (s: string) => void): MatrixResult {
  const notes: string[] = [];
  const cells = runCells(o, train.n, log, notes);
  const cnnParams = cells.map((c) => (isCnn(c.cnn) ? c.cnn.params : undefined)).find((n) => n !== undefined);
  const resnetParams = cells.map((c) => (isResnet(c.resnet) ? c.resnet.params : undefined)).find((n) => n !== undefined);
  const peers = runPeers(o, train, cnnParams, resnetParams, log);
  return { cells, peers, notes, lines: report(o, train, cells, peers, notes) };
}

export const MATRIX_BACKENDS: readonly BackendName[] = BACKEND_NAMES;
