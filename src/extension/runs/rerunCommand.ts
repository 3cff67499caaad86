// Re-run from a run folder: its config.json is the job's config plus what the run recorded about
// itself; the recorded `kind` says which job to start. Pure, so the rules are unit-tested.
import type { JobCommand } from '../../protocol/jobMessages';
import { isRecord } from '../../protocol/guards';
import { parseEvaluateJobConfig, parseRunConfig, parseSaliencyJobConfig, withoutRunRecord } from '../../protocol/runConfigSchema';
import { parseGenerationConfig } from '../../protocol/generationConfig';

type StartCommand = Extract<JobCommand, { type: 'start' }>;

/** The start command that re-runs a run folder; throws ConfigError or Error naming `source`. */
export function rerunCommand(record: unknown, source: string, workspaceDir: string): StartCommand {
  if (!isRecord(record)) throw new Error(`${source} is not a JSON object; a run folder's config.json holds the run's config.`);
  const config = withoutRunRecord(record);
  switch (record.kind) {
    case 'run':
      return { type: 'start', kind: 'run', config: parseRunConfig(config, source), workspaceDir };
    case 'saliency':
      return { type: 'start', kind: 'saliency', config: parseSaliencyJobConfig(config, source), workspaceDir };
    case 'evaluate':
      return { type: 'start', kind: 'evaluate', config: parseEvaluateJobConfig(config, source), workspaceDir };
    case 'generation':
      return { type: 'start', kind: 'generation', config: parseGenerationConfig(config, source), workspaceDir };
    default:
      throw new Error(
        `${source} has kind ${JSON.stringify(record.kind)}; only runs, saliency jobs, evaluations and generation runs ("run", "saliency", "evaluate", "generation") can be re-run.`,
      );
  }
}
