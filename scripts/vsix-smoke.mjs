#!/usr/bin/env node
// The packaged extension's job process, alone, outside the repo: unpacks a .vsix into a temp folder
// (where no node_modules can be found), writes a tiny idx data set there from the bundled
// Fashion-MNIST subset, forks <unpacked>/extension/dist/job.js the way src/extension/jobs/jobSupervisor.ts
// does and sends it one run (MLP, one epoch). Passes when the run finishes on the backend asked
// for: a check that the .vsix carries everything that backend loads (dawn.node for webgpu).
//   node scripts/vsix-smoke.mjs --vsix dist/salun-lab-linux-x64.vsix [--backend webgpu] [--swiftshader]
// --swiftshader: Dawn on SwiftShader (scripts/swiftshader.mjs), for a machine without a GPU.
// Exit: 0 finished on that backend; 1 the job failed or ran elsewhere; 2 usage or unpack error.
import { spawnSync, fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { swiftShaderEnv } from './swiftshader.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const vsix = option('--vsix');
const backend = option('--backend', 'webgpu');
const keep = argv.includes('--keep');
if (!vsix) {
  console.error('usage: node scripts/vsix-smoke.mjs --vsix <file> [--backend <name>] [--swiftshader] [--keep]');
  process.exit(2);
}

/** The first `n` samples of an idx pair (gzipped) as plain idx files: header, then the slice. */
function sliceIdx(from, to, name, n) {
  const images = gunzipSync(readFileSync(join(from, `${name}-images-idx3-ubyte.gz`)));
  const labels = gunzipSync(readFileSync(join(from, `${name}-labels-idx1-ubyte.gz`)));
  const pixels = images.readUInt32BE(8) * images.readUInt32BE(12);
  const imgOut = Buffer.from(images.subarray(0, 16 + n * pixels));
  imgOut.writeUInt32BE(n, 4);
  const lblOut = Buffer.from(labels.subarray(0, 8 + n));
  lblOut.writeUInt32BE(n, 4);
  writeFileSync(join(to, `${name}-images-idx3-ubyte`), imgOut);
  writeFileSync(join(to, `${name}-labels-idx1-ubyte`), lblOut);
}

const tmp = mkdtempSync(join(os.tmpdir(), 'salun-vsix-'));
const cleanup = () => {
  if (!keep) rmSync(tmp, { recursive: true, force: true });
};
const unzip = spawnSync('unzip', ['-q', resolve(vsix), '-d', tmp], { encoding: 'utf8' });
if (unzip.status !== 0) {
  console.error(`cannot unpack ${vsix}: ${unzip.stderr || unzip.error}`);
  cleanup();
  process.exit(2);
}
const ext = join(tmp, 'extension');
const data = join(tmp, 'data');
mkdirSync(data);
sliceIdx(join(ext, 'data', 'fashion-mnist-subset'), data, 'train', 400);
sliceIdx(join(ext, 'data', 'fashion-mnist-subset'), data, 't10k', 200);
const workspace = join(tmp, 'workspace');
mkdirSync(workspace);

const recipe = { epochs: 1, lr: 0.05, schedule: 'cosine', momentum: 0.9, weightDecay: 5e-4, batchSize: 64 };
const config = {
  data: { kind: 'idx', dir: data },
  model: { kind: 'builtin', architecture: 'mlp' },
  forget: { kind: 'random', fraction: 0.1, seed: 1 },
  method: 'salun',
  saliency: { ratio: 0.5 },
  train: recipe,
  unlearn: { ...recipe, lr: 0.005, schedule: 'constant' },
  retrain: true,
  seed: 1,
  backend,
};
const env = { ...process.env, ...(argv.includes('--swiftshader') ? swiftShaderEnv() : {}) };
const jobScript = join(ext, 'dist', 'job.js');
if (!existsSync(jobScript)) {
  console.error(`${vsix} has no extension/dist/job.js`);
  cleanup();
  process.exit(2);
}
const t0 = Date.now();
const child = fork(jobScript, [], { cwd: tmp, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
let final;
child.on('message', (e) => {
  if (e.type === 'started') console.log(`started ${e.runId}: backend ${e.backend.name} — ${e.backend.reason}`);
  else if (e.type === 'log' && e.level !== 'info') console.log(`[${e.level}] ${e.message}`);
  else if (e.type === 'finished' || e.type === 'failed' || e.type === 'cancelled') final = e;
});
child.send({ type: 'start', kind: 'run', config, workspaceDir: workspace });
child.on('close', (code, signal) => {
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  let ok = false;
  if (final?.type === 'finished') {
    const b = final.result.backend;
    ok = b.name === backend;
    console.log(
      `finished in ${secs} s on ${b.name}${b.adapter ? ` (adapter: ${b.adapter.description || b.adapter.device}, ${b.adapter.vendor}, ${b.adapter.architecture})` : ''}`,
    );
    if (!ok) console.log(`expected backend ${backend}`);
  } else {
    console.log(
      `job ${final?.type ?? `ended without a final event (${signal ?? `exit ${code}`})`} after ${secs} s${final?.type === 'failed' ? `: ${final.error.message} ${final.error.hint ?? ''}` : ''}`,
    );
  }
  console.log(`vsix-smoke: ${ok ? 'ok' : 'FAILED'} (${vsix}, backend ${backend}, job.js from ${ext}${keep ? ', kept' : ''})`);
  cleanup();
  process.exit(ok ? 0 : 1);
});
