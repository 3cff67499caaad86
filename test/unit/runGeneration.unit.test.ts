// Open in Panel on a past generation run: the host reads the run folder's grids (one per stage: the
// final one, else the latest iteration's) and generation-metrics.json, each file checked alone, and
// the panel shows them in place of the live job's until the user goes back to the live job.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobEvent } from '../../src/protocol/jobMessages';
import type { GenerationMetricsRow } from '../../src/protocol/results';
import { isHostToWebview } from '../../src/protocol/webviewMessages';
import { readRunGeneration } from '../../src/store/runs/readRunGeneration';
import { runTrendMessage } from '../../src/extension/panel/runTrendMessage';
import { applyHostMessage, showLiveTrend, shownSamples, stateFromEvents } from '../../webview/panelState';

const classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const PNG = Buffer.from('89504e470d0a1a0a', 'hex');

function row(method: string, label: string, ua: number): GenerationMetricsRow {
  return { label, method, ua, retainedAccuracy: 88, fidClassifier: { realTest: 7.5, theta0: 2 }, seconds: 12 };
}

/** A generation run folder as the job leaves it; `grids` are file names without extension. */
function genRun(grids: Record<string, object | string>, opts: { pngs?: boolean; metrics?: unknown } = {}): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'salun-gen-read-')), '20261201-000000-gen-forget7');
  mkdirSync(join(dir, 'samples'), { recursive: true });
  writeFileSync(join(dir, 'status.json'), JSON.stringify({ state: 'finished', startedAt: '2026-12-01T00:00:00Z', endedAt: '2026-12-01T00:05:00Z' }));
  for (const [name, description] of Object.entries(grids)) {
    writeFileSync(join(dir, 'samples', `${name}.json`), typeof description === 'string' ? description : JSON.stringify(description));
    if (opts.pngs !== false) writeFileSync(join(dir, 'samples', `${name}.png`), PNG);
  }
  if (opts.metrics !== undefined) writeFileSync(join(dir, 'generation-metrics.json'), JSON.stringify(opts.metrics));
  return dir;
}

function grid(stage: string, label: string, iteration?: number): object {
  return { stage, label, classes, forgetClass: 7, columns: 8, seed: 1, ...(iteration !== undefined ? { iteration } : {}) };
}

describe('a past generation run in the panel (Open in Panel)', () => {
  it('reads one grid per stage: the final one, else the latest iteration; the PNG beside its description', () => {
    const dir = genRun(
      {
        original: grid('original', 'θo'),
        'salun-iteration-100': grid('salun', 'SalUn, iteration 100', 100),
        salun: grid('salun', 'SalUn'),
        'salun-iteration-900': grid('salun', 'SalUn, iteration 900', 900),
        'esd-iteration-200': grid('esd', 'ESD, iteration 200', 200),
        'esd-iteration-300': grid('esd', 'ESD, iteration 300', 300),
      },
      { metrics: { rows: [row('original', 'θo', 7), row('salun', 'SalUn', 96)] } },
    );
    const read = readRunGeneration(dir);
    assert.deepEqual(read.problems, []);
    const grids = read.generation?.grids ?? [];
    const byStage = Object.fromEntries(grids.map((g) => [g.stage, g]));
    assert.deepEqual(Object.keys(byStage).sort(), ['esd', 'original', 'salun']);
    assert.equal(byStage.salun.label, 'SalUn');
    assert.equal(byStage.salun.iteration, undefined);
    assert.equal(byStage.esd.iteration, 300);
    assert.equal(byStage.esd.file, join(dir, 'samples', 'esd-iteration-300.png'));
    assert.ok(grids.every((g) => !('seed' in g)));
    assert.deepEqual(
      read.generation?.rows.map((r) => [r.method, r.ua]),
      [
        ['original', 7],
        ['salun', 96],
      ],
    );
  });

  it('leaves out, each with a problem naming its file, a damaged description, one without its PNG, a bad metrics row; a path in a description is not trusted', () => {
    const dir = genRun(
      {
        original: { ...grid('original', 'θo'), file: '/etc/passwd' },
        salun: '{ "stage": "salun", ',
        esd: { stage: 'esd', label: 'ESD', classes, forgetClass: 'seven', columns: 8 },
      },
      { metrics: { rows: [row('original', 'θo', 7), { label: 'SalUn', method: 'salun', ua: 'high' }] } },
    );
    writeFileSync(join(dir, 'samples', 'rl.json'), JSON.stringify(grid('rl', 'RL')));
    const read = readRunGeneration(dir);
    assert.deepEqual(
      read.generation?.grids.map((g) => [g.stage, g.file]),
      [['original', join(dir, 'samples', 'original.png')]],
    );
    assert.deepEqual(
      read.generation?.rows.map((r) => r.method),
      ['original'],
    );
    const text = read.problems.join('\n');
    for (const named of [
      'salun.json',
      'esd.json: not a sample grid description',
      'rl.json: its picture',
      'generation-metrics.json: 1 row(s) of the wrong shape',
    ])
      assert.ok(text.includes(named), `no problem names ${named}:\n${text}`);
  });

  it('a classification run folder has no generation part, and a run with no readable grid still says it is one', () => {
    const plain = mkdtempSync(join(tmpdir(), 'salun-gen-read-plain-'));
    assert.deepEqual(readRunGeneration(plain), { problems: [] });
    const broken = genRun({}, { metrics: 'not an object' });
    const read = readRunGeneration(broken);
    assert.deepEqual(read.generation, { grids: [], rows: [] });
    assert.match(read.problems.join('\n'), /generation-metrics\.json: no "rows" list/);
  });

  it("the host's runTrend message carries them, passes the protocol's guard, and the guard refuses a damaged one", () => {
    const dir = genRun({ original: grid('original', 'θo'), salun: grid('salun', 'SalUn') }, { metrics: { rows: [row('salun', 'SalUn', 96)] } });
    const { message, problems } = runTrendMessage(dir);
    assert.deepEqual(
      problems.filter((p) => !/report\.json|metrics\.jsonl|config\.json/.test(p)),
      [],
    );
    assert.equal(message.generation?.grids.length, 2);
    assert.ok(isHostToWebview(message));
    assert.ok(!isHostToWebview({ ...message, generation: { grids: [{ stage: 'salun' }], rows: [] } }));
    assert.ok(!isHostToWebview({ ...message, generation: { grids: [], rows: [{ ...row('salun', 'SalUn', 96), fidClassifier: { realTest: 'x' } }] } }));
  });

  it("the panel shows the opened run's grids (θo first) and figures instead of the live job's, and the live job's again after Show live", () => {
    const live: JobEvent[] = [
      { type: 'started', kind: 'generation', runId: 'gen-live', runDir: '/ws/.salun/runs/gen-live', backend: { name: 'cpu', reason: 'forced', detail: '' } },
      { type: 'samples', stage: 'original', label: 'θo', file: '/ws/.salun/runs/gen-live/samples/original.png', classes, forgetClass: 7, columns: 8 },
    ];
    const state = stateFromEvents(live, false);
    assert.deepEqual(shownSamples(state).grids.length, 1);
    assert.equal(shownSamples(state).past, false);

    const dir = genRun({ salun: grid('salun', 'SalUn'), original: grid('original', 'θo') }, { metrics: { rows: [row('salun', 'SalUn', 96)] } });
    const opened = applyHostMessage(state, runTrendMessage(dir).message);
    const shown = shownSamples(opened);
    assert.equal(shown.past, true);
    assert.equal(shown.has, true);
    assert.equal(shown.runId, '20261201-000000-gen-forget7');
    assert.deepEqual(
      shown.grids.map((g) => g.stage),
      ['original', 'salun'],
    );
    assert.ok(shown.grids.every((g) => g.file.startsWith(dir)));
    assert.deepEqual(
      shown.rows.map((r) => r.ua),
      [96],
    );

    // A classification run opened: no grids to show, the section hides.
    const plain = mkdtempSync(join(tmpdir(), 'salun-gen-read-plain-'));
    assert.equal(shownSamples(applyHostMessage(state, runTrendMessage(plain).message)).has, false);

    const back = shownSamples(showLiveTrend(opened));
    assert.equal(back.past, false);
    assert.equal(back.grids[0].file, '/ws/.salun/runs/gen-live/samples/original.png');
  });
});
