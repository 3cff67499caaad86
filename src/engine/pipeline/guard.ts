// Runs a job body against its run folder: status.json says running / finished / failed / cancelled,
// and whatever was written before a failure stays for inspection.
import type { JobError } from '../../protocol/jobMessages';
import { CancelledError, UserError } from '../errors';
import type { RunFolder } from '../runs/runFolder';
import type { JobContext } from './prepare';

export function toJobError(e: unknown): JobError {
  if (e instanceof UserError) return { message: e.message, hint: e.hint, file: e.file };
  const err = e instanceof Error ? e : new Error(String(e));
  if (/out of memory|Cannot allocate|RangeError: Array buffer allocation/i.test(err.message)) {
    return { message: err.message, hint: 'The job ran out of memory: lower the batch size, or use a smaller model or data set.' };
  }
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
    if (!(e instanceof CancelledError) && e instanceof Error && e.stack) ctx.emit({ type: 'log', level: 'error', message: e.stack });
    throw e;
  }
}
