// The schema of RunConfig (config.ts) and the parser the CLI and the job use. Its parts (the
// recipe, data, model, forget set, backend) are the table's and the grid's too (table.ts, grid.ts).
import { BACKEND_CHOICES } from './backends';
import { ARCHITECTURE_NAMES, isArchitectureName, MAX_WORKERS, WORKERS_NOTE, type EvaluateJobConfig, type RunConfig, type SaliencyJobConfig } from './config';
import { DATA_FORMAT_NAMES, dataFormat, type DataFormatName } from './dataFormats';
import { defaultRunConfig, defaultTrainRecipe } from './defaults';
import { isRecord } from './guards';
import {
  autoMethodFor,
  groupInner,
  INNER_METHOD_NAMES,
  METHOD_NAMES,
  methodLabel,
  methodOptionGroups,
  methodsWithAuto,
  type MethodOptionSpec,
} from './methods';
import { validate, type Schema } from './schema';
import { MODEL_SOURCE_NAMES, modelSource } from './modelSources';

export const recipe = (what: string): Schema => ({
  type: 'object',
  description: what,
  additionalProperties: false,
  required: ['epochs', 'lr', 'momentum', 'weightDecay', 'batchSize'],
  properties: {
    epochs: { type: 'integer', minimum: 1, maximum: 1000, description: 'Passes over the training data' },
    lr: { type: 'number', exclusiveMinimum: 0, maximum: 10, description: 'SGD learning rate' },
    schedule: { type: 'string', enum: ['cosine', 'constant'], description: "'cosine' decays the rate to 0 by the last epoch (default)" },
    momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1, description: 'SGD momentum' },
    weightDecay: { type: 'number', minimum: 0, maximum: 1, description: 'L2 weight decay' },
    batchSize: { type: 'integer', minimum: 1, maximum: 65536, description: 'Samples per step' },
  },
});

/** data.normalize: how pixel values are scaled before the model sees them (config.ts, DATA_NORMALIZATIONS). */
const NORMALIZE_SCHEMA: Schema = {
  description:
    "Pixel scaling the model expects: unit [0, 1] (default), centered [-1, 1], standardize (per channel, the training set's mean and std), or { mean, std } (torchvision's Normalize(mean, std), one value per channel)",
  oneOf: [
    { type: 'string', enum: ['unit', 'centered', 'standardize'], default: 'unit' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['mean', 'std'],
      properties: {
        mean: { type: 'array', minItems: 1, items: { type: 'number' }, description: 'Per-channel mean of Normalize, on pixels in [0, 1]' },
        std: { type: 'array', minItems: 1, items: { type: 'number', exclusiveMinimum: 0 }, description: 'Per-channel std of Normalize (> 0)' },
      },
    },
  ],
};

/** data.heldOut: training rows set aside as the verdict's unseen reference (config.ts, engine/data/heldOut.ts). */
const HELD_OUT_SCHEMA: Schema = {
  type: 'integer',
  minimum: 0,
  default: 0,
  description:
    "Training rows kept out of θo, Retrain and unlearning (seeded): the data Df is compared with by the Retrain-free verdict and salun-auto. 0 (default): the test set, which may differ from the training data's distribution",
};

/** One data format's branch of `data`: its kind, the folder it reads (if any) and its own options. */
function dataBranch(name: DataFormatName): Schema {
  const row = dataFormat(name);
  const dir: Record<string, Schema> = row.folder
    ? { dir: { type: 'string', minLength: 1, description: `${row.folder.holds}, relative to the workspace` } }
    : row.file
      ? { file: { type: 'string', minLength: 1, description: `${row.file.holds}, relative to the workspace` } }
      : {};
  return {
    type: 'object',
    additionalProperties: false,
    required: ['kind', ...Object.keys(dir)],
    properties: {
      normalize: NORMALIZE_SCHEMA,
      heldOut: HELD_OUT_SCHEMA,
      kind: { type: 'string', const: name, description: row.description },
      ...dir,
      ...row.options,
    },
  };
}

export const shared: Record<string, Schema> = {
  data: { description: 'Training and test images', oneOf: DATA_FORMAT_NAMES.map(dataBranch) },
  model: {
    description: 'The original model θo',
    oneOf: MODEL_SOURCE_NAMES.map((name): Schema => {
      const row = modelSource(name);
      const architecture: Schema = { type: 'string', enum: [...ARCHITECTURE_NAMES] };
      return {
        type: 'object',
        additionalProperties: false,
        required: ['kind', ...row.required],
        properties: {
          kind: { type: 'string', const: name, description: row.description },
          ...row.fields,
          ...(row.required.includes('architecture') ? { architecture } : {}),
        },
      };
    }),
  },
  forget: {
    description: 'The forget set Df',
    oneOf: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'fraction'],
        properties: {
          kind: { type: 'string', const: 'random', description: 'A seeded random share of the training set' },
          fraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'Share of the training set to forget' },
          seed: { type: 'integer', minimum: 0, description: 'Seed of the draw (default: the run seed)' },
        },
      },
      {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'classIndex'],
        properties: {
          kind: { type: 'string', const: 'class', description: 'Every training sample of one class' },
          classIndex: { type: 'integer', minimum: 0, description: 'The class index to forget' },
        },
      },
      {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'file'],
        properties: {
          kind: { type: 'string', const: 'indices', description: 'The training indices listed in a file' },
          file: { type: 'string', minLength: 1, description: 'JSON array or one index per line' },
        },
      },
    ],
  },
  saliency: {
    type: 'object',
    additionalProperties: false,
    description: 'The saliency mask: which weights may move',
    properties: {
      ratio: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'Share of all weights, ranked globally by |g|, that may move' },
      gamma: { type: 'number', minimum: 0, description: 'Explicit threshold on |g|; wins over ratio' },
    },
  },
  train: recipe('Recipe for the original model and Retrain'),
  seed: { type: 'integer', minimum: 0, description: 'Seed of training, the forget set and data order' },
  backend: { type: 'string', enum: [...BACKEND_CHOICES], description: "Where the tensor work runs; 'auto' picks the fastest that starts" },
  workers: { type: 'integer', minimum: 1, maximum: MAX_WORKERS, default: 1, description: WORKERS_NOTE },
};

function optionSchema(spec: MethodOptionSpec): Schema {
  return {
    type: spec.integer ? 'integer' : 'number',
    ...(spec.exclusiveMinimum ? { exclusiveMinimum: spec.minimum } : { minimum: spec.minimum }),
    maximum: spec.maximum,
    default: spec.default,
    description: `${spec.description} (default ${spec.default})`,
  };
}

/** A meta-method's `inner`: the rows it may run (MethodRow.inner). */
function innerSchema(key: string): Record<string, Schema> {
  const inner = groupInner(key);
  if (!inner) return {};
  return { inner: { type: 'string', enum: [...INNER_METHOD_NAMES], default: inner.default, description: `${inner.description} (default ${inner.default})` } };
}

/** One object per method option group of the method table, each parameter with its range and default. */
export const METHOD_OPTIONS_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  description: 'Hyper-parameters of the baselines; what is left out takes its default',
  properties: Object.fromEntries(
    methodOptionGroups().map((g) => [
      g.key,
      {
        type: 'object',
        additionalProperties: false,
        description: g.description,
        properties: { ...Object.fromEntries(Object.entries(g.params).map(([k, spec]) => [k, optionSchema(spec)])), ...innerSchema(g.key) },
      } satisfies Schema,
    ]),
  ),
};

/** The unlearning recipe, plus `auto`: the method's automatic recipe (parseRunConfig resolves it to that row). */
const unlearnRecipe: Schema = (() => {
  const r = recipe('Recipe for the unlearning step');
  const auto: Schema = {
    type: 'boolean',
    default: false,
    description:
      "Choose the rate and stop epoch without Retrain: the method's automatic recipe (SalUn → salun-auto) searches 4 rates around lr, each for `epochs`, and keeps the model whose data to forget looks most like unseen test data at no retain-accuracy cost; auto.json in the run folder says why",
  };
  return { ...r, properties: { ...r.properties, auto } };
})();

export const RUN_CONFIG_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['data', 'model', 'forget', 'method', 'saliency', 'train', 'unlearn', 'retrain', 'seed', 'backend'],
  properties: {
    $schema: { type: 'string', description: 'The JSON schema this file follows (editors read it)' },
    name: { type: 'string', description: 'A name for the run, shown in the Runs view' },
    ...shared,
    method: { type: 'string', enum: METHOD_NAMES, description: 'The unlearning method' },
    masked: {
      type: 'boolean',
      default: false,
      description: 'Run the method inside the saliency mask: only salient weights move, the rest stay exactly θo (SalUn always does)',
    },
    methodOptions: METHOD_OPTIONS_SCHEMA,
    unlearn: unlearnRecipe,
    retrain: { type: 'boolean', description: 'Train the Retrain reference on Dr (needed for Avg. Gap)' },
  },
};

export const SALIENCY_JOB_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['data', 'model', 'forget', 'saliency', 'train', 'seed', 'backend'],
  properties: shared,
};

export const EVALUATE_JOB_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['data', 'model', 'forget', 'train', 'retrain', 'seed', 'backend'],
  properties: {
    data: shared.data,
    model: shared.model,
    forget: shared.forget,
    train: shared.train,
    retrain: { type: 'boolean', description: 'Also train a Retrain reference on Dr (cached), for the gap to exact unlearning' },
    seed: shared.seed,
    backend: shared.backend,
    workers: shared.workers,
  },
};

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    readonly source: string,
  ) {
    super(`${source} is not a valid SalUn config:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** `over` on top of `base`, object fields merged key by key; the table's and the grid's parsers fill their defaults with it too. */
export function mergeDefaults(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const inBase = Object.hasOwn(base, k);
    // Objects with a `kind` replace the default wholesale: merging two different kinds is nonsense.
    const merged = inBase && isRecord(v) && isRecord(base[k]) && !('kind' in v) ? mergeDefaults(base[k], v) : v;
    // Defined, not assigned: `out.__proto__ = v` would set out's prototype and hide v from validation.
    Object.defineProperty(out, k, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * A run folder's config.json is the run config plus what the run recorded about itself (kind,
 * resolved inputs, versions); dropping those makes it a config again, so any run can be re-run.
 */
export function withoutRunRecord(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const { kind: _kind, resolved: _resolved, versions: _versions, forgetSize: _forgetSize, ...config } = value;
  return config;
}

/** Fills what the user left out from the defaults, then validates. Throws ConfigError listing every problem. */
export function parseRunConfig(value: unknown, source = 'config'): RunConfig {
  if (!isRecord(value)) throw new ConfigError(['the top level must be a JSON object'], source);
  const defaults = defaultRunConfig();
  // A built-in model's training recipe is the one that memorises with that architecture.
  const m = value.model;
  if (isRecord(m) && m.kind === 'builtin' && isArchitectureName(m.architecture)) defaults.train = defaultTrainRecipe(m.architecture);
  const merged = mergeDefaults(defaults as unknown as Record<string, unknown>, value);
  const problems = validate(merged, RUN_CONFIG_SCHEMA);
  if (problems.length) throw new ConfigError(problems, source);
  return withAutoMethod(merged as unknown as RunConfig, source);
}

/** `unlearn.auto`: the method becomes its automatic recipe's row, or the config names none. */
function withAutoMethod(config: RunConfig, source: string): RunConfig {
  if (config.unlearn.auto !== true) return config;
  const auto = autoMethodFor(config.method);
  if (auto === undefined)
    throw new ConfigError(
      [`unlearn.auto: ${methodLabel(config.method)} has no automatic recipe (methods with one: ${methodsWithAuto().map(methodLabel).join(', ')})`],
      source,
    );
  return { ...config, method: auto };
}

export function parseSaliencyJobConfig(value: unknown, source = 'config'): SaliencyJobConfig {
  const problems = validate(value, SALIENCY_JOB_SCHEMA);
  if (problems.length) throw new ConfigError(problems, source);
  return value as SaliencyJobConfig;
}

/** Fills what is left out from the default run config (no Retrain unless asked), then validates. */
export function parseEvaluateJobConfig(value: unknown, source = 'config'): EvaluateJobConfig {
  if (!isRecord(value)) throw new ConfigError(['the top level must be a JSON object'], source);
  const d = defaultRunConfig();
  const base = { data: d.data, model: d.model, forget: d.forget, train: d.train, retrain: false, seed: d.seed, backend: d.backend };
  const merged = mergeDefaults(base, value);
  const problems = validate(merged, EVALUATE_JOB_SCHEMA);
  if (problems.length) throw new ConfigError(problems, source);
  return merged as unknown as EvaluateJobConfig;
}
