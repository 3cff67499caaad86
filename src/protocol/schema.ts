// A small JSON-Schema subset and its validator. The config schemas (runConfigSchema.ts, and the
// table's and the grid's built from its parts) are the one definition of what a valid config is:
// the CLI, the job and the host validate with them (configKinds.ts), and the build writes the run
// config's to schemas/salun-config.schema.json (configFileSchema.ts) so editors check config files.
import { isRecord } from './guards';

export interface Schema {
  type?: 'object' | 'array' | 'number' | 'integer' | 'string' | 'boolean';
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  enum?: readonly (string | number)[];
  const?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  /** Arrays: the schema of every item, at least this many, no two equal. */
  items?: Schema;
  minItems?: number;
  uniqueItems?: boolean;
  /** Alternatives told apart by the `kind` property (every branch has `kind: {const}`). */
  oneOf?: Schema[];
  default?: unknown;
}

/**
 * Keys that name a JavaScript object's machinery: assigned with `o[k] = v` they change o's
 * prototype instead of adding a setting, so a value under them escapes validation. No config
 * has them; every parser rejects them as unknown keys.
 */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** The paths of forbidden keys anywhere in a parsed JSON value ("config.train.__proto__"). */
export function forbiddenKeyPaths(value: unknown, path = 'config'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => forbiddenKeyPaths(v, `${path}[${i}]`));
  if (!isRecord(value)) return [];
  return Object.keys(value).flatMap((k) => (FORBIDDEN_KEYS.includes(k) ? [`${path}.${k}`] : forbiddenKeyPaths(value[k], `${path}.${k}`)));
}

/** Returns human-readable problems, each naming the path of the bad value; empty when valid. */
export function validate(value: unknown, schema: Schema, path = 'config'): string[] {
  if (schema.oneOf) {
    const kinds = schema.oneOf.map((s) => s.properties?.kind?.const).filter((k): k is string => !!k);
    // A value that is a name or an object (data.normalize): a scalar goes to the one scalar branch of its type, an object to the one object branch.
    const scalar = schema.oneOf.find((s) => s.type !== undefined && s.type !== 'object' && typeof value === s.type);
    if (scalar && !isRecord(value)) return validate(value, scalar, path);
    const objects = schema.oneOf.filter((s) => s.type === 'object');
    if (kinds.length === 0 && objects.length === 1) return validate(value, objects[0], path);
    if (!isRecord(value)) return [`${path} must be an object with "kind" one of ${kinds.map((k) => `"${k}"`).join(', ')}`];
    // Without a kind, the one branch that does not require it (the config file's default kind, configFileSchema.ts).
    const kindless = Object.hasOwn(value, 'kind') ? [] : schema.oneOf.filter((s) => !s.required?.includes('kind'));
    const branch = kindless.length === 1 ? kindless[0] : schema.oneOf.find((s) => s.properties?.kind?.const === value.kind);
    if (!branch) return [`${path}.kind must be one of ${kinds.map((k) => `"${k}"`).join(', ')} (got ${JSON.stringify(value.kind)})`];
    return validate(value, branch, path);
  }
  const problems: string[] = [];
  switch (schema.type) {
    case 'object': {
      if (!isRecord(value)) return [`${path} must be an object`];
      // Own properties only: `in` and a plain lookup would find Object.prototype's `constructor`.
      for (const key of schema.required ?? []) if (!Object.hasOwn(value, key)) problems.push(`${path}.${key} is required`);
      for (const [key, v] of Object.entries(value)) {
        const sub = schema.properties && Object.hasOwn(schema.properties, key) && !FORBIDDEN_KEYS.includes(key) ? schema.properties[key] : undefined;
        if (sub) problems.push(...validate(v, sub, `${path}.${key}`));
        // Listing the known settings helps with a typo, not with __proto__.
        else if (FORBIDDEN_KEYS.includes(key)) problems.push(`${path}.${key} is not a known setting`);
        else if (schema.additionalProperties === false)
          problems.push(`${path}.${key} is not a known setting (known: ${Object.keys(schema.properties ?? {}).join(', ')})`);
      }
      return problems;
    }
    case 'array': {
      if (!Array.isArray(value)) return [`${path} must be a list (got ${JSON.stringify(value)})`];
      if (schema.minItems !== undefined && value.length < schema.minItems)
        problems.push(schema.minItems === 1 ? `${path} must be a non-empty list` : `${path} must have at least ${schema.minItems} items`);
      if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length)
        problems.push(`${path} must not repeat a value (got ${JSON.stringify(value)})`);
      if (schema.items) value.forEach((v, i) => problems.push(...validate(v, schema.items as Schema, `${path}[${i}]`)));
      return problems;
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return [`${path} must be a number (got ${JSON.stringify(value)})`];
      if (schema.type === 'integer' && !Number.isInteger(value)) problems.push(`${path} must be an integer (got ${value})`);
      if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path} must be ≥ ${schema.minimum} (got ${value})`);
      if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path} must be ≤ ${schema.maximum} (got ${value})`);
      if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
        problems.push(`${path} must be > ${schema.exclusiveMinimum} (got ${value})`);
      if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum)
        problems.push(`${path} must be < ${schema.exclusiveMaximum} (got ${value})`);
      break;
    }
    case 'string':
      if (typeof value !== 'string') return [`${path} must be a string (got ${JSON.stringify(value)})`];
      if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${path} must not be empty`);
      if (schema.const !== undefined && value !== schema.const) problems.push(`${path} must be "${schema.const}"`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return [`${path} must be true or false (got ${JSON.stringify(value)})`];
      break;
  }
  if (schema.enum && !schema.enum.includes(value as string | number)) {
    problems.push(`${path} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')} (got ${JSON.stringify(value)})`);
  }
  return problems;
}
