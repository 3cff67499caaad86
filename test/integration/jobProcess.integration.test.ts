// The real job process (dist/job.js) and CLI (dist/cli.js), end to end on the bundled data with
// the fast MLP: what the extension host and the README rely on.
import { strict as assert } from 'node:assert';
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isJobEvent, type JobEvent, type JobKind } from '../../src/protocol/jobMessages';
import { defaultTableConfig, type TableResult } from '../../src/protocol/table';
import type { RunConfig } from '../../src/protocol/config';
import { defaultRunConfig } from '../../src/protocol/defaults';

const root = resolve(__dirname, '..', '..', '..');
const jobScript = join(root, 'dist', 'job.js');
const cli = join(root, 'bin', 'salun.js');

function quickConfig(): RunConfig {
  const c = defaultRunConfig();
  return {
    ...c,
    model: { kind: 'builtin', architecture: 'mlp' },
    backend: 'wasm',
    train: { ...c.train, epochs: 2, lr: 0.05 },
    unlearn: { ...c.unlearn, epochs: 2, lr: 0.01 },
  };
}

function runJob(
  config: unknown,
  workspaceDir: string,
  cancelAfter?: (e: JobEvent) => boolean,
  kind: JobKind = 'run',
  command: 'cancel' | 'stop' = 'cancel',
): Promise<JobEvent[]> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(jobScript, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const events: JobEvent[] = [];
    let sent = false;
    child.on('message', (m: unknown) => {
      assert.ok(isJobEvent(m), `not a JobEvent: ${JSON.stringify(m)}`);
      events.push(m);
      if (!sent && cancelAfter?.(m)) {
        sent = true;
        child.send({ type: command });
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolvePromise(events));
    child.send({ type: 'start', kind, config, workspaceDir });
  });
}

describe('job process (dist/job.js)', function () {
  this.timeout(180_000);

  it('runs a full job and streams started → saliency → per-epoch metrics → finished, writing the run folder', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-job-'));
    const events = await runJob(quickConfig(), ws);
    const types = events.map((e) => e.type);
    assert.equal(types[types.length - 1], 'finished', `last events: ${JSON.stringify(events.slice(-3))}`);
    const started = events.find((e) => e.type === 'started');
    assert.ok(started && started.type === 'started' && started.backend.name === 'wasm');
    // The backend is said once, by the started event (the editor's log and the terminal each print it
    // from there); a log line of its own repeated it in the editor's log.
    const backendLogs = events.filter((e) => e.type === 'log' && /^backend: /.test(e.message));
    assert.deepEqual(backendLogs, [], 'the job logs the backend beside its started event');
    assert.ok(types.indexOf('started') < types.indexOf('saliency'));
    assert.equal(events.filter((e) => e.type === 'metrics').length, 2);
    // The one progress figure: the job stamps the whole job's fraction on every phase and progress event, never going back.
    const figures = events.flatMap((e) => (e.type === 'phase' || e.type === 'progress' ? [e.overall?.fraction ?? NaN] : []));
    assert.ok(
      figures.every((f, i) => Number.isFinite(f) && f >= (figures[i - 1] ?? 0) && f < 1),
      figures.join(' '),
    );
    assert.ok(figures.at(-1)! > 0.8, `the last phase at ${figures.at(-1)}`);
    const fin = events[events.length - 1];
    assert.ok(fin.type === 'finished');
    const dir = fin.result.runDir;
    for (const f of [
      'config.json',
      'status.json',
      'metrics.jsonl',
      'report.md',
      'report.json',
      'model/model.json',
      'model/weights.bin',
      'saliency/mask.bits',
      'saliency/summary.json',
      'saliency/scores.f32',
    ]) {
      assert.ok(existsSync(join(dir, f)), `${f} missing`);
    }
    assert.equal((JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as { state: string }).state, 'finished');
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { role: string });
    assert.deepEqual(
      lines.map((l) => l.role),
      ['original', 'retrain', 'unlearned', 'unlearned'],
    );
    assert.deepEqual(
      fin.result.rows.map((r) => r.role),
      ['original', 'retrain', 'unlearned'],
    );
    assert.equal(fin.result.rows.find((r) => r.role === 'retrain')?.avgGap, 0);
    // The per-epoch tensor count in metrics.jsonl stays flat.
    const tensors = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { tensors?: number }).tensors)
      .filter((t) => t !== undefined);
    assert.equal(new Set(tensors).size, 1, `tensors per epoch: ${tensors.join(', ')}`);
  });

  it('cancels at the next batch, says so, and marks the run folder cancelled', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-job-'));
    const events = await runJob(
      { ...quickConfig(), train: { ...quickConfig().train, epochs: 50 } },
      ws,
      (e) => e.type === 'progress' && e.phase === 'train-original',
    );
    assert.equal(events[events.length - 1].type, 'cancelled');
    const runs = readdirSync(join(ws, '.salun', 'runs'));
    assert.equal(runs.length, 1);
    assert.equal((JSON.parse(readFileSync(join(ws, '.salun', 'runs', runs[0], 'status.json'), 'utf8')) as { state: string }).state, 'cancelled');
  });

  it('stop and keep: ends after the current unlearning epoch, evaluates that model and marks the run folder stopped', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-job-'));
    const config = { ...quickConfig(), train: { ...quickConfig().train, epochs: 1 }, unlearn: { ...quickConfig().unlearn, epochs: 6 } };
    // Asked mid-way through the first unlearning epoch: that epoch completes, no later one starts.
    const events = await runJob(config, ws, (e) => e.type === 'progress' && e.phase === 'unlearn', 'run', 'stop');
    const fin = events[events.length - 1];
    assert.ok(fin.type === 'finished', `last events: ${JSON.stringify(events.slice(-3))}`);
    assert.deepEqual(fin.result.stopped, { epoch: 1, of: 6 });
    assert.equal(events.filter((e) => e.type === 'metrics').length, 1);
    const dir = fin.result.runDir;
    assert.equal((JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as { state: string }).state, 'stopped');
    for (const f of ['model/model.json', 'report.json', 'report.md']) assert.ok(existsSync(join(dir, f)), `${f} missing`);
    assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /Stopped by the user after epoch 1 of 6/);
    const unlearned = fin.result.rows.find((r) => r.role === 'unlearned');
    const epoch1 = events.find((e) => e.type === 'metrics');
    assert.ok(unlearned && epoch1 && epoch1.type === 'metrics');
    assert.deepEqual(unlearned.metrics, epoch1.metrics, 'the kept model is the one evaluated after epoch 1');
    assert.equal(fin.result.report, join(dir, 'report.md'));
  });

  it("evaluates a model.json (another run's unlearned model) into a run folder of its own", async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-job-'));
    const run = await runJob({ ...quickConfig(), unlearn: { ...quickConfig().unlearn, epochs: 1 } }, ws);
    const done = run[run.length - 1];
    assert.ok(done.type === 'finished');
    const modelPath = join(done.result.runDir, 'model', 'model.json');
    const events = await runJob(
      { model: { kind: 'file', path: modelPath }, backend: 'wasm', train: quickConfig().train, retrain: true },
      ws,
      undefined,
      'evaluate',
    );
    const fin = events[events.length - 1];
    assert.ok(fin.type === 'finished', JSON.stringify(events.slice(-3)));
    assert.ok(events.some((e) => e.type === 'started' && e.kind === 'evaluate'));
    assert.deepEqual(
      fin.result.rows.map((r) => r.role),
      ['retrain', 'unlearned'],
    );
    // Same data, forget set and evaluator: the metrics equal those the run reported for its model.
    const fromRun = done.result.rows.find((r) => r.role === 'unlearned');
    assert.deepEqual(fin.result.rows[1].metrics, fromRun?.metrics);
    assert.equal((JSON.parse(readFileSync(join(fin.result.runDir, 'status.json'), 'utf8')) as { state: string }).state, 'finished');
    assert.equal((JSON.parse(readFileSync(join(fin.result.runDir, 'config.json'), 'utf8')) as { kind: string }).kind, 'evaluate');
    assert.ok(existsSync(join(fin.result.runDir, 'report.md')));
  });

  it('runs the comparison table as a job kind and writes table.md', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-job-'));
    const t = defaultTableConfig();
    const config = { ...t, seeds: [1], methods: ['ft'], model: { kind: 'builtin', architecture: 'mlp' }, train: { ...t.train, epochs: 1 }, backend: 'wasm' };
    const events = await runJob(config, ws, undefined, 'table');
    const fin = events[events.length - 1];
    assert.ok(fin.type === 'finished', JSON.stringify(events.slice(-3)));
    assert.ok(events.some((e) => e.type === 'started' && e.kind === 'table'));
    assert.ok(fin.result.report && existsSync(fin.result.report), `no table.md: ${fin.result.report}`);
    assert.match(readFileSync(fin.result.report, 'utf8'), /\| FT \|/);
    assert.deepEqual(
      events.filter((e) => e.type === 'evaluated').map((e) => (e.type === 'evaluated' ? e.row.method : '')),
      ['retrain', 'original', 'ft'],
    );
  });

  it('stop and keep on a comparison table: finishes the model it is on, writes the rows done as a partial table', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-job-'));
    const t = defaultTableConfig();
    const config = {
      ...t,
      seeds: [1, 2],
      methods: ['ft', 'ga'],
      trainSubset: 500,
      model: { kind: 'builtin', architecture: 'mlp' },
      train: { ...t.train, epochs: 1 },
      backend: 'wasm',
    };
    // Asked as soon as the table starts, while the first seed's θo trains: a table needs a Retrain,
    // so the first seed's Retrain and Original complete, and nothing after them starts.
    const events = await runJob(config, ws, (e) => e.type === 'started', 'table', 'stop');
    const fin = events[events.length - 1];
    assert.ok(fin.type === 'finished', JSON.stringify(events.slice(-3)));
    assert.deepEqual(
      events.filter((e) => e.type === 'evaluated').map((e) => (e.type === 'evaluated' ? e.row.method : '')),
      ['retrain', 'original'],
    );
    assert.deepEqual(fin.result.partial, { done: 2, of: 8, missing: ['seed 1: FT, GA', 'seed 2: Retrain, Original, FT, GA'] });
    const table = JSON.parse(readFileSync(join(fin.result.runDir, 'table.json'), 'utf8')) as TableResult;
    assert.deepEqual(table.stopped, {
      modelsDone: 2,
      modelsPlanned: 8,
      missing: [
        { seed: 1, models: ['FT', 'GA'] },
        { seed: 2, models: ['Retrain', 'Original', 'FT', 'GA'] },
      ],
    });
    assert.deepEqual(
      table.rows.map((r) => r.label),
      ['Retrain', 'Original'],
    );
    assert.deepEqual(
      table.seeds.map((s) => s.seed),
      [1],
    );
    const md = readFileSync(fin.result.report!, 'utf8');
    assert.match(md, /^# SalUn Lab comparison table: .*\(partial\)\n/);
    assert.ok(md.includes('**Partial table: stopped by the user** after 2 of 8 models; missing seed 1: FT, GA; seed 2: Retrain, Original, FT, GA.'), md);
    assert.equal(readFileSync(join(fin.result.runDir, 'rows.jsonl'), 'utf8').trim().split('\n').length, 2);
  });

  it('fails with the config problems listed, before any work', async () => {
    const events = await runJob({ ...quickConfig(), forget: { kind: 'random', fraction: 2 } }, mkdtempSync(join(tmpdir(), 'salun-job-')));
    const last = events[events.length - 1];
    assert.ok(last.type === 'failed' && /config\.forget\.fraction must be < 1/.test(last.error.message), JSON.stringify(last));
  });

  it('a failed job exits non-zero (exit code 1), so the end of its process agrees with its final event', async () => {
    const child = fork(jobScript, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const code = await new Promise<number | null>((resolvePromise, reject) => {
      child.on('error', reject);
      child.on('exit', (c) => resolvePromise(c));
      child.send({
        type: 'start',
        kind: 'run',
        config: { ...quickConfig(), forget: { kind: 'random', fraction: 2 } },
        workspaceDir: mkdtempSync(join(tmpdir(), 'salun-job-')),
      });
    });
    assert.equal(code, 1);
  });

  it('fails with the file at fault for a corrupt user model, leaving the user file untouched', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-job-'));
    writeFileSync(join(ws, 'model.json'), '{"modelTopology": ');
    const before = readFileSync(join(ws, 'model.json'), 'utf8');
    const events = await runJob({ ...quickConfig(), model: { kind: 'file', path: 'model.json' } }, ws);
    const last = events[events.length - 1];
    assert.ok(last.type === 'failed' && last.error.file === join(ws, 'model.json') && /not valid JSON/.test(last.error.message), JSON.stringify(last));
    assert.equal(readFileSync(join(ws, 'model.json'), 'utf8'), before);
  });
});

describe('salun CLI', function () {
  this.timeout(60_000);
  it('names the bad config field and exits non-zero', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-cli-'));
    writeFileSync(join(ws, 'bad.json'), JSON.stringify({ method: 'magic' }));
    const r = spawnSync(process.execPath, [cli, 'run', join(ws, 'bad.json'), '--workspace', ws, '--quiet'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.json is not a valid SalUn config|config\.method must be one of/);
  });
  it('prints the schema and the defaults', () => {
    const r = spawnSync(process.execPath, [cli, 'defaults'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.deepEqual(JSON.parse(r.stdout), defaultRunConfig());
  });
});
