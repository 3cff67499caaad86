// The comparison table (`salun table`): its configuration and what it produces. The paper's
// layout: Retrain first, Original for reference, then each method; every metric as mean ± std over
// seeds, gaps against the mean of the Retrain seeds, and the Retrain-vs-Retrain noise floor.
import type { ArchitectureName, BackendChoice, DataSpec, MethodName, OptimizerRecipe, SaliencyConfig } from './config';
import { ARCHITECTURE_NAMES, isArchitectureName, METHOD_NAMES } from './config';
import { DEFAULT_RATIO, DEFAULT_TRAIN, defaultTrainRecipe } from './defaults';
import { isRecord } from './guards';
import { mergeDefaults, recipe, shared } from './runConfigSchema';
import { validate, type Schema } from './schema';
import type { BackendInfo, EvaluatedModel, Metrics, ModelRole } from './results';

export type TableScenario =
  /** A seeded random fraction of the training set; seed s draws the forget set of seed s. */
  | { kind: 'random'; fraction: number }
  /** Every training sample of one class (also removed from the test set for TA). */
  | { kind: 'class'; classIndex: number };

/** The methods' order in the table when none is given: the method table's (methods.ts). */
import { TABLE_METHOD_ORDER } from './methods';
export { TABLE_METHOD_ORDER };

export interface TableConfig {
  scenario: TableScenario;
  /** One run per seed: θo, the forget set, Retrain and every method use it. */
  seeds: number[];
  /** The unlearning methods, in table order; each uses defaultUnlearnRecipe(method). */
  methods: MethodName[];
  data: DataSpec;
  /** Use only the class-balanced first k training samples (memorisation stays affordable). */
  trainSubset?: number;
  model: { kind: 'builtin'; architecture: ArchitectureName };
  /** Recipe of θo and of Retrain (the same, as the paper compares). */
  train: OptimizerRecipe;
  /** SalUn's mask. */
  saliency: SaliencyConfig;
  backend: BackendChoice;
  /** Data-parallel training threads (RunConfig.workers); default 1. */
  workers?: number;
}

export function defaultTableConfig(): TableConfig {
  return {
    scenario: { kind: 'random', fraction: 0.1 },
    seeds: [1, 2, 3],
    methods: [...TABLE_METHOD_ORDER],
    data: { kind: 'default' },
    model: { kind: 'builtin', architecture: 'cnn' },
    train: { ...DEFAULT_TRAIN },
    saliency: { ratio: DEFAULT_RATIO },
    backend: 'auto',
  };
}

/** A table's (and a grid's) scenario: what is forgotten for each seed. */
export const SCENARIO_SCHEMA: Schema = {
  description: 'What is forgotten for each seed',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'fraction'],
      properties: {
        kind: { type: 'string', const: 'random', description: 'A seeded random share of the training set' },
        fraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'Share of the training set to forget' },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'classIndex'],
      properties: {
        kind: { type: 'string', const: 'class', description: 'Every training sample of one class (also left out of TA)' },
        classIndex: { type: 'integer', minimum: 0 },
      },
    },
  ],
};

/** θo is trained per seed, so a table (and a grid) takes a built-in architecture only. */
export const BUILTIN_MODEL_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'architecture'],
  description: 'The built-in architecture trained as θo for each seed',
  properties: { kind: { type: 'string', const: 'builtin' }, architecture: { type: 'string', enum: [...ARCHITECTURE_NAMES] } },
};

/** The parts of a TableConfig a grid shares (GridConfig has the same fields). */
export const STUDY_SCHEMA_PARTS: Record<string, Schema> = {
  scenario: SCENARIO_SCHEMA,
  data: shared.data,
  trainSubset: { type: 'integer', minimum: 1, description: 'Use only the class-balanced first k training samples' },
  model: BUILTIN_MODEL_SCHEMA,
  train: recipe('Recipe of θo and Retrain'),
  backend: shared.backend,
  workers: shared.workers,
};

export const TABLE_CONFIG_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['scenario', 'seeds', 'methods', 'data', 'model', 'train', 'saliency', 'backend'],
  properties: {
    ...STUDY_SCHEMA_PARTS,
    seeds: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'integer', minimum: 0 },
      description: 'One run per seed: θo, the forget set, Retrain and every method use it',
    },
    methods: { type: 'array', items: { type: 'string', enum: METHOD_NAMES }, description: 'The unlearning methods, in table order' },
    saliency: shared.saliency,
  },
};

/** The defaults a table and a grid share; a built-in model's training recipe is that architecture's, as for a run. */
export function studyDefaults(c: Record<string, unknown>): Pick<TableConfig, 'scenario' | 'data' | 'model' | 'train' | 'backend'> {
  const { scenario, data, model, train, backend } = defaultTableConfig();
  const m = c.model;
  return { scenario, data, model, train: isRecord(m) && isArchitectureName(m.architecture) ? defaultTrainRecipe(m.architecture) : train, backend };
}

/** A table config with what it leaves out filled from the defaults; not an object: unchanged, for the validator to name. */
export function withTableDefaults(c: unknown): unknown {
  return isRecord(c) ? mergeDefaults({ ...defaultTableConfig(), ...studyDefaults(c) }, c) : c;
}

/** Every problem with a TableConfig (its defaults filled), each naming the field; empty when valid. */
export function tableConfigProblems(c: unknown): string[] {
  return validate(withTableDefaults(c), TABLE_CONFIG_SCHEMA, 'table config');
}

/** A mean over seeds with its sample standard deviation (n − 1; absent for a single seed). */
export interface SeedStat {
  mean: number;
  std?: number;
  n: number;
}

/** Mean and sample standard deviation (n − 1; undefined for one value). */
export function meanStd(values: readonly number[]): SeedStat {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, n };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(variance), n };
}

/** "1.23 ± 0.50", or the mean alone for one seed; '—' for none. */
export function formatStat(s: SeedStat, digits = 2): string {
  if (!Number.isFinite(s.mean)) return '—';
  return s.std === undefined ? s.mean.toFixed(digits) : `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}`;
}

export interface TableRow {
  /** As shown: Retrain, Original, FT, …, SalUn, SalUn-soft. */
  label: string;
  role: ModelRole;
  method: string;
  UA: SeedStat;
  RA: SeedStat;
  TA: SeedStat;
  MIA: SeedStat;
  /** Per seed: mean |metric − mean Retrain| over UA, RA, TA, MIA; then mean ± std over the seeds. */
  avgGap: SeedStat;
  /** RTE: training time (Original, Retrain) or saliency + unlearning time (methods), seconds. */
  seconds: SeedStat;
  /**
   * Methods only, and only with a noise floor: methods whose mean Avg. Gap is within the noise floor
   * of their group's best share that rank (they are not distinguishable); 1 = closest to Retrain.
   */
  rank?: number;
}

export interface NoiseFloor {
  /** Mean over seed pairs of the Avg. Gap between two Retrain runs; absent with one seed. */
  value?: number;
  pairs: { seeds: [number, number]; gap: number }[];
}

export interface TableSeedRun {
  seed: number;
  forgetSize: number;
  retainSize: number;
  testSize: number;
  /** Where θo and Retrain came from: trained now, or the model cache (their seconds are then the cached training time). */
  originalFrom: 'trained' | 'cache' | 'file';
  retrainFrom: 'trained' | 'cache';
  /** Retrain, Original, then the methods; avgGap against the mean of the Retrain seeds. */
  rows: EvaluatedModel[];
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  platform: string;
  node: string;
  tfjs: string;
  salunLab: string;
}

/** What a table ended by Stop and Keep lacks, per seed, by row label (Retrain, Original, FT, …). */
export interface TableMissing {
  seed: number;
  models: string[];
}

export interface TableResult {
  config: TableConfig;
  /**
   * Present when Stop and Keep ended the table early: it holds the models done so far, and every
   * mean, std and rank is over the seeds a row has. `modelsDone` of `modelsPlanned` evaluated rows.
   */
  stopped?: { modelsDone: number; modelsPlanned: number; missing: TableMissing[] };
  /** Retrain, Original, then the methods in config order. */
  rows: TableRow[];
  retrainMean: Metrics;
  noiseFloor: NoiseFloor;
  seeds: TableSeedRun[];
  backend: BackendInfo;
  machine: MachineInfo;
  date: string;
  wallSeconds: number;
  outDir: string;
  /** Train / test sizes the table ran on (after the training subset). */
  data: { source: string; train: number; test: number };
}
