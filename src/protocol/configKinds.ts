// One row per job kind: how its config is validated (the kind's schema — runConfigSchema.ts,
// table.ts, grid.ts, generationConfig.ts — with its defaults filled), the plan of stages its
// progress is measured against (jobProgress.ts), and what the run listings and config files need
// to know of it. Dispatch validates every start command with its row, whoever sent it; the CLI and
// the host validate with the same function first, to name the file or flag at fault. The engine's
// runners are the other half of a row (engine/pipeline/jobRunners.ts), keyed by the same kinds.
import { isGenerationConfigFile, parseGenerationConfig } from './generationConfig';
import { gridConfigProblems, withGridDefaults, type GridConfig } from './grid';
import type { JobConfigs, JobKind, StartCommand } from './jobMessages';
import { parseGenerationTableConfig } from './genTable';
import { parseGenerationGridConfig } from './genGrid';
import {
  auditPlan,
  evaluatePlan,
  generationGridPlan,
  generationPlan,
  generationTablePlan,
  gridPlan,
  runPlan,
  saliencyPlan,
  tablePlan,
  type JobStage,
} from './jobProgress';
import { ConfigError, parseEvaluateJobConfig, parseRunConfig, parseSaliencyJobConfig, withoutRunRecord } from './runConfigSchema';
import { tableConfigProblems, withTableDefaults, type TableConfig } from './table';
import { auditConfigProblems, withAuditDefaults, type AuditConfig } from './audit';

/** The config a job kind takes. */
export type ConfigOf<K extends JobKind> = JobConfigs[K];

export interface JobKindRow<K extends JobKind> {
  /** Fills the defaults, validates, throws ConfigError listing every problem. */
  parse: (value: unknown, source?: string) => JobConfigs[K];
  /** The stages of the job in the engine's order, from its parsed config. */
  plan: (config: JobConfigs[K]) => JobStage[];
  /** It writes a run folder (.salun/runs/<id>) that the Runs view lists and Re-run starts again. */
  runFolder: boolean;
  /** A config file that is this kind's says so itself (Run This Config, `salun run <file>`); files that say nothing are runs. */
  isConfigFile?: (value: unknown) => boolean;
}

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

export function parseAuditConfig(value: unknown, source = 'the audit config'): AuditConfig {
  const problems = auditConfigProblems(value);
  if (problems.length) throw new ConfigError(problems, source);
  return withAuditDefaults(value) as AuditConfig;
}

export const JOB_KIND_ROWS: { readonly [K in JobKind]: JobKindRow<K> } = {
  run: { parse: parseRunConfig, plan: runPlan, runFolder: true },
  saliency: { parse: parseSaliencyJobConfig, plan: saliencyPlan, runFolder: true },
  evaluate: { parse: parseEvaluateJobConfig, plan: evaluatePlan, runFolder: true },
  table: { parse: parseTableConfig, plan: tablePlan, runFolder: false },
  grid: { parse: parseGridConfig, plan: gridPlan, runFolder: false },
  generation: { parse: parseGenerationConfig, plan: generationPlan, runFolder: true, isConfigFile: isGenerationConfigFile },
  'gen-table': { parse: parseGenerationTableConfig, plan: generationTablePlan, runFolder: false },
  'gen-grid': { parse: parseGenerationGridConfig, plan: generationGridPlan, runFolder: false },
  audit: { parse: parseAuditConfig, plan: auditPlan, runFolder: false },
};

/** The row of `kind`, typed by it. */
export function jobKindRow<K extends JobKind>(kind: K): JobKindRow<K> {
  return JOB_KIND_ROWS[kind];
}

const KINDS = Object.keys(JOB_KIND_ROWS) as JobKind[];

/** Each kind's parser (its row's). */
export const CONFIG_PARSERS = Object.fromEntries(KINDS.map((k) => [k, JOB_KIND_ROWS[k].parse])) as {
  readonly [K in JobKind]: (value: unknown, source?: string) => ConfigOf<K>;
};

/** The kinds whose jobs write a run folder, in the table's order. */
export const RUN_FOLDER_KINDS: readonly JobKind[] = KINDS.filter((k) => JOB_KIND_ROWS[k].runFolder);

/** A start command whose config has been through its kind's parser (defaults filled, validated). */
export function parsedStartCommand<C extends StartCommand>(command: C, source?: string): C {
  return { ...command, config: jobKindRow(command.kind).parse(command.config, source) };
}

/** The stages of a job in the engine's order, from its parsed start command. */
export function jobPlan(command: StartCommand): JobStage[] {
  return jobKindRow(command.kind).plan(command.config);
}

/** The start command of `kind` with `config` (validated by its row). */
export function startCommandOf(kind: JobKind, config: unknown, source: string, workspaceDir: string): StartCommand {
  return { type: 'start', kind, config: jobKindRow(kind).parse(config, source), workspaceDir } as StartCommand;
}

/**
 * A config file's start command (Run This Config; `salun run <file>` picks the kind the same way):
 * the kind whose row recognises the file ("task": "generation"), else a run's, through that kind's
 * parser; a run folder's config.json loses what the run recorded about itself first.
 */
export function configFileStart(value: unknown, source: string, workspaceDir: string): StartCommand {
  const config = withoutRunRecord(value);
  return startCommandOf(configFileKind(config), config, source, workspaceDir);
}

/** The kind a config file's contents are (the row that recognises it, else a run). */
export function configFileKind(config: unknown): JobKind {
  return KINDS.find((k) => JOB_KIND_ROWS[k].isConfigFile?.(config)) ?? 'run';
}
