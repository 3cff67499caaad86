// The native TensorFlow backends (@tensorflow/tfjs-node[-gpu] 4.22), loaded from a folder outside
// the extension and registered into the engine's ONE tfjs: the package's own `require` of
// @tensorflow/tfjs and @tensorflow/tfjs-core is answered with the engine's bundled module while
// it loads, so its backend, kernels and file:// handlers land in the tfjs the engine computes with
// and its tensors are the engine's tensors. That only works for the version it was built for, so
// another version is refused, never loaded beside ours.
//
// Where it comes from: `modulesDir` (a folder holding node_modules/@tensorflow/tfjs-node[-gpu];
// the job passes SALUN_TFJS_NODE_DIR or the extension's setting), else normal resolution beside
// the engine. A source checkout builds one offline with `node scripts/build-tfjs-node.mjs`
// (docs/development.md); what to tell the user is nativeInstallHint's, by who runs the job.
import Module, { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { tf } from '../../tf';
import type { EngineClient } from '../attempt';
import { installNativeKernels } from './kernels';

export type NativeName = 'tensorflow' | 'tensorflow-gpu';

const PACKAGES: Record<NativeName, string> = { 'tensorflow-gpu': '@tensorflow/tfjs-node-gpu', tensorflow: '@tensorflow/tfjs-node' };

/** The module ids the package imports tfjs by; each is answered with the engine's tfjs. */
const SHARED = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-core']);

/**
 * How this user gets a native package: an installed extension's user has the install command and no
 * source checkout; the CLI ships only in a source checkout, which has the offline build script.
 */
export function nativeInstallHint(client: EngineClient): string {
  return client === 'vscode'
    ? 'run the command "SalUn: Install Native TensorFlow Backend"'
    : 'build one with `node scripts/build-tfjs-node.mjs` and pass `--native-dir .cache/tfjs-node` (or set SALUN_TFJS_NODE_DIR)';
}

/** Why `locate` passed a package by: it is not there, the usual case rather than a failure (backendSummary.ts reads this wording). */
export function notInstalledWhy(pkg: string, where: string): string {
  return `${pkg} is not installed ${where}`;
}

export interface NativeStart {
  ok: boolean;
  why: string;
  detail: string;
}

interface NativeBinding {
  TF_Version: string;
  isUsingGpuDevice(): boolean;
}

type LoadFn = (request: string, parent: { filename?: string | null } | undefined, isMain: boolean) => unknown;

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/** A require that resolves from `modulesDir` (its node_modules), or from beside this file. */
function requireFrom(modulesDir: string | undefined): NodeRequire {
  const base = modulesDir ? join(resolve(modulesDir), 'package.json') : typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js');
  return createRequire(base);
}

/** The package's folder, or why it is not there. */
function locate(pkg: string, modulesDir: string | undefined): { dir: string } | { why: string } {
  try {
    return { dir: dirname(requireFrom(modulesDir).resolve(`${pkg}/package.json`)) };
  } catch {
    const where = modulesDir ? `in ${resolve(modulesDir)}/node_modules` : 'beside the engine (no native backend folder set)';
    return { why: notInstalledWhy(pkg, where) };
  }
}

/** Refuses a package built for another tfjs: its kernels would run against our tfjs-core's internals. */
function versionMismatch(pkg: string, dir: string): string | undefined {
  const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string; dependencies?: Record<string, string> };
  const ours = tf.version.tfjs;
  const wants = pj.dependencies?.['@tensorflow/tfjs'];
  if (pj.version === ours && wants === ours) return undefined;
  return `${pkg} ${pj.version ?? '?'} (for @tensorflow/tfjs ${wants ?? '?'}) does not match the engine's @tensorflow/tfjs ${ours}: install ${pkg}@${ours}`;
}

/**
 * Requires the package with its tfjs imports redirected to ours. The hook is in place only while
 * the package loads: tfjs-node 4.22 imports tfjs at the top of its modules, never later.
 */
function requireIntoOurTfjs(pkg: string, dir: string, modulesDir: string | undefined): unknown {
  const loader = Module as unknown as { _load: LoadFn };
  const original = loader._load;
  const inside = dir + sep;
  loader._load = function (this: unknown, request, parent, isMain) {
    if (parent?.filename?.startsWith(inside)) {
      if (SHARED.has(request)) return tf;
      if (request.startsWith('@tensorflow/tfjs')) throw new Error(`${pkg} requires ${request}, which the engine's bundled tfjs does not provide`);
    }
    return original.call(this, request, parent, isMain);
  };
  try {
    return requireFrom(modulesDir)(pkg);
  } finally {
    loader._load = original;
  }
}

/**
 * Loads the package into the engine's tfjs and registers its `tensorflow` backend, without our
 * fused kernels (bench/native-step.ts times the step with and without them). Throws with the
 * reason, already phrased for the user.
 */
export function loadNative(name: NativeName, modulesDir: string | undefined): void {
  const pkg = PACKAGES[name];
  const found = locate(pkg, modulesDir);
  if ('why' in found) throw new Error(found.why);
  const mismatch = versionMismatch(pkg, found.dir);
  if (mismatch) throw new Error(mismatch);
  if (!existsSync(join(found.dir, 'lib'))) throw new Error(`${pkg} in ${found.dir} has no compiled addon (installed with --ignore-scripts?): install it again`);
  // libtensorflow's start-up banner (CPU features, oneDNN) is INFO-level noise in a job's log.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
  const before = new Set(tf.getKernelsForBackend('tensorflow').map((k) => k.kernelName));
  try {
    requireIntoOurTfjs(pkg, found.dir, modulesDir);
  } catch (e) {
    // The package registers its kernels before it loads the addon: take back what a failed load
    // left, so that the other native package (auto tries -gpu first) registers its own cleanly.
    for (const k of tf.getKernelsForBackend('tensorflow')) if (!before.has(k.kernelName)) tf.unregisterKernel(k.kernelName, 'tensorflow');
    // A missing libtensorflow or CUDA library shows up here as the dlopen error's first line.
    throw new Error(`${pkg} failed to load (${firstLine(e)})`);
  }
  if (!tf.findBackendFactory('tensorflow')) throw new Error(`${pkg} loaded but registered no 'tensorflow' backend in the engine's tfjs`);
}

function describe(name: NativeName): string {
  const binding = (tf.findBackend('tensorflow') as unknown as { binding: NativeBinding }).binding;
  const n = process.env.TF_NUM_INTRAOP_THREADS;
  const threads = n ? `${n} intra-op thread${n === '1' ? '' : 's'} (TF_NUM_INTRAOP_THREADS)` : 'every core';
  if (name === 'tensorflow-gpu') {
    return binding.isUsingGpuDevice()
      ? `libtensorflow ${binding.TF_Version} with CUDA`
      : `libtensorflow ${binding.TF_Version}, no CUDA device visible: running on the CPU (${threads})`;
  }
  return `libtensorflow ${binding.TF_Version} CPU, ${threads}`;
}

/**
 * Starts `tensorflow` (or `tensorflow-gpu`, which registers under the same backend name) in the
 * engine's tfjs, makes it current and registers our fused kernels for it.
 */
export async function startNative(name: NativeName, modulesDir: string | undefined): Promise<NativeStart> {
  const pkg = PACKAGES[name];
  try {
    loadNative(name, modulesDir);
  } catch (e) {
    return { ok: false, why: firstLine(e), detail: '' };
  }
  try {
    if (!(await tf.setBackend('tensorflow'))) return { ok: false, why: `${pkg} loaded, but the tensorflow backend did not start`, detail: '' };
    await tf.ready();
    installNativeKernels();
    return { ok: true, why: `${pkg} ${tf.version.tfjs} loaded${modulesDir ? ` from ${resolve(modulesDir)}` : ''}`, detail: describe(name) };
  } catch (e) {
    return { ok: false, why: `${pkg} loaded, but the tensorflow backend did not start (${firstLine(e)})`, detail: '' };
  }
}
