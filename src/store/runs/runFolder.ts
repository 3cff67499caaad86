// A run folder: <workspace>/.salun/runs/<run-id>/ with config.json, status.json, saliency/,
// metrics.jsonl, metrics.csv, training.csv, tb/ (TensorBoard events), model/, report.md and
// report.json. Every file is written atomically (event files and metrics.jsonl grow by appends).
import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { JobError } from '../../protocol/jobMessages';
import type { EvaluatedModel, Metrics, ModelRole } from '../../protocol/results';
import { appendLine, createFolder, folderCreateError, writeFileAtomic, writeJsonAtomic } from './atomic';
import { ScalarLog, type TrainedRole } from './scalarLog';
import type { TrainingCurve } from './trainingCurve';

/**
 * 'stopped': the user chose Stop and Keep; the run folder holds the model of the epochs done.
 * 'interrupted': the process ended before the run did (a signal, a second Ctrl-C; written by the
 * process itself, or inferred by a reader when the recorded process is gone).
 */
export type RunState = 'running' | 'finished' | 'stopped' | 'failed' | 'cancelled' | 'interrupted';

export interface RunStatus {
  state: RunState;
  startedAt: string;
  endedAt?: string;
  error?: JobError;
  /** The process that writes the folder and its host: a reader checks liveness with them (readRuns.ts). */
  pid?: number;
  hostname?: string;
}

export function runsRoot(workspaceDir: string): string {
  return join(workspaceDir, '.salun', 'runs');
}

export function newRunId(label: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `${stamp}-${label.replace(/[^a-zA-Z0-9_-]/g, '')}`;
}

/** <workspace>/.salun/<tables|grids>/<stamp>-<label>/ for a table or grid job, never an existing folder (-2, -3, … added). */
export function newStudyDir(workspaceDir: string, kind: 'tables' | 'grids', label: string, now = new Date()): string {
  const base = join(workspaceDir, '.salun', kind, newRunId(label, now));
  let dir = base;
  for (let i = 2; existsSync(dir); i++) dir = `${base}-${i}`;
  return dir;
}

// Folders whose status says 'running' in this process. Signals are process-wide, so the handlers
// that mark runs interrupted (CLI, job process) need a process-wide list of what is open.
const openFolders = new Set<RunFolder>();

/**
 * Marks every run this process still has running as interrupted (synchronous: it runs in signal
 * handlers just before exit). Returns the folders it marked; a folder that cannot be written is skipped.
 */
export function interruptOpenRuns(why: string): string[] {
  const marked: string[] = [];
  for (const folder of [...openFolders]) {
    try {
      folder.setStatus('interrupted', { message: `Interrupted: ${why}.`, hint: 'The folder keeps what was written before; re-run it from its config.json.' });
      marked.push(folder.dir);
    } catch {
      // The disk may be what failed; a reader still sees the process gone and says interrupted.
    }
  }
  return marked;
}

/** The exclusive mkdir that claims an id: EEXIST means another run (or process) has it. */
function claim(dir: string): boolean {
  try {
    mkdirSync(dir);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

export class RunFolder {
  readonly dir: string;
  private readonly startedAt = new Date().toISOString();
  /** metrics.csv, training.csv and the TensorBoard events: the same numbers as metrics.jsonl. */
  private readonly scalars: ScalarLog;

  /** Use `create`: it claims a unique id; this only names a folder that `claim` made. */
  private constructor(
    workspaceDir: string,
    readonly runId: string,
  ) {
    this.dir = join(runsRoot(workspaceDir), runId);
    this.scalars = new ScalarLog(this.dir);
  }

  /**
   * A new, empty folder of its own. Checking for a name and then creating it lets two runs started
   * in the same second take the same one; mkdir without `recursive` is atomic and fails on an
   * existing name, so the loser simply tries the next suffix.
   */
  static create(workspaceDir: string, label: string): RunFolder {
    const root = runsRoot(workspaceDir);
    const base = newRunId(label);
    createFolder(root);
    try {
      for (let i = 1; ; i++) {
        const id = i === 1 ? base : `${base}-${i}`;
        if (claim(join(root, id))) return new RunFolder(workspaceDir, id);
      }
    } catch (e) {
      throw folderCreateError(join(root, base), e);
    }
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  writeConfig(config: unknown): void {
    writeJsonAtomic(this.path('config.json'), config);
  }

  setStatus(state: RunState, error?: JobError): void {
    const status: RunStatus = {
      state,
      startedAt: this.startedAt,
      ...(state === 'running' ? {} : { endedAt: new Date().toISOString() }),
      ...(error ? { error } : {}),
      pid: process.pid,
      hostname: hostname(),
    };
    writeJsonAtomic(this.path('status.json'), status);
    if (state === 'running') openFolders.add(this);
    else openFolders.delete(this);
  }

  appendMetrics(role: ModelRole, method: string, epoch: number, metrics: Metrics, extra: Record<string, unknown> = {}): void {
    const time = new Date();
    appendLine(this.path('metrics.jsonl'), JSON.stringify({ time: time.toISOString(), role, method, epoch, ...metrics, ...extra }));
    this.scalars.addEvaluation(role, method, epoch, metrics, time);
  }

  /** θo's or Retrain's own learning curve (trained now or read from the model cache). */
  writeTrainingCurve(role: TrainedRole, curve: TrainingCurve): void {
    this.scalars.addCurve(role, curve);
  }

  writeReport(rows: EvaluatedModel[], markdown: string): void {
    writeJsonAtomic(this.path('report.json'), { rows });
    writeFileAtomic(this.path('report.md'), markdown);
  }
}
