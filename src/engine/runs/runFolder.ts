// A run folder: <workspace>/.salun/runs/<run-id>/ with config.json, status.json, saliency/,
// metrics.jsonl, model/, report.md and report.json. Every file is written atomically.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JobError } from '../../protocol/jobMessages';
import type { EvaluatedModel, Metrics, ModelRole } from '../../protocol/results';
import { appendLine, writeFileAtomic, writeJsonAtomic } from './atomic';

/** 'stopped': the user chose Stop and Keep; the run folder holds the model of the epochs done. */
export type RunState = 'running' | 'finished' | 'stopped' | 'failed' | 'cancelled';

export interface RunStatus {
  state: RunState;
  startedAt: string;
  endedAt?: string;
  error?: JobError;
}

export function runsRoot(workspaceDir: string): string {
  return join(workspaceDir, '.salun', 'runs');
}

export function newRunId(label: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `${stamp}-${label.replace(/[^a-zA-Z0-9_-]/g, '')}`;
}

export class RunFolder {
  readonly dir: string;
  private readonly startedAt = new Date().toISOString();

  constructor(workspaceDir: string, readonly runId: string) {
    this.dir = join(runsRoot(workspaceDir), runId);
    if (existsSync(this.dir)) throw new Error(`run folder ${this.dir} already exists`);
    mkdirSync(this.dir, { recursive: true });
  }

  static create(workspaceDir: string, label: string): RunFolder {
    const root = runsRoot(workspaceDir);
    const base = newRunId(label);
    const taken = existsSync(root) ? new Set(readdirSync(root)) : new Set<string>();
    let id = base;
    for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
    return new RunFolder(workspaceDir, id);
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  writeConfig(config: unknown): void {
    writeJsonAtomic(this.path('config.json'), config);
  }

  setStatus(state: RunState, error?: JobError): void {
    const status: RunStatus = { state, startedAt: this.startedAt, ...(state === 'running' ? {} : { endedAt: new Date().toISOString() }), ...(error ? { error } : {}) };
    writeJsonAtomic(this.path('status.json'), status);
  }

  appendMetrics(role: ModelRole, method: string, epoch: number, metrics: Metrics, extra: Record<string, unknown> = {}): void {
    appendLine(this.path('metrics.jsonl'), JSON.stringify({ time: new Date().toISOString(), role, method, epoch, ...metrics, ...extra }));
  }

  writeReport(rows: EvaluatedModel[], markdown: string): void {
    writeJsonAtomic(this.path('report.json'), { rows });
    writeFileAtomic(this.path('report.md'), markdown);
  }
}
