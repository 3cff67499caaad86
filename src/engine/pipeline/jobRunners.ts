// The engine's half of each job kind's row (protocol/configKinds.ts has the parser and the plan):
// what runs the job. Keyed by every kind, so a kind without a runner does not compile.
import { basename, join } from 'node:path';
import type { JobKind, StartCommand, StartOf } from '../../protocol/jobMessages';
import type { RunResult } from '../../protocol/results';
import { defaultAuditDir, runAuditJob } from './classification/auditJob';
import { runEvaluateJob } from './classification/evaluateJob';
import { runGenerationJob } from './generation/job';
import { defaultGenerationTableDir, runGenerationTable } from './generation/table';
import { defaultGenerationGridDir, runGenerationGrid } from './generation/gridSearch';
import { defaultGridDir, runGridJob } from './classification/gridJob';
import type { JobContext } from './shared/jobContext';
import { runUnlearningJob } from './classification/runJob';
import { runSaliencyJob } from './classification/saliencyJob';
import { defaultTableDir, describeMissing, runTableJob } from './classification/tableJob';

type Runner<K extends JobKind> = (command: StartOf<K>, ctx: JobContext) => Promise<RunResult>;

const JOB_RUNNERS: { readonly [K in JobKind]: Runner<K> } = {
  run: (c, ctx) => runUnlearningJob(c.config, ctx),
  saliency: (c, ctx) => runSaliencyJob(c.config, ctx),
  evaluate: (c, ctx) => runEvaluateJob(c.config, ctx),
  table: async (c, ctx) => {
    const outDir = c.outDir ?? defaultTableDir(c.workspaceDir, c.config);
    const t = await runTableJob(c.config, ctx, outDir);
    // The per-seed rows are in table.json; the event stream already carried each as 'evaluated'.
    const partial = t.stopped ? { done: t.stopped.modelsDone, of: t.stopped.modelsPlanned, missing: describeMissing(t.stopped.missing) } : undefined;
    return { runId: basename(outDir), runDir: outDir, backend: t.backend, rows: [], report: join(outDir, 'table.md'), ...(partial ? { partial } : {}) };
  },
  grid: async (c, ctx) => {
    const outDir = c.outDir ?? defaultGridDir(c.workspaceDir, c.config);
    const g = await runGridJob(c.config, ctx, outDir);
    // The points are in grid.json; the event stream already carried each as 'evaluated'.
    return { runId: basename(outDir), runDir: outDir, backend: g.backend, rows: [], report: join(outDir, 'grid.md') };
  },
  generation: (c, ctx) => runGenerationJob(c.config, ctx),
  'gen-table': async (c, ctx) => {
    const outDir = c.outDir ?? defaultGenerationTableDir(c.workspaceDir, c.config);
    const t = await runGenerationTable(c.config, ctx, outDir);
    // The per-seed rows are in table.json, each seed's grids and models in its own run folder.
    return { runId: basename(outDir), runDir: outDir, backend: t.backend, rows: [], report: join(outDir, 'table.md') };
  },
  'gen-grid': async (c, ctx) => {
    const outDir = c.outDir ?? defaultGenerationGridDir(c.workspaceDir, c.config);
    const g = await runGenerationGrid(c.config, ctx, outDir);
    return { runId: basename(outDir), runDir: outDir, backend: g.backend, rows: [], report: join(outDir, 'grid.md') };
  },
  audit: async (c, ctx) => {
    const outDir = c.outDir ?? defaultAuditDir(c.workspaceDir, c.config);
    const a = await runAuditJob(c.config, ctx, outDir);
    return { runId: basename(outDir), runDir: outDir, backend: a.backend, rows: [], report: join(outDir, 'audit.md') };
  },
};

/** Runs a parsed start command with its kind's runner. */
export function runJob(command: StartCommand, ctx: JobContext): Promise<RunResult> {
  return (JOB_RUNNERS[command.kind] as Runner<JobKind>)(command, ctx);
}

/** The kinds the engine can run, for the job-kind rule test. */
export const JOB_RUNNERS_KINDS: readonly string[] = Object.keys(JOB_RUNNERS);
