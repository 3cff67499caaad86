// The generation job through the one dispatch: the run folder (config, status, grids with their
// descriptions, metrics, report), the event order, cancel, and config validation.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispatchJob } from '../../src/engine/pipeline/dispatch';
import { CONFIG_PARSERS } from '../../src/protocol/configKinds';
import { isJobEvent, type JobEvent } from '../../src/protocol/jobMessages';
import { ConfigError } from '../../src/protocol/runConfigSchema';
import { decodePng } from '../../src/engine/data/png';
import { tinyIdxFolder } from '../support/tinyRuns';
import { tinyGenerationConfig } from '../support/generationJobFixtures';
import { readSaliency } from '../../src/store/runs/readSaliency';
import type { GenerationTableResult } from '../../src/protocol/genTable';

async function run(config: unknown, signal = new AbortController().signal, onEvent?: (e: JobEvent) => void): Promise<{ events: JobEvent[]; ws: string }> {
  const ws = mkdtempSync(join(tmpdir(), 'salun-gen-job-'));
  const events: JobEvent[] = [];
  await dispatchJob(
    { type: 'start', kind: 'generation', config: config as never, workspaceDir: ws },
    (e) => {
      events.push(e);
      onEvent?.(e);
    },
    signal,
  );
  return { events, ws };
}

describe('generation job through dispatch', function () {
  this.timeout(120_000);
  let data: string;
  before(() => {
    data = tinyIdxFolder(200, 60);
  });

  it('writes the run folder with grids, metrics and report, and emits the events in order', async () => {
    const { events } = await run(tinyGenerationConfig(data));
    const last = events[events.length - 1];
    assert.equal(last.type, 'finished', JSON.stringify(last));
    assert.ok(
      events.every((e) => isJobEvent(JSON.parse(JSON.stringify(e)))),
      'every event passes the guard after a JSON round trip',
    );
    const started = events.find((e) => e.type === 'started');
    assert.ok(started?.type === 'started' && started.kind === 'generation');
    const dir = started.runDir;
    const samples = events.filter((e): e is Extract<JobEvent, { type: 'samples' }> => e.type === 'samples');
    const metrics = events.filter((e): e is Extract<JobEvent, { type: 'generationMetrics' }> => e.type === 'generationMetrics');
    // θo, then per method: one grid part-way (every 1 of 2 iterations) and the final one.
    assert.deepEqual(
      samples.map((e) => `${e.stage}${e.iteration ? `@${e.iteration}` : ''}`),
      ['original', 'salun@1', 'salun', 'esd@1', 'esd'],
    );
    assert.deepEqual(
      metrics.map((e) => e.row.method),
      ['original', 'salun', 'esd'],
    );
    // Each final grid comes before its metrics row; θo's row before any unlearning starts.
    const at = (pred: (e: JobEvent) => boolean): number => events.findIndex(pred);
    assert.ok(at((e) => e.type === 'generationMetrics' && e.row.method === 'original') < at((e) => e.type === 'phase' && e.phase === 'unlearn'));
    assert.ok(at((e) => e.type === 'saliency') < at((e) => e.type === 'phase' && e.phase === 'unlearn'));
    for (const e of samples) {
      assert.ok(e.file.startsWith(join(dir, 'samples')), e.file);
      assert.equal(e.forgetClass, 7);
      assert.equal(e.columns, 2);
      assert.equal(e.classes.length, 10);
      const png = decodePng(readFileSync(e.file), e.file);
      assert.ok(png.width > 2 * 14 && png.height > 10 * 14, `${png.width}×${png.height}`);
      const desc = JSON.parse(readFileSync(e.file.replace(/\.png$/, '.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(desc.forgetClass, 7);
      assert.equal(desc.seed, 1);
    }
    for (const m of metrics) {
      assert.ok(m.row.ua >= 0 && m.row.ua <= 100);
      assert.ok(Number.isFinite(m.row.fidClassifier.realTest));
    }
    assert.ok(
      metrics.slice(1).every((m) => Number.isFinite(m.row.fidClassifier.theta0)),
      'unlearned models are compared with θo',
    );
    const status = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as { state: string };
    assert.equal(status.state, 'finished');
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(config.task, 'generation');
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    assert.match(report, /FID-classifier/);
    assert.match(report, /not Inception/);
    assert.match(report, /\| SalUn +\|/);
    const saved = JSON.parse(readFileSync(join(dir, 'generation-metrics.json'), 'utf8')) as { rows: unknown[] };
    assert.equal(saved.rows.length, 3);
    assert.ok(existsSync(join(dir, 'model', 'salun', 'model.json')));
    assert.ok(existsSync(join(dir, 'saliency', 'mask.bits')));
    // The one saliency writer: the scores too, so the panel can preview other ratios from them.
    const stored = readSaliency(dir);
    assert.equal(stored.scores.scores.length, stored.summary.layers.length);
    assert.ok(stored.summary.salientWeights > 0);
  });

  it('cancels at the next step: one final event, status cancelled', async () => {
    const abort = new AbortController();
    const { events } = await run(tinyGenerationConfig(data, { methods: ['rl'] }), abort.signal, (e) => {
      if (e.type === 'phase' && e.phase === 'unlearn') abort.abort();
    });
    assert.equal(events[events.length - 1].type, 'cancelled');
    assert.equal(events.filter((e) => e.type === 'finished' || e.type === 'failed' || e.type === 'cancelled').length, 1);
    const started = events.find((e) => e.type === 'started');
    assert.ok(started?.type === 'started');
    assert.equal((JSON.parse(readFileSync(join(started.runDir, 'status.json'), 'utf8')) as { state: string }).state, 'cancelled');
  });

  it("a generation table cancelled in its second seed keeps the first seed's table, marked partial", async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-gen-table-'));
    const outDir = join(ws, 'table');
    const { seed: _seed, ...base } = tinyGenerationConfig(data, { methods: ['rl'] });
    const abort = new AbortController();
    const events: JobEvent[] = [];
    let seedsStarted = 0;
    await dispatchJob(
      { type: 'start', kind: 'gen-table', config: { ...base, seeds: [1, 2] }, workspaceDir: ws, outDir },
      (e) => {
        events.push(e);
        if (e.type === 'log' && /^seed \d+: run folder/.test(e.message)) seedsStarted++;
        if (seedsStarted === 2 && e.type === 'phase' && e.phase === 'unlearn') abort.abort();
      },
      abort.signal,
    );
    assert.equal(events[events.length - 1].type, 'cancelled');
    const t = JSON.parse(readFileSync(join(outDir, 'table.json'), 'utf8')) as GenerationTableResult;
    assert.deepEqual(
      t.seeds.map((s) => s.seed),
      [1],
    );
    assert.deepEqual(t.partial, { missing: ['seed 2'], why: 'cancelled' });
    assert.match(readFileSync(join(outDir, 'table.md'), 'utf8'), /\*\*partial\*\* \(cancelled; missing seed 2\)/);
  });

  it('a forget class outside the data fails with a message naming it', async () => {
    const { events } = await run(tinyGenerationConfig(data, { forgetClass: 12 }));
    const last = events[events.length - 1];
    assert.ok(last.type === 'failed', JSON.stringify(last));
    assert.match(last.error.message, /forget class 12 is not a class of the data: it has 10 classes/);
  });
});

describe('generation config validation', () => {
  it('rejects a bad forget class of the bundled data by name, and fills the defaults', () => {
    assert.throws(
      () => CONFIG_PARSERS.generation({ task: 'generation', forgetClass: 10 }, 'gen.salun.json'),
      (e: Error) =>
        e instanceof ConfigError && /gen\.salun\.json/.test(e.message) && /config\.forgetClass must be a class of the data: 0\.\.9 .*got 10/.test(e.message),
    );
    assert.throws(() => CONFIG_PARSERS.generation({ forgetClass: -1 }), /config\.forgetClass must be ≥ 0/);
    assert.throws(() => CONFIG_PARSERS.generation({ methods: ['fmn'] }), /config\.methods\[0\] must be one of/);
    assert.throws(() => CONFIG_PARSERS.generation({ unet: { widths: [12, 24] } }), /multiples of config\.unet\.groups/);
    const c = CONFIG_PARSERS.generation({ forgetClass: 3 });
    assert.equal(c.forgetClass, 3);
    assert.equal(c.task, 'generation');
    assert.deepEqual(c.methods, ['salun', 'esd', 'rl']);
  });
});
