// The audit (`salun audit`): evidence a privacy reviewer accepts that a method forgot, beyond the
// Avg. Gap. For one θo and forget set, N Retrain models (seeds s … s+N−1, cached) and N runs of each
// method (unlearning seeds s … s+N−1) give the unlearning challenge's forgetting quality F and final
// score (engine/metrics/forgetQuality.ts), a per-example likelihood-ratio attack with Retrain as the
// "out" distribution (engine/metrics/lira.ts), and a relearning test (engine/metrics/relearn.ts).
// θo itself is audited beside the methods: N copies of one model, the baseline of no unlearning.
import type { BackendChoice, DataSpec, MethodName, MethodOptions, ModelSpec, OptimizerRecipe, SaliencyConfig } from './config';
import { METHOD_NAMES } from './config';
import { AUDIT_DEFAULT_METHODS, defaultUnlearnRecipe } from './methods';
import { DEFAULT_RATIO, DEFAULT_TRAIN } from './defaults';
import { isRecord } from './guards';
import { mergeDefaults, METHOD_OPTIONS_SCHEMA, recipe, shared } from './runConfigSchema';
import { validate, type Schema } from './schema';
import { SCENARIO_SCHEMA, STUDY_SCHEMA_PARTS, studyDefaults, type TableScenario } from './table';
import type { BackendInfo } from './results';
import type { MachineInfo } from './table';

/** The relearning test: fine-tune on a share of Df, count steps until the rest of Df is as accurate as under θo. */
export interface RelearnConfig {
  /** Share of Df the attacker fine-tunes on (the rest measures whether Df came back). */
  share: number;
  lr: number;
  batchSize: number;
  /** Steps tried before the test says "not within". */
  maxSteps: number;
}

/** One model of an audit: 'retrain' or a method, and which of the N (1-based). */
export interface AuditModelRef {
  kind: string;
  index: number;
}

/** A table's scenarios, or the rows a deletion request names (the run config's `forget.file`). */
export type AuditScenario = TableScenario | { kind: 'indices'; file: string };

/** The recipe of the run config an audit was made from (`salun audit <config>`): its method runs it instead of the default. */
export interface AuditRunRecipe {
  method: MethodName;
  unlearn: OptimizerRecipe;
  masked?: boolean;
  methodOptions?: MethodOptions;
}

export interface AuditConfig {
  scenario: AuditScenario;
  /** θo's seed and the forget set's; model k of N uses seed + k. */
  seed: number;
  /** N: Retrain models and runs of each method (the challenge used 512). */
  models: number;
  methods: MethodName[];
  data: DataSpec;
  trainSubset?: number;
  /** θo: a built-in network trained here, or the user's own model (Retrain is its topology, trained on Dr). */
  model: ModelSpec;
  /** Recipe of θo and Retrain. */
  train: OptimizerRecipe;
  saliency: SaliencyConfig;
  relearn: RelearnConfig;
  runRecipe?: AuditRunRecipe;
  /**
   * Compute only these models (and write each to models/), then stop without figures: one task of
   * an audit spread over a cluster (`--ray`); the audit run afterwards reads them all back.
   */
  only?: AuditModelRef[];
  backend: BackendChoice;
  workers?: number;
}

/** A method's recipe in an audit: the run config's for the method it names, else the method's default (engine and progress plan alike). */
export function auditMethodRecipe(c: Pick<AuditConfig, 'runRecipe'>, method: MethodName): Omit<AuditRunRecipe, 'method'> {
  const r = c.runRecipe;
  if (r?.method !== method) return { unlearn: defaultUnlearnRecipe(method) };
  return { unlearn: r.unlearn, ...(r.masked ? { masked: true } : {}), ...(r.methodOptions ? { methodOptions: r.methodOptions } : {}) };
}

/** N = 8 by default: every audit model on the bundled data is a minute or less on two cores. */
export const DEFAULT_AUDIT_MODELS = 8;

export function defaultAuditConfig(): AuditConfig {
  return {
    scenario: { kind: 'random', fraction: 0.1 },
    seed: 1,
    models: DEFAULT_AUDIT_MODELS,
    methods: [...AUDIT_DEFAULT_METHODS],
    data: { kind: 'default' },
    model: { kind: 'builtin', architecture: 'cnn' },
    train: { ...DEFAULT_TRAIN },
    saliency: { ratio: DEFAULT_RATIO },
    relearn: { share: 0.1, lr: 0.01, batchSize: 32, maxSteps: 100 },
    backend: 'auto',
  };
}

const AUDIT_SCENARIO_SCHEMA: Schema = {
  ...SCENARIO_SCHEMA,
  oneOf: [
    ...(SCENARIO_SCHEMA.oneOf ?? []),
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'file'],
      properties: {
        kind: { type: 'string', const: 'indices', description: 'The training rows a deletion request names' },
        file: { type: 'string', minLength: 1, description: 'A JSON array or text file of training-set indices (relative to the workspace, or absolute)' },
      },
    },
  ],
};

const RUN_RECIPE_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['method', 'unlearn'],
  description: "The recipe of the run config the audit was made from: its method runs it instead of the method's default",
  properties: {
    method: { type: 'string', enum: METHOD_NAMES },
    unlearn: recipe('Recipe for the unlearning step'),
    masked: { type: 'boolean' },
    methodOptions: METHOD_OPTIONS_SCHEMA,
  },
};

export const AUDIT_CONFIG_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['scenario', 'seed', 'models', 'methods', 'data', 'model', 'train', 'saliency', 'relearn', 'backend'],
  properties: {
    ...STUDY_SCHEMA_PARTS,
    scenario: AUDIT_SCENARIO_SCHEMA,
    model: shared.model,
    runRecipe: RUN_RECIPE_SCHEMA,
    only: {
      type: 'array',
      minItems: 1,
      description: 'Compute only these models (one cluster task); the audit run afterwards reads them back',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'index'],
        properties: { kind: { type: 'string', minLength: 1 }, index: { type: 'integer', minimum: 1, maximum: 4096 } },
      },
    },
    seed: { type: 'integer', minimum: 0, description: "θo's seed and the forget set's; model k of N uses seed + k" },
    models: { type: 'integer', minimum: 3, maximum: 4096, description: 'N: Retrain models and runs of each method (the challenge used 512)' },
    methods: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: METHOD_NAMES }, description: 'The methods audited' },
    saliency: shared.saliency,
    relearn: {
      type: 'object',
      additionalProperties: false,
      required: ['share', 'lr', 'batchSize', 'maxSteps'],
      description: 'The relearning test',
      properties: {
        share: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'Share of Df fine-tuned on' },
        lr: { type: 'number', exclusiveMinimum: 0, description: 'Rate of the fine-tune (SGD, momentum 0.9)' },
        batchSize: { type: 'integer', minimum: 1, description: 'Rows per step' },
        maxSteps: { type: 'integer', minimum: 1, maximum: 100000, description: 'Steps tried' },
      },
    },
  },
};

export function withAuditDefaults(c: unknown): unknown {
  return isRecord(c) ? mergeDefaults({ ...defaultAuditConfig(), ...studyDefaults(c) }, c) : c;
}

export function auditConfigProblems(c: unknown): string[] {
  return validate(withAuditDefaults(c), AUDIT_CONFIG_SCHEMA, 'audit config');
}

/** The per-example attack's figures (engine/metrics/lira.ts). */
export interface AttackFigures {
  /** Area under the ROC curve: 0.5 is a coin flip. */
  auc: number;
  /** True-positive rate at a 1% false-positive rate, percent. */
  tprAt1Fpr: number;
}

/** The relearning test of one model (engine/metrics/relearn.ts). */
export interface RelearnFigures {
  /** Steps until the held part of Df was as accurate as under θo; null: not within maxSteps. */
  steps: number | null;
  /** Accuracy on the held part of Df before and after, percent. */
  startAccuracy: number;
  endAccuracy: number;
  /** θo's accuracy there: the target. */
  target: number;
  seconds: number;
}

export interface AuditRow {
  /** 'original' (θo, N copies), or a method. */
  method: string;
  label: string;
  /** Forgetting quality F and the challenge's final score F × RA/RA_retrain × TA/TA_retrain. */
  forgetQuality: number;
  finalScore: number;
  /** Mean over the N models, percent. */
  ua: number;
  ra: number;
  ta: number;
  attack: AttackFigures;
  relearn?: RelearnFigures;
  /** Wall time of the N models (unlearning and their evaluation), seconds. */
  seconds: number;
  /** The N models' ε limit reached by how many forget examples (ε at the cap). */
  epsilonAtCap: number;
  /** The method's unlearning recipe, the same for its N runs (absent for Original). */
  recipe?: OptimizerRecipe;
}

export interface AuditResult {
  config: AuditConfig;
  /** The largest ε that scores with this N: ⌈ln(N − 1)⌉. */
  epsilonLimit: number;
  retrain: { ua: number; ra: number; ta: number; relearn?: RelearnFigures; seconds: number };
  rows: AuditRow[];
  forgetSize: number;
  /** What θo and the forget set were made of, as a run records them (an audit report matches a run to its audits by these). */
  forgetHash?: string;
  dataFingerprint?: string;
  data: { source: string; train: number; test: number };
  backend: BackendInfo;
  machine: MachineInfo;
  date: string;
  wallSeconds: number;
  outDir: string;
  /** Models read back from an earlier, interrupted audit of the same config. */
  resumed: number;
}
