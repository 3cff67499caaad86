// Atomic writes: write a temp file beside the target, then rename. A crash or a full disk leaves
// the old file (or none), never a half-written one.
import { mkdirSync, renameSync, rmSync, writeFileSync, appendFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { UserError } from '../errors';

function explain(path: string, e: unknown): UserError {
  const err = e as NodeJS.ErrnoException;
  const hint = err.code === 'ENOSPC' ? 'The disk is full: free some space and run again; nothing already written was changed.'
    : err.code === 'EACCES' || err.code === 'EPERM' ? 'Check the folder permissions.' : undefined;
  return new UserError(`Cannot write ${path}: ${err.message}`, hint, path);
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, data);
    const fd = openSync(tmp, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw explain(path, e);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Appends one line; a JSONL reader ignores a torn last line, so append needs no temp file. */
export function appendLine(path: string, line: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, line.endsWith('\n') ? line : line + '\n');
  } catch (e) {
    throw explain(path, e);
  }
}

/** Replaces a whole folder atomically: build it under a temp name, then rename over. */
export function replaceDirAtomic(finalDir: string, build: (tmpDir: string) => void | Promise<void>): Promise<void> {
  const tmp = join(dirname(finalDir), `.${basename(finalDir)}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  return Promise.resolve(build(tmp)).then(() => {
    rmSync(finalDir, { recursive: true, force: true });
    renameSync(tmp, finalDir);
  }, (e: unknown) => {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  });
}
