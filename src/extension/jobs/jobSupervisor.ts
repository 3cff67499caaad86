// Owns the one job process at a time: forks the bundled job entry, sends it the start command,
// validates and records every event it streams back, and turns every way a process can end into
// exactly one final event. Deliberately free of `vscode` imports so it runs in plain-Node tests.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { JobOutcome } from '../api';
import type { JobCommand, JobEvent, JobKind } from '../../protocol/jobMessages';
import { toJobError } from '../../protocol/jobError';
import { isJobEvent, JOB_KIND_FACTS, JOB_KIND_LABELS } from '../../protocol/jobMessages';

export type StartCommand = Extract<JobCommand, { type: 'start' }>;

/** Where the supervisor writes what it sees; the extension passes its LogOutputChannel. */
export interface JobLogSink {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface JobSupervisorOptions {
  /** Absolute path of the bundled job entry (dist/job.js). */
  jobScript: string;
  log: JobLogSink;
  /** How long a cancelled job may take to stop at its next batch before it is killed. */
  killGraceMs?: number;
  /** How long a job may linger after its final event before it is killed. */
  exitGraceMs?: number;
  /**
   * The folder holding node_modules/@tensorflow/tfjs-node[-gpu] (the salun.nativeModulesDir
   * setting, or the extension's storage), given to the job as SALUN_TFJS_NODE_DIR. Asked at every
   * start, so a changed setting or a fresh install applies to the next job without a reload.
   */
  nativeModulesDir?: () => string | undefined;
}

/**
 * The job process's environment: the host's, plus where the native backends are and SALUN_CLIENT=vscode,
 * which tells the engine its messages are read by an installed extension's user (the commands and
 * settings, never a source checkout's scripts).
 */
export function jobEnvironment(options: Pick<JobSupervisorOptions, 'nativeModulesDir'>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const dir = options.nativeModulesDir?.();
  return { ...base, SALUN_CLIENT: 'vscode', ...(dir ? { SALUN_TFJS_NODE_DIR: dir } : {}) };
}

export interface JobListener {
  /** Every event of the running job, in order, including a synthesised final one. */
  onEvent?(event: JobEvent): void;
  /** A job was accepted and forked (its event log was reset). */
  onJobStarted?(kind: JobKind): void;
  /** The job process is gone and the outcome is settled. */
  onJobEnded?(outcome: JobOutcome): void;
}

export interface Disposable {
  dispose(): void;
}

/** Thrown by `start` while another job is running; the caller offers to show or cancel it. */
export class JobAlreadyRunningError extends Error {
  constructor(readonly runningKind: JobKind) {
    super(`A SalUn ${JOB_KIND_LABELS[runningKind]} is already running.`);
    this.name = 'JobAlreadyRunningError';
  }
}

/** Jobs with steps to stop between whose work so far is worth keeping (Stop and Keep). */
export function canStopAndKeep(kind: JobKind): boolean {
  return JOB_KIND_FACTS[kind].stopAndKeep === true;
}

const FINAL_TYPES: ReadonlySet<JobEvent['type']> = new Set(['finished', 'failed', 'cancelled']);

export function isFinalEvent(event: JobEvent): event is Extract<JobEvent, { type: 'finished' | 'failed' | 'cancelled' }> {
  return FINAL_TYPES.has(event.type);
}

interface RunningJob {
  kind: JobKind;
  child: ChildProcess | undefined;
  finalEvent: JobEvent | undefined;
  cancelRequested: boolean;
  stopRequested: boolean;
  killTimer: NodeJS.Timeout | undefined;
  done: Promise<JobOutcome>;
  settle: (outcome: JobOutcome) => void;
}

export class JobSupervisor implements Disposable {
  private current: RunningJob | undefined;
  private events: JobEvent[] = [];
  private lastKind: JobKind | undefined;
  private readonly listeners = new Set<JobListener>();
  private readonly killGraceMs: number;
  private readonly exitGraceMs: number;

  constructor(private readonly options: JobSupervisorOptions) {
    this.killGraceMs = options.killGraceMs ?? 10_000;
    this.exitGraceMs = options.exitGraceMs ?? 5_000;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  get runningKind(): JobKind | undefined {
    return this.current?.kind;
  }

  /** The kind of the current job, or of the last one when none is running. */
  get kind(): JobKind | undefined {
    return this.current?.kind ?? this.lastKind;
  }

  /** Every event of the current job, or of the last one when none is running. */
  eventLog(): readonly JobEvent[] {
    return this.events;
  }

  subscribe(listener: JobListener): Disposable {
    this.listeners.add(listener);
    return {
      dispose: () => {
        this.listeners.delete(listener);
      },
    };
  }

  /** Resolves when the running job ends; undefined when none is running. */
  waitForJob(): Promise<JobOutcome | undefined> {
    return this.current ? this.current.done : Promise.resolve(undefined);
  }

  /**
   * Forks the job and sends it `command`. Returns a promise of its outcome, which always settles
   * (a process that cannot start, crashes or is killed still yields a 'failed' or 'cancelled').
   */
  start(command: StartCommand): Promise<JobOutcome> {
    if (this.current) throw new JobAlreadyRunningError(this.current.kind);

    let settle: (outcome: JobOutcome) => void = () => undefined;
    const done = new Promise<JobOutcome>((resolve) => {
      settle = resolve;
    });
    const job: RunningJob = {
      kind: command.kind,
      child: undefined,
      finalEvent: undefined,
      cancelRequested: false,
      stopRequested: false,
      killTimer: undefined,
      done,
      settle,
    };
    this.current = job;
    this.events = [];
    this.lastKind = command.kind;
    this.notify((l) => l.onJobStarted?.(command.kind));

    const { jobScript, log } = this.options;
    if (!existsSync(jobScript)) {
      this.acceptEvent(job, {
        type: 'failed',
        error: {
          message: 'The SalUn job runner is missing from this installation.',
          hint: 'Rebuild the extension (npm run build) or reinstall it.',
          file: jobScript,
        },
      });
      this.end(job);
      return done;
    }

    let child: ChildProcess;
    try {
      child = fork(jobScript, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: jobEnvironment(this.options) });
    } catch (err) {
      const error = toJobError(err);
      this.acceptEvent(job, { type: 'failed', error: { ...error, message: `Could not start the job process: ${error.message}` } });
      this.end(job);
      return done;
    }
    job.child = child;
    log.info(`job: started ${command.kind} job (pid ${child.pid ?? '?'})`);

    this.watch(job, child);
    this.sendStart(child, command);
    return done;
  }

  /** Forwards the child's output and events, and settles the job once, when the process is gone. */
  private watch(job: RunningJob, child: ChildProcess): void {
    const { log } = this.options;
    pipeLines(child.stdout, (line) => log.info(`[job] ${line}`));
    pipeLines(child.stderr, (line) => log.warn(`[job stderr] ${line}`));

    child.on('message', (message: unknown) => {
      if (!isJobEvent(message)) {
        log.warn(`job: ignored a malformed message: ${safeJson(message)}`);
        return;
      }
      if (job.finalEvent) {
        log.warn(`job: ignored '${message.type}' after the final '${job.finalEvent.type}'`);
        return;
      }
      this.acceptEvent(job, message);
      if (isFinalEvent(message)) this.armKill(job, this.exitGraceMs, 'did not exit after its final event');
    });
    child.on('error', (err) => {
      log.error(`job: process error: ${errorText(err)}`);
      // 'exit' may never come when the fork itself failed; settle here in that case.
      if (child.pid === undefined) {
        this.synthesiseFinal(job, `Could not start the job process: ${errorText(err)}`);
        this.end(job);
      }
    });
    // 'close' comes once the stdio pipes and the IPC channel have drained, so a final event sent
    // just before exit is not lost; 'exit' only arms a fallback for pipes held open by a grandchild.
    let exitText = 'exit code unknown';
    let ended = false;
    const finish = (): void => {
      if (ended) return;
      ended = true;
      // Said here, once the final event has surely arrived, and before the outcome is reported, so
      // the log reads "the job failed; its process exited (exit code 1)" and then the failure.
      log.info(`job: ${exitLine(job.finalEvent, exitText)}`);
      this.synthesiseFinal(job, `The job process ended unexpectedly (${exitText}).`);
      this.end(job);
    };
    child.on('exit', (code, signal) => {
      exitText = describeExit(code, signal);
      setTimeout(finish, 2_000).unref();
    });
    child.on('close', finish);
  }

  /** The start command; a child that cannot take it is killed, and its exit settles the job. */
  private sendStart(child: ChildProcess, command: StartCommand): void {
    const { log } = this.options;
    try {
      child.send(command, (err) => {
        if (err) log.error(`job: could not send the start command: ${err.message}`);
      });
    } catch (err) {
      log.error(`job: could not send the start command: ${errorText(err)}`);
      child.kill('SIGKILL');
    }
  }

  /**
   * Asks the running job to stop at its next batch; kills it when it has not exited within the
   * grace period. Returns false when no job is running.
   */
  cancel(): boolean {
    const job = this.current;
    if (!job) return false;
    if (job.cancelRequested) return true;
    job.cancelRequested = true;
    this.options.log.info('job: cancel requested');
    const child = job.child;
    if (child && child.connected) {
      try {
        child.send({ type: 'cancel' } satisfies JobCommand);
      } catch (err) {
        this.options.log.warn(`job: could not send cancel: ${errorText(err)}`);
      }
    }
    if (child) this.armKill(job, this.killGraceMs, 'did not stop within the cancel grace period');
    return true;
  }

  /**
   * Stop and keep: asks the running unlearning run to end after its current epoch (a comparison
   * table: after its current model) and write what it has. No kill timer: an epoch or a model and
   * its evaluation may take minutes, and Cancel stays available. Returns false when no job is
   * running, or when the running job has nothing partial to keep.
   */
  stop(): boolean {
    const job = this.current;
    if (!job || !canStopAndKeep(job.kind) || job.cancelRequested) return false;
    if (job.stopRequested) return true;
    job.stopRequested = true;
    this.options.log.info('job: stop (and keep) requested');
    const child = job.child;
    if (child && child.connected) {
      try {
        child.send({ type: 'stop' } satisfies JobCommand);
      } catch (err) {
        this.options.log.warn(`job: could not send stop: ${errorText(err)}`);
        return false;
      }
    }
    return true;
  }

  /** A stop was asked of the running job (it has not ended yet). */
  get stopping(): boolean {
    return this.current?.stopRequested ?? false;
  }

  dispose(): void {
    const job = this.current;
    if (job?.child && job.child.exitCode === null && job.child.signalCode === null) {
      job.cancelRequested = true;
      job.child.kill('SIGKILL');
    }
    this.listeners.clear();
  }

  private acceptEvent(job: RunningJob, event: JobEvent): void {
    if (this.current !== job) return;
    if (isFinalEvent(event)) job.finalEvent = event;
    this.events.push(event);
    if (event.type === 'log') {
      this.options.log[event.level](event.message);
    }
    this.notify((l) => l.onEvent?.(event));
  }

  /** A process that ends without a final event: cancelled if we asked, failed otherwise. */
  private synthesiseFinal(job: RunningJob, message: string): void {
    if (job.finalEvent) return;
    if (job.cancelRequested) {
      this.acceptEvent(job, { type: 'cancelled' });
      return;
    }
    this.acceptEvent(job, {
      type: 'failed',
      error: { message, hint: 'The job output is in the SalUn log (SalUn: Show Log).' },
    });
  }

  private armKill(job: RunningJob, ms: number, why: string): void {
    if (job.killTimer) return;
    job.killTimer = setTimeout(() => {
      const child = job.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        this.options.log.warn(`job: killing the job process: it ${why}`);
        child.kill('SIGKILL');
      }
    }, ms);
    job.killTimer.unref?.();
  }

  private end(job: RunningJob): void {
    if (this.current !== job) return;
    if (job.killTimer) clearTimeout(job.killTimer);
    this.current = undefined;
    const final = job.finalEvent;
    const status = final && isFinalEvent(final) ? final.type : 'failed';
    const outcome: JobOutcome = { status, events: [...this.events] };
    if (final?.type === 'finished') outcome.result = final.result;
    job.settle(outcome);
    this.notify((l) => l.onJobEnded?.(outcome));
  }

  private notify(call: (listener: JobListener) => void): void {
    for (const listener of [...this.listeners]) {
      try {
        call(listener);
      } catch (err) {
        this.options.log.error(`job: listener failed: ${errorText(err)}`);
      }
    }
  }
}

function pipeLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.length > 0) onLine(line);
  });
  stream.on('end', () => {
    if (pending.length > 0) onLine(pending);
    pending = '';
  });
}

const FINAL_WORDS: Record<'finished' | 'failed' | 'cancelled', string> = { finished: 'finished', failed: 'failed', cancelled: 'was cancelled' };

/** How the job ended and then how its process did, in that order: "the job failed; its process exited (exit code 1)". */
export function exitLine(final: JobEvent | undefined, exitText: string): string {
  if (!final || !isFinalEvent(final)) return `the job process exited (${exitText}) without a final event`;
  return `the job ${FINAL_WORDS[final.type]}; its process exited (${exitText})`;
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  return `exit code ${code ?? 'unknown'}`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function safeJson(x: unknown): string {
  try {
    const text = JSON.stringify(x);
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return String(x);
  }
}
