// The compute backends, one row each, in the order `auto` tries them. Everything that lists
// backends (the schema, settings, the CLI's help, the README's table, the bench) reads this table;
// the engine maps each name to its implementation in src/engine/backend/registry.ts, with a
// compile-time check that every row has one. What the rest of the engine must know of a backend
// (whether training splits over worker threads, whether tensors may be read synchronously, which
// layers it cannot train) is a fact of its row, never a branch on its name.

export interface BackendRow {
  label: string;
  /** The npm package installed on request (native TensorFlow), and how the install command offers it. */
  package?: string;
  install?: {
    /** The pick item's label before the package name. */
    choice: string;
    detail: string;
    /** The `<platform>-<arch>` pairs the package has builds for; every pair when absent. */
    builds?: readonly string[];
  };
  description: string;
  /** Training can split each batch over data-parallel worker threads (`salun.workers`): each operation runs on one thread. */
  workers?: true;
  /** Tensors live on a device and may only be read asynchronously: weights are read from a snapshot taken with `await`. */
  asyncReadsOnly?: true;
  /** Layers it has no gradient kernel for, by tfjs class name, and what to say about it. */
  cannotTrain?: { layers: readonly string[]; what: string };
}

export const BACKENDS = {
  'tensorflow-gpu': {
    label: 'TensorFlow (CUDA)',
    package: '@tensorflow/tfjs-node-gpu',
    install: {
      choice: 'tensorflow-gpu (CUDA 11.2 + cuDNN 8.1)',
      detail: 'Native TensorFlow on an NVIDIA GPU. Needs CUDA 11.2 and cuDNN 8.1 on the library path (libtensorflow 2.9); newer CUDA does not load it.',
      builds: ['linux-x64', 'win32-x64'],
    },
    description:
      'Native TensorFlow with CUDA (@tensorflow/tfjs-node-gpu 4.22: libtensorflow 2.9, CUDA 11.2, cuDNN 8.1). Installed on request into a folder of your choice (SalUn: Install Native TensorFlow Backend).',
  },
  webgpu: {
    label: 'WebGPU (Dawn)',
    description:
      "WebGPU through Dawn's Node binding (Vulkan, Metal or Direct3D 12; any GPU vendor). Ships inside the platform-specific package. `auto` takes a hardware adapter only; software adapters (SwiftShader, llvmpipe) run only when named.",
    asyncReadsOnly: true,
  },
  tensorflow: {
    label: 'TensorFlow (CPU)',
    package: '@tensorflow/tfjs-node',
    install: { choice: 'tensorflow (CPU)', detail: 'Native TensorFlow on every CPU core. No GPU or driver needed.' },
    description:
      'Native TensorFlow on the CPU (@tensorflow/tfjs-node 4.22), every core. Installed on request into a folder of your choice (SalUn: Install Native TensorFlow Backend).',
  },
  wasm: {
    label: 'WebAssembly',
    description: 'WebAssembly with SIMD and our training kernels; data-parallel workers with `salun.workers`. Always available.',
    workers: true,
    cannotTrain: { layers: ['DepthwiseConv2D'], what: 'depthwise convolutions' },
  },
  cpu: {
    label: 'JavaScript',
    description: 'Pure JavaScript. Slowest; always available.',
    workers: true,
  },
} as const satisfies Record<string, BackendRow>;

export type BackendName = keyof typeof BACKENDS;
export type BackendChoice = 'auto' | BackendName;

/** The order `auto` tries them in: the table's order. */
export const BACKEND_NAMES = Object.keys(BACKENDS) as BackendName[];
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', ...BACKEND_NAMES];

/** The row of a backend named by a string (tf.getBackend(), a run folder): undefined when it is none of ours. */
export function backendRow(name: string): BackendRow | undefined {
  return Object.hasOwn(BACKENDS, name) ? BACKENDS[name as BackendName] : undefined;
}

/** The backends installed on request (their rows' `package`): native TensorFlow. */
export type NativeBackendName = { [K in BackendName]: (typeof BACKENDS)[K] extends { package: string } ? K : never }[BackendName];

export const NATIVE_BACKEND_NAMES = BACKEND_NAMES.filter((b): b is NativeBackendName => backendRow(b)?.package !== undefined);

/** The backends whose training can split over worker threads (their rows' `workers`). */
export type WorkerBackend = { [K in BackendName]: (typeof BACKENDS)[K] extends { workers: true } ? K : never }[BackendName];

export function isWorkerBackend(name: string): name is WorkerBackend {
  return backendRow(name)?.workers === true;
}

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
