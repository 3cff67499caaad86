import * as wasmBackendModule from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tf } from '../../tf';
import { firstLine, reinstallHint, type BackendImpl } from '../attempt';
import { installWasmKernels } from './kernels';

/** Where the .wasm binaries are: beside the bundle (dist/) or in the package (unbundled runs). */
function wasmDirectory(): string {
  const beside = typeof __dirname === 'string' ? __dirname : process.cwd();
  if (existsSync(join(beside, 'tfjs-backend-wasm-simd.wasm'))) return beside;
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
}

export const wasmBackend: BackendImpl = {
  async start() {
    try {
      wasmBackendModule.setWasmPaths(wasmDirectory() + '/');
      if (!(await tf.setBackend('wasm'))) return { ok: false, why: 'wasm backend failed to initialise' };
      await tf.ready();
      installWasmKernels();
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const threads = wasmBackendModule.getThreadsCount();
      return { ok: true, why: 'wasm', detail: `wasm${simd ? ' SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'}` };
    } catch (e) {
      return { ok: false, why: `wasm failed (${firstLine(e)})` };
    }
  },
  hint: reinstallHint,
};
