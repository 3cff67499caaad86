// The generation task's grid search: one generation method at every point of a small grid of its
// recipe (the rate, the steps, and its own knob: the mask ratio, β or η), each point a generation job
// from the same θo in its own run folder, reported as UA, retained accuracy and FID-classifier per
// point. No point is chosen: without Retrain a generation job has no single score to minimise, so
// the table shows the trade-off and the user reads it. The default axes are the method's row's
// (its generation facet's `grid`). A job kind of its own, like the generation table (genTable.ts).
import { parseGenerationConfig, type GenerationConfig } from './generationConfig';
import { GENERATION_METHOD_NAMES, generationFacet, isGenerationMethodName, type GenerationMethodName } from './genMethods';
import { gridPoints, MAX_GRID_POINTS, parseGridSpec } from './grid';
import { isRecord } from './guards';
import { methodLabel } from './methods';
import type { BackendInfo, GenerationMetricsRow } from './results';
import { ConfigError } from './runConfigSchema';
import { fixed } from './generationTable';

export const GEN_GRID_PARAMS = ['lr', 'iterations', 'ratio', 'beta', 'eta'] as const;
export type GenGridParam = (typeof GEN_GRID_PARAMS)[number];

export interface GenGridAxis {
  param: GenGridParam;
  values: number[];
}

export type GenGridPoint = Partial<Record<GenGridParam, number>>;

/** A generation config with one `method` and its `axes` in place of `methods`. */
export type GenerationGridConfig = Omit<GenerationConfig, 'methods'> & { method: GenerationMethodName; axes: GenGridAxis[] };

export interface GenerationGridPointResult {
  label: string;
  point: GenGridPoint;
  runId: string;
  /** θo's row and the method's, as the point's job wrote them. */
  rows: GenerationMetricsRow[];
}

export interface GenerationGridResult {
  config: GenerationGridConfig;
  points: GenerationGridPointResult[];
  /** Present when the job ended before its last step (cancelled or failed): the steps it lacks ("seed 2", "lr=0.0002") and why. */
  partial?: { missing: string[]; why: string };
  backend: BackendInfo;
  date: string;
  wallSeconds: number;
  outDir: string;
}

/** The method's default axes: its generation facet's grid. */
export function defaultGenGridAxes(method: GenerationMethodName): GenGridAxis[] {
  return generationFacet(method).grid.map((a) => ({ param: a.param, values: [...a.values] }));
}

/** `lr=1e-4,2e-4;ratio=0.5` as axes; throws naming the bad part. */
export function parseGenGridSpec(spec: string): GenGridAxis[] {
  return parseGridSpec(spec, GEN_GRID_PARAMS);
}

const RANGES: Readonly<Record<GenGridParam, { min: number; max: number; integer?: true; exclusiveMin?: true }>> = {
  lr: { min: 0, max: 1, exclusiveMin: true },
  iterations: { min: 1, max: 100_000, integer: true },
  ratio: { min: 0, max: 1, exclusiveMin: true },
  beta: { min: 0, max: 1e6 },
  eta: { min: 0, max: 1e6 },
};

/** Why an axis cannot apply to the method (ratio without the mask, the other method's knob), or undefined. */
function axisProblem(method: GenerationMethodName, axis: unknown): string | undefined {
  if (!isRecord(axis) || typeof axis.param !== 'string' || !Array.isArray(axis.values)) return 'each axis is { "param": …, "values": [numbers] }';
  const param = axis.param;
  if (!(GEN_GRID_PARAMS as readonly string[]).includes(param)) return `axis ${param}: not a parameter of a generation grid (${GEN_GRID_PARAMS.join(', ')})`;
  const f = generationFacet(method);
  const label = methodLabel(method);
  if (param === 'ratio' && !f.usesMask) return `axis ratio: ${label} moves every weight, it has no mask ratio`;
  if ((param === 'beta' || param === 'eta') && param !== f.knob) return `axis ${param}: ${label} is weighed by ${f.knob}, not ${param}`;
  const r = RANGES[param as GenGridParam];
  const values: readonly unknown[] = axis.values;
  if (values.length === 0) return `axis ${param}: no values`;
  const bad = values.find(
    (v) =>
      typeof v !== 'number' || !Number.isFinite(v) || v > r.max || (r.exclusiveMin ? v <= r.min : v < r.min) || (r.integer === true && !Number.isInteger(v)),
  );
  if (bad !== undefined)
    return `axis ${param}: ${JSON.stringify(bad)} is out of range (${r.exclusiveMin ? '>' : '≥'} ${r.min}, ≤ ${r.max}${r.integer ? ', whole' : ''})`;
  return undefined;
}

export function parseGenerationGridConfig(value: unknown, source = 'the generation grid config'): GenerationGridConfig {
  if (!isRecord(value)) throw new ConfigError(['the generation grid config must be an object: a generation config with method and axes'], source);
  const { method, axes, ...rest } = value;
  if (!isGenerationMethodName(method))
    throw new ConfigError([`method must be one of ${GENERATION_METHOD_NAMES.join(', ')}, got ${JSON.stringify(method)}`], source);
  const problems: string[] = [];
  if ('methods' in rest) problems.push('methods: a grid tunes one method (method), not a list');
  const list = axes === undefined ? defaultGenGridAxes(method) : axes;
  if (!Array.isArray(list) || list.length === 0) problems.push('axes must be a non-empty list');
  else {
    const items: readonly unknown[] = list;
    problems.push(...items.flatMap((a) => axisProblem(method, a) ?? []));
    const n = problems.length ? 0 : gridPoints(list as GenGridAxis[]).length;
    if (n > MAX_GRID_POINTS) problems.push(`the axes make ${n} points, more than ${MAX_GRID_POINTS}`);
  }
  if (problems.length) throw new ConfigError(problems, source);
  const { methods: _methods, ...base } = parseGenerationConfig({ ...rest, methods: [method] }, source);
  return { ...base, method, axes: (list as GenGridAxis[]).map((a) => ({ param: a.param, values: [...a.values] })) };
}

/** The generation job of one point: the method alone, its recipe with the point's values. */
export function pointConfig(c: GenerationGridConfig, point: GenGridPoint): GenerationConfig {
  const { method, axes: _axes, ...base } = c;
  return { ...base, methods: [method], unlearn: { ...base.unlearn, ...point } };
}

export function genGridPoints(c: Pick<GenerationGridConfig, 'axes'>): GenGridPoint[] {
  return gridPoints(c.axes);
}

export const GEN_GRID_COLUMNS = ['Point', 'UA (forgotten class)', 'Acc. retained', 'FID-cl. vs test', 'FID-cl. vs θo', 'Time (s)'] as const;

/** θo (from the first point) and then each point's method row, in grid order. */
export function genGridCells(g: Pick<GenerationGridResult, 'config' | 'points'>): string[][] {
  const original = g.points[0]?.rows.find((r) => r.method === 'original');
  const line = (label: string, r: GenerationMetricsRow | undefined): string[] => [
    label,
    fixed(r?.ua, 1),
    fixed(r?.retainedAccuracy, 1),
    fixed(r?.fidClassifier.realTest, 2),
    fixed(r?.fidClassifier.theta0, 2),
    fixed(r?.seconds, 1),
  ];
  return [
    [...GEN_GRID_COLUMNS],
    ...(original ? [line('θo', original)] : []),
    ...g.points.map((p) =>
      line(
        `${methodLabel(g.config.method)} ${p.label}`,
        p.rows.find((r) => r.method === g.config.method),
      ),
    ),
  ];
}
