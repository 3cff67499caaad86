// The cross-checks' one way to ask a Python peer: write the input as JSON in a fresh temp folder,
// run `bench/<script> in.json out.json` with $PYTHON (default /usr/bin/python3, Debian's, which has
// numpy and scikit-learn), read out.json back through the caller's guard, remove the folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export function runPythonPeer<T>(script: string, input: unknown, isOutput: (v: unknown) => v is T, needs: string): T {
  const dir = mkdtempSync(join(tmpdir(), `${script.replace(/\W+/g, '-')}-`));
  try {
    const inPath = join(dir, 'in.json');
    const outPath = join(dir, 'out.json');
    writeFileSync(inPath, JSON.stringify(input));
    const python = process.env.PYTHON ?? '/usr/bin/python3';
    const path = resolve(__dirname, '..', '..', 'bench', script);
    const run = spawnSync(python, [path, inPath, outPath], { stdio: 'inherit' });
    if (run.error !== undefined || run.status !== 0)
      throw new Error(`${python} ${path} failed (${run.error?.message ?? `exit ${run.status}`}); it needs ${needs}`);
    const parsed: unknown = JSON.parse(readFileSync(outPath, 'utf8'));
    if (!isOutput(parsed)) throw new Error(`unexpected output from ${path}`);
    return parsed;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
