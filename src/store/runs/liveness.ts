// Whether the process a 'running' status.json names is still there. SIGKILL, a power cut or an
// out-of-memory kill give a process no chance to write its end, so a reader has to ask: on the
// same host, signal 0 checks a pid without touching it (ESRCH: no such process; EPERM: it exists
// but belongs to someone else). On another host (a shared folder, a remote) nothing can be told.
import { hostname } from 'node:os';
import type { RunStatus } from './runFolder';

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when status.json says running but names a process of this host that no longer exists.
 * A pid reused by an unrelated process reads as alive: the run stays 'running' until that one ends.
 */
export function runProcessGone(status: RunStatus, alive: (pid: number) => boolean = processAlive): boolean {
  return status.state === 'running' && status.pid !== undefined && status.hostname === hostname() && !alive(status.pid);
}
