// Resolves a DataSpec to train/test image sets through its format's loader (registry.ts), then
// scales the pixels as the spec's `normalize` asks.
import type { DataSpec } from '../../protocol/config';
import type { SplitData } from './dataset';
import { normalizeSplit } from './normalize';
import { DATA_LOADERS, type DataLoader } from './registry';

// TypeScript does not correlate DATA_LOADERS[spec.kind] with spec over a union of kinds; for one
// kind they agree by the registry's `satisfies DataLoaders`.
function loaderOf(spec: DataSpec): DataLoader<DataSpec> {
  return DATA_LOADERS[spec.kind] as DataLoader<DataSpec>;
}

/** Loads and scales the pixels as `spec.normalize` asks ([0, 1] by default). */
export function loadData(spec: DataSpec, workspaceDir: string): SplitData {
  return normalizeSplit(loaderOf(spec).load(spec, workspaceDir), spec.normalize);
}

/** loadData for a job: formats that can (idx) read without blocking, so cancel is heard while they load. */
export async function loadDataAsync(spec: DataSpec, workspaceDir: string, signal?: AbortSignal): Promise<SplitData> {
  const loader = loaderOf(spec);
  const raw = loader.loadAsync ? await loader.loadAsync(spec, workspaceDir, signal) : loader.load(spec, workspaceDir);
  return normalizeSplit(raw, spec.normalize);
}
