// Runs a job body against its run folder: status.json says running / finished / failed / cancelled,
// and whatever was written before a failure stays for inspection.
import { toJobError } from '../../../protocol/jobError';
import { CancelledError, UserError } from '../../../store/errors';
import type { RunFolder } from '../../../store/runs/runFolder';
import type { JobContext } from './jobContext';

/** `endState` names how a body that returned ended: 'finished' unless it stopped early on request. */
export async function runGuarded<T>(
  folder: RunFolder,
  ctx: JobContext,
  body: () => Promise<T>,
  endState: (out: T) => 'finished' | 'stopped' = () => 'finished',
): Promise<T> {
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
    if (!(e instanceof CancelledError) && !(e instanceof UserError) && e instanceof Error && e.stack)
      ctx.emit({ type: 'log', level: 'error', message: e.stack });
    throw e;
  }
}
