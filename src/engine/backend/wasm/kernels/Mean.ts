// Mean over leading axes without wasm's transpose copy (../reductions.ts); other axes go to wasm's own.
import type { KernelConfig } from '@tensorflow/tfjs';
import { leadingReduction } from '../reductions';

export const meanConfig: KernelConfig = { kernelName: 'Mean', backendName: 'wasm', kernelFunc: leadingReduction('Mean') };
