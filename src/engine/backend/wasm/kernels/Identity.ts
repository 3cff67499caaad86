// Identity copies its input on wasm; tensors are immutable, so sharing the data under a reference
// count (as Reshape does, and as the cpu backend's Identity does) is enough. The engine clones
// every tensor a gradient saves, so this was ≈30 activation copies per CNN step. Checked against
// the cpu backend in test/unit/wasmKernels.unit.test.ts.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { displacedKernel } from '../../registerKernels';
import type { Backend } from '../heap';

const sharedIdentity: KernelFunc = (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') return displacedKernel('Identity', 'wasm')(args);
  (args.backend as unknown as Backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

export const identityConfig: KernelConfig = { kernelName: 'Identity', backendName: 'wasm', kernelFunc: sharedIdentity };
