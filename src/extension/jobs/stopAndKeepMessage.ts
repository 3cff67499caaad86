// What Stop and Keep tells the user will happen, read from the job's events so far: it says what
// comes next, not when the request was made. No `vscode` import, so it is unit-tested.
import type { JobEvent, JobKind } from '../../protocol/jobMessages';

/** The epoch of unlearning running now (1-based), or undefined before unlearning began. */
export function unlearningEpoch(events: readonly JobEvent[]): number | undefined {
  let begun = false;
  let epoch: number | undefined;
  for (const e of events) {
    if ((e.type === 'phase' || e.type === 'progress') && e.phase === 'unlearn') begun = true;
    if (e.type === 'progress' && e.phase === 'unlearn' && e.epoch !== undefined) epoch = e.epoch;
  }
  return begun ? (epoch ?? 1) : undefined;
}

const TABLE_STOPS =
  "SalUn: stopping the comparison table after the model it is working on; table.md will hold the rows done so far, marked partial with what is missing. (The first seed's Original and Retrain always complete.)";

function runStops(events: readonly JobEvent[]): string {
  const epoch = unlearningEpoch(events);
  if (epoch === undefined) {
    return 'SalUn: Original, Retrain and the saliency map finish first; then unlearning runs one epoch and stops. That model is evaluated and kept in the run folder.';
  }
  return `SalUn: stopping at the end of unlearning epoch ${epoch}, the one running now. That model is evaluated and kept in the run folder.`;
}

/** What Stop and Keep will do, for each kind whose row says it applies (JOB_KIND_FACTS' stopAndKeep; a unit test holds the two together). */
export const STOP_AND_KEEP_MESSAGES: Partial<Record<JobKind, (events: readonly JobEvent[]) => string>> = {
  run: runStops,
  table: () => TABLE_STOPS,
};

/** The toast after Stop and Keep was accepted for a job of `kind` (undefined for a kind it does not apply to). */
export function stopAndKeepMessage(kind: JobKind, events: readonly JobEvent[]): string | undefined {
  return STOP_AND_KEEP_MESSAGES[kind]?.(events);
}
