// Paths that arrive from outside (a script's `executeCommand('salun.deleteRun', path)`, an `outFile`
// argument, a Uri from another extension) are confined: commands delete and read run folders only
// under a workspace folder's .salun/runs, and write scripted files only under its .salun. The save
// dialog's choice is the user's own and needs no such check. No vscode import (test/fault).
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { runsRoot } from '../../store/runs/runFolder';

export class ConfinementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfinementError';
  }
}

/** `target` lies strictly below `base` (both absolute, normalised). */
function below(base: string, target: string): boolean {
  const rel = relative(base, target);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

/** The real path of `p`'s nearest ancestor that exists: where a write under `p` physically lands. */
function realAncestor(p: string): string {
  let at = p;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return realpathSync(at);
}

/**
 * `dir` when it names an entry directly under `<workspace>/.salun/runs` of one of `workspaceDirs`
 * (after resolving `..`), else a ConfinementError that says what was refused and why.
 */
export function confinedRunDir(workspaceDirs: readonly string[], dir: string, command: string): string {
  const target = resolve(dir);
  const ok = workspaceDirs.some((ws) => {
    const root = resolve(runsRoot(ws));
    return dirname(target) === root && below(root, target) && !target.slice(root.length + 1).startsWith('.');
  });
  if (ok) return target;
  const roots = workspaceDirs.map((ws) => runsRoot(ws)).join(', ');
  throw new ConfinementError(
    `${command}: refused ${dir}: it is not a run folder of this workspace (${roots ? `a folder directly under ${roots}` : 'no folder is open'}).`,
  );
}

/**
 * Where a scripted `outFile` (or `outDir`: `arg` names the argument) goes: relative paths from the
 * workspace folder; the result must lie under its .salun, lexically and physically (a link inside
 * .salun that points elsewhere is refused).
 */
export function confinedOutFile(workspaceDir: string, outFile: string, command: string, arg = 'outFile'): string {
  const salun = resolve(workspaceDir, '.salun');
  const target = isAbsolute(outFile) ? resolve(outFile) : resolve(workspaceDir, outFile);
  const refuse = (why: string): never => {
    throw new ConfinementError(
      `${command}: refused ${arg} ${outFile}: ${why}. A script may write only under ${salun}; run the command without arguments to choose any place.`,
    );
  };
  if (!below(salun, target)) refuse("it is outside the workspace's .salun folder");
  const realSalun = existsSync(salun) ? realpathSync(salun) : undefined;
  if (realSalun !== undefined) {
    const real = realAncestor(dirname(target));
    if (real !== realSalun && !below(realSalun, real)) refuse(`a link under .salun leads it to ${real}`);
  }
  return target;
}
