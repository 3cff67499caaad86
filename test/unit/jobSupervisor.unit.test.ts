// The supervisor against small fake job scripts (plain Node, no VS Code): every way a job can end
// yields exactly one final event and one outcome.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobEvent } from '../../src/protocol/jobMessages';
import { defaultRunConfig, defaultSaliencyJobConfig } from '../../src/protocol/defaults';
import type { JobLogSink, StartCommand } from '../../src/extension/jobs/jobSupervisor';
import { exitLine, JobAlreadyRunningError, JobSupervisor } from '../../src/extension/jobs/jobSupervisor';

// The fake job's behaviour is picked by config.name (runs) — 'ok' | 'crash' | 'fail' | 'hang' | 'stubborn'.
const FAKE_JOB = `
const send = (m) => process.send(m);
let timer;
process.on('message', (cmd) => {
  if (cmd.type === 'stop') {
    clearInterval(timer);
    send({ type: 'finished', result: { runId: 'r1', runDir: 'x', backend: { name: 'cpu', reason: 'forced', detail: 'js' }, rows: [], stopped: { epoch: 1, of: 5 } } });
    process.disconnect();
    return;
  }
  if (cmd.type === 'cancel') {
    if (mode === 'stubborn') return;
    clearInterval(timer);
    send({ type: 'cancelled' });
    process.disconnect();
    return;
  }
  mode = cmd.kind === 'run' ? cmd.config.name : 'ok';
  send({ type: 'started', kind: cmd.kind, runId: 'r1', runDir: cmd.workspaceDir + '/.salun/runs/r1', backend: { name: 'cpu', reason: 'forced', detail: 'js' } });
  console.log('stdout line from the job');
  console.log('native dir: ' + (process.env.SALUN_TFJS_NODE_DIR ?? '(unset)'));
  console.error('stderr line from the job');
  send({ type: 'bogus' });
  send({ type: 'log', level: 'warn', message: 'a job warning' });
  if (mode === 'crash') { setTimeout(() => process.exit(3), 20); return; }
  if (mode === 'fail') { send({ type: 'failed', error: { message: 'no such model' } }); process.disconnect(); setTimeout(() => process.exit(1), 20); return; }
  if (mode === 'hang' || mode === 'stubborn') { timer = setInterval(() => send({ type: 'progress', phase: 'unlearn', done: 1, total: 10 }), 20); return; }
  send({ type: 'phase', phase: 'saliency', label: 'Saliency' });
  send({ type: 'finished', result: { runId: 'r1', runDir: cmd.workspaceDir + '/.salun/runs/r1', backend: { name: 'cpu', reason: 'forced', detail: 'js' }, rows: [] } });
  process.disconnect();
});
let mode = 'ok';
`;

class MemoryLog implements JobLogSink {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(`info ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn ${m}`);
  }
  error(m: string): void {
    this.lines.push(`error ${m}`);
  }
}

function runCommand(name: string, workspaceDir: string): StartCommand {
  return { type: 'start', kind: 'run', config: { ...defaultRunConfig(), name }, workspaceDir };
}

describe('job supervisor', function () {
  this.timeout(10_000);
  let dir: string;
  let script: string;
  let log: MemoryLog;
  let supervisor: JobSupervisor;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'salun-fake-job-'));
    script = join(dir, 'job.js');
    writeFileSync(script, FAKE_JOB);
    log = new MemoryLog();
    supervisor = new JobSupervisor({ jobScript: script, log, killGraceMs: 300, exitGraceMs: 300 });
  });

  afterEach(() => {
    supervisor.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a job to its finished event, keeping every valid event and logging the rest', async () => {
    const seen: JobEvent[] = [];
    supervisor.subscribe({ onEvent: (e) => seen.push(e) });
    const outcome = await supervisor.start(runCommand('ok', dir));
    assert.equal(outcome.status, 'finished');
    assert.equal(outcome.result?.runId, 'r1');
    assert.deepEqual(
      outcome.events.map((e) => e.type),
      ['started', 'log', 'phase', 'finished'],
    );
    assert.deepEqual(seen, outcome.events);
    assert.deepEqual(supervisor.eventLog(), outcome.events);
    assert.equal(supervisor.running, false);
    assert.ok(log.lines.some((l) => l.includes('[job] stdout line from the job')));
    assert.ok(log.lines.some((l) => l.includes('[job stderr] stderr line from the job')));
    assert.ok(log.lines.some((l) => l.startsWith('warn job: ignored a malformed message')));
    assert.ok(log.lines.includes('warn a job warning'));
  });

  it('turns a crash without a final event into failed, with the exit code and a log pointer', async () => {
    const outcome = await supervisor.start(runCommand('crash', dir));
    assert.equal(outcome.status, 'failed');
    const last = outcome.events[outcome.events.length - 1];
    assert.equal(last.type, 'failed');
    if (last.type === 'failed') {
      assert.match(last.error.message, /exit code 3/);
      assert.match(last.error.hint ?? '', /Show Log/);
    }
  });

  it('a failed job: the log says it failed and that its process then exited non-zero, before the outcome is reported', async () => {
    // What jobFeedback.ts does with the outcome: the "[error] Job failed" line comes after the exit line.
    supervisor.subscribe({ onJobEnded: (o) => log.error(`Job ${o.status}`) });
    const outcome = await supervisor.start(runCommand('fail', dir));
    assert.equal(outcome.status, 'failed');
    const exit = log.lines.findIndex((l) => l.startsWith('info job: the job failed; its process exited (exit code 1)'));
    const failed = log.lines.indexOf('error Job failed');
    assert.ok(exit >= 0 && failed > exit, log.lines.join('\n'));
    assert.ok(!log.lines.some((l) => /exit code 0/.test(l)), log.lines.join('\n'));
    assert.equal(log.lines.filter((l) => l.includes('exited')).length, 1, 'one exit line');
  });

  it('the exit line names how the job ended, then how its process did', async () => {
    await supervisor.start(runCommand('ok', dir));
    assert.ok(log.lines.includes('info job: the job finished; its process exited (exit code 0)'), log.lines.join('\n'));
    log.lines.length = 0;
    await supervisor.start(runCommand('crash', dir));
    assert.ok(log.lines.includes('info job: the job process exited (exit code 3) without a final event'), log.lines.join('\n'));
    assert.equal(exitLine({ type: 'cancelled' }, 'exit code 0'), 'the job was cancelled; its process exited (exit code 0)');
  });

  it('refuses a second job while one runs, and waitForJob follows the running one', async () => {
    const first = supervisor.start(runCommand('hang', dir));
    assert.throws(() => supervisor.start({ type: 'start', kind: 'saliency', config: defaultSaliencyJobConfig(), workspaceDir: dir }), JobAlreadyRunningError);
    const waited = supervisor.waitForJob();
    assert.equal(supervisor.cancel(), true);
    const [outcome, viaWait] = await Promise.all([first, waited]);
    assert.equal(outcome.status, 'cancelled');
    assert.equal(viaWait, outcome);
    assert.equal(await supervisor.waitForJob(), undefined);
  });

  it('hard-kills a job that ignores cancel after the grace period; the outcome is cancelled', async () => {
    const started = Date.now();
    const done = supervisor.start(runCommand('stubborn', dir));
    await new Promise((r) => setTimeout(r, 100));
    supervisor.cancel();
    const outcome = await done;
    assert.equal(outcome.status, 'cancelled');
    assert.ok(Date.now() - started >= 300);
    assert.ok(log.lines.some((l) => l.includes('killing the job process')));
  });

  it('fails clearly when the job script is missing', async () => {
    const missing = new JobSupervisor({ jobScript: join(dir, 'nope.js'), log });
    const outcome = await missing.start(runCommand('ok', dir));
    assert.equal(outcome.status, 'failed');
    const last = outcome.events[0];
    assert.ok(last.type === 'failed' && last.error.file === join(dir, 'nope.js'));
  });

  it('gives the job SALUN_TFJS_NODE_DIR from nativeModulesDir, asked again at every start', async () => {
    let setting: string | undefined = join(dir, 'native-a');
    const withDir = new JobSupervisor({ jobScript: script, log, nativeModulesDir: () => setting });
    assert.equal((await withDir.start(runCommand('ok', dir))).status, 'finished');
    setting = join(dir, 'native-b');
    assert.equal((await withDir.start(runCommand('ok', dir))).status, 'finished');
    setting = undefined;
    assert.equal((await withDir.start(runCommand('ok', dir))).status, 'finished');
    const seen = log.lines.filter((l) => l.includes('[job] native dir: ')).map((l) => l.slice(l.indexOf('native dir: ') + 12));
    // Unset: the job inherits the host's environment as it is.
    assert.deepEqual(seen, [join(dir, 'native-a'), join(dir, 'native-b'), process.env.SALUN_TFJS_NODE_DIR ?? '(unset)']);
  });

  it('cancel with nothing running returns false', () => {
    assert.equal(supervisor.cancel(), false);
  });

  it('stop asks a running unlearning run to end and keep its model; the outcome is finished, marked stopped', async () => {
    assert.equal(supervisor.stop(), false, 'stop with nothing running');
    const done = supervisor.start(runCommand('hang', dir));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(supervisor.stop(), true);
    assert.equal(supervisor.stopping, true);
    assert.equal(supervisor.stop(), true, 'a second stop is the same request');
    const outcome = await done;
    assert.equal(outcome.status, 'finished');
    assert.deepEqual(outcome.result?.stopped, { epoch: 1, of: 5 });
    assert.equal(supervisor.stopping, false);
    assert.ok(log.lines.some((l) => l.includes('stop (and keep) requested')));
  });

  it('stop does not apply to jobs without epochs; cancel still does', async () => {
    const done = supervisor.start({ type: 'start', kind: 'evaluate', config: { ...defaultSaliencyJobConfig(), retrain: false }, workspaceDir: dir });
    assert.equal(supervisor.stop(), false);
    assert.equal(supervisor.cancel(), true);
    assert.ok(['cancelled', 'finished'].includes((await done).status));
  });
});
