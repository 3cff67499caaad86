// Messages between the extension host (or CLI) and a job process. The job emits JobEvents; the
// supervisor sends JobCommands. The same JobEvent stream is what the webview replays.
import type { EvaluateJobConfig, RunConfig, SaliencyJobConfig } from './config';
import type { GridConfig } from './grid';
import type { AuditConfig } from './audit';
import type { TableConfig } from './table';
import type { GenerationConfig } from './generationConfig';
import type { GenerationTableConfig } from './genTable';
import type { GenerationGridConfig } from './genGrid';
import type { BackendInfo, EvaluatedModel, GenerationMetricsRow, Metrics, ModelRole, RunResult, SaliencySummary } from './results';
import { isFiniteNumber, isOneOf, isRecord, isString } from './guards';

/**
 * Each kind of job and the config it takes: the one place a kind is declared. The compiler then
 * asks for the rest of its row wherever a table is keyed by kind — its facts here (JOB_KIND_FACTS), its parser and
 * progress plan (configKinds.ts), its runner (engine/pipeline/jobRunners.ts).
 */
export interface JobConfigs {
  /** An unlearning run: θo, Retrain, the saliency map, one method; writes a run folder. */
  run: RunConfig;
  saliency: SaliencyJobConfig;
  /** Evaluates a model (usually a model.json) on the data and forget set; writes a run folder. */
  evaluate: EvaluateJobConfig;
  /** The comparison table; written to `outDir`, by default <workspace>/.salun/tables/<stamp>-…/. */
  table: TableConfig;
  /** One method's grid search; written to `outDir`, by default <workspace>/.salun/grids/<stamp>-…/. */
  grid: GridConfig;
  /** Unlearns a class from a class-conditional diffusion model; writes a run folder with sample grids. */
  generation: GenerationConfig;
  /** A generation config run once per seed, then each model as mean ± std; written to `outDir`, by default <workspace>/.salun/tables/<stamp>-…/. */
  'gen-table': GenerationTableConfig;
  /** One generation method at every point of a grid of its recipe; written to `outDir`, by default <workspace>/.salun/grids/<stamp>-…/. */
  'gen-grid': GenerationGridConfig;
  /** N Retrain models and N runs of each method, the evidence of forgetting; written to `outDir`, by default <workspace>/.salun/audits/<config>/ (the same folder again resumes). */
  audit: AuditConfig;
}

export type JobKind = keyof JobConfigs;

/** What a start command carries beyond its kind and config: the kinds that write elsewhere than a run folder take `outDir`. */
interface StartExtras {
  table: { outDir?: string };
  grid: { outDir?: string };
  'gen-table': { outDir?: string };
  'gen-grid': { outDir?: string };
  audit: { outDir?: string };
}

/** The start command of one kind. */
export type StartOf<K extends JobKind> = { type: 'start'; kind: K; config: JobConfigs[K]; workspaceDir: string } & (K extends keyof StartExtras
  ? StartExtras[K]
  : Record<never, never>);

export type StartCommand = { [K in JobKind]: StartOf<K> }[JobKind];

/** What the listings, the model export and the panel know of a kind from its name alone. */
export interface JobKindFacts {
  /** How the kind is named to the user. */
  label: string;
  /** Its job draws sample grids: the panel shows them from its start, the CLI prints their table, a report export keeps their links. */
  drawsSamples?: true;
  /** Stop and Keep applies: the job has steps to stop between, and its work so far is worth keeping. */
  stopAndKeep?: true;
  /** Why a run of this kind has no unlearned classifier to export (after "run <id> "), and what to do instead. */
  noModel?: { why: string; hint: string };
  /**
   * What a run folder's exported report says of the kind's config: its title (else the method's
   * name), and which recipe rows apply. A folder of no known kind gets REPORT_OF_UNKNOWN_KIND.
   */
  report?: { title?: string; unlearning?: true; saliencyMask?: true; retrain?: true };
  /** The Runs view opens the run's folder rather than its report (the result is a file of its own, such as a map). */
  opensFolder?: true;
}

/** The report rows of a run folder whose kind is missing or not a kind (older or hand-made folders). */
export const REPORT_OF_UNKNOWN_KIND: NonNullable<JobKindFacts['report']> = { saliencyMask: true, retrain: true };

/** The kind-wide half of each kind's row (the parser and plan are in configKinds.ts, the runner in the engine). */
export const JOB_KIND_FACTS: { readonly [K in JobKind]: JobKindFacts } = {
  run: { label: 'unlearning run', stopAndKeep: true, report: { unlearning: true, saliencyMask: true, retrain: true } },
  saliency: {
    label: 'saliency job',
    noModel: { why: 'is a saliency map: it changes no model, so it has none to export', hint: 'Export the model of an unlearning run.' },
    report: { title: 'Saliency map', saliencyMask: true },
    opensFolder: true,
  },
  evaluate: {
    label: 'model evaluation',
    noModel: { why: 'is a model evaluation: it changes no model, so it has none to export', hint: 'Export the model of an unlearning run.' },
    report: { title: 'Model evaluation', retrain: true },
  },
  table: { label: 'comparison table', stopAndKeep: true },
  grid: { label: 'grid search' },
  generation: {
    label: 'generation unlearning',
    drawsSamples: true,
    noModel: {
      why: 'is a generation run: it keeps one tfjs model per method under model/<method>/, not an unlearned classifier',
      hint: "Copy the run folder's model/<method> (model.json and weights.bin) to load it with tf.loadLayersModel.",
    },
  },
  'gen-table': { label: 'generation table' },
  'gen-grid': { label: 'generation grid search' },
  audit: { label: 'unlearning audit' },
};

/** How each kind of job is named to the user. */
export const JOB_KIND_LABELS = Object.fromEntries(Object.entries(JOB_KIND_FACTS).map(([k, f]) => [k, f.label])) as Record<JobKind, string>;

/** The facts of a kind read from a run folder, where it may be any string. */
export function jobKindFacts(kind: unknown): JobKindFacts | undefined {
  return typeof kind === 'string' && Object.hasOwn(JOB_KIND_FACTS, kind) ? JOB_KIND_FACTS[kind as JobKind] : undefined;
}

export const JOB_KINDS = Object.keys(JOB_KIND_FACTS) as readonly JobKind[];

export type JobPhase = 'load' | 'train-original' | 'retrain' | 'saliency' | 'unlearn' | 'sample' | 'evaluate' | 'write';

export const JOB_PHASES: readonly JobPhase[] = ['load', 'train-original', 'retrain', 'saliency', 'unlearn', 'sample', 'evaluate', 'write'];

/** How each phase is named to the user (notification, panel, terminal). */
export const PHASE_LABELS: Record<JobPhase, string> = {
  load: 'Loading data',
  'train-original': 'Training the original model',
  retrain: 'Retraining on the remaining data',
  saliency: 'Computing the saliency map',
  unlearn: 'Unlearning',
  sample: 'Generating sample grids',
  evaluate: 'Evaluating',
  write: 'Writing the run folder',
};

export type JobCommand =
  | StartCommand
  /** Finish the current batch, then end without writing a result. */
  | { type: 'cancel' }
  /**
   * Stop and keep: an unlearning run finishes its current epoch, evaluates the model so far and
   * writes the run folder marked 'stopped'; a comparison table finishes its current model and writes
   * the rows done so far, marked partial. Other jobs have nothing partial to keep and ignore it.
   */
  | { type: 'stop' };

export interface JobError {
  message: string;
  /** What the user can do about it. */
  hint?: string;
  /** The input at fault, when one is. */
  file?: string;
}

/**
 * The whole job's progress (protocol/jobProgress.ts), computed once by the job and shown as it is
 * by the status bar, the SalUn view and the panel. Absent in logs recorded before it existed.
 */
export interface OverallProgress {
  /** 0..1 over the whole job; never goes back. */
  fraction: number;
  /** Seconds the rest of the job should take: elapsed × (1 − fraction) / fraction; absent at the very start. */
  etaSeconds?: number;
}

export type JobEvent =
  | { type: 'started'; kind: JobKind; runId: string; runDir: string; backend: BackendInfo }
  | { type: 'phase'; phase: JobPhase; label: string; overall?: OverallProgress }
  /** The phase's own detail (`done` of `total`, its own ETA, the epoch), and the whole job's progress. */
  | { type: 'progress'; phase: JobPhase; done: number; total: number; etaSeconds?: number; epoch?: number; overall?: OverallProgress }
  | { type: 'saliency'; summary: SaliencySummary }
  | { type: 'metrics'; role: ModelRole; method: string; epoch: number; metrics: Metrics }
  | { type: 'evaluated'; row: EvaluatedModel }
  /**
   * A sample grid written by a generation job: rows are `classes` (the `forgetClass` row marked),
   * `columns` seeds each. `stage` is 'original', 'unlearned', 'retrain' or a method name (the grid
   * of that method's model); `iteration` is set for a grid taken part-way through unlearning.
   * `file` is the PNG's absolute path in the run folder; a later event for the same stage replaces it.
   */
  | { type: 'samples'; stage: string; label: string; file: string; classes: string[]; forgetClass: number; columns: number; iteration?: number }
  /** One model's generation metrics (UA, retained accuracy, FID-classifier), as the table shows them. */
  | { type: 'generationMetrics'; row: GenerationMetricsRow }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'finished'; result: RunResult }
  | { type: 'failed'; error: JobError }
  | { type: 'cancelled' };

const EVENT_TYPES = [
  'started',
  'phase',
  'progress',
  'saliency',
  'metrics',
  'evaluated',
  'samples',
  'generationMetrics',
  'log',
  'finished',
  'failed',
  'cancelled',
] as const;

/** A sample grid as its 'samples' event and samples/<name>.json describe it; `file` is the PNG's path. */
export type SampleGridDescription = Omit<Extract<JobEvent, { type: 'samples' }>, 'type'>;

export function isSampleGridDescription(x: unknown): x is SampleGridDescription {
  return (
    isRecord(x) &&
    isString(x.stage) &&
    isString(x.label) &&
    isString(x.file) &&
    Array.isArray(x.classes) &&
    x.classes.every(isString) &&
    isFiniteNumber(x.forgetClass) &&
    isFiniteNumber(x.columns) &&
    (x.iteration === undefined || isFiniteNumber(x.iteration))
  );
}

export function isGenerationMetricsRow(x: unknown): x is GenerationMetricsRow {
  return (
    isRecord(x) &&
    isString(x.label) &&
    isString(x.method) &&
    isFiniteNumber(x.ua) &&
    isFiniteNumber(x.retainedAccuracy) &&
    isRecord(x.fidClassifier) &&
    Object.values(x.fidClassifier).every((v) => v === undefined || isFiniteNumber(v)) &&
    (x.seconds === undefined || isFiniteNumber(x.seconds))
  );
}

function isOverall(x: unknown): boolean {
  return x === undefined || (isRecord(x) && isFiniteNumber(x.fraction) && (x.etaSeconds === undefined || isFiniteNumber(x.etaSeconds)));
}

/** Checks the discriminant and the fields a receiver reads before trusting the rest. */
export function isJobEvent(x: unknown): x is JobEvent {
  if (!isRecord(x) || !isOneOf(x.type, EVENT_TYPES)) return false;
  switch (x.type) {
    case 'started':
      return isString(x.runId) && isString(x.runDir) && isRecord(x.backend);
    case 'phase':
      return isOneOf(x.phase, JOB_PHASES) && isString(x.label) && isOverall(x.overall);
    case 'progress':
      return isOneOf(x.phase, JOB_PHASES) && isFiniteNumber(x.done) && isFiniteNumber(x.total) && isOverall(x.overall);
    case 'saliency':
      return isRecord(x.summary) && Array.isArray(x.summary.layers);
    case 'metrics':
      return isString(x.role) && isFiniteNumber(x.epoch) && isRecord(x.metrics);
    case 'evaluated':
      return isRecord(x.row) && isRecord(x.row.metrics);
    case 'samples':
      return isSampleGridDescription(x);
    case 'generationMetrics':
      return isGenerationMetricsRow(x.row);
    case 'log':
      return isOneOf(x.level, ['info', 'warn', 'error'] as const) && isString(x.message);
    case 'finished':
      return isRecord(x.result);
    case 'failed':
      return isRecord(x.error) && isString(x.error.message);
    case 'cancelled':
      return true;
  }
}

export function isJobCommand(x: unknown): x is JobCommand {
  if (!isRecord(x)) return false;
  if (x.type === 'cancel' || x.type === 'stop') return true;
  return x.type === 'start' && isOneOf(x.kind, JOB_KINDS) && isRecord(x.config) && isString(x.workspaceDir) && (x.outDir === undefined || isString(x.outDir));
}
