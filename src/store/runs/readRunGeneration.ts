// Reads a generation run's sample grids and figures back from its folder, for "Open in Panel" on a
// past run: samples/<stage>.json (and <stage>-iteration-<k>.json part-way through) beside each PNG,
// and generation-metrics.json. Per stage the panel shows one grid: the final one, else the latest
// iteration's (a run stopped part-way has only those). Each file is read and checked alone: a bad
// one is a problem and left out, never the end of the rest. Never throws.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SampleGridDescription } from '../../protocol/jobMessages';
import { isGenerationMetricsRow, isSampleGridDescription } from '../../protocol/jobMessages';
import { isRecord } from '../../protocol/guards';
import type { RunGeneration } from '../../protocol/webviewMessages';
import { readRunJson } from './runShapes';

/** A run writes a grid per stage and per reported iteration; more files than this are not read. */
const MAX_DESCRIPTIONS = 1000;

export interface RunGenerationRead {
  /** Undefined when the folder has neither samples/ nor generation-metrics.json (not a generation run). */
  generation?: RunGeneration;
  problems: string[];
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Final grids first, then later iterations: the order in which a grid replaces another of its stage. */
function newer(a: SampleGridDescription, b: SampleGridDescription): boolean {
  if (a.iteration === undefined) return b.iteration !== undefined;
  return b.iteration !== undefined && a.iteration > b.iteration;
}

function readGrids(dir: string, problems: string[]): SampleGridDescription[] {
  const samples = join(dir, 'samples');
  let names: string[];
  try {
    names = readdirSync(samples).filter((n) => n.endsWith('.json'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${samples}: ${message(e)}`);
    return [];
  }
  if (names.length > MAX_DESCRIPTIONS) {
    problems.push(`${samples}: ${names.length} grid descriptions; the first ${MAX_DESCRIPTIONS} (by name) were read`);
    names = names.sort().slice(0, MAX_DESCRIPTIONS);
  }
  const byStage = new Map<string, SampleGridDescription>();
  for (const name of names) {
    const path = join(samples, name);
    const png = join(samples, `${name.slice(0, -'.json'.length)}.png`);
    const unread: string[] = [];
    const raw = readRunJson(path, unread);
    if (raw === undefined) {
      problems.push(...unread.map((p) => `samples/${p}`));
      continue;
    }
    // The description's own path is never trusted: the picture is the PNG beside it.
    const described = isRecord(raw) ? { ...raw, file: png } : raw;
    if (!isSampleGridDescription(described)) {
      problems.push(`${path}: not a sample grid description (stage, label, classes, forgetClass, columns)`);
      continue;
    }
    if (!existsSync(png)) {
      problems.push(`${path}: its picture ${png} is missing`);
      continue;
    }
    const { seed: _seed, ...grid } = described as SampleGridDescription & { seed?: unknown };
    const held = byStage.get(grid.stage);
    if (!held || newer(grid, held)) byStage.set(grid.stage, grid);
  }
  return [...byStage.values()];
}

/** generation-metrics.json's rows of the right shape; undefined when the file is not there. */
export function readGenerationRows(dir: string, problems: string[]): RunGeneration['rows'] | undefined {
  const path = join(dir, 'generation-metrics.json');
  if (!existsSync(path)) return undefined;
  const raw = readRunJson(path, problems);
  if (raw === undefined) return undefined;
  if (!isRecord(raw) || !Array.isArray(raw.rows)) {
    problems.push(`${path}: no "rows" list`);
    return [];
  }
  const rows = raw.rows.filter(isGenerationMetricsRow);
  if (rows.length < raw.rows.length) problems.push(`${path}: ${raw.rows.length - rows.length} row(s) of the wrong shape left out`);
  return rows;
}

export function readRunGeneration(dir: string): RunGenerationRead {
  const problems: string[] = [];
  const hasSamples = existsSync(join(dir, 'samples'));
  const grids = readGrids(dir, problems);
  const rows = readGenerationRows(dir, problems);
  if (!hasSamples && rows === undefined) return { problems };
  return { generation: { grids, rows: rows ?? [] }, problems };
}
