// The per-method grid search (`salun grid`): the authors tuned every method's hyper-parameters on
// the Avg. Gap to Retrain, so users can too. One seed, one scenario, one method; every point of the
// Cartesian product of the axes is run from the same θo and scored against the same Retrain.
import type { BackendInfo } from './results';
import type { ArchitectureName, BackendChoice, DataSpec, MethodName, MethodOptions, OptimizerRecipe } from './config';
import { METHOD_NAMES } from './config';
import { isRecord } from './guards';
import { alwaysMasked, isMethodName, METHOD_OPTION_PARAMS, METHODS, methodOptionSpec, optionRangeProblem } from './methods';
import { mergeDefaults } from './runConfigSchema';
import { validate, type Schema } from './schema';
import { STUDY_SCHEMA_PARTS, studyDefaults, type TableScenario } from './table';

/** What one axis may vary: the unlearning recipe, the mask ratio, or one method option (methods.ts). */
export const GRID_PARAMS = ['lr', 'epochs', 'ratio', ...METHOD_OPTION_PARAMS] as const;
export type GridParam = (typeof GRID_PARAMS)[number];

export interface GridAxis {
  param: GridParam;
  values: number[];
}

/** One point of the grid: a value per axis, in axis order. */
export type GridPoint = Partial<Record<GridParam, number>>;

export interface GridConfig {
  method: MethodName;
  /** Run the method inside SalUn's saliency mask ("saliency + X"). */
  masked?: boolean;
  scenario: TableScenario;
  seed: number;
  data: DataSpec;
  trainSubset?: number;
  model: { kind: 'builtin'; architecture: ArchitectureName };
  /** Recipe of θo and Retrain. */
  train: OptimizerRecipe;
  axes: GridAxis[];
  backend: BackendChoice;
  /** Data-parallel training threads (RunConfig.workers); default 1. */
  workers?: number;
}

/**
 * Each method's default grid, from its row in the method table: small grids around the method's
 * defaults (a factor of 2–3 either side of the rate, and the method's own knob where it has one),
 * at most 9 points each, so a CNN grid on the default data stays within minutes per point on 2 CPU cores.
 */
export const DEFAULT_GRIDS = Object.fromEntries(
  METHOD_NAMES.map((m) => [m, METHODS[m].grid.map((a) => ({ param: a.param, values: [...a.values] }))]),
) as Readonly<Record<MethodName, GridAxis[]>>;

/** More points than this is almost surely a typo (and hours of CPU). */
export const MAX_GRID_POINTS = 64;

/** Every combination of the axes' values, the first axis varying slowest. */
export function gridPoints<P extends string = GridParam>(axes: readonly { param: P; values: readonly number[] }[]): Partial<Record<P, number>>[] {
  let points: Partial<Record<P, number>>[] = [{}];
  for (const axis of axes) points = points.flatMap((p) => axis.values.map((v) => ({ ...p, [axis.param]: v })));
  return points;
}

/** "lr=0.005, ratio=0.5" */
export function pointLabel(p: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** A point's recipe and method options on top of the method's defaults. */
export function applyPoint(p: GridPoint, recipe: OptimizerRecipe, ratio: number): { recipe: OptimizerRecipe; ratio: number; options: MethodOptions } {
  // Method options are '<group>.<param>' (the method table's names); the rest is the recipe and the ratio.
  const options: Record<string, Record<string, number>> = {};
  for (const [param, value] of Object.entries(p)) {
    if (value === undefined || !methodOptionSpec(param)) continue;
    const dot = param.indexOf('.');
    (options[param.slice(0, dot)] ??= {})[param.slice(dot + 1)] = value;
  }
  return {
    recipe: { ...recipe, ...(p.lr !== undefined ? { lr: p.lr } : {}), ...(p.epochs !== undefined ? { epochs: p.epochs } : {}) },
    ratio: p.ratio ?? ratio,
    options: options,
  };
}

/** What the axis's values break ("positive integers", …), or undefined when every value is in range. */
function axisRangeProblem(name: GridParam, values: readonly number[]): string | undefined {
  if (name === 'epochs') return values.every((v) => Number.isInteger(v) && v >= 1) ? undefined : 'positive integers';
  if (name === 'ratio') return values.every((v) => v > 0 && v <= 1) ? undefined : 'in (0, 1]';
  if (name === 'lr') return values.every((v) => v > 0) ? undefined : 'positive';
  const spec = methodOptionSpec(name);
  return spec ? optionRangeProblem(spec, values) : undefined;
}

/** Parses "lr=0.002,0.005;ratio=0.3,0.5" (the CLI's --grid); throws naming the bad part. */
export function parseGridSpec<P extends string = GridParam>(
  spec: string,
  params: readonly P[] = GRID_PARAMS as readonly string[] as readonly P[],
): { param: P; values: number[] }[] {
  const axes: { param: P; values: number[] }[] = [];
  for (const part of spec
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`grid axis '${part}' needs the form name=v1,v2,… (names: ${params.join(', ')})`);
    const param = part.slice(0, eq).trim();
    if (!(params as readonly string[]).includes(param)) throw new Error(`unknown grid parameter '${param}' (known: ${params.join(', ')})`);
    const values = part
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim());
    const nums = values.map(Number);
    const bad = values.filter((v, i) => v === '' || !Number.isFinite(nums[i]));
    if (bad.length || !values.length)
      throw new Error(`grid axis '${param}' has values that are not numbers: ${bad.map((b) => `'${b}'`).join(', ') || '(none)'}`);
    axes.push({ param: param as P, values: nums });
  }
  return axes;
}

export const GRID_CONFIG_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['method', 'scenario', 'seed', 'data', 'model', 'train', 'axes', 'backend'],
  properties: {
    method: { type: 'string', enum: METHOD_NAMES, description: 'The method to tune' },
    masked: { type: 'boolean', description: "Run the method inside SalUn's saliency mask (the ratio axis then applies)" },
    ...STUDY_SCHEMA_PARTS,
    seed: { type: 'integer', minimum: 0, description: 'The seed of θo, the forget set and Retrain' },
    axes: {
      type: 'array',
      minItems: 1,
      description: "The grid: every combination of the axes' values is one point",
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['param', 'values'],
        properties: {
          param: { type: 'string', enum: GRID_PARAMS },
          values: { type: 'array', minItems: 1, items: { type: 'number' } },
        },
      },
    },
  },
};

/** What a schema cannot say: each axis's values in its parameter's range, no axis twice, the grid's size, ratio only with a mask. */
function gridAxisProblems(c: GridConfig): string[] {
  const p: string[] = [];
  const seen = new Set<string>();
  for (const [i, { param: name, values: nums }] of c.axes.entries()) {
    if (seen.has(name)) p.push(`axes[${i}]: ${name} appears twice`);
    seen.add(name);
    const range = axisRangeProblem(name, nums);
    if (range) p.push(`${name} values must be ${range}`);
  }
  if (p.length === 0) {
    const n = gridPoints(c.axes).length;
    if (n > MAX_GRID_POINTS) p.push(`the grid has ${n} points; at most ${MAX_GRID_POINTS} (split it into several runs)`);
    if (seen.has('ratio') && !(isMethodName(c.method) && alwaysMasked(c.method)) && c.masked !== true)
      p.push(`ratio only matters for ${METHOD_NAMES.filter((m) => alwaysMasked(m)).join(', ')} or a masked method; add masked or drop the ratio axis`);
  }
  return p;
}

/**
 * A grid config with what it leaves out filled as the table's (scenario, data, model, recipe,
 * backend), seed 1 and the method's default grid; not an object: unchanged, for the validator to name.
 */
export function withGridDefaults(c: unknown): unknown {
  if (!isRecord(c)) return c;
  const axes = typeof c.method === 'string' && Object.hasOwn(DEFAULT_GRIDS, c.method) ? DEFAULT_GRIDS[c.method as MethodName] : undefined;
  return mergeDefaults({ ...studyDefaults(c), seed: 1, ...(axes ? { axes } : {}) }, c);
}

/** Every problem with a GridConfig (its defaults filled), each naming the field; empty when valid. */
export function gridConfigProblems(c: unknown): string[] {
  const merged = withGridDefaults(c);
  const p = validate(merged, GRID_CONFIG_SCHEMA, 'grid config');
  return p.length ? p : gridAxisProblems(merged as GridConfig);
}

export interface GridPointResult {
  point: GridPoint;
  label: string;
  metrics: { UA: number; RA: number; TA: number; MIA: number };
  avgGap: number;
  seconds: number;
}

export interface GridResult {
  config: GridConfig;
  retrain: { UA: number; RA: number; TA: number; MIA: number };
  original: { UA: number; RA: number; TA: number; MIA: number };
  /** In grid order. */
  points: GridPointResult[];
  /** Index into points of the smallest Avg. Gap. */
  best: number;
  backend: BackendInfo;
  date: string;
  wallSeconds: number;
  outDir: string;
}
