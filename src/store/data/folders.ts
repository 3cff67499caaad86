// File-system questions the data layouts ask, answered without throwing where an answer is
// enough (is it a folder?) and with a UserError that names the folder where it is not.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors';

export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function codePointOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Entries without the hidden ones (".DS_Store", "._x.png", ".ipynb_checkpoints"), in code-point order as Python's sorted(). */
export function visibleEntries(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new UserError(`Cannot read the folder ${dir}: ${(e as Error).message}`, undefined, dir);
  }
  return names.filter((n) => !n.startsWith('.')).sort(codePointOrder);
}

export function requireFolder(dir: string, what: string, hint: string): void {
  if (!existsSync(dir)) throw new UserError(`${what} ${dir} does not exist.`, hint, dir);
  if (!isDir(dir)) throw new UserError(`${what} ${dir} is not a folder.`, hint, dir);
}

/**
 * [name, size, modification time] of each file under `root`, what a model cache key holds of the
 * data: cheap (no re-read) and changed by any edit. `times` false: a size alone (bundled files,
 * whose times an install resets).
 */
export function fileStats(root: string, files: readonly string[], times = true): [string, number, number][] {
  return files.map((f) => {
    const s = statSync(join(root, f));
    return [f, s.size, times ? s.mtimeMs : 0];
  });
}
