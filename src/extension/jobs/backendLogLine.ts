// The backend a job runs on, as one line of the log. Auto's normal fall-back past native packages
// that are not installed is not a problem to report line by line: one calm line names them and how
// to get a faster backend; the full reasons stay in the log's debug level, the tooltip and the report.
import { BACKENDS, type SkippedBackend } from '../../protocol/backends';
import { backendFacts, backendTitle, isNotInstalled, skippedWhy } from '../../protocol/backendSummary';
import type { BackendInfo } from '../../protocol/results';

const INSTALL_COMMAND = 'SalUn: Install Native TensorFlow Backend';

/** Why a backend other than a missing package was passed by. */
function shortWhy(s: SkippedBackend): string {
  return `${s.name}: ${skippedWhy(s)}`;
}

/**
 * "backend: wasm (wasm SIMD, 1 thread; native TensorFlow (CUDA) and TensorFlow (CPU) not installed —
 * SalUn: Install Native TensorFlow Backend for a faster one; webgpu: Dawn found no GPU adapter …)".
 */
export function backendLogLine(b: BackendInfo): string {
  const skipped = b.skipped ?? [];
  const missing = skipped.filter(isNotInstalled).map((s) => BACKENDS[s.name].label);
  const others = skipped.filter((s) => !isNotInstalled(s)).map(shortWhy);
  const parts = [
    ...(b.detail ? [b.detail] : []),
    ...(skipped.length === 0 ? [b.reason] : []),
    ...(missing.length ? [`native ${missing.join(' and ')} not installed — ${INSTALL_COMMAND} for a faster one`] : []),
    ...others,
  ];
  return `backend: ${b.name}${parts.length ? ` (${parts.join('; ')})` : ''}`;
}

/** The full lines (each skipped backend and why), for the log's debug level. */
export function backendDetailLines(b: BackendInfo): string[] {
  const f = backendFacts(b);
  return [
    `backend: ${backendTitle(b)}, ${f.choice}`,
    ...(f.adapter ? [`GPU adapter: ${f.adapter}`] : []),
    ...(b.skipped ?? []).map((s) => `skipped ${s.name} (${BACKENDS[s.name].label}): ${skippedWhy(s)}`),
  ];
}
