// The workbench e2e's bookkeeping (test/workbench/harness.ts, suiteRecord.ts) without a workbench:
// which cases run, which count as failed without running, which are not applicable, and what the
// suite's run folder tells the cases.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Case, Ctx } from '../workbench/cases/case';
import { runCases, until } from '../workbench/harness';
import { readSuiteRecord } from '../workbench/suiteRecord';
import type { Workbench } from '../workbench/workbench';

function ctx(hasSaliency: boolean): Ctx {
  return { wb: {} as Workbench, suite: { hasEpochs: false, hasSaliency }, root: '.', shots: '.', userSettings: '.', budget: (ms) => ms };
}

function kase(name: string, needs: Case['needs'], outcome: 'pass' | 'fail', ran: string[], blocks?: string): Case {
  return {
    name,
    needs,
    blocks,
    run: () => {
      ran.push(name);
      return outcome === 'pass' ? Promise.resolve('ok') : Promise.reject(new Error(`${name} broke`));
    },
  };
}

/** Runs the cases with console.log captured; resolves with the counts and the printed lines. */
async function quietly(cases: Case[], c: Ctx, deadline = Date.now() + 60_000): Promise<{ r: Awaited<ReturnType<typeof runCases>>; lines: string[] }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  };
  try {
    return { r: await runCases(cases, c, deadline, 60_000), lines };
  } finally {
    console.log = log;
  }
}

describe('workbench e2e harness', () => {
  it('a failed case that blocks fails the later panel cases without running them; the others still run', async () => {
    const ran: string[] = [];
    const { r, lines } = await quietly(
      [
        kase('open', [], 'fail', ran, 'the panel did not open'),
        kase('replay', ['panel'], 'pass', ran, 'the panel did not show the last job'),
        kase('bars', ['panel', 'saliency'], 'pass', ran),
        kase('walkthrough', [], 'pass', ran),
      ],
      ctx(true),
    );
    assert.deepEqual(ran, ['open', 'walkthrough']);
    assert.deepEqual(r, { passed: 1, failed: 3, failures: ['open', 'replay', 'bars'] });
    assert.ok(
      lines.some((l) => l.startsWith('e2e ✗ replay') && l.includes('not run: the panel did not open')),
      lines.join('\n'),
    );
  });

  it('the first blocking failure names why; a failure without blocks stops nothing', async () => {
    const ran: string[] = [];
    const { r, lines } = await quietly(
      [
        kase('trends', ['panel'], 'fail', ran),
        kase('replay', ['panel'], 'fail', ran, 'the panel did not show the last job'),
        kase('later', ['panel'], 'pass', ran, 'another reason'),
        kase('after', ['panel'], 'pass', ran),
      ],
      ctx(true),
    );
    assert.deepEqual(ran, ['trends', 'replay']);
    assert.equal(r.failed, 4);
    assert.ok(
      lines.some((l) => l.startsWith('e2e ✗ after') && l.includes('the panel did not show the last job')),
      lines.join('\n'),
    );
  });

  it('a saliency case is not applicable (neither passed nor failed, but printed) when the run has no map', async () => {
    const ran: string[] = [];
    const { r, lines } = await quietly([kase('bars', ['panel', 'saliency'], 'pass', ran), kase('trends', ['panel'], 'pass', ran)], ctx(false));
    assert.deepEqual(ran, ['trends']);
    assert.deepEqual(r, { passed: 1, failed: 0, failures: [] });
    assert.ok(
      lines.some((l) => l.startsWith('e2e – bars: not applicable')),
      lines.join('\n'),
    );
  });

  it('past the time limit every case fails without running', async () => {
    const ran: string[] = [];
    const { r } = await quietly([kase('open', [], 'pass', ran), kase('walkthrough', [], 'pass', ran)], ctx(true), Date.now() - 1);
    assert.deepEqual(ran, []);
    assert.deepEqual(r.failures, ['open', 'walkthrough']);
  });

  it('until retries a throwing probe and names its last error at the deadline', async () => {
    let n = 0;
    assert.equal(await until('three tries', 1000, () => Promise.resolve(++n >= 3 && n), 1), 3);
    await assert.rejects(
      until('never', 20, () => Promise.reject(new Error('frame gone\nstack')), 5),
      /waiting for never \(last error: frame gone\)$/,
    );
  });
});

describe('workbench e2e suite record', () => {
  let ws: string;
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'salun-e2e-record-'));
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('no run folder: nothing to compare, no saliency', () => {
    const s = readSuiteRecord(ws);
    assert.equal(s.runDir, undefined);
    assert.equal(s.hasSaliency, false);
    assert.equal(s.comparisonRuns, 0);
  });

  it('the newest run folder is the last job; an unreadable map fails the saliency cases instead of skipping them', () => {
    const runs = join(ws, '.salun', 'runs');
    mkdirSync(join(runs, '20260101-000000-old'), { recursive: true });
    const last = join(runs, '20260102-000000-new');
    mkdirSync(join(last, 'saliency'), { recursive: true });
    writeFileSync(join(last, 'config.json'), JSON.stringify({ kind: 'run' }));
    writeFileSync(join(last, 'metrics.jsonl'), `${JSON.stringify({ role: 'unlearned', epoch: 1 })}\n`);
    writeFileSync(join(last, 'saliency', 'summary.json'), '{"ratio": 0.5}');
    const s = readSuiteRecord(ws);
    assert.equal(s.runId, '20260102-000000-new');
    assert.equal(s.kind, 'run');
    assert.equal(s.hasEpochs, true);
    assert.equal(s.hasSaliency, true);
    assert.equal(s.summary, undefined);
    assert.match(s.saliencyProblem ?? '', /not a saliency summary/);
  });
});
