// Compare Runs and Export Run Report without VS Code: the shared comparison text, what the commands
// accept and where they write, and the run report read back from a run folder on disk.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluatedModel, Metrics, SaliencySummary } from '../../src/protocol/results';
import type { ComparisonRun } from '../../src/protocol/webviewMessages';
import { BEST_MARK, comparisonMarkdownTable, comparisonReport, comparisonRows } from '../../src/protocol/comparisonFormat';
import { comparisonRuns, latestRetrainGroup } from '../../src/extension/runs/comparisonRuns';
import {
  comparableRuns,
  comparisonReportPath,
  comparisonTexts,
  csvBeside,
  parseCompareArgs,
  parseExportArgs,
  resolveOutFile,
  runForget,
  runPickEntry,
  runReportDefaultPath,
  workspaceOfRun,
} from '../../src/extension/runs/reportFiles';
import { readRunRecord } from '../../src/store/runs/runRecord';
import { describeForgetSpec, formatWallTime, runReportMarkdown } from '../../src/store/runs/runReport';
import { avgGap } from '../../src/engine/metrics/report';
import { AUTO_ON_GPU, AUTO_ON_SWIFTSHADER } from './backendFixtures';

const m = (UA: number, RA: number, TA: number, MIA: number): Metrics => ({ UA, RA, TA, MIA });
const retrainA: EvaluatedModel = { role: 'retrain', method: 'retrain', metrics: m(11, 98.96, 85.95, 15.2), avgGap: 0, seconds: 127.14 };
const retrainB: EvaluatedModel = { ...retrainA, metrics: m(12, 98, 85, 16) };
const original: EvaluatedModel = { role: 'original', method: 'original', metrics: m(0.5, 98.98, 86.45, 2.2), avgGap: 6.01, seconds: 141 };
const unlearned = (method: string, metrics: Metrics, gap: number): EvaluatedModel => ({ role: 'unlearned', method, metrics, avgGap: gap, seconds: 36.12 });

const runs: ComparisonRun[] = [
  {
    runId: '20261126-120000-salun',
    dir: '/ws/.salun/runs/20261126-120000-salun',
    method: 'salun',
    state: 'finished',
    ratio: 0.5,
    rows: [original, retrainA, unlearned('salun', m(7.8, 93.61, 84.15, 13.3), 3.06)],
  },
  {
    runId: '20261126-110000-rl',
    dir: '/ws/.salun/runs/20261126-110000-rl',
    method: 'rl',
    state: 'stopped',
    rows: [original, retrainA, unlearned('rl', m(8.9, 93, 84, 14), 2.5)],
  },
  {
    runId: '20261126-100000-ga',
    dir: '/ws/.salun/runs/20261126-100000-ga',
    method: 'ga',
    state: 'finished',
    rows: [original, retrainB, unlearned('ga', m(1, 99, 86, 3), 7.1)],
  },
  { runId: '20261126-090000-ft', dir: '/ws/.salun/runs/20261126-090000-ft', method: 'ft', state: 'failed', rows: [] },
];

describe('the shared comparison text (panel export and Compare Runs)', () => {
  it('marks the smallest gap with ★ in bold, Retrain rows first', () => {
    const table = comparisonMarkdownTable(comparisonRows(runs, new Set(['20261126-120000-salun', '20261126-110000-rl'])));
    assert.equal(
      table,
      [
        '| Model | Run | Ratio | UA | RA | TA | MIA | Avg. Gap | Time (s) |',
        '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| Retrain |  | — | 11.00 | 98.96 | 85.95 | 15.20 | 0.00 | 127.1 |',
        '| SalUn | 20261126-120000-salun | 0.500 | 7.80 | 93.61 | 84.15 | 13.30 | 3.06 | 36.1 |',
        `| **RL** ${BEST_MARK} | 20261126-110000-rl | — | 8.90 | 93.00 | 84.00 | 14.00 | 2.50 | 36.1 |`,
      ].join('\n'),
    );
  });

  it('a report lists the runs with their forget set and says when Retrains differ', () => {
    const rows = comparisonRows(runs, new Set(['20261126-120000-salun', '20261126-100000-ga']));
    const md = comparisonReport(rows, {
      generatedAt: 'T',
      runs: [
        { runId: 'a|b', method: 'salun', state: 'finished', forget: 'random 10% (seed 1)', model: 'built-in CNN', dir: '/ws/x' },
        { runId: 'c', method: 'ga', state: 'finished', model: 'mine/model.json' },
      ],
    });
    assert.ok(md.startsWith('# SalUn Lab comparison of 2 runs on built-in CNN, mine/model.json\n\n- Generated: T\n- 2 different Retrain references'), md);
    assert.ok(md.includes('| a\\|b | SalUn | built-in CNN | random 10% (seed 1) | finished | `/ws/x` |'), md);
    assert.ok(md.includes('| c | GA | mine/model.json | — | finished | — |'), md);
    // Each run is alone against its Retrain: each is the best of its group, and says which Retrain.
    assert.ok(md.includes(`| **SalUn (vs Retrain A)** ${BEST_MARK} |`), md);
    assert.ok(md.includes(`| **GA (vs Retrain B)** ${BEST_MARK} |`), md);
    assert.ok(
      md.endsWith('measured against the same Retrain). Time: training time for Retrain, saliency + unlearning time for a method (evaluation excluded).\n'),
    );
  });
});

describe('Compare Runs: choices and files', () => {
  it("preselects the runs that share the newest run's Retrain", () => {
    assert.deepEqual(latestRetrainGroup(runs), ['20261126-120000-salun', '20261126-110000-rl']);
    assert.deepEqual(latestRetrainGroup([runs[3], runs[2]]), ['20261126-100000-ga']);
    assert.deepEqual(latestRetrainGroup([runs[3]]), ['20261126-090000-ft']);
    assert.deepEqual(latestRetrainGroup([]), []);
  });

  it('offers only finished or stopped runs with an unlearned model', () => {
    assert.deepEqual(
      comparableRuns(runs).map((r) => r.method),
      ['salun', 'rl', 'ga'],
    );
  });

  it('reads script arguments and rejects bad ones', () => {
    assert.equal(parseCompareArgs(undefined), undefined);
    assert.equal(parseCompareArgs({ something: 1 }), undefined);
    assert.deepEqual(parseCompareArgs({ runIds: ['a', 'b', 'a'] }), { runIds: ['a', 'b'] });
    assert.deepEqual(parseCompareArgs({ runIds: ['a'], outFile: 'x.md' }), { runIds: ['a'], outFile: 'x.md' });
    assert.throws(() => parseCompareArgs({ runIds: [] }), /non-empty list/);
    assert.throws(() => parseCompareArgs({ runIds: ['a'], outFile: 3 }), /outFile/);
    assert.deepEqual(parseExportArgs({ runId: 'r', outFile: '/t/r.md' }), { runId: 'r', outFile: '/t/r.md' });
    assert.equal(parseExportArgs('/some/dir'), undefined);
    assert.throws(() => parseExportArgs({ runId: '' }), /runId/);
  });

  it('names files: a timestamped report under .salun/comparisons, the CSV beside, never over an existing one', () => {
    const now = new Date('2026-11-26T10:15:30.123Z');
    assert.equal(
      comparisonReportPath('/ws', 3, now, () => false),
      '/ws/.salun/comparisons/20261126-101530-3runs.md',
    );
    const taken = new Set(['/ws/.salun/comparisons/20261126-101530-3runs.md', '/ws/.salun/comparisons/20261126-101530-3runs-2.csv']);
    assert.equal(
      comparisonReportPath('/ws', 3, now, (p) => taken.has(p)),
      '/ws/.salun/comparisons/20261126-101530-3runs-3.md',
    );
    assert.equal(csvBeside('/a/b.md'), '/a/b.csv');
    assert.equal(csvBeside('/a/b'), '/a/b.csv');
    assert.equal(resolveOutFile('/ws', 'out/c.md'), '/ws/out/c.md');
    assert.equal(resolveOutFile('/ws', '/abs/c.md'), '/abs/c.md');
    assert.equal(runReportDefaultPath('/ws', 'r1'), '/ws/r1-report.md');
    assert.equal(workspaceOfRun('/ws/.salun/runs/r1'), '/ws');
    assert.equal(workspaceOfRun('/elsewhere/r1'), undefined);
  });

  it('a pick line shows method, forget set, id, state, key metrics and gap', () => {
    assert.deepEqual(runPickEntry(runs[1], 'class 3'), {
      label: 'RL · class 3',
      description: '20261126-110000-rl (stopped)',
      detail: 'UA 8.90 · RA 93.00 · TA 84.00 · MIA 14.00 · gap 2.50',
    });
    assert.equal(runPickEntry(runs[0], undefined).label, 'SalUn');
    assert.equal(runPickEntry({ ...runs[0], setting: { model: 'built-in CNN' } }, 'class 7').label, 'SalUn · built-in CNN · class 7');
  });

  it('compares run folders from disk: the forget set from config.json, the rows from report.json', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-compare-'));
    const write = (id: string, files: Record<string, unknown>): void => {
      const dir = join(ws, '.salun', 'runs', id);
      mkdirSync(dir, { recursive: true });
      for (const [f, v] of Object.entries(files)) writeFileSync(join(dir, f), JSON.stringify(v));
    };
    write('20261126-100000-salun', {
      'config.json': { kind: 'run', method: 'salun', model: { kind: 'builtin', architecture: 'mlp' }, forget: { kind: 'random', fraction: 0.1, seed: 1 } },
      'status.json': { state: 'finished', startedAt: 'x' },
      'report.json': { rows: runs[0].rows },
    });
    write('20261126-110000-rl', {
      'config.json': { kind: 'run', method: 'rl', model: { kind: 'file', path: '/ws/models/my-model/model.json' }, forget: { kind: 'class', classIndex: 3 } },
      'status.json': { state: 'finished', startedAt: 'x' },
      'report.json': { rows: runs[1].rows },
    });
    const onDisk = comparableRuns(comparisonRuns([ws], Number.POSITIVE_INFINITY));
    assert.deepEqual(
      onDisk.map((r) => r.runId),
      ['20261126-110000-rl', '20261126-100000-salun'],
    );
    assert.equal(runForget(onDisk[0].dir), 'class 3');
    const texts = comparisonTexts(onDisk, ['20261126-100000-salun', '20261126-110000-rl'], 'T');
    assert.ok(texts.markdown.includes('| 20261126-100000-salun | SalUn | built-in MLP | random 10% (seed 1) | finished |'), texts.markdown);
    assert.ok(texts.markdown.startsWith('# SalUn Lab comparison of 2 runs on my-model/model.json, built-in MLP'), texts.markdown);
    assert.deepEqual(
      onDisk.map((r) => r.setting?.model),
      ['my-model/model.json', 'built-in MLP'],
    );
    // Equal Retrain metrics, but two models: two references, never one table without a label.
    assert.ok(texts.markdown.includes(`| **RL (vs Retrain A)** ${BEST_MARK} | 20261126-110000-rl |`), texts.markdown);
    assert.ok(texts.markdown.includes(`| **SalUn (vs Retrain B)** ${BEST_MARK} | 20261126-100000-salun |`), texts.markdown);
    assert.equal(texts.csv.split('\r\n')[1], 'Retrain A,,,11,98.96,85.95,15.2,0,127.14');
  });
});

describe('Export Run Report: the report of a run folder', () => {
  const summary: SaliencySummary = {
    ratio: 0.5,
    gamma: 7.447e-4,
    totalWeights: 100,
    salientWeights: 50,
    layers: [
      { name: 'conv1/kernel', shape: [3, 3, 1, 4], count: 36, salient: 30, salientFraction: 30 / 36, minScore: 0, medianScore: 1.5e-3, maxScore: 0.1 },
      { name: 'dense/kernel', shape: [64], count: 64, salient: 20, salientFraction: 20 / 64, minScore: 0, medianScore: 2e-4, maxScore: 0.01 },
    ],
  };
  const config = {
    name: 'salun',
    data: { kind: 'default' },
    model: { kind: 'builtin', architecture: 'mlp' },
    forget: { kind: 'random', fraction: 0.1, seed: 1 },
    method: 'salun',
    saliency: { ratio: 0.5 },
    train: { epochs: 12, lr: 0.05, schedule: 'cosine', momentum: 0.9, weightDecay: 5e-4, batchSize: 128 },
    unlearn: { epochs: 3, lr: 0.005, schedule: 'constant', momentum: 0.9, weightDecay: 5e-4, batchSize: 128 },
    retrain: true,
    seed: 1,
    backend: 'auto',
    kind: 'run',
    resolved: {
      backend: { name: 'wasm', reason: 'auto', detail: 'wasm SIMD, 1 thread' },
      dataFingerprint: '55be795a89ac5490',
      train: { n: 10000, source: 'x' },
      test: { n: 2000, usedForTA: 2000 },
      forgetSize: 1000,
      retainSize: 9000,
      forgetHash: 'bd4642db48eb08b4',
      originalModel: 'cache',
    },
    versions: { salunLab: '0.1.0', tfjs: '4.22.0', node: 'v20.20.2', platform: 'linux-x64' },
  };
  const epoch1 = m(12.3, 88.31, 82.25, 17);
  const epoch2 = m(7.8, 93.61, 84.15, 13.3);
  const final = unlearned('salun', epoch2, avgGap(epoch2, retrainA.metrics));

  function runFolder(files: Record<string, string>): string {
    const dir = join(mkdtempSync(join(tmpdir(), 'salun-report-')), '.salun', 'runs', '20261126-003323-salun');
    mkdirSync(join(dir, 'saliency'), { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    return dir;
  }
  const line = (role: string, method: string, epoch: number, metrics: Metrics, extra = {}): string =>
    JSON.stringify({ time: 't', role, method, epoch, ...metrics, ...extra });

  it('has the configuration, final metrics with differences, every epoch with its gap, the saliency mask and the wall time', () => {
    const dir = runFolder({
      'config.json': JSON.stringify(config),
      'status.json': JSON.stringify({ state: 'stopped', startedAt: '2026-11-26T00:33:23.000Z', endedAt: '2026-11-26T00:35:23.500Z' }),
      'report.json': JSON.stringify({ rows: [retrainA, original, final] }),
      'metrics.jsonl': [
        line('original', 'original', 0, original.metrics),
        line('retrain', 'retrain', 0, retrainA.metrics),
        line('unlearned', 'salun', 1, epoch1, { loss: 1.85 }),
        line('unlearned', 'salun', 2, epoch2, { loss: 0.9 }),
        '{"role":"unlea',
      ].join('\n'),
      'saliency/summary.json': JSON.stringify(summary),
    });
    const record = readRunRecord(dir);
    assert.equal(record.runId, '20261126-003323-salun');
    assert.deepEqual(
      record.metricsLog.points.map((p) => p.epoch),
      [1, 2],
    );
    const md = runReportMarkdown(record, { generatedAt: 'G' });
    assert.ok(
      md.startsWith(
        '# SalUn Lab run report: 20261126-003323-salun\n\n**SalUn** on the bundled Fashion-MNIST subset, forgetting random 10% (seed 1). State: stopped; wall time 2 min 01 s (120.5 s).\n',
      ),
      md,
    );
    for (const row of [
      '| Data | bundled Fashion-MNIST subset: 10000 train / 2000 test; fingerprint 55be795a89ac5490 |',
      '| Model | built-in MLP; θo from the model cache |',
      '| Forget set | random 10% (seed 1): 1000 samples forgotten, 9000 retained; hash bd4642db48eb08b4 |',
      '| Method | SalUn |',
      '| Unlearning | 3 epochs, lr 0.005 (constant), momentum 0.9, weight decay 0.0005, batch 128 |',
      '| Saliency mask | ratio 0.5 (the top 50% of weights by \\|g\\|) |',
      '| θo and Retrain recipe | 12 epochs, lr 0.05 (cosine), momentum 0.9, weight decay 0.0005, batch 128 |',
      '| Seed | 1 |',
      '| Backend | wasm (wasm SIMD, 1 thread); asked for auto |',
      '| Versions | SalUn Lab 0.1.0, tfjs 4.22.0, Node v20.20.2, platform linux-x64 |',
    ])
      assert.ok(md.includes(row), `missing ${row}\n${md}`);
    assert.ok(md.includes('**Stopped by the user (Stop and Keep) after epoch 2 of 3**'), md);
    // report.md's own table, Retrain first.
    assert.ok(
      md.includes(
        '| Retrain | 11.00 | 98.96 | 85.95 | 15.20 | 0.00 | 127.1 |\n| Original | 0.50 | 98.98 | 86.45 | 2.20 | 6.01 | 141.0 |\n| SalUn | 7.80 | 93.61 | 84.15 | 13.30 |',
      ),
      md,
    );
    assert.ok(md.includes(`| SalUn − Retrain | −3.20 | −5.35 | −1.80 | −1.90 | ${avgGap(epoch2, retrainA.metrics).toFixed(2)} |`), md);
    assert.ok(md.includes(`| SalUn − Original | +7.30 | −5.37 | −2.30 | +11.10 | ${avgGap(epoch2, original.metrics).toFixed(2)} |`), md);
    assert.ok(md.includes(`## Per-epoch metrics (SalUn)`));
    assert.ok(md.includes(`| 1 | 12.30 | 88.31 | 82.25 | 17.00 | ${avgGap(epoch1, retrainA.metrics).toFixed(2)} |`), md);
    assert.ok(md.includes('Ratio 0.500, γ = 7.447e-4: 50 of 100 weights salient (50.0%)'), md);
    assert.ok(md.includes('| conv1/kernel | 3×3×1×4 | 30 | 36 | 83.3 | 1.50e-3 |'), md);
    // The torn last line of metrics.jsonl is a write in progress, not a problem to report.
    assert.ok(!md.includes('## Unreadable files'), md);
  });

  it("a run of the user's own model.json states no θo recipe (SalUn never trained it), and re-runs without a `salun` on PATH", () => {
    const dir = runFolder({
      'config.json': JSON.stringify({ ...config, model: { kind: 'file', path: '/ws/model.json' }, resolved: { ...config.resolved, originalModel: 'file' } }),
    });
    const md = runReportMarkdown(readRunRecord(dir), { generatedAt: 'G' });
    assert.ok(!md.includes('θo and Retrain recipe'), md);
    assert.ok(md.includes('| Retrain recipe | 12 epochs, lr 0.05 (cosine), momentum 0.9, weight decay 0.0005, batch 128 |'), md);
    assert.ok(md.includes('- Re-run: **Re-run** in the Runs view'), md);
    assert.ok(!md.includes('source checkout') && !md.includes('bin/salun.js') && !md.includes('bench/results'), md);
    assert.ok(!md.includes('`salun run'), md);
  });

  it("a saliency job's and a model evaluation's report: the title and recipe rows their kind's row gives", () => {
    const md = (kind: string): string =>
      runReportMarkdown(readRunRecord(runFolder({ 'config.json': JSON.stringify({ ...config, kind }) })), { generatedAt: 'G' });
    const saliency = md('saliency');
    assert.match(saliency, /^# SalUn Lab run report: .*\n\n\*\*Saliency map\*\* on /);
    assert.ok(saliency.includes('| Saliency mask |') && !saliency.includes('| Unlearning |'), saliency);
    const evaluation = md('evaluate');
    assert.match(evaluation, /\*\*Model evaluation\*\* on /);
    assert.ok(!evaluation.includes('| Saliency mask |') && !evaluation.includes('| Unlearning |'), evaluation);
    assert.ok(md('run').includes('| Unlearning |'));
  });

  it('a webgpu run: its GPU adapter and the backends auto skipped, read back from config.json', () => {
    const dir = runFolder({ 'config.json': JSON.stringify({ ...config, resolved: { ...config.resolved, backend: AUTO_ON_GPU } }) });
    const md = runReportMarkdown(readRunRecord(dir), { generatedAt: 'G' });
    for (const row of [
      '| Backend | webgpu (NVIDIA GeForce RTX 4090 (nvidia, lovelace)); asked for auto |',
      '| GPU adapter | NVIDIA GeForce RTX 4090: vendor nvidia, architecture lovelace, device 0x2684 |',
      '| Skipped backends | tensorflow-gpu (TensorFlow (CUDA)): not installed |',
    ])
      assert.ok(md.includes(row), `missing ${row}\n${md}`);
    // wasm after three skips: no adapter row, the three reasons in one cell.
    const wasmDir = runFolder({ 'config.json': JSON.stringify({ ...config, resolved: { ...config.resolved, backend: AUTO_ON_SWIFTSHADER } }) });
    const wasmMd = runReportMarkdown(readRunRecord(wasmDir), { generatedAt: 'G' });
    assert.ok(!wasmMd.includes('| GPU adapter |'), wasmMd);
    const skippedRow = wasmMd.split('\n').find((l) => l.startsWith('| Skipped backends |'));
    for (const name of ['tensorflow-gpu (TensorFlow (CUDA)): ', 'webgpu (WebGPU (Dawn)): only a software adapter', 'tensorflow (TensorFlow (CPU)): ']) {
      assert.ok(skippedRow?.includes(name), `${name} not in ${skippedRow}`);
    }
  });

  it('a failed run with only its config and status still gives a report, with the error', () => {
    const dir = runFolder({
      'config.json': JSON.stringify({ ...config, resolved: undefined, versions: undefined, method: 'l1', data: { kind: 'idx', dir: '/data/fm' } }),
      'status.json': JSON.stringify({
        state: 'failed',
        startedAt: '2026-11-26T00:00:00.000Z',
        endedAt: '2026-11-26T00:00:05.000Z',
        error: { message: 'Out of memory', hint: 'Lower the batch size.' },
      }),
    });
    const md = runReportMarkdown(readRunRecord(dir), { generatedAt: 'G' });
    assert.ok(md.includes('**ℓ1-sparse** on the idx folder /data/fm, forgetting random 10% (seed 1). State: failed; wall time 5 s (5.0 s).'), md);
    assert.ok(md.includes('## Error\n\nOut of memory\n\nLower the batch size.'), md);
    assert.ok(md.includes('| Backend | auto (asked for; the job did not record what it used) |'), md);
    assert.ok(!md.includes('## Final metrics') && !md.includes('## Per-epoch') && !md.includes('## Saliency'), md);
  });

  it('an unreadable file is listed, the rest still reported', () => {
    const dir = runFolder({ 'config.json': '{ not json', 'report.json': JSON.stringify({ rows: [retrainA, final] }) });
    const md = runReportMarkdown(readRunRecord(dir), { generatedAt: 'G' });
    assert.ok(md.includes('State: unknown (no status.json)'), md);
    assert.ok(md.includes('| SalUn | 7.80 |'), md);
    assert.match(md, /## Unreadable files\n\n- .*config\.json: /);
  });

  it('names forget sets and durations', () => {
    assert.equal(describeForgetSpec({ kind: 'random', fraction: 0.1 }), 'random 10%');
    assert.equal(describeForgetSpec({ kind: 'class', classIndex: 3 }), 'class 3');
    assert.equal(describeForgetSpec({ kind: 'indices', file: 'f.json' }), 'indices from f.json');
    assert.deepEqual([5.4, 65, 3725].map(formatWallTime), ['5 s', '1 min 05 s', '1 h 02 min']);
  });
});
