// What every `salun` command shares: argument reading (node:util parseArgs, so `--x v` and
// `--x=v` both work), failing with a message, Ctrl-C handling.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_CHOICES, isBackendChoice, type BackendChoice } from '../protocol/backends';
import { MAX_WORKERS } from '../protocol/config';
import { interruptOpenRuns } from '../store/runs/runFolder';

export function fail(message: string, code = 2): never {
  process.stderr.write(`salun: ${message}\n`);
  process.exit(code);
}

type ParseConfig = NonNullable<Parameters<typeof parseArgs>[0]>;
type OptionsSpec = NonNullable<ParseConfig['options']>;

/** The options every job command takes (run, saliency, evaluate, demo, table, grid). */
export const JOB_OPTIONS = {
  workspace: { type: 'string' },
  backend: { type: 'string' },
  'native-dir': { type: 'string' },
  workers: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionsSpec;

/**
 * Reads `argv` with `options` (strict: an unknown option or a missing value fails naming it, with
 * the usage); `--help` prints the usage and exits.
 */
export function readArgs<O extends OptionsSpec>(
  argv: string[],
  options: O,
  usage: string,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    // parseArgs explains itself ("Unknown option '--x'", "Option '--workers <value>' argument missing").
    return fail(`${(e as Error).message}\n\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed;
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

/** --seeds N (1…N) or a list, e.g. 1,5,9. */
export function seedsArg(v: string): number[] {
  return v.includes(',') ? v.split(',').map((x) => numberArg('--seeds', x)) : Array.from({ length: numberArg('--seeds', v) }, (_, k) => k + 1);
}
