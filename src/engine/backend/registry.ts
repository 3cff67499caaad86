// Each backend row of src/protocol/backends.ts joined to its implementation. `satisfies` makes a
// row without an implementation a compile error, not a run-time surprise.
// Layout: a folder per backend (cpu/, wasm/, native/ for both tensorflow rows, webgpu/), each with
// its backend.ts and, where it has kernels, kernels/ and their list kernels.ts. What the rest of the
// engine imports (select, deviceHealth, kernelNames) and what several backends share stay here at
// the top, not in a shared/ folder, so the engine's imports of the backend layer read ../backend/x.
import type { BackendName } from '../../protocol/backends';
import type { BackendImpl } from './attempt';
import { cpuBackend } from './cpu/backend';
import { nativeInstallHint, startNative } from './native/backend';
import { wasmBackend } from './wasm/backend';
import { webgpuBackend } from './webgpu/backend';

function native(name: 'tensorflow' | 'tensorflow-gpu'): BackendImpl {
  return {
    async start({ nativeModulesDir }) {
      const r = await startNative(name, nativeModulesDir);
      return r.ok ? { ok: true, why: r.why, detail: r.detail } : { ok: false, why: r.why };
    },
    hint: (client) =>
      `To install it, ${nativeInstallHint(client)}; or set the backend to auto.${name === 'tensorflow-gpu' ? ' tfjs-node-gpu 4.22 needs CUDA 11.2 and cuDNN 8.1 on the library path.' : ''}`,
  };
}

export const BACKEND_IMPLS = {
  'tensorflow-gpu': native('tensorflow-gpu'),
  webgpu: webgpuBackend,
  tensorflow: native('tensorflow'),
  wasm: wasmBackend,
  cpu: cpuBackend,
} as const satisfies Record<BackendName, BackendImpl>;
