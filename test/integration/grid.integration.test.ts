// The per-method grid search: the grid's points and how each sets the recipe and options, the
// spec parser's errors, and `salun grid` end to end on the bundled data (MLP, 1 epoch), where each
// point's gap must be its own metrics against the Retrain it printed and ★ the smallest.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_UNLEARN } from '../../src/protocol/defaults';
import { applyPoint, DEFAULT_GRIDS, gridConfigProblems, gridPoints, MAX_GRID_POINTS, parseGridSpec, type GridResult } from '../../src/protocol/grid';
import { METHOD_NAMES } from '../../src/protocol/config';

const root = resolve(__dirname, '..', '..', '..');
const cli = join(root, 'bin', 'salun.js');

describe('grid search: points, recipes, validation', () => {
  it('the Cartesian product, first axis slowest', () => {
    const p = gridPoints([
      { param: 'lr', values: [1, 2] },
      { param: 'ratio', values: [0.3, 0.5, 0.7] },
    ]);
    assert.equal(p.length, 6);
    assert.deepEqual(p[0], { lr: 1, ratio: 0.3 });
    assert.deepEqual(p[2], { lr: 1, ratio: 0.7 });
    assert.deepEqual(p[3], { lr: 2, ratio: 0.3 });
  });

  it('a point overrides only what it names', () => {
    const a = applyPoint({ lr: 0.02, 'iu.alpha': 7 }, DEFAULT_UNLEARN, 0.5);
    assert.equal(a.recipe.lr, 0.02);
    assert.equal(a.recipe.epochs, DEFAULT_UNLEARN.epochs);
    assert.equal(a.ratio, 0.5);
    assert.deepEqual(a.options, { iu: { alpha: 7 } });
    const b = applyPoint({ epochs: 3, ratio: 0.3, 'salunSoft.lambda': 0.1, 'l1.alpha': 1e-3, 'bs.epsilon': 0.2 }, DEFAULT_UNLEARN, 0.5);
    assert.equal(b.recipe.epochs, 3);
    assert.equal(b.recipe.lr, DEFAULT_UNLEARN.lr);
    assert.equal(b.ratio, 0.3);
    assert.deepEqual(b.options, { salunSoft: { lambda: 0.1 }, l1: { alpha: 1e-3 }, bs: { epsilon: 0.2 } });
  });

  it('every method has a valid default grid', () => {
    for (const m of METHOD_NAMES) assert.deepEqual(gridConfigProblems({ method: m, seed: 1, axes: DEFAULT_GRIDS[m] }), [], m);
  });

  it('parses the CLI spec and names what is wrong', () => {
    assert.deepEqual(parseGridSpec('lr=0.002,0.005; ratio=0.5'), [
      { param: 'lr', values: [0.002, 0.005] },
      { param: 'ratio', values: [0.5] },
    ]);
    assert.throws(() => parseGridSpec('lr'), /name=v1,v2/);
    assert.throws(() => parseGridSpec('momentum=0.9'), /unknown grid parameter 'momentum'/);
    assert.throws(() => parseGridSpec('lr=0.1,abc'), /not numbers: 'abc'/);
  });

  it('rejects bad axes with the field named', () => {
    const bad = (axes: unknown, method = 'rl'): string => gridConfigProblems({ method, seed: 1, axes }).join('\n');
    assert.match(bad([]), /non-empty/);
    assert.match(bad([{ param: 'epochs', values: [1.5] }]), /epochs values must be positive integers/);
    assert.match(bad([{ param: 'lr', values: [0] }]), /lr values must be positive/);
    assert.match(
      bad([
        { param: 'lr', values: [1] },
        { param: 'lr', values: [2] },
      ]),
      /lr appears twice/,
    );
    assert.match(bad([{ param: 'ratio', values: [0.5] }]), /ratio only matters for salun/);
    assert.equal(bad([{ param: 'ratio', values: [0.5] }], 'salun'), '');
    assert.match(
      bad([
        { param: 'lr', values: Array.from({ length: 9 }, (_, i) => i + 1) },
        { param: 'epochs', values: Array.from({ length: 8 }, (_, i) => i + 1) },
      ]),
      new RegExp(`72 points; at most ${MAX_GRID_POINTS}`),
    );
  });
});

describe('salun grid (CLI, end to end)', function () {
  this.timeout(240_000);

  it('runs every point from the same θo, scores it against Retrain, marks the best', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-grid-'));
    const out = join(ws, 'out');
    const r = spawnSync(
      process.execPath,
      [
        cli,
        'grid',
        '--method',
        'salun',
        '--grid',
        'lr=0.002,0.01;ratio=0.3,0.7',
        '--model',
        'mlp',
        '--train-subset',
        '1000',
        '--train-epochs',
        '1',
        '--backend',
        'wasm',
        '--workspace',
        ws,
        '--out',
        out,
        '--quiet',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    for (const f of ['grid.md', 'grid.json', 'config.json', 'points.jsonl']) assert.ok(existsSync(join(out, f)), `${f} missing`);
    const g = JSON.parse(readFileSync(join(out, 'grid.json'), 'utf8')) as GridResult;
    assert.deepEqual(
      g.points.map((p) => p.label),
      ['lr=0.002, ratio=0.3', 'lr=0.002, ratio=0.7', 'lr=0.01, ratio=0.3', 'lr=0.01, ratio=0.7'],
    );
    for (const p of g.points) {
      const want = (['UA', 'RA', 'TA', 'MIA'] as const).reduce((s, k) => s + Math.abs(p.metrics[k] - g.retrain[k]), 0) / 4;
      assert.ok(Math.abs(p.avgGap - want) < 1e-9, `${p.label}: ${p.avgGap} vs ${want}`);
      assert.ok(p.seconds > 0);
    }
    assert.equal(g.points[g.best].avgGap, Math.min(...g.points.map((p) => p.avgGap)));
    // Different points are different runs: not every point lands on the same metrics.
    assert.ok(new Set(g.points.map((p) => JSON.stringify(p.metrics))).size > 1, 'all points gave identical metrics');
    // Each salun point wrote its own mask, at its own ratio.
    const s3 = JSON.parse(readFileSync(join(out, 'point-1', 'saliency', 'summary.json'), 'utf8')) as { ratio: number };
    const s7 = JSON.parse(readFileSync(join(out, 'point-2', 'saliency', 'summary.json'), 'utf8')) as { ratio: number };
    assert.ok(Math.abs(s3.ratio - 0.3) < 0.01 && Math.abs(s7.ratio - 0.7) < 0.01, `${s3.ratio}, ${s7.ratio}`);
    const bestLine = r.stdout.split('\n').find((l) => l.startsWith('★'));
    assert.ok(bestLine?.includes(g.points[g.best].label), r.stdout);
    assert.equal(readFileSync(join(out, 'points.jsonl'), 'utf8').trim().split('\n').length, 4);
  });

  it('rejects a bad grid with a message and exit code 2', () => {
    const r = spawnSync(process.execPath, [cli, 'grid', '--method', 'rl', '--grid', 'ratio=0.5'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /ratio only matters for salun/);
    const m = spawnSync(process.execPath, [cli, 'grid'], { encoding: 'utf8' });
    assert.equal(m.status, 2);
    assert.match(m.stderr, /give the method to tune/);
  });
});
