// Atomic writes: write a temp file beside the target, then rename. A crash or a full disk leaves
// the old file (or none), never a half-written one.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, appendFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { errnoHint } from '../../protocol/jobError';
import { UserError } from '../errors';

/** What to do about a failed write, by its errno (the table is protocol/jobError.ts's, which every error message uses). */
export const writeErrorHint = errnoHint;

function explain(path: string, e: unknown): UserError {
  const err = e as NodeJS.ErrnoException;
  return new UserError(`Cannot write ${path}: ${err.message}`, writeErrorHint(err.code), path);
}

// Fault injection for the fault suite (test/fault): SALUN_FAULT_AFTER_WRITES=N kills this process
// with SIGKILL right after its Nth atomic write, as kill -9 would; SALUN_FAULT_WRITES_UNDER limits
// the count to paths containing that text. Unset in normal use: one env read per write.
let faultWrites = 0;
function faultAfterWrite(path: string): void {
  const n = Number(process.env.SALUN_FAULT_AFTER_WRITES);
  if (!(n > 0)) return;
  const under = process.env.SALUN_FAULT_WRITES_UNDER;
  if (under && !path.includes(under)) return;
  if (++faultWrites >= n) process.kill(process.pid, 'SIGKILL');
}

/**
 * mkdir -p that reports the real cause: Node's recursive mkdir says ENOENT on a read-only file
 * system (and hides EACCES the same way), so the first missing folder is retried plainly. A
 * retry that meets EEXIST found a link to nowhere: the ENOENT was the truth.
 */
export function makeDirs(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    let missing = dir;
    while (!existsSync(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
    try {
      mkdirSync(missing);
    } catch (retry) {
      if ((retry as NodeJS.ErrnoException).code !== 'EEXIST') throw retry;
    }
    throw e;
  }
}

/**
 * Why a folder could not be created and what to do, in words, by errno: one wording for every
 * `.salun/…` folder. The hints are errnoHint's, which every other file error uses; a missing
 * workspace (ENOENT, which a write never means here) has its own.
 */
export function folderCreateWords(code: string | undefined): { why: string; hint: string | undefined } {
  const hint = errnoHint(code);
  switch (code) {
    case 'EROFS':
      return { why: 'the file system is read-only', hint };
    case 'EACCES':
    case 'EPERM':
      return { why: 'permission denied: the folder above it is read-only for this user', hint };
    case 'ENOENT':
      return {
        why: 'the workspace folder does not exist or is not on this disk (moved, deleted, or a link to nowhere)',
        hint: 'Open a workspace folder that exists on this disk and start again.',
      };
    case 'ENOTDIR':
    case 'EEXIST':
      return { why: 'a file is in the way where a folder should be', hint };
    case 'ENOSPC':
    case 'EDQUOT':
      return { why: 'the disk is full', hint };
    default:
      return { why: code ? `the system said ${code}` : 'the system refused', hint };
  }
}

/** The error a user reads when `dir` cannot be created. */
export function folderCreateError(dir: string, e: unknown): UserError {
  const err = e as NodeJS.ErrnoException;
  const words = folderCreateWords(err.code);
  return new UserError(`Cannot create the folder ${dir}: ${words.why} (${err.code ?? err.message}).`, words.hint, dir);
}

/** makeDirs for the folders a job creates (runs, the model cache, tables, grids, comparisons): failures in words. */
export function createFolder(dir: string): void {
  try {
    makeDirs(dir);
  } catch (e) {
    throw folderCreateError(dir, e);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  // pid and random bytes: writers on two machines sharing the folder (cluster nodes) can have one pid.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  createFolder(dirname(path));
  try {
    writeFileSync(tmp, data);
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw explain(path, e);
  }
  faultAfterWrite(path);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Appends one line; a JSONL reader ignores a torn last line, so append needs no temp file. */
export function appendLine(path: string, line: string): void {
  createFolder(dirname(path));
  try {
    appendFileSync(path, line.endsWith('\n') ? line : line + '\n');
  } catch (e) {
    throw explain(path, e);
  }
}

/** Replaces a whole folder atomically: build it under a temp name, then rename over. */
export function replaceDirAtomic(finalDir: string, build: (tmpDir: string) => void | Promise<void>): Promise<void> {
  const tmp = join(dirname(finalDir), `.${basename(finalDir)}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  makeDirs(tmp);
  return Promise.resolve(build(tmp)).then(
    () => {
      rmSync(finalDir, { recursive: true, force: true });
      renameSync(tmp, finalDir);
    },
    (e: unknown) => {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    },
  );
}
