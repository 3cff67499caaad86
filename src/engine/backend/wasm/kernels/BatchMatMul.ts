// wasm's own BatchMatMul without transpose flags, which its XNNPACK path needs (../transposeFlags.ts).
import type { KernelConfig } from '@tensorflow/tfjs';
import { withoutTransposeFlags } from '../transposeFlags';

export const batchMatMulConfig: KernelConfig = { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: withoutTransposeFlags('BatchMatMul') };
