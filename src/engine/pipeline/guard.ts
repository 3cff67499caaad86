// Runs a job body against its run folder: status.json says running / finished / failed / cancelled,
// and whatever was written before a failure stays for inspection.
import type { JobError } from '../../protocol/jobMessages';
import { CancelledError, UserError } from '../errors';
import { writeErrorHint } from '../runs/atomic';
import type { RunFolder } from '../runs/runFolder';
import type { JobContext } from './prepare';

/** An error from the system rather than from our code: what happened, and what the user can do. */
function environmentHint(err: Error): string | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  const byCode = writeErrorHint(code);
  if (byCode) return byCode;
  if (code === 'ENOENT' && (err as NodeJS.ErrnoException).syscall) return 'A file or folder the job needs is missing (deleted while it ran?): check the path in the message and run again.';
  if (code === 'EMFILE' || code === 'ENFILE') return 'Too many open files: close other programs or raise the limit (ulimit -n), then run again.';
  const text = `${err.name}: ${err.message}`;
  // tfjs-node says "OOM when allocating tensor", wasm "Memory.grow()… maximum", plain JS "Array buffer allocation failed".
  if (/out of memory|\bOOM\b|Cannot allocate|Array buffer allocation failed|Invalid typed array length|Memory\.grow|Maximum memory size|allocation size overflow/i.test(text)) {
    return 'The job ran out of memory: lower the batch size, or use a smaller model, data set or training subset; close other jobs.';
  }
  if (/cannot open shared object|dlopen|NODE_MODULE_VERSION|was compiled against a different Node\.js|\.node: |invalid ELF header|libtensorflow/i.test(text)) {
    return "A native backend did not load (its library is missing or built for another system): choose the 'wasm' backend (salun.backend, or --backend wasm), or reinstall the native TensorFlow package.";
  }
  return undefined;
}

export function toJobError(e: unknown): JobError {
  if (e instanceof UserError) return { message: e.message, hint: e.hint, file: e.file };
  const err = e instanceof Error ? e : new Error(String(e));
  // Errors that carry their own advice (the backend selector's BackendError) keep it.
  const own = (err as { hint?: unknown }).hint;
  if (typeof own === 'string' && own.length > 0) return { message: err.message, hint: own };
  const hint = environmentHint(err);
  if (hint) return { message: err.message, hint, ...((err as NodeJS.ErrnoException).path ? { file: (err as NodeJS.ErrnoException).path } : {}) };
  return { message: err.message, hint: 'This looks like a bug or an unsupported model; the log has the stack trace.' };
}

/** `endState` names how a body that returned ended: 'finished' unless it stopped early on request. */
export async function runGuarded<T>(folder: RunFolder, ctx: JobContext, body: () => Promise<T>, endState: (out: T) => 'finished' | 'stopped' = () => 'finished'): Promise<T> {
  folder.setStatus('running');
  try {
    const out = await body();
    folder.setStatus(endState(out));
    return out;
  } catch (e) {
    try {
      folder.setStatus(e instanceof CancelledError ? 'cancelled' : 'failed', e instanceof CancelledError ? undefined : toJobError(e));
    } catch {
      // The disk may be what failed; the original error is the one to report.
    }
    // A UserError says all there is to say; a stack trace is for the others.
    if (!(e instanceof CancelledError) && !(e instanceof UserError) && e instanceof Error && e.stack) ctx.emit({ type: 'log', level: 'error', message: e.stack });
    throw e;
  }
}
