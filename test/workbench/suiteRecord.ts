// What the mocha host suite left in its workspace, read before the e2e looks at the panel: the panel
// replays the supervisor's last job, which is the newest run folder, and its comparison offers the
// runs comparisonRuns() finds. The cases compare what is drawn with these.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { comparisonRuns } from '../../src/extension/runs/comparisonRuns';
import { isRecord, isString } from '../../src/protocol/guards';
import type { SaliencySummary } from '../../src/protocol/results';
import { listRuns } from '../../src/store/runs/readRuns';
import { readSaliency } from '../../src/store/runs/readSaliency';

export interface SuiteRecord {
  /** The newest run folder of the workspace (by status.json's startedAt, then id). */
  runDir?: string;
  /** Its folder name, which the panel's status line shows. */
  runId?: string;
  /** config.json's kind ('saliency', 'run', …). */
  kind?: string;
  /** Whether its metrics.jsonl holds an unlearned epoch (a run cancelled before one has none). */
  hasEpochs: boolean;
  /** Whether the run folder has a saliency map (saliency/summary.json) at all. */
  hasSaliency: boolean;
  /** The map's summary as the panel reads it; undefined when it is missing or unreadable (see saliencyProblem). */
  summary?: SaliencySummary;
  saliencyProblem?: string;
  /** How many runs the comparison should offer; undefined when they could not be listed. */
  comparisonRuns?: number;
  comparisonProblem?: string;
}

// The Runs view's order (listRuns): newest first, same-second runs by their startedAt.
function newestRunDir(ws: string): string | undefined {
  return listRuns(ws).find((r) => r.isFolder)?.dir;
}

function kindOf(runDir: string): string | undefined {
  try {
    const config: unknown = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    return isRecord(config) && isString(config.kind) ? config.kind : undefined;
  } catch {
    return undefined;
  }
}

function saliencyOf(runDir: string): Pick<SuiteRecord, 'hasSaliency' | 'summary' | 'saliencyProblem'> {
  if (!existsSync(join(runDir, 'saliency', 'summary.json'))) return { hasSaliency: false };
  // A map that is there but unreadable fails the saliency cases rather than skipping them.
  try {
    return { hasSaliency: true, summary: readSaliency(runDir).summary };
  } catch (e) {
    return { hasSaliency: true, saliencyProblem: e instanceof Error ? e.message : String(e) };
  }
}

function comparisonCount(ws: string): Pick<SuiteRecord, 'comparisonRuns' | 'comparisonProblem'> {
  try {
    return { comparisonRuns: comparisonRuns([ws]).length };
  } catch (e) {
    return { comparisonProblem: e instanceof Error ? e.message : String(e) };
  }
}

export function readSuiteRecord(ws: string): SuiteRecord {
  const runDir = newestRunDir(ws);
  if (!runDir) return { hasEpochs: false, hasSaliency: false, ...comparisonCount(ws) };
  const metrics = join(runDir, 'metrics.jsonl');
  return {
    runDir,
    runId: basename(runDir),
    kind: kindOf(runDir),
    hasEpochs: existsSync(metrics) && readFileSync(metrics, 'utf8').includes('"unlearned"'),
    ...saliencyOf(runDir),
    ...comparisonCount(ws),
  };
}

/** One line for the log before the cases run. */
export function describeSuiteRecord(s: SuiteRecord): string {
  const map = s.summary
    ? `saliency with ${s.summary.layers.length} layers, ratio ${s.summary.ratio}`
    : s.saliencyProblem
      ? `unreadable saliency map (${s.saliencyProblem})`
      : 'no saliency map';
  const runs = s.comparisonRuns ?? `? (${s.comparisonProblem ?? 'not listed'})`;
  return `last run folder ${s.runDir ?? '(none)'}, ${map}; comparison runs on disk: ${runs}`;
}
