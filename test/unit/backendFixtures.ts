// BackendInfo as selectBackend returns it in the cases the panel, reports and status bar must tell
// apart (shared by their tests).
import type { BackendInfo } from '../../src/protocol/results';

/** What selectBackend('auto') returns on a machine with an NVIDIA GPU and no native packages. */
export const AUTO_ON_GPU: BackendInfo = {
  name: 'webgpu',
  reason: 'auto: @tensorflow/tfjs-node-gpu is not installed in /n/node_modules; using webgpu',
  detail: 'NVIDIA GeForce RTX 4090 (nvidia, lovelace)',
  adapter: { vendor: 'nvidia', architecture: 'lovelace', device: '0x2684', description: 'NVIDIA GeForce RTX 4090', software: false },
  skipped: [{ name: 'tensorflow-gpu', why: '@tensorflow/tfjs-node-gpu is not installed in /n/node_modules' }],
};

/** What selectBackend('auto') returns under SwiftShader alone: webgpu passed by, wasm taken. */
export const AUTO_ON_SWIFTSHADER: BackendInfo = {
  name: 'wasm',
  reason: 'auto: …; using wasm',
  detail: 'wasm SIMD, 1 thread',
  skipped: [
    { name: 'tensorflow-gpu', why: '@tensorflow/tfjs-node-gpu is not installed' },
    { name: 'webgpu', why: 'webgpu: only a software adapter, SwiftShader driver 5.0.0 (google, swiftshader; software); auto takes hardware adapters only' },
    { name: 'tensorflow', why: '@tensorflow/tfjs-node is not installed' },
  ],
};
