// Backend chain: tensorflow GPU → tensorflow CPU → wasm → cpu (pure JS). The choice and the reason
// are reported with every run; a forced backend that cannot start is an error, never a fallback.
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BackendChoice, BackendName } from '../../protocol/config';
import type { BackendInfo } from '../../protocol/results';
import { tf, useTfNamespace, type Tf } from '../tf';
import { installWasmTrainingKernels } from './wasmKernels';
import { registerBatchNormGradient } from './batchNormGradient';

export class BackendError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
  }
}

const NATIVE_PACKAGES: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

function loadNative(name: 'tensorflow-gpu' | 'tensorflow'): { ns?: Tf; why: string } {
  const pkg = NATIVE_PACKAGES[name];
  try {
    // A plain require on purpose: the package is optional and may be absent or broken
    // (installed with --ignore-scripts, libtensorflow missing), in which case it throws here.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const ns = require(pkg) as Tf;
    return { ns, why: `${pkg} loaded` };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { why: `${pkg} unavailable (${msg})` };
  }
}

/** Where the .wasm binaries are: beside the bundle (dist/) or in the package (unbundled runs). */
function wasmDirectory(): string {
  const beside = typeof __dirname === 'string' ? __dirname : process.cwd();
  if (existsSync(join(beside, 'tfjs-backend-wasm-simd.wasm'))) return beside;
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
}

async function tryWasm(): Promise<{ ok: boolean; why: string; detail: string }> {
  try {
    wasmBackend.setWasmPaths(wasmDirectory() + '/');
    const ok = await tf.setBackend('wasm');
    if (!ok) return { ok: false, why: 'wasm backend failed to initialise', detail: '' };
    await tf.ready();
    installWasmTrainingKernels();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = wasmBackend.getThreadsCount();
    return { ok: true, why: 'wasm', detail: `wasm${simd ? ' SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'}` };
  } catch (e) {
    return { ok: false, why: `wasm failed (${e instanceof Error ? e.message : String(e)})`, detail: '' };
  }
}

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<{ ok: boolean; why: string; detail: string }> {
  const { ns, why } = loadNative(name);
  if (!ns) return { ok: false, why, detail: '' };
  useTfNamespace(ns);
  const ok = await tf.setBackend('tensorflow');
  if (!ok) return { ok: false, why: `${why}, but the tensorflow backend did not start`, detail: '' };
  await tf.ready();
  return { ok: true, why, detail: name === 'tensorflow-gpu' ? 'libtensorflow with CUDA' : 'libtensorflow CPU' };
}

async function tryCpu(): Promise<{ ok: boolean; why: string; detail: string }> {
  const ok = await tf.setBackend('cpu');
  await tf.ready();
  return { ok, why: 'cpu', detail: 'pure JavaScript' };
}

async function tryBackend(name: BackendName): Promise<{ ok: boolean; why: string; detail: string }> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return tryNative(name);
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return tryCpu();
  }
}

const CHAIN: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Picks and initialises the backend. Resolves with what was chosen and why. */
export async function selectBackend(choice: BackendChoice): Promise<BackendInfo> {
  tf.env().set('PROD', true);
  registerBatchNormGradient();
  if (choice !== 'auto') {
    const r = await tryBackend(choice);
    if (!r.ok) {
      throw new BackendError(`The forced backend '${choice}' is not available: ${r.why}.`,
        choice.startsWith('tensorflow')
          ? `Install ${NATIVE_PACKAGES[choice as 'tensorflow']} (needs internet to download libtensorflow), or set the backend to 'auto'.`
          : "Set the backend to 'auto' to use the best one present.");
    }
    return { name: choice, reason: `forced by configuration; ${r.why}`, detail: r.detail };
  }
  const tried: string[] = [];
  for (const name of CHAIN) {
    const r = await tryBackend(name);
    if (r.ok) {
      return { name, reason: tried.length ? `auto: ${tried.join('; ')}; using ${name}` : `auto: ${r.why}`, detail: r.detail };
    }
    tried.push(r.why);
  }
  throw new BackendError(`No tfjs backend could start: ${tried.join('; ')}`, 'Reinstall the extension or run npm ci.');
}
