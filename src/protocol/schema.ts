// A small JSON-Schema subset and its validator. The run-config schema below is the one definition
// of what a valid config is: the CLI and the job validate with it, and the build writes it to
// schemas/run-config.schema.json so editors can complete and check config files.
import { isRecord } from './guards';

export interface Schema {
  type?: 'object' | 'number' | 'integer' | 'string' | 'boolean';
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
    if (!isRecord(value)) return [`${path} must be an object with "kind" one of ${kinds.map((k) => `"${k}"`).join(', ')}`];
    const branch = schema.oneOf.find((s) => s.properties?.kind?.const === value.kind);
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
        else if (schema.additionalProperties === false || FORBIDDEN_KEYS.includes(key)) problems.push(`${path}.${key} is not a known setting (known: ${Object.keys(schema.properties ?? {}).join(', ')})`);
      }
      return problems;
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return [`${path} must be a number (got ${JSON.stringify(value)})`];
      if (schema.type === 'integer' && !Number.isInteger(value)) problems.push(`${path} must be an integer (got ${value})`);
      if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path} must be ≥ ${schema.minimum} (got ${value})`);
      if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path} must be ≤ ${schema.maximum} (got ${value})`);
      if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) problems.push(`${path} must be > ${schema.exclusiveMinimum} (got ${value})`);
      if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) problems.push(`${path} must be < ${schema.exclusiveMaximum} (got ${value})`);
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
