// The panel's state of a generation job: one grid per stage (the latest event wins, θo first and
// Retrain last), one metrics row per model, the same whether the events come live or replayed.
import * as assert from 'node:assert/strict';
import type { JobEvent } from '../../src/protocol/jobMessages';
import type { GenerationMetricsRow } from '../../src/protocol/results';
import { applyHostMessage, initialPanelState, reducePanel, stateFromEvents } from '../../webview/panelState';
import { forgottenClassName, sampleGridAlt, sampleGridFileName } from '../../webview/sampleGrids';

const backend = { name: 'cpu' as const, reason: 'forced', detail: '' };
const dir = '/ws/.salun/runs/gen-1';
const classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function samples(stage: string, label: string, iteration?: number): JobEvent {
  const name = iteration === undefined ? stage : `${stage}-iteration-${iteration}`;
  return {
    type: 'samples',
    stage,
    label,
    file: `${dir}/samples/${name}.png`,
    classes,
    forgetClass: 7,
    columns: 8,
    ...(iteration !== undefined ? { iteration } : {}),
  };
}

function metrics(method: string, label: string, ua: number): JobEvent {
  const row: GenerationMetricsRow = { label, method, ua, retainedAccuracy: 90 - ua / 10, fidClassifier: { realTest: ua / 7 }, seconds: 3 };
  return { type: 'generationMetrics', row };
}

const events: JobEvent[] = [
  { type: 'started', kind: 'generation', runId: 'gen-1', runDir: dir, backend },
  samples('original', 'θo'),
  metrics('original', 'θo', 2.5),
  samples('retrain', 'Retrain'),
  samples('salun', 'SalUn, iteration 100/200', 100),
  metrics('retrain', 'Retrain', 100),
  samples('esd', 'ESD'),
  samples('salun', 'SalUn', undefined),
  metrics('salun', 'SalUn', 97.5),
  metrics('salun', 'SalUn', 98.75),
];

describe('panel state: generation sample grids and metrics', () => {
  it('keeps the latest grid per stage, θo first, Retrain last, methods in arrival order', () => {
    const s = stateFromEvents(events, false);
    assert.deepEqual(
      s.samples.map((g) => g.stage),
      ['original', 'salun', 'esd', 'retrain'],
    );
    const salun = s.samples[1];
    assert.equal(salun.file, `${dir}/samples/salun.png`);
    assert.equal(salun.iteration, undefined);
    assert.equal(salun.label, 'SalUn');
    // seq is the event's position: the refreshed grid is later than the part-way one it replaced.
    assert.equal(salun.seq, events.indexOf(events[7]) + 1);
  });

  it('a newer event for a stage naming the same file is still a new grid to fetch', () => {
    const s1 = stateFromEvents(events.slice(0, 2), true);
    const s2 = reducePanel(s1, samples('original', 'θo'));
    assert.equal(s2.samples.length, 1);
    assert.equal(s2.samples[0].file, s1.samples[0].file);
    assert.notEqual(s2.samples[0].seq, s1.samples[0].seq);
  });

  it('one metrics row per model, the later replacing the earlier in place', () => {
    const s = stateFromEvents(events, false);
    assert.deepEqual(
      s.generationRows.map((r) => [r.method, r.ua]),
      [
        ['original', 2.5],
        ['retrain', 100],
        ['salun', 98.75],
      ],
    );
  });

  it('live events and a replay fold to the same grids and rows; a new job starts empty', () => {
    let live = initialPanelState();
    for (const event of events) live = applyHostMessage(live, { type: 'event', event });
    const replayed = applyHostMessage(initialPanelState(), { type: 'replay', events, jobRunning: true });
    assert.deepEqual(replayed.samples, live.samples);
    assert.deepEqual(replayed.generationRows, live.generationRows);
    const next = reducePanel(live, { type: 'started', kind: 'run', runId: 'r2', runDir: '/ws/.salun/runs/r2', backend });
    assert.deepEqual(next.samples, []);
    assert.deepEqual(next.generationRows, []);
  });

  it('leaves unchanged slices identical, so the view redraws only what changed', () => {
    const s = stateFromEvents(events, false);
    const after = reducePanel(s, { type: 'log', level: 'warn', message: 'slow' });
    assert.equal(after.samples, s.samples);
    assert.equal(after.generationRows, s.generationRows);
    assert.equal(reducePanel(s, metrics('esd', 'ESD', 60)).samples, s.samples);
  });

  it('names the forgotten class in the alt text and the export file name', () => {
    const s = stateFromEvents(events, false);
    const grid = s.samples[1];
    assert.equal(forgottenClassName(grid), 'Sneaker');
    assert.match(sampleGridAlt(grid), /forgotten class, Sneaker \(row 8\), is marked in red/);
    assert.match(sampleGridAlt(grid), /8 seeds per row/);
    assert.equal(forgottenClassName({ classes: ['a'], forgetClass: 3 }), 'class 3');
    const partWay = stateFromEvents(events.slice(0, 5), true).samples.find((g) => g.stage === 'salun');
    assert.ok(partWay);
    assert.match(sampleGridAlt(partWay), /at iteration 100/);
    assert.equal(sampleGridFileName(partWay, 'gen-1'), 'salun-samples-gen-1-salun-iteration-100.png');
    assert.equal(sampleGridFileName(grid, undefined), 'salun-samples-salun.png');
  });
});
