// Job commands as Ray tasks: python/salun_ray.py (Ray's API is Python) is started with the user's
// Python and given the commands as JSON lines; each runs the job process (dist/job.js) on whichever
// node Ray picks, and its result comes back as a line. Ray schedules, places and retries; this file
// only speaks the driver's line protocol and says what happened. The nodes see the workspace at the
// same path (a shared folder, the usual cluster layout): the tasks write their results there.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { JobEvent } from '../protocol/jobMessages';
import { isRecord, isString } from '../protocol/guards';
import { UserError } from '../store/errors';
import type { StartCommand } from './jobCommand';

export interface RayTask {
  id: string;
  command: StartCommand;
  numCpus: number;
  numGpus: number;
}

export interface RayTaskResult {
  id: string;
  state: 'finished' | 'failed' | 'cancelled';
  /** The node's IP address. */
  node: string;
  seconds: number;
  final: JobEvent;
}

export interface RayOptions {
  address: string;
  /** The Python that has Ray (`--python`, else $SALUN_PYTHON, else python3). */
  python: string;
  workspaceDir: string;
  onConnected?: (nodes: number, cpus: number) => void;
  onResult?: (r: RayTaskResult, done: number, of: number) => void;
}

/** The driver beside the bundles: <package>/python/salun_ray.py (dist/ holds cli.js and job.js). */
function driverPath(): string {
  return join(__dirname, '..', 'python', 'salun_ray.py');
}

function isTaskLine(x: unknown): x is RayTaskResult & { type: 'task' } {
  return isRecord(x) && x.type === 'task' && isString(x.id) && isString(x.state) && isRecord(x.final);
}

/** Runs every task on the cluster; resolves with their results (failed ones included) once all are back. */
export function runOnRay(tasks: readonly RayTask[], o: RayOptions): Promise<RayTaskResult[]> {
  const driver = driverPath();
  const job = join(__dirname, 'job.js');
  if (!existsSync(driver)) throw new UserError(`the Ray driver ${driver} is missing`, 'Run salun from a complete checkout or package (python/salun_ray.py).');
  const child = spawn(o.python, [driver, '--address', o.address, '--node', process.execPath, '--job', job, '--cwd', o.workspaceDir], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const results: RayTaskResult[] = [];
  let error: string | undefined;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let x: unknown;
    try {
      x = JSON.parse(line);
    } catch {
      return;
    }
    if (isRecord(x) && x.type === 'connected') o.onConnected?.(Number(x.nodes), Number(x.cpus));
    else if (isRecord(x) && x.type === 'error' && isString(x.message)) error = x.message;
    else if (isTaskLine(x)) {
      const { type: _t, ...r } = x;
      results.push(r);
      o.onResult?.(r, results.length, tasks.length);
    }
  });
  for (const t of tasks) child.stdin.write(`${JSON.stringify({ id: t.id, command: t.command, numCpus: t.numCpus, numGpus: t.numGpus })}\n`);
  child.stdin.end(`${JSON.stringify({ end: true })}\n`);
  // Ctrl-C reaches the driver too (one process group): it cancels the tasks still running.
  return new Promise((resolve, reject) => {
    child.on('error', (e) =>
      reject(new UserError(`cannot start ${o.python} for the Ray driver: ${e.message}`, 'Give the Python that has Ray with --python (or set SALUN_PYTHON).')),
    );
    child.on('close', (code) => {
      if (error)
        reject(
          new UserError(
            error,
            /not installed/.test(error)
              ? 'Install Ray for that Python (pip install ray), or give another with --python.'
              : 'Check the address (ray status on the head node prints it), or start a local cluster: scripts/ray-cluster.sh start.',
          ),
        );
      else if (code !== 0) reject(new UserError(`the Ray driver exited ${code}`, stderr.trim().split('\n').slice(-5).join('\n') || undefined));
      else resolve(results);
    });
  });
}

export function rayPython(given: string | undefined): string {
  return given ?? process.env.SALUN_PYTHON ?? 'python3';
}
