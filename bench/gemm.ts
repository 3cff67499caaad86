// The ceiling that a tfjs backend's matrix product puts on training speed: every matMul of one
// training step of the built-in CNN (batch 128, Fashion-MNIST's 28×28×1), and a 512³ product, timed
// on each tfjs backend and in PyTorch (bench/gemm.py) at the same thread count. Nearly all of a
// step's arithmetic is in these products (the convolutions as im2col products), so
//   Σ products on the backend ÷ Σ products in torch
// is a lower bound for "engine epoch ÷ torch epoch" that no amount of kernel plumbing removes.
//
//   npm run -s build && node out/bench/gemm.js [--backends wasm,cpu] [--repeats 20] [--threads 1]
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { selectBackend } from '../src/engine/backend/select';
import type { BackendName } from '../src/protocol/config';
import { tf } from '../src/engine/tf';

/** [m, k, n] of every matMul in one CNN step: forward, input gradient and weight gradient per layer. */
function cnnStepShapes(batch: number): Array<{ label: string; shape: [number, number, number] }> {
  const layers = [
    // conv: M output positions, K = 3·3·ci taps, co filters (im2col: [M, K]·[K, co])
    { name: 'conv1', m: batch * 14 * 14, k: 9 * 1, n: 16, inputGrad: false },
    { name: 'conv2', m: batch * 7 * 7, k: 9 * 16, n: 32, inputGrad: true },
    { name: 'conv3', m: batch * 4 * 4, k: 9 * 32, n: 64, inputGrad: true },
    { name: 'fc1', m: batch, k: 1024, n: 128, inputGrad: true },
    { name: 'logits', m: batch, k: 128, n: 10, inputGrad: true },
  ];
  const out: Array<{ label: string; shape: [number, number, number] }> = [];
  for (const l of layers) {
    out.push({ label: `${l.name} forward`, shape: [l.m, l.k, l.n] });
    if (l.inputGrad) out.push({ label: `${l.name} input grad`, shape: [l.m, l.n, l.k] });
    out.push({ label: `${l.name} weight grad`, shape: [l.n, l.m, l.k] });
  }
  return out;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function timeBackend(backend: BackendName, shapes: Array<[number, number, number]>, repeats: number): Promise<{ ms: number[]; detail: string }> {
  const info = await selectBackend(backend);
  const ms = shapes.map(([m, k, n]) => {
    const a = tf.randomNormal([m, k]);
    const b = tf.randomNormal([k, n]);
    // wasm, cpu and tfjs-node run kernels synchronously: the product is done when matMul returns,
    // so no read-back (a copy torch does not make) is timed.
    const once = (): number => {
      const t0 = performance.now();
      tf.matMul(a, b).dispose();
      return performance.now() - t0;
    };
    once();
    const t = Array.from({ length: repeats }, once);
    a.dispose();
    b.dispose();
    return median(t);
  });
  return { ms, detail: info.detail ?? info.name };
}

async function main(): Promise<void> {
  const backends = arg('backends', 'wasm').split(',') as BackendName[];
  const repeats = Number(arg('repeats', '20'));
  const threads = Number(arg('threads', '1'));
  const step = cnnStepShapes(128);
  const all = [...step.map((s) => s.shape), [512, 512, 512] as [number, number, number]];
  const flops = all.map(([m, k, n]) => 2 * m * k * n);
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; node ${process.version}; repeats ${repeats}; torch threads ${threads}`);
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const py = spawnSync(
    process.env.PYTHON ?? '/usr/bin/python3',
    [resolve(__dirname, '..', '..', 'bench', 'gemm.py'), JSON.stringify({ shapes: all, threads, repeats })],
    { env, encoding: 'utf8' },
  );
  const torch = py.status === 0 ? (JSON.parse(py.stdout) as { ms: number[]; torch: string }) : undefined;
  if (!torch) console.log(`torch peer unavailable: ${py.error?.message ?? py.stderr.trim().split('\n').pop()}`);
  const results: Array<{ name: string; ms: number[] }> = [];
  for (const b of backends) {
    const r = await timeBackend(b, all, repeats);
    console.log(`backend ${b}: ${r.detail}`);
    results.push({ name: b, ms: r.ms });
  }
  if (torch) results.push({ name: `torch ${torch.torch}`, ms: torch.ms });
  const head = ['product [m,k]·[k,n]'.padEnd(38), ...results.map((r) => r.name.padStart(22))].join('');
  console.log(`\n${head}\n${'-'.repeat(head.length)}`);
  all.forEach((s, i) => {
    const label = i < step.length ? `${step[i].label} ${s.join('×')}` : `square ${s.join('×')}`;
    console.log(
      [label.padEnd(38), ...results.map((r) => `${r.ms[i].toFixed(2)} ms ${(flops[i] / r.ms[i] / 1e6).toFixed(1).padStart(5)} GF/s`.padStart(22))].join(''),
    );
  });
  const stepSum = (r: { ms: number[] }): number => r.ms.slice(0, step.length).reduce((a, b) => a + b, 0);
  const stepFlops = flops.slice(0, step.length).reduce((a, b) => a + b, 0);
  console.log(
    [
      `Σ one CNN step (${(stepFlops / 1e6).toFixed(0)} MFLOP)`.padEnd(38),
      ...results.map((r) => `${stepSum(r).toFixed(2)} ms ${(stepFlops / stepSum(r) / 1e6).toFixed(1).padStart(5)} GF/s`.padStart(22)),
    ].join(''),
  );
  if (torch) {
    const t = stepSum(results[results.length - 1]);
    for (const r of results.slice(0, -1)) console.log(`floor for ${r.name} step ÷ torch step from the products alone: ${(stepSum(r) / t).toFixed(2)}×`);
  }
}

void main();
