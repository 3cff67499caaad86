// The comparison table's rows and the exported text (CSV, Markdown) are pure: the exact bytes a
// user saves are checked here; the browser test only checks that the buttons send them.
import { strict as assert } from 'node:assert';
import { avgGap, type EvaluatedModel } from '../../src/protocol/results';
import type { ComparisonRun } from '../../src/protocol/webviewMessages';
import {
  comparisonCsv,
  comparisonMarkdownTable,
  comparisonRows,
  methodDisplayName,
  csvNumber,
  retrainGroups,
  rowName,
} from '../../src/protocol/comparisonFormat';
import { csvCell } from '../../src/protocol/tableText';
import { markdownReport } from '../../webview/exportFormats';
import { initialPanelState, reducePanel } from '../../webview/panelState';
import { AUTO_ON_GPU, AUTO_ON_SWIFTSHADER } from './backendFixtures';

const retrain: EvaluatedModel = { role: 'retrain', method: 'retrain', metrics: { UA: 11, RA: 98.96, TA: 85.95, MIA: 15.2 }, avgGap: 0, seconds: 127.145 };
const original: EvaluatedModel = { role: 'original', method: 'original', metrics: { UA: 0.5, RA: 98.98, TA: 86.45, MIA: 2.2 }, avgGap: 6.01, seconds: 141 };
const unlearned = (method: string, UA: number, avgGap: number): EvaluatedModel => ({
  role: 'unlearned',
  method,
  metrics: { UA, RA: 93, TA: 84, MIA: 14 },
  avgGap,
  seconds: 36.1,
});

const runs: ComparisonRun[] = [
  {
    runId: 'r3',
    dir: '/ws/.salun/runs/r3',
    method: 'salun',
    state: 'finished',
    ratio: 0.5,
    gamma: 7e-4,
    rows: [original, retrain, unlearned('salun', 7.8, 3.06)],
  },
  { runId: 'r2', dir: '/ws/.salun/runs/r2', method: 'rl', state: 'finished', rows: [original, retrain, unlearned('rl', 8.9, 2.5)] },
  {
    runId: 'r1',
    dir: '/ws/.salun/runs/r1',
    method: 'l1',
    state: 'finished',
    rows: [original, { ...retrain, metrics: { ...retrain.metrics, UA: 12 } }, unlearned('l1', 2.3, 4.93)],
  },
];

describe('comparison rows', () => {
  it("groups runs by their Retrain reference: each group's Retrain, then its runs; ★ only within a group; every row names its reference", () => {
    const rows = comparisonRows(runs, new Set(['r1', 'r3', 'r2']));
    assert.deepEqual(
      rows.map((r) => [r.role, r.label, r.runId ?? '', r.best, r.reference, r.group]),
      [
        ['retrain', 'Retrain', '', false, 'A', 0],
        ['unlearned', 'SalUn', 'r3', false, 'A', 0],
        ['unlearned', 'RL', 'r2', true, 'A', 0],
        ['retrain', 'Retrain', '', false, 'B', 1],
        // r1's gap (4.93) is larger than r2's, but it is measured against another Retrain: best of its own group.
        ['unlearned', 'ℓ1-sparse', 'r1', true, 'B', 1],
      ],
    );
    assert.deepEqual(rows.map(rowName), ['Retrain A', 'SalUn (vs Retrain A)', 'RL (vs Retrain A)', 'Retrain B', 'ℓ1-sparse (vs Retrain B)']);
    assert.equal(rows[1].ratio, 0.5);
    assert.equal(rows[2].ratio, undefined);
    const csv = comparisonCsv(rows).split('\r\n');
    assert.ok(csv[4].startsWith('Retrain B,'), csv[4]);
  });

  it("names each group's setting (model, data, forget set) from its runs", () => {
    const withSetting = runs.map((r, i) => ({ ...r, setting: { model: i < 2 ? 'built-in CNN' : 'mine/model.json', forget: 'class 7' } }));
    const groups = retrainGroups(withSetting, new Set(['r1', 'r3', 'r2']));
    assert.deepEqual(
      groups.map((g) => [g.reference, g.setting, g.runIds]),
      [
        ['A', 'built-in CNN · forget class 7', ['r3', 'r2']],
        ['B', 'mine/model.json · forget class 7', ['r1']],
      ],
    );
    const md = comparisonMarkdownTable(comparisonRows(withSetting, new Set(['r1', 'r3', 'r2'])));
    assert.ok(md.startsWith('**Against Retrain A (built-in CNN · forget class 7)**\n\n| Model |'), md);
    assert.ok(md.includes('**Against Retrain B (mine/model.json · forget class 7)**'), md);
  });

  it('shows one Retrain for runs that share it, and nothing for an empty selection', () => {
    assert.deepEqual(
      comparisonRows(runs, new Set(['r3', 'r2'])).map((r) => r.label),
      ['Retrain', 'SalUn', 'RL'],
    );
    assert.deepEqual(comparisonRows(runs, new Set()), []);
  });

  it('names methods as the paper does', () => {
    assert.deepEqual(['salun', 'salun-soft', 'l1', 'rl', 'iu'].map(methodDisplayName), ['SalUn', 'SalUn-soft', 'ℓ1-sparse', 'RL', 'IU']);
  });
});

describe('CSV export', () => {
  it('quotes only what needs quoting (RFC 4180) and rounds numbers to 4 decimals', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvNumber(98.95555555555555), '98.9556');
    assert.equal(csvNumber(-3.2), '-3.2');
    assert.equal(csvNumber(undefined), '');
    assert.equal(csvNumber(Number.NaN), '');
  });

  it('writes a header and one CRLF line per row', () => {
    const csv = comparisonCsv(comparisonRows(runs, new Set(['r3', 'r2'])));
    assert.equal(
      csv,
      [
        'Model,Run,Ratio,UA,RA,TA,MIA,Avg. Gap,Time (s)',
        'Retrain,,,11,98.96,85.95,15.2,0,127.145',
        'SalUn,r3,0.5,7.8,93,84,14,3.06,36.1',
        'RL,r2,,8.9,93,84,14,2.5,36.1',
        '',
      ].join('\r\n'),
    );
  });
});

describe('Markdown report', () => {
  const state = [
    {
      type: 'started' as const,
      kind: 'run' as const,
      runId: 'r|3',
      runDir: '/ws/.salun/runs/r3',
      backend: { name: 'wasm' as const, reason: 'auto', detail: 'wasm SIMD, 1 thread' },
    },
    { type: 'evaluated' as const, row: original },
    { type: 'evaluated' as const, row: retrain },
    {
      type: 'saliency' as const,
      summary: {
        ratio: 0.5,
        gamma: 7.447e-4,
        totalWeights: 100,
        salientWeights: 50,
        layers: [
          { name: 'conv|1/kernel', shape: [3, 3, 1, 4], count: 36, salient: 30, salientFraction: 30 / 36, minScore: 0, medianScore: 1e-3, maxScore: 1e-1 },
          { name: 'dense/kernel', shape: [64], count: 64, salient: 20, salientFraction: 20 / 64, minScore: 0, medianScore: 1e-4, maxScore: 1e-2 },
        ],
      },
    },
    { type: 'metrics' as const, role: 'unlearned' as const, method: 'salun', epoch: 1, metrics: { UA: 12.3, RA: 88.31, TA: 82.25, MIA: 17 } },
    { type: 'evaluated' as const, row: unlearned('salun', 7.8, 3.06) },
  ].reduce(reducePanel, initialPanelState());

  it('has the run, results, saliency, per-epoch trend with its gap, and the comparison; pipes escaped', () => {
    const md = markdownReport(state, { generatedAt: '2026-11-26T00:00:00.000Z', comparison: comparisonRows(runs, new Set(['r3', 'r2'])) });
    assert.ok(md.startsWith('# SalUn Lab report: r|3\n'));
    assert.ok(md.includes('- Backend: wasm (wasm SIMD, 1 thread)'));
    assert.ok(
      md.includes(
        '| Model | UA | RA | TA | MIA | Avg. Gap | Time (s) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n| Original | 0.50 | 98.98 | 86.45 | 2.20 | 6.01 | 141.0 |',
      ),
    );
    assert.ok(md.includes('Ratio 0.500, γ = 7.447e-4; 50 of 100 weights salient.'));
    assert.ok(md.includes('| conv\\|1/kernel | 3×3×1×4 | 30 | 36 | 83.3 |'), md);
    const gap = avgGap({ UA: 12.3, RA: 88.31, TA: 82.25, MIA: 17 }, retrain.metrics);
    assert.ok(
      md.includes(
        `## Metric trends (SalUn)\n\nLive: current job · r|3.\n\n| Epoch | UA | RA | TA | MIA | Avg. Gap |\n| --- | ---: | ---: | ---: | ---: | ---: |\n| 1 | 12.30 | 88.31 | 82.25 | 17.00 | ${gap.toFixed(2)} |`,
      ),
    );
    assert.ok(md.includes('| **RL** ★ | r2 | — | 8.90 | 93.00 | 84.00 | 14.00 | 2.50 | 36.1 |'));
    assert.ok(md.endsWith('|\n'));
  });

  it('names the GPU adapter of a webgpu job and every backend auto skipped', () => {
    const gpu = reducePanel(initialPanelState(), { type: 'started', kind: 'run', runId: 'g1', runDir: '/ws/.salun/runs/g1', backend: AUTO_ON_GPU });
    const md = markdownReport(gpu, { generatedAt: 'G', comparison: [] });
    assert.ok(
      md.includes(
        '- Backend: webgpu (NVIDIA GeForce RTX 4090 (nvidia, lovelace)); auto, after 1 skipped\n' +
          '  - GPU adapter: NVIDIA GeForce RTX 4090: vendor nvidia, architecture lovelace, device 0x2684\n' +
          '  - Skipped tensorflow-gpu (TensorFlow (CUDA)): not installed\n',
      ),
      md,
    );
    const cpuOnly = reducePanel(initialPanelState(), { type: 'started', kind: 'run', runId: 'w1', runDir: '/ws/.salun/runs/w1', backend: AUTO_ON_SWIFTSHADER });
    const lines = markdownReport(cpuOnly, { generatedAt: 'G', comparison: [] }).split('\n');
    assert.ok(lines.includes('- Run folder: `.salun/runs/w1`'), 'the run folder relative to the workspace, as the panel shows it');
    assert.ok(!lines.some((l) => l.includes('/ws/')), 'no absolute path of the machine it was made on');
    assert.equal(lines.filter((l) => l.startsWith('  - Skipped ')).length, 3);
    assert.ok(!lines.some((l) => l.includes('GPU adapter')));
  });

  it('omits the sections it has nothing for', () => {
    const md = markdownReport(initialPanelState(), { generatedAt: 'now', comparison: [] });
    assert.equal(md, '# SalUn Lab report\n\n- Exported: now\n');
  });
});
