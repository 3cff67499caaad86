// The generation task's view of the one method table (methods.ts): the rows with a `generation`
// facet, in a generation job's order. A generation config's schema and defaults, its progress plan,
// the job and its report read the rows through here; no second table names the methods.
import { isClassifierRow, METHOD_ROW_NAMES, methodLabel, METHODS, type GenerationFacet, type MethodRowName } from './methods';

type Rows = typeof METHODS;

/** A method of a generation job: a row with a generation facet. */
export type GenerationMethodName = { [K in keyof Rows]: Rows[K] extends { generation: GenerationFacet } ? K : never }[keyof Rows];

/** The tasks a method applies to. */
export type MethodTask = 'classification' | 'generation';

const forGeneration = (m: MethodRowName): m is GenerationMethodName => Object.hasOwn(METHODS[m], 'generation');

/** The generation facet of a method a generation job runs. */
export function generationFacet(method: GenerationMethodName): GenerationFacet {
  return METHODS[method].generation;
}

/** A generation job's methods in its table's order (a fresh config runs them all). */
export const GENERATION_METHOD_NAMES: readonly GenerationMethodName[] = METHOD_ROW_NAMES.filter(forGeneration).sort(
  (a, b) => generationFacet(a).order - generationFacet(b).order,
);

export function isGenerationMethodName(v: unknown): v is GenerationMethodName {
  return typeof v === 'string' && GENERATION_METHOD_NAMES.some((m) => m === v);
}

/** Which tasks a row's method applies to (none for a name that is not a row): what the docs and tests say beside it. */
export function methodTasks(method: string): MethodTask[] {
  const row = METHOD_ROW_NAMES.find((m) => m === method);
  if (row === undefined) return [];
  return [...(isClassifierRow(row) ? (['classification'] as const) : []), ...(forGeneration(row) ? (['generation'] as const) : [])];
}

/** The labels of `methods` in words: "SalUn, ESD and RL". */
export function generationMethodsText(methods: readonly GenerationMethodName[] = GENERATION_METHOD_NAMES): string {
  const labels = methods.map((m) => methodLabel(m));
  return labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}` : (labels[0] ?? '');
}

/**
 * A list of a generation job's methods from a script or the command line (an array, or a
 * comma-separated string), in the table's order; throws naming `who`, the bad name and the choices.
 */
export function parseGenerationMethods(x: unknown, who: string): GenerationMethodName[] {
  const list = typeof x === 'string' ? x.split(',').map((s) => s.trim()) : x;
  const choices = GENERATION_METHOD_NAMES.join(', ');
  if (!Array.isArray(list) || list.length === 0) throw new Error(`${who}: methods must be a non-empty list of ${choices}, got ${JSON.stringify(x)}.`);
  const items: readonly unknown[] = list;
  const bad = items.find((m) => !isGenerationMethodName(m));
  if (bad !== undefined) throw new Error(`${who}: ${JSON.stringify(bad)} is not a method of a generation job; choose from ${choices}.`);
  return GENERATION_METHOD_NAMES.filter((m) => items.includes(m));
}
