// `salun runs`: a workspace's run folders as the Runs view lists them (the same reader, readRuns.ts):
// id, state, method, Avg. Gap and the problems of each. A malformed entry is a line with its
// problem, never a failure of the listing; a run whose process is gone shows as interrupted.
import { resolve } from 'node:path';
import { readRunsFolder, runGap, runVerdict, type RunSummary } from '../store/runs/readRuns';
import type { GenerationMetricsRow, RunVerdict } from '../protocol/results';
import { generationLine } from '../protocol/generationTable';
import { alignFrom, plainTable } from '../protocol/tableText';
import { readArgs } from './common';

const RUNS_USAGE = `salun runs — the run folders of a workspace (.salun/runs), newest first

Usage:
  salun runs [--json] [--workspace <dir>]

  --workspace <dir>   the workspace holding .salun/runs (default: current directory)
  --json              print the listing as JSON: { root, runs: [...], problems: [...] }

Each run: id, state (running, finished, stopped, failed, cancelled, interrupted — its process is
gone —, unknown), method, Avg. Gap to Retrain, and what could not be read; a generation run also
each model's UA and retained accuracy.`;

interface RunsOptions {
  workspace: string;
  json: boolean;
}

function parseRunsArgs(argv: string[]): RunsOptions {
  const { values } = readArgs(argv, { workspace: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, RUNS_USAGE);
  return { workspace: values.workspace !== undefined ? resolve(values.workspace) : process.cwd(), json: values.json === true };
}

/** What `--json` prints for one run: the summary without its rows (report.json has those). */
export interface RunListing {
  runId: string;
  dir: string;
  kind: RunSummary['kind'];
  state: RunSummary['state'];
  method?: string;
  avgGap?: number;
  startedAt?: string;
  error?: string;
  pid?: number;
  hostname?: string;
  /** The Retrain-free verdict on the unlearned model (runs from before it existed have none). */
  verdict?: RunVerdict;
  /** A generation run's per-model figures (generation-metrics.json). */
  generation?: GenerationMetricsRow[];
  problems: string[];
}

export function runListing(r: RunSummary): RunListing {
  const gap = runGap(r);
  const verdict = runVerdict(r);
  const method = r.kind === 'run' || r.kind === 'unknown' ? r.method : r.kind;
  return {
    runId: r.runId,
    dir: r.dir,
    kind: r.kind,
    state: r.state,
    ...(method !== undefined ? { method } : {}),
    ...(gap !== undefined ? { avgGap: gap } : {}),
    ...(r.startedAt ? { startedAt: r.startedAt } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.pid !== undefined ? { pid: r.pid } : {}),
    ...(r.hostname !== undefined ? { hostname: r.hostname } : {}),
    ...(verdict ? { verdict } : {}),
    ...(r.generation ? { generation: r.generation } : {}),
    problems: r.problems,
  };
}

/** The plain-text listing: one aligned line per run, its problems indented below it. */
export function runsTable(runs: readonly RunListing[]): string {
  const head = ['Run', 'State', 'Method', 'Avg. Gap', 'Problems'];
  const cells = runs.map((r) => [r.runId, r.state, r.method ?? '?', r.avgGap !== undefined ? r.avgGap.toFixed(2) : '—', String(r.problems.length || '')]);
  const lines = plainTable([head, ...cells], alignFrom(head.length, head.length), { rule: false }).split('\n');
  const out = [lines[0]];
  runs.forEach((r, i) => {
    out.push(lines[i + 1]);
    if (r.generation?.length) out.push(`    ${generationLine(r.generation)}`);
    if (r.error) out.push(`    error: ${r.error}`);
    for (const p of r.problems) out.push(`    ⚠ ${p}`);
  });
  return out.join('\n');
}

export function runsCommand(argv: string[]): void {
  const o = parseRunsArgs(argv);
  const listing = readRunsFolder(o.workspace);
  const runs = listing.runs.map(runListing);
  if (o.json) {
    console.log(JSON.stringify({ root: resolve(o.workspace, '.salun', 'runs'), runs, problems: listing.problems }, null, 2));
    return;
  }
  for (const p of listing.problems) process.stderr.write(`salun runs: ${p}\n`);
  if (!runs.length) {
    console.log(`no run folders in ${resolve(o.workspace, '.salun', 'runs')}`);
    return;
  }
  console.log(runsTable(runs));
}
