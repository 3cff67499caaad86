// tfjs-backend-wasm 4.22's MaxPoolGrad gives wrong gradients when a window holds no positive value:
// recomputed in JS from the argmax of each window, as the cpu backend does. Checked against the cpu
// backend in test/unit/wasmKernels.unit.test.ts and by finite differences in gradCheck.
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../../tf';
import type { Backend } from '../heap';

function maxPoolGrad(args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as Backend;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const attrs = args.attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const xs = backend.readSync(input.dataId) as Float32Array;
  const dys = backend.readSync(dy.dataId) as Float32Array;
  const out = backend.makeOutput(input.shape, 'float32');
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  for (let b = 0; b < batchSize; b++) {
    const xBase = b * inHeight * inWidth * c;
    for (let yr = 0; yr < outHeight; yr++) {
      const r0 = yr * strideHeight - top;
      for (let yc = 0; yc < outWidth; yc++) {
        const c0 = yc * strideWidth - left;
        const dyBase = ((b * outHeight + yr) * outWidth + yc) * c;
        for (let d = 0; d < c; d++) {
          // First maximum of the window wins, like the cpu backend; -Infinity so that windows with
          // no positive value still get their gradient (the bug this kernel replaces).
          let best = -Infinity;
          let bestAt = -1;
          for (let fr = 0; fr < filterHeight; fr++) {
            const r = r0 + fr;
            if (r < 0 || r >= inHeight) continue;
            for (let fc = 0; fc < filterWidth; fc++) {
              const cc = c0 + fc;
              if (cc < 0 || cc >= inWidth) continue;
              const at = xBase + (r * inWidth + cc) * c + d;
              if (xs[at] > best) {
                best = xs[at];
                bestAt = at;
              }
            }
          }
          if (bestAt >= 0) dx[bestAt] += dys[dyBase + d];
        }
      }
    }
  }
  return out;
}

export const maxPoolGradConfig: KernelConfig = { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad as KernelFunc };
