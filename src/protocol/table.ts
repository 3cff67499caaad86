// The comparison table (`salun table`): its configuration and what it produces. The paper's
// layout: Retrain first, Original for reference, then each method; every metric as mean ± std over
// seeds, gaps against the mean of the Retrain seeds, and the Retrain-vs-Retrain noise floor.
import type { ArchitectureName, BackendChoice, DataKind, DataSpec, MethodName, OptimizerRecipe, SaliencyConfig } from './config';
import { BACKEND_CHOICES, isBackendChoice } from './backends';
import { ARCHITECTURE_NAMES, DATA_KINDS, isArchitectureName, MAX_WORKERS, METHOD_NAMES } from './config';
import { DEFAULT_RATIO, DEFAULT_TRAIN } from './defaults';
import { isRecord } from './guards';
import { forbiddenKeyPaths } from './schema';
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

/** Every problem with a TableConfig, each naming the field; empty when valid. */
export function tableConfigProblems(c: unknown): string[] {
  if (!isRecord(c)) return ['the table config must be an object'];
  const p: string[] = [];
  p.push(...forbiddenKeyPaths(c, 'table config').map((k) => `${k} is not a known setting`));
  const s = c.scenario;
  if (!isRecord(s) || (s.kind !== 'random' && s.kind !== 'class')) p.push('scenario.kind must be "random" or "class"');
  else if (s.kind === 'random' && !(typeof s.fraction === 'number' && s.fraction > 0 && s.fraction < 1)) p.push(`scenario.fraction must be strictly between 0 and 1 (got ${JSON.stringify(s.fraction)})`);
  else if (s.kind === 'class' && !(Number.isInteger(s.classIndex) && (s.classIndex as number) >= 0)) p.push(`scenario.classIndex must be a non-negative integer (got ${JSON.stringify(s.classIndex)})`);
  const seeds = c.seeds;
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((x) => Number.isInteger(x) && x >= 0)) p.push('seeds must be a non-empty list of non-negative integers');
  else if (new Set(seeds).size !== seeds.length) p.push('seeds must be distinct');
  const methods = c.methods;
  if (!Array.isArray(methods) || !methods.every((m) => (METHOD_NAMES as readonly unknown[]).includes(m))) p.push(`methods must be a list of ${METHOD_NAMES.join(', ')}`);
  if (c.trainSubset !== undefined && !(Number.isInteger(c.trainSubset) && (c.trainSubset as number) > 0)) p.push(`trainSubset must be a positive integer (got ${JSON.stringify(c.trainSubset)})`);
  const m = c.model;
  if (!isRecord(m) || m.kind !== 'builtin' || !isArchitectureName(m.architecture)) p.push(`model must be a built-in architecture, one of ${ARCHITECTURE_NAMES.join(', ')} (θo is trained per seed)`);
  const d = c.data;
  if (!isRecord(d) || (d.kind !== 'default' && !(DATA_KINDS.includes(d.kind as DataKind) && typeof d.dir === 'string' && d.dir.length > 0))) {
    p.push('data must be {"kind":"default"}, or {"kind":"idx"|"cifar10"|"imagefolder","dir":…}');
  }
  if (!isBackendChoice(c.backend)) p.push(`backend must be ${BACKEND_CHOICES.join(', ')} (got ${JSON.stringify(c.backend)})`);
  if (c.workers !== undefined && !(Number.isInteger(c.workers) && (c.workers as number) >= 1 && (c.workers as number) <= MAX_WORKERS)) p.push(`workers must be an integer from 1 to ${MAX_WORKERS} (got ${JSON.stringify(c.workers)})`);
  return p;
}

/** A mean over seeds with its sample standard deviation (n − 1; absent for a single seed). */
export interface SeedStat {
  mean: number;
  std?: number;
  n: number;
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
