// The generation table's pure half (protocol/genTable.ts): its config is a generation config with
// seeds for seed, checked by the one generation schema; its rows are mean ± sample std over the
// seeds that have each model; its progress plan is each seed's generation plan in turn.
import { strict as assert } from 'node:assert';
import { defaultGenerationConfig } from '../../src/protocol/generationConfig';
import { generationSeedTableCells, generationTableRows, parseGenerationTableConfig, seedConfig, type GenerationTableSeed } from '../../src/protocol/genTable';
import { generationPlan, generationTablePlan } from '../../src/protocol/jobProgress';
import { ConfigError } from '../../src/protocol/runConfigSchema';
import type { GenerationMetricsRow } from '../../src/protocol/results';

const row = (method: string, label: string, ua: number, acc: number, fid?: number): GenerationMetricsRow => ({
  label,
  method,
  ua,
  retainedAccuracy: acc,
  fidClassifier: fid === undefined ? {} : { realTest: fid },
});

describe('generation table', () => {
  it('a generation config with seeds: defaults filled, seed refused, seeds checked, unknown keys named', () => {
    const c = parseGenerationTableConfig({ seeds: [3, 1] });
    assert.deepEqual(c.seeds, [3, 1]);
    assert.equal('seed' in c, false);
    assert.deepEqual(seedConfig(c, 3), { ...defaultGenerationConfig(), seed: 3 });
    const problems = (v: unknown): string => {
      try {
        parseGenerationTableConfig(v, 'probe');
        return '';
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        return e.message;
      }
    };
    assert.match(problems({ seeds: [1], seed: 2 }), /takes seeds \(a list\), not seed/);
    assert.match(problems({ seeds: [1, 1] }), /seeds must not repeat/);
    assert.match(problems({ seeds: [] }), /non-empty list/);
    assert.match(problems({ seeds: [1.5] }), /1\.5 is not a whole number/);
    assert.match(problems({ seeds: [1], colour: 'blue' }), /colour is not a known setting/);
    assert.match(problems({ seeds: [1], methods: ['ft'] }), /methods/);
  });

  it('rows: mean ± sample std over the seeds that have the model; FID only where computed', () => {
    const seeds: GenerationTableSeed[] = [
      { seed: 1, runId: 'a', rows: [row('original', 'θo', 10, 80, 5), row('salun', 'SalUn', 90, 78, 6)] },
      { seed: 2, runId: 'b', rows: [row('original', 'θo', 12, 82, 7), row('salun', 'SalUn', 96, 76)] },
      { seed: 3, runId: 'c', rows: [row('original', 'θo', 14, 84, 9)] },
    ];
    const rows = generationTableRows(seeds);
    assert.deepEqual(
      rows.map((r) => r.method),
      ['original', 'salun'],
    );
    assert.deepEqual(rows[0].ua, { mean: 12, std: 2, n: 3 });
    assert.deepEqual(rows[0].fidTest, { mean: 7, std: 2, n: 3 });
    assert.equal(rows[1].ua.n, 2);
    assert.equal(rows[1].ua.mean, 93);
    assert.ok(Math.abs((rows[1].ua.std ?? 0) - Math.sqrt(18)) < 1e-12);
    assert.deepEqual(rows[1].fidTest, { mean: 6, n: 1 });
    const cells = generationSeedTableCells(rows);
    assert.deepEqual(cells[1], ['θo', '12.0 ± 2.0', '82.0 ± 2.0', '7.00 ± 2.00', '—', '3']);
    assert.deepEqual(cells[2].slice(3), ['6.00', '—', '2']);
  });

  it("the plan is each seed's generation plan in turn", () => {
    const c = parseGenerationTableConfig({ seeds: [1, 2] });
    const one = generationPlan(seedConfig(c, 1));
    assert.deepEqual(generationTablePlan(c), [...one, ...generationPlan(seedConfig(c, 2))]);
    assert.equal(generationTablePlan(c).length, 2 * one.length);
  });
});
