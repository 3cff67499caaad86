// A GPU reports failures (out of memory, a lost device) asynchronously, and tfjs-backend-webgpu
// does not look: a failed allocation yields zeros, not an exception. webgpu.ts records the first
// failure per device here; the training and evaluation loops call `throwIfDeviceFailed` between
// batches so that a run stops with the reason instead of training on garbage. A batch whose
// largest activation cannot be one GPU buffer is refused before any work (`checkBatchFits`).
import { UserError } from '../../store/errors';
import { tf, type T } from '../tf';

const failures = new WeakMap<object, string>();
/** The tfjs backends whose tensors live on a watched GPU device (registered by the backend that starts one). */
const deviceBackends = new Set<string>();

/** Called by a backend that runs on a GPU device: its failures are recorded and its limits checked. */
export function registerDeviceBackend(tfjsName: string): void {
  deviceBackends.add(tfjsName);
}

export function recordDeviceFailure(device: object, message: string): void {
  if (!failures.has(device)) failures.set(device, message);
}

interface GpuBackendView {
  device?: { limits: { maxStorageBufferBindingSize: number; maxBufferSize: number } };
}

function currentDevice(): GpuBackendView['device'] {
  return deviceBackends.has(tf.getBackend()) ? (tf.backend() as unknown as GpuBackendView).device : undefined;
}

const BATCH_HINT = "Lower the batch size (train.batchSize, unlearn.batchSize in the config; the table's batch option), or use a smaller model.";

/** Throws a UserError naming the batch size when the current GPU device has failed. */
export function throwIfDeviceFailed(batchSize: number): void {
  const device = currentDevice();
  const failure = device ? failures.get(device) : undefined;
  if (!failure) return;
  const oom = /out ?of ?memory/i.test(failure);
  throw new UserError(
    oom
      ? `The GPU ran out of memory at batch size ${batchSize} (${failure.split('\n')[0]}).`
      : `The GPU reported an error at batch size ${batchSize} (${failure.split('\n')[0]}).`,
    oom ? BATCH_HINT : 'Check the GPU driver (a lost device is often a driver reset or another process taking the GPU), or set the backend to wasm.',
  );
}

/**
 * Before any work on the GPU: every layer's output for one batch must fit in one storage buffer
 * (the device's maxStorageBufferBindingSize), or WebGPU refuses the allocation.
 */
export function checkBatchFits(model: T.LayersModel, batchSize: number): void {
  const device = currentDevice();
  if (!device) return;
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  for (const layer of model.layers) {
    const shapes = (Array.isArray(layer.outputShape[0]) ? layer.outputShape : [layer.outputShape]) as (number | null)[][];
    for (const shape of shapes) {
      const perSample = shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1) * 4;
      if (perSample * batchSize > limit) {
        const fits = Math.max(1, Math.floor(limit / perSample));
        throw new UserError(
          `Batch size ${batchSize} does not fit on this GPU: layer ${layer.name} would need one buffer of ${((perSample * batchSize) / 2 ** 20).toFixed(0)} MiB, over the device's limit of ${(limit / 2 ** 20).toFixed(0)} MiB.`,
          `Use a batch size of at most ${fits}. ${BATCH_HINT}`,
        );
      }
    }
  }
}
