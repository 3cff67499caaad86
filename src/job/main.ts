// The job process: forked by the extension host, it runs one job and streams JobEvents back over
// IPC. Keeping tensor work here means a native-backend crash or an out-of-memory kills this
// process, not the editor, and cancel always has a process to signal. Started without an IPC
// channel (a cluster task: python/salun_ray.py), it reads the same commands as JSON lines on
// stdin and writes the same events as JSON lines on stdout.
import { createInterface } from 'node:readline';
import { isJobCommand, type JobCommand, type JobEvent } from '../protocol/jobMessages';
import { dispatchJob } from '../engine/pipeline/dispatch';
import { interruptOpenRuns } from '../store/runs/runFolder';

const abort = new AbortController();
/** Stop and keep: the engine ends at the next epoch (a run) or model (a table) and writes what it has. */
const stop = new AbortController();
let started = false;
let ended = false;

const overStdio = !process.send;

function send(e: JobEvent): Promise<void> {
  if (overStdio) return new Promise((resolve) => process.stdout.write(`${JSON.stringify(e)}\n`, () => resolve()));
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(e, undefined, {}, () => resolve());
  });
}

async function start(command: Extract<JobCommand, { type: 'start' }>): Promise<void> {
  started = true;
  const pending: Promise<void>[] = [];
  let failed = false;
  await dispatchJob(
    command,
    (e) => {
      if (e.type === 'failed') failed = true;
      pending.push(send(e));
    },
    abort.signal,
    stop.signal,
  );
  await Promise.all(pending);
  ended = true;
  process.disconnect?.();
  // Native backends may keep threads alive; the job is over once its final event is delivered.
  // A failed job exits non-zero, so its process's end agrees with its final event (a cancel is the
  // user's choice, not a failure: 0). exitCode too: the unref'd timer never fires when the loop
  // empties first, and the process then exits with exitCode.
  process.exitCode = failed ? 1 : 0;
  setTimeout(() => process.exit(), 100).unref();
}

function onCommand(msg: unknown): void {
  if (!isJobCommand(msg)) {
    void send({ type: 'log', level: 'warn', message: `job: ignored an invalid command ${JSON.stringify(msg).slice(0, 200)}` });
    return;
  }
  if (msg.type === 'cancel') {
    abort.abort();
    return;
  }
  if (msg.type === 'stop') {
    stop.abort();
    void send({
      type: 'log',
      level: 'info',
      message:
        'job: stop requested; an unlearning run ends after its current epoch and keeps that model, a comparison table after its current model and keeps the rows done',
    });
    return;
  }
  if (started) {
    void send({ type: 'log', level: 'warn', message: 'job: this process already runs a job; a second start was ignored' });
    return;
  }
  void start(msg);
}

process.on('message', onCommand);
if (overStdio)
  createInterface({ input: process.stdin }).on('line', (line) => {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      msg = line;
    }
    onCommand(msg);
  });

// The host going away (window closed, extension host crash) must not leave an orphan computing.
process.on('disconnect', () => {
  if (ended) return;
  abort.abort();
  setTimeout(() => {
    interruptOpenRuns('the editor went away and the job did not stop within 5 s');
    process.exit(1);
  }, 5000).unref();
});

// A SIGTERM (the system shutting down, a user's kill) ends the job now: its folder says so. The
// host's own kill after the grace period is a SIGKILL, which readers detect by the pid instead.
process.on('SIGTERM', () => {
  interruptOpenRuns('SIGTERM');
  process.exit(143);
});
