// The schema of RunConfig (config.ts) and the parser the CLI and the job use.
import type { RunConfig, SaliencyJobConfig } from './config';
import { defaultRunConfig } from './defaults';
import { isRecord } from './guards';
import { validate, type Schema } from './schema';

const recipe = (what: string): Schema => ({
  type: 'object',
  description: what,
  additionalProperties: false,
  required: ['epochs', 'lr', 'momentum', 'weightDecay', 'batchSize'],
  properties: {
    epochs: { type: 'integer', minimum: 1, maximum: 1000 },
    lr: { type: 'number', exclusiveMinimum: 0, maximum: 10, description: 'SGD learning rate' },
    schedule: { type: 'string', enum: ['cosine', 'constant'], description: "'cosine' decays the rate to 0 by the last epoch (default)" },
    momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
    weightDecay: { type: 'number', minimum: 0, maximum: 1 },
    batchSize: { type: 'integer', minimum: 1, maximum: 65536 },
  },
});

const shared: Record<string, Schema> = {
  data: {
    description: 'Training and test images',
    oneOf: [
      { type: 'object', additionalProperties: false, required: ['kind'], properties: { kind: { type: 'string', const: 'default', description: 'The bundled Fashion-MNIST subset (10,000 train / 2,000 test)' } } },
      { type: 'object', additionalProperties: false, required: ['kind', 'dir'], properties: { kind: { type: 'string', const: 'idx' }, dir: { type: 'string', minLength: 1, description: 'Folder with the four MNIST-format idx files (.gz or not), relative to the workspace' } } },
    ],
  },
  model: {
    description: 'The original model θo',
    oneOf: [
      { type: 'object', additionalProperties: false, required: ['kind', 'architecture'], properties: { kind: { type: 'string', const: 'builtin' }, architecture: { type: 'string', enum: ['cnn', 'mlp'] } } },
      { type: 'object', additionalProperties: false, required: ['kind', 'path'], properties: { kind: { type: 'string', const: 'file' }, path: { type: 'string', minLength: 1, description: 'A tfjs LayersModel model.json' } } },
    ],
  },
  forget: {
    description: 'The forget set Df',
    oneOf: [
      { type: 'object', additionalProperties: false, required: ['kind', 'fraction'], properties: { kind: { type: 'string', const: 'random' }, fraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, seed: { type: 'integer', minimum: 0 } } },
      { type: 'object', additionalProperties: false, required: ['kind', 'classIndex'], properties: { kind: { type: 'string', const: 'class' }, classIndex: { type: 'integer', minimum: 0 } } },
      { type: 'object', additionalProperties: false, required: ['kind', 'file'], properties: { kind: { type: 'string', const: 'indices' }, file: { type: 'string', minLength: 1, description: 'JSON array or one index per line' } } },
    ],
  },
  saliency: {
    type: 'object', additionalProperties: false,
    properties: {
      ratio: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'Share of all weights, ranked globally by |g|, that may move' },
      gamma: { type: 'number', minimum: 0, description: 'Explicit threshold on |g|; wins over ratio' },
    },
  },
  train: recipe('Recipe for the original model and Retrain'),
  seed: { type: 'integer', minimum: 0 },
  backend: { type: 'string', enum: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] },
};

export const RUN_CONFIG_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['data', 'model', 'forget', 'method', 'saliency', 'train', 'unlearn', 'retrain', 'seed', 'backend'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string' },
    ...shared,
    method: { type: 'string', enum: ['salun', 'rl', 'ft', 'ga'] },
    unlearn: recipe('Recipe for the unlearning step'),
    retrain: { type: 'boolean', description: 'Train the Retrain reference on Dr (needed for Avg. Gap)' },
  },
};

export const SALIENCY_JOB_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['data', 'model', 'forget', 'saliency', 'train', 'seed', 'backend'],
  properties: shared,
};

export class ConfigError extends Error {
  constructor(readonly problems: string[], readonly source: string) {
    super(`${source} is not a valid SalUn config:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function mergeDefaults(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    // Objects with a `kind` replace the default wholesale: merging two different kinds is nonsense.
    out[k] = isRecord(v) && isRecord(base[k]) && !('kind' in v) ? mergeDefaults(base[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

/** Fills what the user left out from the defaults, then validates. Throws ConfigError listing every problem. */
export function parseRunConfig(value: unknown, source = 'config'): RunConfig {
  if (!isRecord(value)) throw new ConfigError(['the top level must be a JSON object'], source);
  const merged = mergeDefaults(defaultRunConfig() as unknown as Record<string, unknown>, value);
  const problems = validate(merged, RUN_CONFIG_SCHEMA);
  if (problems.length) throw new ConfigError(problems, source);
  return merged as unknown as RunConfig;
}

export function parseSaliencyJobConfig(value: unknown, source = 'config'): SaliencyJobConfig {
  const problems = validate(value, SALIENCY_JOB_SCHEMA);
  if (problems.length) throw new ConfigError(problems, source);
  return value as SaliencyJobConfig;
}
