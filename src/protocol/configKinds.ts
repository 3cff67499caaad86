// One validator per job kind, each the kind's schema (runConfigSchema.ts, table.ts, grid.ts) with
// its defaults filled: dispatch validates every start command with it, whoever sent it, and the
// CLI and the host validate with the same function first, to name the file or flag at fault.
import type { EvaluateJobConfig, RunConfig, SaliencyJobConfig } from './config';
import { isGenerationConfigFile, parseGenerationConfig } from './generationConfig';
import { gridConfigProblems, withGridDefaults, type GridConfig } from './grid';
import type { JobCommand, JobKind } from './jobMessages';
import { ConfigError, parseEvaluateJobConfig, parseRunConfig, parseSaliencyJobConfig, withoutRunRecord } from './runConfigSchema';
import { tableConfigProblems, withTableDefaults, type TableConfig } from './table';

type StartCommand = Extract<JobCommand, { type: 'start' }>;

/** The config a job kind takes. */
export type ConfigOf<K extends JobKind> = Extract<StartCommand, { kind: K }>['config'];

export function parseTableConfig(value: unknown, source = 'the table config'): TableConfig {
  const problems = tableConfigProblems(value);
  if (problems.length) throw new ConfigError(problems, source);
  return withTableDefaults(value) as TableConfig;
}

export function parseGridConfig(value: unknown, source = 'the grid config'): GridConfig {
  const problems = gridConfigProblems(value);
  if (problems.length) throw new ConfigError(problems, source);
  return withGridDefaults(value) as GridConfig;
}

/** Each kind's parser: fills the defaults, validates, throws ConfigError listing every problem. */
export const CONFIG_PARSERS: { readonly [K in JobKind]: (value: unknown, source?: string) => ConfigOf<K> } = {
  run: (v, source): RunConfig => parseRunConfig(v, source),
  saliency: (v, source): SaliencyJobConfig => parseSaliencyJobConfig(v, source),
  evaluate: (v, source): EvaluateJobConfig => parseEvaluateJobConfig(v, source),
  table: parseTableConfig,
  grid: parseGridConfig,
  generation: parseGenerationConfig,
};

/** A start command whose config has been through its kind's parser (defaults filled, validated). */
export function parsedStartCommand(command: StartCommand, source?: string): StartCommand {
  // Each branch keeps the kind and its config type together; a generic spread would lose that pairing.
  switch (command.kind) {
    case 'run':
      return { ...command, config: CONFIG_PARSERS.run(command.config, source) };
    case 'saliency':
      return { ...command, config: CONFIG_PARSERS.saliency(command.config, source) };
    case 'evaluate':
      return { ...command, config: CONFIG_PARSERS.evaluate(command.config, source) };
    case 'table':
      return { ...command, config: CONFIG_PARSERS.table(command.config, source) };
    case 'grid':
      return { ...command, config: CONFIG_PARSERS.grid(command.config, source) };
    case 'generation':
      return { ...command, config: CONFIG_PARSERS.generation(command.config, source) };
  }
}

/**
 * A config file's start command (Run This Config; `salun run <file>` picks the kind the same way):
 * a generation job's when it says "task": "generation", else a run's, each through its kind's
 * parser; a run folder's config.json loses what the run recorded about itself first.
 */
export function configFileStart(value: unknown, source: string, workspaceDir: string): Extract<StartCommand, { kind: 'run' | 'generation' }> {
  const config = withoutRunRecord(value);
  return isGenerationConfigFile(config)
    ? { type: 'start', kind: 'generation', config: CONFIG_PARSERS.generation(config, source), workspaceDir }
    : { type: 'start', kind: 'run', config: CONFIG_PARSERS.run(config, source), workspaceDir };
}
