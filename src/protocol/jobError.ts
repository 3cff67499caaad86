// The one way an error becomes what the user reads: the job process (its 'failed' event and the
// run folder's status), the CLI (its stderr) and the host (a job that cannot start, a config file
// that cannot run) all call toJobError, and print it with jobErrorText. Plain data in, plain data
// out: the errors are told apart by their name and fields, so every layer can import this.
import type { JobError } from './jobMessages';

/** What to do about a failed file operation, by its errno. */
export function errnoHint(code: string | undefined): string | undefined {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'The disk is full (or over quota): free some space and run again; nothing already written was changed.';
    case 'EACCES':
    case 'EPERM':
      return 'Permission denied: make the folder writable for this user (or choose another workspace folder).';
    case 'EROFS':
      return 'The file system is read-only: use a workspace on a writable disk.';
    case 'ENOTDIR':
    case 'EEXIST':
    case 'EISDIR':
      return 'A file is where a folder should be (or the reverse), e.g. a file named .salun: move it away and run again.';
    default:
      return undefined;
  }
}

/** An error from the system rather than from our code: what the user can do about it. */
function environmentHint(err: Error & { code?: unknown; syscall?: unknown }): string | undefined {
  const code = typeof err.code === 'string' ? err.code : undefined;
  const byCode = errnoHint(code);
  if (byCode) return byCode;
  if (code === 'ENOENT' && err.syscall)
    return 'A file or folder the job needs is missing (deleted while it ran?): check the path in the message and run again.';
  if (code === 'EMFILE' || code === 'ENFILE') return 'Too many open files: close other programs or raise the limit (ulimit -n), then run again.';
  const text = `${err.name}: ${err.message}`;
  // tfjs-node says "OOM when allocating tensor", wasm "Memory.grow()… maximum", plain JS "Array buffer allocation failed".
  if (
    /out of memory|\bOOM\b|Cannot allocate|Array buffer allocation failed|Invalid typed array length|Memory\.grow|Maximum memory size|allocation size overflow/i.test(
      text,
    )
  ) {
    return 'The job ran out of memory: lower the batch size, or use a smaller model, data set or training subset; close other jobs.';
  }
  if (/cannot open shared object|dlopen|NODE_MODULE_VERSION|was compiled against a different Node\.js|\.node: |invalid ELF header|libtensorflow/i.test(text)) {
    return "A native backend did not load (its library is missing or built for another system): choose the 'wasm' backend (salun.backend, or --backend wasm), or reinstall the native TensorFlow package.";
  }
  return undefined;
}

export const CONFIG_ERROR_HINT = 'Fix the listed settings and start again.';

const text = (x: unknown): string | undefined => (typeof x === 'string' && x.length > 0 ? x : undefined);

/**
 * ConfigError (protocol) lists the settings to fix; UserError (engine) and errors that carry their
 * own advice (the backend selector's) keep their hint and file; a system error gets the hint for
 * its errno or symptom; anything else is ours.
 */
export function toJobError(e: unknown): JobError {
  const err: Error & { hint?: unknown; file?: unknown; path?: unknown } = e instanceof Error ? e : new Error(String(e));
  if (err.name === 'ConfigError') return { message: err.message, hint: CONFIG_ERROR_HINT };
  const hint = text(err.hint);
  const file = text(err.file);
  if (err.name === 'UserError' || hint) return { message: err.message, ...(hint ? { hint } : {}), ...(file ? { file } : {}) };
  const env = environmentHint(err);
  const path = text(err.path);
  if (env) return { message: err.message, hint: env, ...(path ? { file: path } : {}) };
  return { message: err.message, hint: 'This looks like a bug or an unsupported model; the log has the stack trace.' };
}

/** A job error as lines of text: the message, the file at fault (unless the message names it), the hint. */
export function jobErrorText(error: JobError): string {
  const file = error.file && !error.message.includes(error.file) ? `\n  file: ${error.file}` : '';
  return `${error.message}${file}${error.hint ? `\n  ${error.hint}` : ''}`;
}
