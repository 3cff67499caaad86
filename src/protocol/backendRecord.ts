// A BackendInfo read back from a file or a message (config.json's `resolved.backend`): kept field by
// field when well-formed, so a report of an older run, or a hand-edited one, still reads what it can.
import { isBackendChoice, type BackendName, type GpuAdapterInfo, type SkippedBackend } from './backends';
import { isRecord, isString } from './guards';
import type { BackendInfo } from './results';

function adapterOf(x: unknown): GpuAdapterInfo | undefined {
  if (!isRecord(x)) return undefined;
  const { vendor, architecture, device, description, software } = x;
  if (!isString(vendor) || !isString(architecture) || !isString(device) || !isString(description)) return undefined;
  return { vendor, architecture, device, description, software: software === true };
}

function skippedOf(x: unknown): SkippedBackend[] | undefined {
  if (!Array.isArray(x)) return undefined;
  return x.filter((s): s is SkippedBackend => isRecord(s) && isBackendChoice(s.name) && s.name !== 'auto' && isString(s.why));
}

/** The backend a job recorded, or undefined when there is none with a name. */
export function backendInfoOf(x: unknown): BackendInfo | undefined {
  if (!isRecord(x) || !isString(x.name)) return undefined;
  const adapter = adapterOf(x.adapter);
  const skipped = skippedOf(x.skipped);
  return {
    // An unknown name (a backend of a newer version) is still shown as it was written.
    name: x.name as BackendName,
    reason: isString(x.reason) ? x.reason : '',
    detail: isString(x.detail) ? x.detail : '',
    ...(adapter ? { adapter } : {}),
    ...(skipped ? { skipped } : {}),
  };
}
