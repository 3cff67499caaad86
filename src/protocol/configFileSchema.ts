// The run config's schema as a JSON Schema file for editors: schemas/salun-config.schema.json,
// which package.json's jsonValidation gives every `*.salun.json`, and `salun schema` prints.
// Generated from RUN_CONFIG_SCHEMA (the one definition) and the defaults, so that the file checks
// what `salun run` accepts: every field may be left out (the defaults fill it, and the file shows
// each default), and an object field without "kind" is merged into its default, so within the
// default's own kind nothing is required either.
import type { RunConfig } from './config';
import { defaultRunConfig } from './defaults';
import { defaultGenerationConfig, GENERATION_CONFIG_SCHEMA, GENERATION_TASK } from './generationConfig';
import { isRecord } from './guards';
import { RUN_CONFIG_SCHEMA } from './runConfigSchema';
import type { Schema } from './schema';

/** Where the file lives in the package (package.json's jsonValidation points here). */
export const CONFIG_FILE_SCHEMA_PATH = 'schemas/salun-config.schema.json';

/** A config file's name: `salun run` and "Run This Config" take any JSON, editors check these. */
export const CONFIG_FILE_PATTERN = '*.salun.json';

function withoutDefault(schema: Schema): Schema {
  const { default: _default, ...rest } = schema;
  return rest;
}

/** `schema` as a config file may write it, over `defaults` (the value the merge starts from). */
function optional(schema: Schema, defaults: unknown): Schema {
  if (schema.oneOf) {
    // mergeDefaults: a value with "kind" replaces the default; one without is merged into it, so the default's branch asks for nothing.
    const kind = isRecord(defaults) ? defaults.kind : undefined;
    const oneOf = schema.oneOf.map((b) => (b.properties?.kind?.const === kind ? withoutDefault(optional(b, defaults)) : b));
    return { ...schema, oneOf, ...(defaults !== undefined ? { default: defaults } : {}) };
  }
  if (schema.type !== 'object' || !schema.properties) return defaults !== undefined ? { ...schema, default: defaults } : schema;
  const d = isRecord(defaults) ? defaults : {};
  const properties = Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, optional(s, d[k])]));
  const { required: _required, ...rest } = schema;
  return { ...rest, properties, ...(isRecord(defaults) ? { default: defaults } : {}) };
}

/** The unlearning run's file: what a config without `"task": "generation"` is checked against. */
export function runFileSchema(defaults: RunConfig = defaultRunConfig()): Schema {
  return withoutDefault(optional(RUN_CONFIG_SCHEMA, defaults));
}

/** A generation job's file (`"task": "generation"`, protocol/generationConfig.ts): every other field optional. */
export function generationFileSchema(): Schema {
  return withoutDefault(optional(GENERATION_CONFIG_SCHEMA, defaultGenerationConfig()));
}

/**
 * Two kinds of file, told apart by `task` with draft-07's if/then/else (editors follow it): a
 * generation job's when it says `"task": "generation"`, an unlearning run's otherwise.
 */
export function configFileSchema(defaults: RunConfig = defaultRunConfig()): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'SalUn config',
    description:
      'A SalUn unlearning run (salun run <file>, or "Run This Config" in the editor), or with "task": "generation" a generation unlearning job. Every field is optional: what is left out takes its default (shown on each field); a built-in model\'s training recipe defaults to the one for its architecture.',
    if: { type: 'object', required: ['task'], properties: { task: { const: GENERATION_TASK } } },
    then: generationFileSchema(),
    else: runFileSchema(defaults),
  };
}

/** The file's exact text: the build writes it, a unit test compares it with the file on disk. */
export function configFileSchemaText(): string {
  return `${JSON.stringify(configFileSchema(), null, 2)}\n`;
}
