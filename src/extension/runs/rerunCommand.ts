// Re-run from a run folder: its config.json is the job's config plus what the run recorded about
// itself; the recorded `kind` says which job to start. Pure, so the rules are unit-tested.
import type { StartCommand } from '../../protocol/jobMessages';
import { isOneOf, isRecord } from '../../protocol/guards';
import { RUN_FOLDER_KINDS, startCommandOf } from '../../protocol/configKinds';
import { withoutRunRecord } from '../../protocol/runConfigSchema';

/** The start command that re-runs a run folder; throws ConfigError or Error naming `source`. */
export function rerunCommand(record: unknown, source: string, workspaceDir: string): StartCommand {
  if (!isRecord(record)) throw new Error(`${source} is not a JSON object; a run folder's config.json holds the run's config.`);
  if (!isOneOf(record.kind, RUN_FOLDER_KINDS))
    throw new Error(
      `${source} has kind ${JSON.stringify(record.kind)}; only the jobs that write a run folder (${RUN_FOLDER_KINDS.map((k) => JSON.stringify(k)).join(', ')}) can be re-run.`,
    );
  return startCommandOf(record.kind, withoutRunRecord(record), source, workspaceDir);
}
