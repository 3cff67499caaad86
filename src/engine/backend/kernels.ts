// What every backend gets, whichever starts (select.ts registers it after the start): gradients
// written on public ops, so they run anywhere. One file each in kernels/.
import type { BackendKernel } from './registerKernels';
import { fusedBatchNormGradConfig } from './kernels/FusedBatchNorm_grad';

export const SHARED_KERNELS: readonly BackendKernel[] = [fusedBatchNormGradConfig];
