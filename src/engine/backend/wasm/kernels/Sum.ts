// Sum over leading axes without wasm's transpose copy (../reductions.ts); other axes go to wasm's own.
import type { KernelConfig } from '@tensorflow/tfjs';
import { leadingReduction } from '../reductions';

export const sumConfig: KernelConfig = { kernelName: 'Sum', backendName: 'wasm', kernelFunc: leadingReduction('Sum') };
