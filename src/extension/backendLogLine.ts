// The backend a job runs on, as one line of the log. Auto's normal fall-back past native packages
// that are not installed is not a problem to report line by line: one calm line names them and how
// to get a faster backend; the full reasons stay in the log's debug level, the tooltip and the report.
import { backendFacts, backendTitle } from '../protocol/backendSummary';
import type { SkippedBackend } from '../protocol/backends';
import type { BackendInfo } from '../protocol/results';

const INSTALL_COMMAND = 'SalUn: Install Native TensorFlow Backend';

/** native.ts says a package "is not installed" when it cannot be found: the usual case, not a failure. */
function notInstalled(s: SkippedBackend): boolean {
  return / is not installed /.test(s.why);
}

/** Why a backend other than a missing package was passed by, without the name the engine's message may start with. */
function shortWhy(s: SkippedBackend): string {
  const why = s.why.startsWith(`${s.name}: `) ? s.why.slice(s.name.length + 2) : s.why;
  return `${s.name}: ${why}`;
}

/**
 * "backend: wasm (wasm SIMD, 1 thread; tensorflow-gpu, tensorflow not installed — SalUn: Install
 * Native TensorFlow Backend for a faster one; webgpu: Dawn found no GPU adapter …)".
 */
export function backendLogLine(b: BackendInfo): string {
  const skipped = b.skipped ?? [];
  const missing = skipped.filter(notInstalled).map((s) => s.name);
  const others = skipped.filter((s) => !notInstalled(s)).map(shortWhy);
  const parts = [
    ...(b.detail ? [b.detail] : []),
    ...(skipped.length === 0 ? [b.reason] : []),
    ...(missing.length ? [`${missing.join(', ')} not installed — ${INSTALL_COMMAND} for a faster one`] : []),
    ...others,
  ];
  return `backend: ${b.name}${parts.length ? ` (${parts.join('; ')})` : ''}`;
}

/** The full lines (each skipped backend and why), for the log's debug level. */
export function backendDetailLines(b: BackendInfo): string[] {
  const f = backendFacts(b);
  return [`backend: ${backendTitle(b)}, ${f.choice}`, ...(f.adapter ? [`GPU adapter: ${f.adapter}`] : []), ...f.skipped.map((s) => `skipped ${s}`)];
}
