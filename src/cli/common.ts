// What every `salun` command shares: argument reading, failing with a message, Ctrl-C handling.
import { resolve } from 'node:path';
import { BACKEND_CHOICES, isBackendChoice, type BackendChoice } from '../protocol/backends';
import { MAX_WORKERS } from '../protocol/config';
import { CancelledError } from '../engine/errors';
import { toJobError } from '../engine/pipeline/guard';
import { interruptOpenRuns } from '../engine/runs/runFolder';

export function fail(message: string, code = 2): never {
  process.stderr.write(`salun: ${message}\n`);
  process.exit(code);
}

/** Walks argv once; `valueOf(flag)` takes the word after a flag or fails naming the flag. */
export class ArgReader {
  private at = 0;
  constructor(private readonly argv: string[]) {}
  next(): string | undefined {
    return this.argv[this.at++];
  }
  valueOf(flag: string): string {
    const v = this.argv[this.at++];
    if (v === undefined) fail(`${flag} needs a value`);
    return v;
  }
}

/** A flag's value as a number, or a failure that names the flag and what was given. */
export function numberArg(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) fail(`${flag} needs a number, got '${v}'`);
  return n;
}

export const WORKERS_USAGE = `  --workers <N>       data-parallel training threads: each batch split into N shards whose gradients
                      worker threads compute (wasm, cpu backends; default 1). Without batch norm the
                      result equals 1 worker up to float summation order; with it (the CNN) each shard
                      normalises with its own statistics, so results differ slightly`;

/** `--backend` and `--native-dir`, the choices read from the backend table. */
export function backendUsage(defaultText: string): string {
  return `  --backend <name>    ${BACKEND_CHOICES.join(' | ')} (${defaultText})
  --native-dir <dir>  the folder holding node_modules/@tensorflow/tfjs-node[-gpu] for the tensorflow
                      backends (default: env SALUN_TFJS_NODE_DIR; build one offline from a source
                      checkout with node scripts/build-tfjs-node.mjs)`;
}

/** `--backend`: a row of the backend table, or auto. */
export function backendArg(flag: string, v: string): BackendChoice {
  if (!isBackendChoice(v)) fail(`${flag} must be one of ${BACKEND_CHOICES.join(', ')}, got '${v}'`);
  return v;
}

/**
 * `--native-dir`: the engine runs in this process and reads SALUN_TFJS_NODE_DIR when it picks the
 * backend, as a job forked by the extension does; setting it here keeps one way in.
 */
export function nativeDirArg(v: string): void {
  process.env.SALUN_TFJS_NODE_DIR = resolve(v);
}

/** `--workers`: an integer from 1 to MAX_WORKERS. */
export function workersArg(flag: string, v: string): number {
  const n = numberArg(flag, v);
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS)) fail(`${flag} must be an integer from 1 to ${MAX_WORKERS}, got ${v}`);
  return n;
}

/** Marks this process's running run folders interrupted, says which, and exits with `code`. */
function exitInterrupted(why: string, code: number): never {
  for (const dir of interruptOpenRuns(why)) process.stderr.write(`salun: ${dir} marked interrupted\n`);
  process.exit(code);
}

/**
 * First Ctrl-C: stop at the next batch (the run folder says cancelled); second: exit at once, the
 * folder marked interrupted. SIGTERM (a scheduler's time limit, `kill`) and SIGHUP (the terminal
 * closed) end at once the same way. SIGKILL cannot be caught: readers tell a dead process apart.
 */
export function abortOnCtrlC(): AbortController {
  const abort = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) exitInterrupted('a second Ctrl-C', 130);
    process.stderr.write('\nstopping at the next batch (Ctrl-C again to exit now)…\n');
    abort.abort();
  });
  process.on('SIGTERM', () => exitInterrupted('SIGTERM', 143));
  process.on('SIGHUP', () => exitInterrupted('SIGHUP (the terminal closed)', 129));
  return abort;
}

/**
 * Runs a long study job (table, grid) under the progress bar: a cancel fails with code 130 naming
 * the file that keeps the finished part; any other error fails with its message and hint.
 */
export async function runStudyJob<T>(job: () => Promise<T>, clearProgress: () => void, partialFile: string, partialWhat: string): Promise<T> {
  try {
    return await job();
  } catch (e) {
    clearProgress();
    if (e instanceof CancelledError) fail(`cancelled; ${partialWhat} finished so far (if any) are in ${partialFile}`, 130);
    failWithJobError(e);
  } finally {
    clearProgress();
  }
}

/** Fails with a job error's message, the file at fault and the hint (the stack with SALUN_VERBOSE). */
export function failWithJobError(e: unknown): never {
  const { message, hint, file } = toJobError(e);
  if (e instanceof Error && e.stack && process.env.SALUN_VERBOSE) process.stderr.write(`${e.stack}\n`);
  fail(`${message}${file && !message.includes(file) ? `\n  file: ${file}` : ''}${hint ? `\n  ${hint}` : ''}`, 1);
}
