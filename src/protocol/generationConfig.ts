// The config of a generation unlearning job (docs/method.md, "SalUn for generation"): forget
// one class of a class-conditional DDPM with SalUn-gen, ESD and RL-gen (and Retrain on request),
// judge the samples with a classifier. One schema is the definition: the parser, the config file
// schema (configFileSchema.ts) and the CLI all read it.
import type { BackendChoice, DataSpec, OptimizerRecipe } from './config';
import { defaultTrainRecipe } from './defaults';
import { GENERATION_METHOD_NAMES, type GenerationMethodName } from './genMethods';
import { methodLabel } from './methods';
import { isRecord } from './guards';
import { ConfigError, mergeDefaults, recipe, shared } from './runConfigSchema';
import { validate, type Schema } from './schema';

/** How SalUn-gen and RL-gen pick c′, the class whose prediction the forgotten class must copy. */
export type OtherClassRule = 'random' | 'next';
export const OTHER_CLASS_RULES: readonly OtherClassRule[] = ['random', 'next'];

export function isOtherClassRule(v: unknown): v is OtherClassRule {
  return OTHER_CLASS_RULES.some((r) => r === v);
}

/** How each model of a generation job is named in tables, grids and reports: θo, the methods' rows, Retrain. */
export const GENERATION_METHOD_LABELS: Record<GenerationMethodName | 'original' | 'retrain', string> = {
  original: 'θo',
  ...(Object.fromEntries(GENERATION_METHOD_NAMES.map((m) => [m, methodLabel(m)])) as Record<GenerationMethodName, string>),
  retrain: 'Retrain',
};

/** Classes of the data the bundled configs use (Fashion-MNIST): what `forgetClass` is checked against before any data is read. */
export const BUNDLED_CLASS_COUNT = 10;

/** θo: trained by the job (cached by hash) or read from a model.json (the demo's shipped weights, checked by hash). */
export type GenerationModelSpec = { kind: 'train' } | { kind: 'file'; path: string; sha256?: string };

export interface GenerationConfig {
  task: 'generation';
  name?: string;
  data: DataSpec;
  /** Average pooling factor applied to every image first (2: 28×28 → 14×14): a data transform, recorded with the run. */
  downsample: number;
  forgetClass: number;
  methods: GenerationMethodName[];
  /** Also train Retrain (a fresh U-Net on Dr with θo's recipe; expensive, cached). */
  retrain: boolean;
  unet: { widths: number[]; groups: number; embedDim: number };
  /** θo's DDPM training (and Retrain's): Adam steps on the whole training set. */
  train: { iterations: number; batchSize: number; lr: number };
  original: GenerationModelSpec;
  unlearn: {
    iterations: number;
    batchSize: number;
    lr: number;
    ratio: number;
    beta: number;
    eta: number;
    gradClip: number;
    /**
     * SalUn-gen's and RL-gen's c′: 'random' (a uniform other class per image, the paper's formula,
     * default) or 'next' ((c + 1) mod K for every image, as the authors' code does).
     */
    otherClass?: OtherClassRule;
  };
  sampling: {
    ddimSteps: number;
    guidance: number;
    /** Images per class for the metrics. */
    samplesPerClass: number;
    /** Seeds per class in the grids (the first columns of the metric samples' seeds). */
    gridColumns: number;
    /** A grid of the model being unlearned every this many iterations; 0: only at the end. */
    every: number;
  };
  /** The judge: a built-in classifier trained on the same (downsampled) data, cached like θo. */
  classifier: { architecture: 'cnn' | 'mlp'; train: OptimizerRecipe };
  seed: number;
  backend: BackendChoice;
}

/** The authors' recipe shrunk to what 2 CPU cores finish in minutes (docs/results.md says what and why). */
export function defaultGenerationConfig(): GenerationConfig {
  return {
    task: 'generation',
    name: 'generation',
    data: { kind: 'default' },
    downsample: 2,
    forgetClass: 7,
    methods: [...GENERATION_METHOD_NAMES],
    retrain: false,
    unet: { widths: [32, 64], groups: 8, embedDim: 64 },
    train: { iterations: 5000, batchSize: 64, lr: 1e-3 },
    original: { kind: 'train' },
    unlearn: { iterations: 300, batchSize: 32, lr: 1e-4, ratio: 0.5, beta: 1e-3, eta: 1, gradClip: 1 },
    sampling: { ddimSteps: 20, guidance: 2, samplesPerClass: 20, gridColumns: 8, every: 100 },
    classifier: { architecture: 'cnn', train: defaultTrainRecipe('cnn') },
    seed: 1,
    backend: 'auto',
  };
}

const positiveInt = (description: string, maximum = 1_000_000): Schema => ({ type: 'integer', minimum: 1, maximum, description });

export const GENERATION_CONFIG_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'task',
    'data',
    'downsample',
    'forgetClass',
    'methods',
    'retrain',
    'unet',
    'train',
    'original',
    'unlearn',
    'sampling',
    'classifier',
    'seed',
    'backend',
  ],
  properties: {
    $schema: { type: 'string', description: 'The JSON schema this file follows (editors read it)' },
    task: { type: 'string', enum: ['generation'], description: 'Unlearn a class from a class-conditional diffusion model' },
    name: { type: 'string', description: 'A name for the run, shown in the Runs view' },
    data: shared.data,
    downsample: { type: 'integer', enum: [1, 2, 4], description: 'Average-pool the images by this factor first (2: 28×28 → 14×14); 1 keeps them' },
    forgetClass: { type: 'integer', minimum: 0, description: 'The class to forget' },
    methods: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', enum: GENERATION_METHOD_NAMES },
      description: 'Unlearning methods, each from θo',
    },
    retrain: { type: 'boolean', description: "Also train Retrain on Dr (θo's recipe; expensive, cached)" },
    unet: {
      type: 'object',
      additionalProperties: false,
      required: ['widths', 'groups', 'embedDim'],
      description: 'The class-conditional U-Net',
      properties: {
        widths: {
          type: 'array',
          minItems: 1,
          items: positiveInt('Channels', 1024),
          description: 'Channels per resolution, highest first; each multiple of groups',
        },
        groups: positiveInt('GroupNorm groups', 64),
        embedDim: positiveInt('Time/class embedding width', 4096),
      },
    },
    train: {
      type: 'object',
      additionalProperties: false,
      required: ['iterations', 'batchSize', 'lr'],
      description: "θo's DDPM training (Adam), also Retrain's",
      properties: {
        iterations: positiveInt('Adam steps'),
        batchSize: positiveInt('Images per step', 65536),
        lr: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'Adam learning rate' },
      },
    },
    original: {
      description: 'θo',
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind'],
          properties: { kind: { type: 'string', const: 'train', description: 'Train it with `train` (cached by hash)' } },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'path'],
          properties: {
            kind: { type: 'string', const: 'file', description: 'A trained U-Net' },
            path: { type: 'string', minLength: 1, description: 'Its model.json' },
            sha256: { type: 'string', minLength: 64, description: 'SHA-256 of its weights.bin; a mismatch stops the job' },
          },
        },
      ],
    },
    unlearn: {
      type: 'object',
      additionalProperties: false,
      required: ['iterations', 'batchSize', 'lr', 'ratio', 'beta', 'eta', 'gradClip'],
      description: "The unlearning recipe (the authors': Adam 1e-4, 1000 iterations, ratio 0.5, β 1e-3, batch 128, clip 1)",
      properties: {
        iterations: positiveInt('Adam steps per method'),
        batchSize: positiveInt('Images per forget and per retain batch', 65536),
        lr: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'Adam learning rate' },
        ratio: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'Share of weights SalUn-gen may move' },
        beta: { type: 'number', minimum: 0, description: 'Weight of the retain denoising loss (β)' },
        eta: { type: 'number', minimum: 0, description: "ESD's negative guidance η" },
        gradClip: { type: 'number', minimum: 0, description: 'Global gradient-norm clip; 0 turns it off' },
        otherClass: {
          type: 'string',
          enum: [...OTHER_CLASS_RULES],
          default: 'random',
          description: "SalUn-gen's and RL-gen's c′: random (a uniform other class per image, the paper's formula) or next ((c + 1) mod K, the authors' code)",
        },
      },
    },
    sampling: {
      type: 'object',
      additionalProperties: false,
      required: ['ddimSteps', 'guidance', 'samplesPerClass', 'gridColumns', 'every'],
      description: 'Samples for the metrics and grids (DDIM, fixed seeds)',
      properties: {
        ddimSteps: positiveInt('DDIM steps', 1000),
        guidance: { type: 'number', minimum: 0, description: 'Classifier-free guidance scale' },
        samplesPerClass: { type: 'integer', minimum: 2, maximum: 10000, description: 'Images per class for UA, accuracy and FID-classifier' },
        gridColumns: positiveInt('Seeds per class in the grids', 64),
        every: { type: 'integer', minimum: 0, description: 'A grid every this many unlearning iterations; 0: only at the end' },
      },
    },
    classifier: {
      type: 'object',
      additionalProperties: false,
      required: ['architecture', 'train'],
      description: 'The judge of generated images (trained on the same data, cached)',
      properties: { architecture: { type: 'string', enum: ['cnn', 'mlp'] }, train: recipe('Its training recipe') },
    },
    seed: shared.seed,
    backend: shared.backend,
  },
};

/** Problems the schema cannot see: fields that depend on each other. */
function crossFieldProblems(c: GenerationConfig): string[] {
  const problems: string[] = [];
  const bundled = c.data.kind === 'default';
  if (bundled && c.forgetClass >= BUNDLED_CLASS_COUNT) {
    problems.push(`config.forgetClass must be a class of the data: 0..${BUNDLED_CLASS_COUNT - 1} for the bundled Fashion-MNIST (got ${c.forgetClass})`);
  }
  const bad = c.unet.widths.filter((w) => w % c.unet.groups !== 0);
  if (bad.length) problems.push(`config.unet.widths must be multiples of config.unet.groups (${c.unet.groups}); ${bad.join(', ')} are not`);
  if (c.sampling.gridColumns > c.sampling.samplesPerClass)
    problems.push(
      `config.sampling.gridColumns (${c.sampling.gridColumns}) must be at most config.sampling.samplesPerClass (${c.sampling.samplesPerClass}): the grids show the metric samples`,
    );
  return problems;
}

/** Fills what is left out from defaultGenerationConfig, then validates. Throws ConfigError listing every problem. */
export function parseGenerationConfig(value: unknown, source = 'the generation config'): GenerationConfig {
  if (!isRecord(value)) throw new ConfigError(['the top level must be a JSON object'], source);
  const merged = mergeDefaults(defaultGenerationConfig() as unknown as Record<string, unknown>, value);
  const problems = validate(merged, GENERATION_CONFIG_SCHEMA);
  if (problems.length) throw new ConfigError(problems, source);
  const config = merged as unknown as GenerationConfig;
  const more = crossFieldProblems(config);
  if (more.length) throw new ConfigError(more, source);
  return config;
}

/** What a config file says in `task` to be a generation job's. */
export const GENERATION_TASK = 'generation';

/** A parsed config file is a generation job's when it says so. */
export function isGenerationConfigFile(value: unknown): boolean {
  return isRecord(value) && value.task === GENERATION_TASK;
}
