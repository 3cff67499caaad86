// The generation task's table: one generation config run once per seed (each seed its own run
// folder, with its grids and models), then every model's UA, retained accuracy and FID-classifier
// as mean ± std over the seeds. A job kind of its own (its row: jobMessages.ts, configKinds.ts,
// engine/pipeline/jobRunners.ts; its plan in jobProgress.ts); the methods and their labels are the
// method table's rows.
import { parseGenerationConfig, type GenerationConfig } from './generationConfig';
import { isRecord } from './guards';
import type { BackendInfo, GenerationMetricsRow } from './results';
import { ConfigError } from './runConfigSchema';
import { formatStat, meanStd, type SeedStat } from './table';

/** A generation config with `seeds` in place of `seed`: the job every seed runs. */
export type GenerationTableConfig = Omit<GenerationConfig, 'seed'> & { seeds: number[] };

/** The generation job of one seed of the table. */
export function seedConfig(c: GenerationTableConfig, seed: number): GenerationConfig {
  const { seeds: _seeds, ...base } = c;
  return { ...base, seed };
}

/** One seed's job: its run folder and the rows its job wrote (θo, Retrain when asked, each method). */
export interface GenerationTableSeed {
  seed: number;
  runId: string;
  rows: GenerationMetricsRow[];
}

/** One model over the seeds that have it. */
export interface GenerationTableRow {
  label: string;
  method: string;
  ua: SeedStat;
  retainedAccuracy: SeedStat;
  fidTest: SeedStat;
  seconds: SeedStat;
}

export interface GenerationTableResult {
  config: GenerationTableConfig;
  rows: GenerationTableRow[];
  seeds: GenerationTableSeed[];
  /** Present when the job ended before its last step (cancelled or failed): the steps it lacks ("seed 2", "lr=0.0002") and why. */
  partial?: { missing: string[]; why: string };
  backend: BackendInfo;
  date: string;
  wallSeconds: number;
  outDir: string;
}

const MAX_SEED = 2 ** 31 - 1;

export function parseGenerationTableConfig(value: unknown, source = 'the generation table config'): GenerationTableConfig {
  if (!isRecord(value)) throw new ConfigError(['the generation table config must be an object: a generation config with seeds'], source);
  const { seeds, ...rest } = value;
  const problems: string[] = [];
  if ('seed' in rest) problems.push('seed: a table takes seeds (a list), not seed');
  if (!Array.isArray(seeds) || seeds.length === 0) problems.push('seeds must be a non-empty list of whole numbers');
  else {
    const list: readonly unknown[] = seeds;
    const bad = list.find((s) => typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > MAX_SEED);
    if (bad !== undefined) problems.push(`seeds: ${JSON.stringify(bad)} is not a whole number from 0 to ${MAX_SEED}`);
    if (new Set(list).size !== list.length) problems.push('seeds must not repeat (a repeated seed would run the same job twice)');
  }
  if (problems.length) throw new ConfigError(problems, source);
  const { seed: _seed, ...base } = parseGenerationConfig(rest, source);
  return { ...base, seeds: [...(seeds as number[])] };
}

const defined = (xs: readonly (number | undefined)[]): number[] => xs.filter((x): x is number => x !== undefined && Number.isFinite(x));

/** Every model (in the first seed's order, then any a later seed adds) as mean ± std over the seeds that have it. */
export function generationTableRows(seeds: readonly GenerationTableSeed[]): GenerationTableRow[] {
  const methods: string[] = [];
  for (const s of seeds) for (const r of s.rows) if (!methods.includes(r.method)) methods.push(r.method);
  return methods.map((method) => {
    const rows = seeds.flatMap((s) => s.rows.filter((r) => r.method === method));
    return {
      label: rows[0]?.label ?? method,
      method,
      ua: meanStd(rows.map((r) => r.ua)),
      retainedAccuracy: meanStd(rows.map((r) => r.retainedAccuracy)),
      fidTest: meanStd(defined(rows.map((r) => r.fidClassifier.realTest))),
      seconds: meanStd(defined(rows.map((r) => r.seconds))),
    };
  });
}

export const GENERATION_TABLE_COLUMNS = ['Model', 'UA (forgotten class)', 'Acc. retained', 'FID-cl. vs test', 'Time (s)', 'Seeds'] as const;

export function generationSeedTableCells(rows: readonly GenerationTableRow[]): string[][] {
  return [
    [...GENERATION_TABLE_COLUMNS],
    ...rows.map((r) => [r.label, formatStat(r.ua, 1), formatStat(r.retainedAccuracy, 1), formatStat(r.fidTest, 2), formatStat(r.seconds, 1), String(r.ua.n)]),
  ];
}
