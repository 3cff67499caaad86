// wasm's own _FusedMatMul without transpose flags, which its XNNPACK path needs (../transposeFlags.ts).
import type { KernelConfig } from '@tensorflow/tfjs';
import { withoutTransposeFlags } from '../transposeFlags';

export const fusedMatMulConfig: KernelConfig = { kernelName: '_FusedMatMul', backendName: 'wasm', kernelFunc: withoutTransposeFlags('_FusedMatMul') };
