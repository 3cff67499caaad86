// The Retrain-free verdict wired into a run (docs/verdict.md): a tiny real run writes it on each model's
// row of report.json and in report.md; the figures are recomputed from the saved model's own
// per-sample outputs, checked against the run's metrics, and the label against the z's; a run
// folder from before the verdict still reads, and a damaged verdict costs only itself.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluatedModel, RunResult, RunVerdict } from '../../src/protocol/results';
import { axesText, utilityText, verdictAxes, verdictFigureCells, verdictLine, verdictThresholdNote } from '../../src/protocol/verdictText';
import { markdownCell } from '../../src/protocol/tableText';
import { classifierOf, loadModel } from '../../src/engine/models/io';
import { prepare, startBackend } from '../../src/engine/pipeline/classification/prepare';
import type { JobContext } from '../../src/engine/pipeline/shared/jobContext';
import { modelVerdict, verdictPoints } from '../../src/engine/pipeline/classification/verdictStep';
import { readRun } from '../../src/store/runs/readRuns';
import { readRunRecord } from '../../src/store/runs/runRecord';
import { runReportMarkdown } from '../../src/store/runs/runReport';
import { runListing } from '../../src/cli/runsCommand';
import { tinyIdxFolder, tinyRunConfig, runJob } from '../support/tinyRuns';

const withoutSeconds = (v: RunVerdict): Omit<RunVerdict, 'seconds'> => {
  const { seconds: _s, ...rest } = v;
  return rest;
};

/** What the verdict's label must be, from its figures alone: the largest |z| beyond k (retain: only a loss counts). */
function expectedLabel(v: RunVerdict): RunVerdict['label'] {
  const beyond = v.figures.filter((f) => (f.name === 'retain' ? f.z < -v.k : Math.abs(f.z) > v.k));
  if (!beyond.length) return 'looks unseen';
  const top = beyond.reduce((a, b) => (Math.abs(b.z) > Math.abs(a.z) ? b : a));
  return top.z > 0 ? 'still remembers' : 'over-forgot';
}

function assertConsistent(row: EvaluatedModel, originalRa: number, originalTa: number): void {
  const v = row.verdict;
  assert.ok(v, `${row.role} has no verdict`);
  assert.deepEqual(
    v.figures.map((f) => f.name),
    ['accuracy', 'loss', 'confidence', 'mia', 'retain'],
  );
  for (const f of v.figures) {
    assert.ok(f.noise > 0, `${row.role} ${f.name}: noise ${f.noise}`);
    assert.ok(Math.abs(f.threshold - v.k * f.noise) < 1e-9, `${row.role} ${f.name}: threshold ${f.threshold} is not k·σ`);
    assert.ok(Math.abs(f.z - f.gap / f.noise) < 1e-9 || (f.gap === 0 && f.z === 0), `${row.role} ${f.name}: z ${f.z} is not gap/σ`);
    assert.ok(Math.abs(f.gap - (f.name === 'mia' ? f.reference - f.forget : f.forget - f.reference)) < 1e-9, `${row.role} ${f.name}: gap`);
  }
  assert.equal(v.label, expectedLabel(v), `${row.role}: label ${v.label} against its z's ${v.figures.map((f) => f.z.toFixed(2)).join(' ')}`);
  assert.ok(Math.abs(v.meanAbsZ - v.figures.reduce((s, f) => s + Math.abs(f.z), 0) / 5) < 1e-9);
  assert.ok(Math.abs(v.points - verdictPoints(v.figures, v.test)) < 1e-12);
  // The fourth term of the points: TA against θo's, as the run measured them.
  assert.ok(v.test && Math.abs(v.test.accuracy - row.metrics.TA) < 1e-9, `${row.role}: verdict TA ${v.test?.accuracy} vs TA ${row.metrics.TA}`);
  assert.equal(v.test.original, originalTa);
  // Against the run's own metrics: random forgetting compares Df with the whole test set, so the
  // verdict's accuracies are the run's 100 − UA, TA and RA, measured by separate code.
  const fig = (n: string): RunVerdict['figures'][number] => v.figures.find((f) => f.name === n)!;
  assert.ok(
    Math.abs(fig('accuracy').forget - (100 - row.metrics.UA)) < 1e-9,
    `${row.role}: Df accuracy ${fig('accuracy').forget} vs 100 − UA ${100 - row.metrics.UA}`,
  );
  assert.ok(Math.abs(fig('accuracy').reference - row.metrics.TA) < 1e-9, `${row.role}: held-out accuracy vs TA`);
  assert.ok(Math.abs(fig('retain').forget - row.metrics.RA) < 1e-9, `${row.role}: RA`);
  assert.equal(fig('retain').reference, originalRa);
  assert.equal(v.splits, 200);
  assert.equal(v.alpha, 0.05);
  assert.ok(Math.abs(v.k - 2.5758) < 1e-3, `k ${v.k}`);
  assert.ok(v.seconds >= 0);
}

describe('the Retrain-free verdict in a run', function () {
  this.timeout(240_000);
  let ws: string;
  let result: RunResult;
  const config = tinyRunConfig(tinyIdxFolder(300, 100), 'mlp', 'cpu');

  before(async () => {
    ws = mkdtempSync(join(tmpdir(), 'salun-verdict-run-'));
    result = (await runJob(config, ws)).result;
  });

  it("θo, Retrain and the unlearned model each carry a verdict consistent with its figures and the run's metrics", () => {
    const original = result.rows.find((r) => r.role === 'original');
    assert.ok(original);
    assert.deepEqual(
      result.rows.map((r) => r.role),
      ['original', 'retrain', 'unlearned'],
    );
    for (const row of result.rows) assertConsistent(row, original.metrics.RA, original.metrics.TA);
    // θo against itself: the retain figure is exactly zero.
    assert.equal(original.verdict?.figures.find((f) => f.name === 'retain')?.gap, 0);
    assert.deepEqual(new Set(result.rows.map((r) => r.verdict?.seed)).size, 1, 'one seed for every verdict of the run');
    assert.equal(result.rows[0].verdict?.heldOut.size, 100);
  });

  it('report.json holds the verdicts; recomputed from the saved unlearned model they come out the same', async () => {
    const report = JSON.parse(readFileSync(join(result.runDir, 'report.json'), 'utf8')) as { rows: EvaluatedModel[] };
    assert.deepEqual(
      report.rows.map((r) => r.verdict),
      result.rows.map((r) => r.verdict),
    );
    const ctx: JobContext = { workspaceDir: ws, signal: new AbortController().signal, emit: () => undefined };
    const p = await prepare(config, ctx, await startBackend(config, ctx));
    const theta = classifierOf(await loadModel(join(result.runDir, 'model', 'model.json')));
    try {
      const original = result.rows[0];
      const again = await modelVerdict(theta, p, { retain: original.metrics.RA, test: original.metrics.TA }, config.seed);
      const recorded = result.rows.find((r) => r.role === 'unlearned')?.verdict;
      assert.ok(recorded);
      assert.deepEqual(withoutSeconds(again), withoutSeconds(recorded));
    } finally {
      theta.model.dispose();
      p.original.model.dispose();
    }
  });

  it('report.md and the exported report have a "Without a Retrain" section with every figure\'s row', () => {
    const v = result.rows.find((r) => r.role === 'unlearned')?.verdict;
    assert.ok(v);
    const md = readFileSync(join(result.runDir, 'report.md'), 'utf8');
    const exported = runReportMarkdown(readRunRecord(result.runDir), { generatedAt: 'T' });
    for (const text of [md, exported]) {
      assert.ok(text.includes('## Without a Retrain'), text);
      const a = verdictAxes(v);
      assert.ok(text.includes(`**SalUn: forgetting ${a.forgetting}, ${utilityText(a)}**`), text);
      for (const f of v.figures) assert.ok(text.includes(`| ${verdictFigureCells(f).map(markdownCell).join(' | ')} |`), `${f.name} row missing:\n${text}`);
      assert.ok(text.includes('k = 2.576 = Φ⁻¹(1 − α/10)'), 'the threshold paragraph');
      assert.ok(text.includes(`|TA − TA(θo)| (TA ${v.test?.accuracy.toFixed(2)} vs θo's`), 'the TA term of the score, with its figures');
      assert.ok(
        /Retrain is exact unlearning by definition; the verdict reads it as "forgetting: (looks unseen|still remembers|forgot more than unseen data) · utility (retained|lost)/.test(
          text,
        ),
        'the comparison with Retrain',
      );
      assert.ok(text.includes(`The verdicts took ${result.rows.reduce((s, r) => s + (r.verdict?.seconds ?? 0), 0).toFixed(1)} s in all`), "the verdicts' time");
    }
  });

  it("`salun runs --json` carries the unlearned model's verdict; the CLI line names both axes and the score", () => {
    const runId = result.runId;
    const listing = runListing(readRun(result.runDir, runId));
    const v = result.rows.find((r) => r.role === 'unlearned')?.verdict;
    assert.deepEqual(listing.verdict, v);
    assert.ok(v && verdictLine(v).startsWith(`Retrain-free verdict: ${axesText(v)} · score ${v.points.toFixed(2)} points`));
  });
});

describe('a run whose sets are too small for a verdict', function () {
  this.timeout(240_000);
  it('finishes with its metrics, no verdict, and a warning that says why', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-verdict-one-'));
    const file = join(ws, 'forget.json');
    writeFileSync(file, JSON.stringify([5]));
    const config = {
      ...tinyRunConfig(tinyIdxFolder(300, 100), 'mlp', 'cpu'),
      forget: { kind: 'indices' as const, file },
      method: 'rl' as const,
      retrain: false,
    };
    const { result, events } = await runJob(config, ws);
    assert.deepEqual(
      result.rows.map((r) => r.role),
      ['original', 'unlearned'],
    );
    assert.ok(result.rows.every((r) => r.verdict === undefined));
    assert.deepEqual(result.warnings, ['No Retrain-free verdict: the forget set needs at least 2 samples, got 1']);
    assert.ok(events.some((e) => e.type === 'log' && e.level === 'warn' && e.message.startsWith('unlearned: no Retrain-free verdict')));
    assert.ok(!readFileSync(join(result.runDir, 'report.md'), 'utf8').includes('## Without a Retrain'));
  });
});

describe('reading run folders with and without a verdict', () => {
  const metrics = { UA: 5, RA: 95, TA: 85, MIA: 10 };
  const row = (role: EvaluatedModel['role'], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    role,
    method: role === 'unlearned' ? 'salun' : role,
    metrics,
    seconds: 1,
    ...extra,
  });
  function folder(rows: unknown[]): string {
    const dir = join(mkdtempSync(join(tmpdir(), 'salun-verdict-read-')), 'run');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ kind: 'run', method: 'salun' }));
    writeFileSync(join(dir, 'status.json'), JSON.stringify({ state: 'finished', startedAt: '2026-11-30T00:00:00Z', endedAt: '2026-11-30T00:01:00Z' }));
    writeFileSync(join(dir, 'report.json'), JSON.stringify({ rows }));
    return dir;
  }
  const verdict: RunVerdict = {
    label: 'looks unseen',
    points: 1,
    meanAbsZ: 0.5,
    reason: 'every figure is within ±2.58σ',
    k: 2.5758,
    alpha: 0.05,
    splits: 200,
    seed: 7,
    heldOut: { size: 100, source: 'the test set' },
    miaConverged: true,
    seconds: 0.5,
    figures: (['accuracy', 'loss', 'confidence', 'mia', 'retain'] as const).map((name) => ({
      name,
      forget: 1,
      reference: 1,
      gap: 0,
      noise: 1,
      noiseFrom: 'splits' as const,
      threshold: 2.5758,
      z: 0,
    })),
  };

  it('an older run folder (no verdict on any row) reads with no problem and no verdict section', () => {
    const dir = folder([row('original'), row('unlearned')]);
    const run = readRun(dir, 'run');
    assert.deepEqual(run.problems, []);
    assert.equal(run.rows.length, 2);
    assert.ok(run.rows.every((r) => !('verdict' in r)));
    assert.equal(runListing(run).verdict, undefined);
    const md = runReportMarkdown(readRunRecord(dir), { generatedAt: 'T' });
    assert.ok(md.includes('## Final metrics') && !md.includes('Without a Retrain'), md);
  });

  it('a well-formed verdict reads back equal; a damaged one costs the verdict, not the row', () => {
    const good = readRun(folder([row('unlearned', { verdict })]), 'run');
    assert.deepEqual(good.problems, []);
    assert.deepEqual(good.rows[0].verdict, verdict);
    const wholeClass: RunVerdict = { ...verdict, heldOut: { size: 100, source: 'class 3 of the test set', wholeClass: true } };
    assert.deepEqual(readRun(folder([row('unlearned', { verdict: wholeClass })]), 'run').rows[0].verdict, wholeClass);
    // The note on the accuracy reference follows the flag, not the wording of the source.
    assert.match(verdictThresholdNote(wholeClass), /its accuracy with 0/);
    assert.doesNotMatch(verdictThresholdNote({ ...verdict, heldOut: { size: 100, source: 'class-balanced rows' } }), /its accuracy with 0/);
    const badFigure = { ...verdict, figures: [{ ...verdict.figures[0], z: 'high' }, ...verdict.figures.slice(1)] };
    for (const bad of [{ ...verdict, label: 'fine' }, badFigure, { ...verdict, heldOut: 100 }, 'looks unseen']) {
      const run = readRun(folder([row('original'), row('unlearned', { verdict: bad })]), 'run');
      assert.equal(run.rows.length, 2);
      assert.equal(run.rows[1].verdict, undefined);
      assert.deepEqual(run.rows[1].metrics, metrics);
      assert.equal(run.problems.length, 1, JSON.stringify(run.problems));
      assert.match(run.problems[0], /row 2's verdict left out/);
    }
  });
});
