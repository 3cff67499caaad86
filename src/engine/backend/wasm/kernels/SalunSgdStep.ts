// One kernel for a whole SGD step of one variable on wasm: weight decay, the saliency mask,
// momentum and the update in a single pass over the weights, instead of ≈8 elementwise tfjs ops
// per variable (each a kernel call, a heap allocation and a full pass). Every operation is rounded
// to float32 in the order the tfjs ops apply it (src/engine/train/sgd.ts), so the result is the
// same bit for bit; test/unit/sgd.unit.test.ts compares the two.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { SGD_STEP_KERNEL, type SgdStepAttrs } from '../../kernelNames';
import type { Backend } from '../heap';

const f = Math.fround;

function sgdStep(args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: unknown }): TensorInfo[] {
  const backend = args.backend as Backend;
  const { w, g, v, salient, anchor } = args.inputs as Record<'w' | 'g' | 'v', TensorInfo> & { salient?: TensorInfo; anchor?: TensorInfo };
  const { lr, momentum, weightDecay } = args.attrs as SgdStepAttrs;
  const wOut = backend.makeOutput(w.shape, 'float32');
  const vOut = backend.makeOutput(w.shape, 'float32');
  // Views only after the last allocation (an allocation can grow and detach the heap).
  const W = backend.typedArrayFromHeap(w);
  const G = backend.typedArrayFromHeap(g);
  const V = backend.typedArrayFromHeap(v);
  const S = salient ? (backend.typedArrayFromHeap(salient) as unknown as Uint8Array) : undefined;
  const A = anchor ? backend.typedArrayFromHeap(anchor) : undefined;
  const WO = backend.typedArrayFromHeap(wOut);
  const VO = backend.typedArrayFromHeap(vOut);
  const wd = f(weightDecay);
  const mu = f(momentum);
  const rate = f(lr);
  for (let i = 0; i < W.length; i++) {
    if (S && A && !S[i]) {
      WO[i] = A[i];
      VO[i] = 0;
      continue;
    }
    const gi = wd ? f(G[i] + f(W[i] * wd)) : G[i];
    const vi = mu ? f(f(V[i] * mu) + gi) : gi;
    WO[i] = f(W[i] - f(vi * rate));
    VO[i] = vi;
  }
  return [wOut, vOut];
}

export const sgdStepConfig: KernelConfig = { kernelName: SGD_STEP_KERNEL, backendName: 'wasm', kernelFunc: sgdStep as unknown as KernelFunc };
