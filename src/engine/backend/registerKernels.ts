// The one way a kernel or gradient of ours enters tfjs's registry. Each backend lists its configs
// (wasm/kernels.ts, native/kernels.ts; kernels.ts for those every backend gets), one file per
// kernel in the kernels/ folder beside the list, and hands the list here when it starts. Starting
// twice (a second job in one process, a test) must change nothing: a config whose function the
// registry already holds is left alone, so a kernel that wraps tfjs's own never wraps itself.
// A config that replaces a kernel of tfjs's backend keeps the one it displaced, and a kernel that
// handles only some cases (the wasm reductions, matMul without transpose flags, native Step) hands
// the rest to it through `displacedKernel`.
import type { GradConfig, KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { tf } from '../tf';

export type BackendKernel = KernelConfig | GradConfig;

/** tfjs's own configs that ours replaced, by backend and kernel name. */
const displaced = new Map<string, KernelConfig>();
/** Every kernel function registered through here, so that one of ours is never taken for tfjs's. */
const ours = new WeakSet<KernelFunc>();

const slot = (kernelName: string, backendName: string): string => `${backendName}/${kernelName}`;

function isKernel(config: BackendKernel): config is KernelConfig {
  return 'kernelFunc' in config;
}

/** Registers each config unless the registry already holds its function; idempotent. */
export function registerKernels(configs: readonly BackendKernel[]): void {
  for (const config of configs) {
    if (!isKernel(config)) {
      if (tf.getGradient(config.kernelName)?.gradFunc !== config.gradFunc) tf.registerGradient(config);
      continue;
    }
    const { kernelName, backendName } = config;
    const current = tf.getKernel(kernelName, backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) {
      if (!ours.has(current.kernelFunc) && !displaced.has(slot(kernelName, backendName))) displaced.set(slot(kernelName, backendName), current);
      tf.unregisterKernel(kernelName, backendName);
    }
    ours.add(config.kernelFunc);
    tf.registerKernel(config);
  }
}

/** Takes each kernel config out of the registry if it is registered, giving back the kernel it displaced. */
export function unregisterKernels(configs: readonly KernelConfig[]): void {
  for (const { kernelName, backendName, kernelFunc } of configs) {
    if (tf.getKernel(kernelName, backendName)?.kernelFunc !== kernelFunc) continue;
    tf.unregisterKernel(kernelName, backendName);
    const original = displaced.get(slot(kernelName, backendName));
    if (original) tf.registerKernel(original);
  }
}

/** The kernel of tfjs's own backend that ours replaced under this name. */
export function displacedKernel(kernelName: string, backendName: string): KernelFunc {
  const original = displaced.get(slot(kernelName, backendName));
  if (!original) throw new Error(`no ${backendName} kernel '${kernelName}' of tfjs's own was replaced`);
  return original.kernelFunc;
}
