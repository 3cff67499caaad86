// The comparison table: the statistics over seeds (by hand), and `salun table` end to end on the
// bundled data with the MLP, 1 epoch, 2 seeds, 2 methods, checked against its own per-seed rows.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EvaluatedModel, Metrics } from '../../src/protocol/results';
import type { TableResult } from '../../src/protocol/table';
import { balancedPrefix } from '../../src/engine/data/subset';
import { aggregateSeeds, noiseFloor, rankWithinFloor } from '../../src/engine/metrics/seedStats';
import { formatStat, meanStd } from '../../src/protocol/table';
import { describeMissing, runTableJob, tableMarkdown, tableMissing } from '../../src/engine/pipeline/classification/tableJob';
import { defaultTableConfig, type TableConfig } from '../../src/protocol/table';
import type { JobEvent } from '../../src/protocol/jobMessages';

const root = resolve(__dirname, '..', '..', '..');
const cli = join(root, 'bin', 'salun.js');

const m = (UA: number, RA: number, TA: number, MIA: number): Metrics => ({ UA, RA, TA, MIA });
const row = (role: EvaluatedModel['role'], method: string, metrics: Metrics, seconds = 1): EvaluatedModel => ({ role, method, metrics, seconds });
const close = (a: number, b: number, what: string, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
const gap = (a: Metrics, b: Metrics): number => (Math.abs(a.UA - b.UA) + Math.abs(a.RA - b.RA) + Math.abs(a.TA - b.TA) + Math.abs(a.MIA - b.MIA)) / 4;

describe('table statistics over seeds', () => {
  it('mean and sample std (n − 1); one value has no std', () => {
    const s = meanStd([2, 4, 9]);
    close(s.mean, 5, 'mean');
    close(s.std!, Math.sqrt(((2 - 5) ** 2 + (4 - 5) ** 2 + (9 - 5) ** 2) / 2), 'std');
    assert.equal(meanStd([3]).std, undefined);
    assert.equal(formatStat({ mean: 1.234, std: 0.5, n: 2 }), '1.23 ± 0.50');
    assert.equal(formatStat({ mean: 1.234, n: 1 }), '1.23');
  });

  it('noise floor = mean Avg. Gap over all pairs of Retrain seeds', () => {
    const r = [
      { seed: 1, metrics: m(10, 100, 90, 20) },
      { seed: 2, metrics: m(12, 100, 91, 24) },
      { seed: 3, metrics: m(9, 99, 90, 18) },
    ];
    const f = noiseFloor(r);
    assert.equal(f.pairs.length, 3);
    // (1,2): (2+0+1+4)/4 = 1.75; (1,3): (1+1+0+2)/4 = 1; (2,3): (3+1+1+6)/4 = 2.75
    close(f.value!, (1.75 + 1 + 2.75) / 3, 'floor');
    assert.equal(noiseFloor(r.slice(0, 1)).value, undefined);
  });

  it('gaps against the mean Retrain, Retrain first, methods ranked only beyond the floor', () => {
    const agg = aggregateSeeds([
      {
        seed: 1,
        rows: [
          row('original', 'original', m(0, 100, 92, 2)),
          row('retrain', 'retrain', m(10, 100, 90, 20), 50),
          row('unlearned', 'salun', m(9, 99, 89, 19), 3),
          row('unlearned', 'ga', m(1, 99, 91, 3), 1),
        ],
      },
      {
        seed: 2,
        rows: [
          row('retrain', 'retrain', m(12, 100, 91, 24), 70),
          row('original', 'original', m(1, 100, 91, 3)),
          row('unlearned', 'salun', m(11, 98, 90, 22), 5),
          row('unlearned', 'ga', m(2, 100, 90, 4), 2),
        ],
      },
    ]);
    assert.deepEqual(
      agg.rows.map((r) => r.label),
      ['Retrain', 'Original', 'SalUn', 'GA'],
    );
    const ref = m(11, 100, 90.5, 22);
    assert.deepEqual(agg.retrainMean, ref);
    const salun = agg.rows[2];
    const g1 = gap(m(9, 99, 89, 19), ref);
    const g2 = gap(m(11, 98, 90, 22), ref);
    close(salun.avgGap.mean, (g1 + g2) / 2, 'SalUn gap mean');
    close(salun.avgGap.std!, Math.abs(g1 - g2) / Math.SQRT2, 'SalUn gap std');
    close(salun.UA.mean, 10, 'SalUn UA');
    close(salun.seconds.mean, 4, 'SalUn RTE');
    close(agg.noiseFloor.value!, gap(m(10, 100, 90, 20), m(12, 100, 91, 24)), 'floor');
    // Retrain's own gap to the mean of 2 seeds is half the floor.
    close(agg.rows[0].avgGap.mean, agg.noiseFloor.value! / 2, 'Retrain gap');
    assert.equal(salun.rank, 1);
    assert.equal(agg.rows[3].rank, 2);
    assert.equal(agg.rows[0].rank, undefined);
    assert.equal(agg.rows[1].rank, undefined);
  });

  it('ranks: within the floor of the group leader ties, beyond opens the next group', () => {
    const r = rankWithinFloor(
      [
        { key: 'a', gap: 1.0 },
        { key: 'b', gap: 1.5 },
        { key: 'c', gap: 2.2 },
        { key: 'd', gap: 2.9 },
      ],
      1,
    );
    assert.deepEqual(
      [...r.entries()],
      [
        ['a', 1],
        ['b', 1],
        ['c', 3],
        ['d', 3],
      ],
    );
  });

  it('a table stopped early: what each seed lacks, and the partial marker above the table', () => {
    const seed1 = [row('retrain', 'retrain', m(10, 100, 90, 20)), row('original', 'original', m(0, 100, 92, 2)), row('unlearned', 'ft', m(2, 100, 91, 4))];
    const runs = [{ seed: 1, rows: seed1 }];
    const missing = tableMissing({ seeds: [1, 2], methods: ['ft', 'salun'] }, runs);
    assert.deepEqual(missing, [
      { seed: 1, models: ['SalUn'] },
      { seed: 2, models: ['Retrain', 'Original', 'FT', 'SalUn'] },
    ]);
    assert.deepEqual(describeMissing(missing), ['seed 1: SalUn', 'seed 2: Retrain, Original, FT, SalUn']);
    assert.deepEqual(tableMissing({ seeds: [1], methods: ['ft'] }, runs), []);

    const agg = aggregateSeeds(runs);
    const config = { ...defaultTableConfig(), seeds: [1, 2], methods: ['ft', 'salun'] as TableResult['config']['methods'] };
    const t: TableResult = {
      config,
      stopped: { modelsDone: 3, modelsPlanned: 8, missing },
      rows: agg.rows,
      retrainMean: agg.retrainMean,
      noiseFloor: agg.noiseFloor,
      seeds: [{ seed: 1, forgetSize: 100, retainSize: 900, testSize: 200, originalFrom: 'trained', retrainFrom: 'trained', rows: agg.perSeed[0].rows }],
      backend: { name: 'cpu', reason: 'forced', detail: 'js' },
      machine: { cpu: 'x', cores: 2, platform: 'linux', node: 'v20', tfjs: '4', salunLab: 'dev' },
      date: 'D',
      wallSeconds: 1,
      outDir: '/o',
      data: { source: 's', train: 1000, test: 200 },
    };
    const md = tableMarkdown(t);
    assert.ok(
      md.startsWith(
        '# SalUn Lab comparison table: random 10% forgetting, CNN (partial)\n\n- **Partial table: stopped by the user** after 3 of 8 models; missing seed 1: SalUn; seed 2: Retrain, Original, FT, SalUn.',
      ),
      md,
    );
    assert.ok(md.includes('| FT |'));
    assert.ok(!tableMarkdown({ ...t, stopped: undefined }).includes('Partial'));
  });

  it('the training subset is the class-balanced first k, in file order', () => {
    const labels = Int32Array.from([0, 0, 0, 1, 0, 2, 1, 2, 2, 2]);
    assert.deepEqual([...balancedPrefix(labels, 3, 6)], [0, 1, 3, 5, 6, 7]);
    assert.deepEqual([...balancedPrefix(labels, 3, 8)], [0, 1, 2, 3, 5, 6, 7, 8]);
    assert.deepEqual([...balancedPrefix(labels, 3, 99)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('salun table (CLI, end to end)', function () {
  this.timeout(240_000);

  it('runs 2 seeds × (Retrain, Original, FT, SalUn), prints the table, writes table.md / table.json that agree with the per-seed rows', () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-table-'));
    const out = join(ws, 'out');
    const r = spawnSync(
      process.execPath,
      [
        cli,
        'table',
        '--model',
        'mlp',
        '--seeds',
        '2',
        '--methods',
        'ft,salun',
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
    for (const f of ['table.md', 'table.json', 'config.json', 'rows.jsonl']) assert.ok(existsSync(join(out, f)), `${f} missing`);
    const t = JSON.parse(readFileSync(join(out, 'table.json'), 'utf8')) as TableResult;

    assert.deepEqual(
      t.rows.map((x) => x.label),
      ['Retrain', 'Original', 'FT', 'SalUn'],
    );
    assert.deepEqual(
      t.seeds.map((s) => s.seed),
      [1, 2],
    );
    assert.equal(t.data.train, 1000);
    assert.equal(t.seeds[0].forgetSize, 100);
    assert.ok(t.machine.cores >= 1 && t.machine.cpu.length > 0 && t.backend.name === 'wasm');
    // The two seeds draw different forget sets.
    assert.notDeepEqual(t.seeds[0].rows.find((x) => x.role === 'retrain')!.metrics, t.seeds[1].rows.find((x) => x.role === 'retrain')!.metrics);

    const retrains = t.seeds.map((s) => s.rows.find((x) => x.role === 'retrain')!.metrics);
    const ref: Metrics = {
      UA: (retrains[0].UA + retrains[1].UA) / 2,
      RA: (retrains[0].RA + retrains[1].RA) / 2,
      TA: (retrains[0].TA + retrains[1].TA) / 2,
      MIA: (retrains[0].MIA + retrains[1].MIA) / 2,
    };
    for (const k of ['UA', 'RA', 'TA', 'MIA'] as const) close(t.retrainMean[k], ref[k], `retrain mean ${k}`, 1e-9);
    close(t.noiseFloor.value!, gap(retrains[0], retrains[1]), 'noise floor', 1e-9);

    for (const tr of t.rows) {
      const per = t.seeds.map((s) => s.rows.find((x) => x.role === tr.role && x.method === tr.method)!);
      assert.equal(per.length, 2);
      const check = (stat: { mean: number; std?: number }, vals: number[], what: string): void => {
        close(stat.mean, (vals[0] + vals[1]) / 2, `${tr.label} ${what} mean`, 1e-9);
        close(stat.std!, Math.abs(vals[0] - vals[1]) / Math.SQRT2, `${tr.label} ${what} std`, 1e-9);
      };
      for (const k of ['UA', 'RA', 'TA', 'MIA'] as const)
        check(
          tr[k],
          per.map((x) => x.metrics[k]),
          k,
        );
      check(
        tr.avgGap,
        per.map((x) => gap(x.metrics, ref)),
        'Avg. Gap',
      );
      per.forEach((x) => close(x.avgGap!, gap(x.metrics, ref), `${tr.label} per-seed gap`, 1e-9));
      check(
        tr.seconds,
        per.map((x) => x.seconds),
        'RTE',
      );
      assert.equal(tr.rank !== undefined, tr.role === 'unlearned');
    }

    const md = readFileSync(join(out, 'table.md'), 'utf8');
    assert.match(md, /\| Method \| UA \| RA \| TA \| MIA \| Avg\. Gap \| RTE \(s\) \| Rank \|/);
    assert.match(md, new RegExp(`Noise floor .*: ${t.noiseFloor.value!.toFixed(2)}`));
    assert.ok(md.indexOf('| Retrain |') < md.indexOf('| Original |') && md.indexOf('| Original |') < md.indexOf('| FT |'));
    assert.match(r.stdout, /Method\s+UA\s+RA\s+TA\s+MIA\s+Avg\. Gap\s+RTE \(s\)\s+Rank/);
    assert.match(r.stdout, /^Retrain\s/m);
    assert.match(r.stdout, /Noise floor/);

    // A second table reuses the cached θo and Retrain.
    const again = spawnSync(
      process.execPath,
      [
        cli,
        'table',
        '--model',
        'mlp',
        '--seeds',
        '2',
        '--methods',
        'ga',
        '--train-subset',
        '1000',
        '--train-epochs',
        '1',
        '--backend',
        'wasm',
        '--workspace',
        ws,
        '--out',
        join(ws, 'out2'),
        '--json',
        '--quiet',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(again.status, 0, again.stderr);
    const t2 = JSON.parse(again.stdout) as TableResult;
    assert.deepEqual(
      t2.seeds.map((s) => [s.originalFrom, s.retrainFrom]),
      [
        ['cache', 'cache'],
        ['cache', 'cache'],
      ],
    );
    assert.deepEqual(t2.retrainMean, t.retrainMean);
  });

  it('rejects bad options with a message and exit code 2', () => {
    const r = spawnSync(process.execPath, [cli, 'table', '--methods', 'ft,magic'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown method magic/);
    const f = spawnSync(process.execPath, [cli, 'table', '--fraction', '1.5'], { encoding: 'utf8' });
    assert.equal(f.status, 2);
    assert.match(f.stderr, /scenario\.fraction must be < 1 \(got 1\.5\)/);
  });
});

describe('table Stop and Keep (in process, cpu backend)', function () {
  this.timeout(120_000);

  it('stop and keep between two methods: the method running completes, the next does not start, the table is partial', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-table-stop-'));
    const stop = new AbortController();
    const events: JobEvent[] = [];
    const config: TableConfig = {
      ...defaultTableConfig(),
      seeds: [1, 2],
      methods: ['ft', 'ga'],
      trainSubset: 300,
      model: { kind: 'builtin', architecture: 'mlp' },
      train: { ...defaultTableConfig().train, epochs: 1 },
      backend: 'cpu',
    };
    // Asked the moment FT's row is recorded (in the job's own turn, so no race): GA never starts.
    const emit = (e: JobEvent): void => {
      events.push(e);
      if (e.type === 'evaluated' && e.row.method === 'ft') stop.abort();
    };
    const t = await runTableJob(config, { workspaceDir: ws, emit, signal: new AbortController().signal, stop: stop.signal }, join(ws, 'out'));
    assert.deepEqual(
      events.filter((e) => e.type === 'evaluated').map((e) => (e.type === 'evaluated' ? e.row.method : '')),
      ['retrain', 'original', 'ft'],
    );
    assert.ok(!events.some((e) => e.type === 'phase' && /\bga\b/i.test(e.label)), 'GA started after the stop');
    assert.deepEqual(t.stopped, {
      modelsDone: 3,
      modelsPlanned: 8,
      missing: [
        { seed: 1, models: ['GA'] },
        { seed: 2, models: ['Retrain', 'Original', 'FT', 'GA'] },
      ],
    });
    assert.deepEqual(
      t.rows.map((r) => r.label),
      ['Retrain', 'Original', 'FT'],
    );
    const md = readFileSync(join(ws, 'out', 'table.md'), 'utf8');
    assert.ok(md.includes('missing seed 1: GA; seed 2: Retrain, Original, FT, GA.'), md);
    assert.deepEqual((JSON.parse(readFileSync(join(ws, 'out', 'table.json'), 'utf8')) as TableResult).stopped, t.stopped);
  });
});
