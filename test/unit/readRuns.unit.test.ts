import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRun, listRuns } from '../../src/store/runs/readRuns';
import { runListing, runsTable } from '../../src/cli/runsCommand';
import { runTreeEntry } from '../../src/extension/runs/runsTreeModel';

describe('reading run folders', () => {
  it('lists runs newest first, with state, method and the unlearned row; tolerates a broken file', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-runs-'));
    const root = join(ws, '.salun', 'runs');
    const write = (id: string, files: Record<string, string>): void => {
      mkdirSync(join(root, id), { recursive: true });
      for (const [f, text] of Object.entries(files)) writeFileSync(join(root, id, f), text);
    };
    const metrics = { UA: 8.2, RA: 94.16, TA: 84.25, MIA: 14.6 };
    write('20261125-100000-salun', {
      'config.json': JSON.stringify({ kind: 'run', method: 'salun' }),
      'status.json': JSON.stringify({ state: 'finished', startedAt: 'x' }),
      'report.json': JSON.stringify({ rows: [{ role: 'unlearned', method: 'salun', metrics, avgGap: 2.47, seconds: 60 }] }),
    });
    write('20261125-110000-rl', { 'config.json': JSON.stringify({ kind: 'run', method: 'rl' }), 'status.json': '{"state": "fail' });
    write('20261125-090000-saliency', { 'config.json': JSON.stringify({ kind: 'saliency' }), 'status.json': JSON.stringify({ state: 'cancelled' }) });
    const runs = listRuns(ws);
    assert.deepEqual(
      runs.map((r) => r.runId),
      ['20261125-110000-rl', '20261125-100000-salun', '20261125-090000-saliency'],
    );
    assert.equal(runs[0].state, 'unknown');
    assert.equal(runs[0].problems.length, 1);
    assert.equal(describeRun(runs[1]), 'salun · gap 2.47 · UA 8.2 RA 94.2 TA 84.3 MIA 14.6');
    assert.equal(describeRun(runs[2]), 'saliency · cancelled');
    assert.deepEqual(listRuns(join(ws, 'nowhere')), []);
  });

  it('two runs started in the same second are listed by their startedAt, not their labels', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-runs-'));
    const root = join(ws, '.salun', 'runs');
    const write = (id: string, kind: string, startedAt: string): void => {
      mkdirSync(join(root, id), { recursive: true });
      writeFileSync(join(root, id, 'config.json'), JSON.stringify({ kind }));
      writeFileSync(join(root, id, 'status.json'), JSON.stringify({ state: 'finished', startedAt }));
    };
    // Compute Saliency, then Evaluate, in one second: "-salun" sorts after "-evaluate" by name.
    write('20261207-054920-salun', 'saliency', '2026-12-07T05:49:20.100Z');
    write('20261207-054920-evaluate', 'evaluate', '2026-12-07T05:49:20.900Z');
    write('20261207-054919-rl', 'run', '2026-12-07T05:49:19.999Z');
    assert.deepEqual(
      listRuns(ws).map((r) => r.runId),
      ['20261207-054920-evaluate', '20261207-054920-salun', '20261207-054919-rl'],
    );
  });

  it('a stopped run shows its kept metrics and says stopped; an evaluation is listed as one', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-runs-'));
    const metrics = { UA: 5, RA: 95, TA: 85, MIA: 9 };
    const write = (id: string, files: Record<string, unknown>): void => {
      mkdirSync(join(ws, '.salun', 'runs', id), { recursive: true });
      for (const [f, v] of Object.entries(files)) writeFileSync(join(ws, '.salun', 'runs', id, f), JSON.stringify(v));
    };
    write('20261126-100000-salun', {
      'config.json': { kind: 'run', method: 'salun' },
      'status.json': { state: 'stopped', startedAt: 'x' },
      'report.json': { rows: [{ role: 'unlearned', method: 'salun', metrics, avgGap: 1.5, seconds: 3 }] },
    });
    write('20261126-110000-evaluate', {
      'config.json': { kind: 'evaluate' },
      'status.json': { state: 'finished', startedAt: 'x' },
      'report.json': { rows: [{ role: 'unlearned', method: 'model', metrics, seconds: 0 }] },
    });
    const [evaluation, stopped] = listRuns(ws);
    assert.equal(stopped.state, 'stopped');
    assert.equal(describeRun(stopped), 'salun · stopped · gap 1.50 · UA 5.0 RA 95.0 TA 85.0 MIA 9.0');
    assert.equal(evaluation.kind, 'evaluate');
    assert.equal(describeRun(evaluation), 'evaluate · UA 5.0 RA 95.0 TA 85.0 MIA 9.0');
  });

  it('a generation run is listed by its kind, not as an unknown method', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-runs-'));
    const dir = join(ws, '.salun', 'runs', '20261130-100000-gen-forget7');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ task: 'generation', kind: 'generation', methods: ['salun', 'esd'] }));
    writeFileSync(join(dir, 'status.json'), JSON.stringify({ state: 'finished', startedAt: 'x' }));
    const [run] = listRuns(ws);
    assert.equal(run.kind, 'generation');
    assert.ok(describeRun(run).startsWith('generation'), describeRun(run));
    assert.equal(run.generation, undefined, 'no generation-metrics.json yet');
    assert.equal(runListing(run).method, 'generation');
  });

  it("a generation run's figures (generation-metrics.json) show in the Runs view, its tooltip and `salun runs`; a damaged row is left out with a problem", () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-runs-'));
    const dir = join(ws, '.salun', 'runs', '20261130-100000-gen-forget7');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ task: 'generation', kind: 'generation', methods: ['salun', 'esd'] }));
    writeFileSync(join(dir, 'status.json'), JSON.stringify({ state: 'finished', startedAt: 'x' }));
    const row = (label: string, method: string, ua: number, acc: number): object => ({
      label,
      method,
      ua,
      retainedAccuracy: acc,
      fidClassifier: { realTest: 7 },
    });
    writeFileSync(
      join(dir, 'generation-metrics.json'),
      JSON.stringify({ rows: [row('θo', 'original', 7, 86.333), row('SalUn', 'salun', 96, 88.555), { label: 'ESD', method: 'esd', ua: null }] }),
    );
    const [run] = listRuns(ws);
    assert.deepEqual(
      run.generation?.map((g) => g.label),
      ['θo', 'SalUn'],
    );
    assert.match(run.problems.join('\n'), /generation-metrics\.json: 1 row\(s\) of the wrong shape left out/);
    assert.equal(describeRun(run), 'generation · UA / acc.: θo 7.0 / 86.3, SalUn 96.0 / 88.6 · ⚠ 1 problem');
    assert.match(runTreeEntry(run).tooltip, /- SalUn: UA 96\.00, retained accuracy 88\.56/);
    const table = runsTable([runListing(run)]).split('\n');
    assert.match(table[1], /^20261130-100000-gen-forget7\s+finished\s+generation\s+—/);
    assert.equal(table[2], '    UA / acc.: θo 7.0 / 86.3, SalUn 96.0 / 88.6');
  });

  it('a finished run opens its report in the Runs view; a saliency job, whose row says so, its folder', () => {
    const entry = (kind: 'run' | 'saliency' | 'unknown'): string =>
      runTreeEntry({ runId: `r-${kind}`, dir: '/nowhere', kind, state: 'finished', isFolder: true, rows: [], problems: [] }).opens;
    assert.deepEqual([entry('run'), entry('saliency'), entry('unknown')], ['report', 'folder', 'report']);
  });
});
