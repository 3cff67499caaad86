// The compute backends, one row each, in the order `auto` tries them. Everything that lists
// backends (the schema, settings, the CLI's help, the README's table, the bench) reads this table;
// the engine maps each name to its implementation in src/engine/backend/registry.ts, with a
// compile-time check that every row has one.

export const BACKENDS = {
  'tensorflow-gpu': {
    label: 'TensorFlow (CUDA)',
    package: '@tensorflow/tfjs-node-gpu',
    description:
      'Native TensorFlow with CUDA (@tensorflow/tfjs-node-gpu 4.22: libtensorflow 2.9, CUDA 11.2, cuDNN 8.1). Installed on request into a folder of your choice (SalUn: Install Native TensorFlow Backend).',
  },
  webgpu: {
    label: 'WebGPU (Dawn)',
    description:
      "WebGPU through Dawn's Node binding (Vulkan, Metal or Direct3D 12; any GPU vendor). Ships inside the platform-specific package. `auto` takes a hardware adapter only; software adapters (SwiftShader, llvmpipe) run only when named.",
  },
  tensorflow: {
    label: 'TensorFlow (CPU)',
    package: '@tensorflow/tfjs-node',
    description:
      'Native TensorFlow on the CPU (@tensorflow/tfjs-node 4.22), every core. Installed on request into a folder of your choice (SalUn: Install Native TensorFlow Backend).',
  },
  wasm: {
    label: 'WebAssembly',
    description: 'WebAssembly with SIMD and our training kernels; data-parallel workers with `salun.workers`. Always available.',
  },
  cpu: {
    label: 'JavaScript',
    description: 'Pure JavaScript. Slowest; always available.',
  },
} as const satisfies Record<string, { label: string; package?: string; description: string }>;

export type BackendName = keyof typeof BACKENDS;
export type BackendChoice = 'auto' | BackendName;

/** The order `auto` tries them in: the table's order. */
export const BACKEND_NAMES = Object.keys(BACKENDS) as BackendName[];
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', ...BACKEND_NAMES];

export function isBackendChoice(v: unknown): v is BackendChoice {
  return typeof v === 'string' && (BACKEND_CHOICES as readonly string[]).includes(v);
}

/** The GPU adapter a `webgpu` job runs on, as Dawn reports it. */
export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software implementation (SwiftShader, llvmpipe): `auto` skips it. */
  software: boolean;
}

/** A backend that `auto` tried before the chosen one, and why it was not taken. */
export interface SkippedBackend {
  name: BackendName;
  why: string;
}
