// The workbench e2e's bookkeeping: named cases run in order, each prints one pass/fail line and
// counts on its own. A case that needs the panel is not run, and counts as failed, once an earlier
// case that opens the panel has failed; a case that needs the run's saliency map is not applicable
// (counted neither way, but printed) when the last run has none. One time limit covers them all.
// scripts/host-test.mjs prints the totals as `e2e: N passed, N failed`.
import type { Case, Ctx } from './cases/case';
import { sleep } from '../webview/harness';

export interface E2eResults {
  passed: number;
  failed: number;
  failures: string[];
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/**
 * Polls `probe` until it returns something truthy. A probe that throws is retried (the workbench's
 * frames come and go while it loads); its last error is named when the deadline passes.
 */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | null | false | 0>, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${firstLine(last)})` : ''}`);
    await sleep(everyMs);
  }
}

/** Why a case does not run: `fail` counts it failed, `skip` counts it neither way. */
type NotRun = { fail: string } | { skip: string } | undefined;

function whyNotRun(c: Case, ctx: Ctx, blocked: string | undefined, deadline: number, timeoutMs: number): NotRun {
  if (c.needs.includes('saliency') && !ctx.suite.hasSaliency) return { skip: 'the last run has no saliency map' };
  if (c.needs.includes('panel') && blocked) return { fail: blocked };
  if (Date.now() > deadline) return { fail: `the e2e time limit (${timeoutMs / 1000} s) is spent` };
  return undefined;
}

function fail(r: E2eResults, name: string, message: string): void {
  r.failed++;
  r.failures.push(name);
  console.log(`e2e ✗ ${name}\n      ${message.split('\n').join('\n      ')}`);
}

/** Runs `cases` in order against one workbench; resolves with the counts (never rejects for a case). */
export async function runCases(cases: readonly Case[], ctx: Ctx, deadline: number, timeoutMs: number): Promise<E2eResults> {
  const r: E2eResults = { passed: 0, failed: 0, failures: [] };
  let blocked: string | undefined;
  for (const c of cases) {
    const notRun = whyNotRun(c, ctx, blocked, deadline, timeoutMs);
    if (notRun && 'skip' in notRun) {
      console.log(`e2e – ${c.name}: not applicable (${notRun.skip})`);
      continue;
    }
    if (notRun) {
      fail(r, c.name, `not run: ${notRun.fail}`);
      continue;
    }
    const t0 = Date.now();
    try {
      const note = await c.run(ctx);
      r.passed++;
      console.log(`e2e ✓ ${c.name}${note ? `: ${note}` : ''} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      fail(r, c.name, e instanceof Error ? e.message : String(e));
      if (c.blocks) blocked ??= c.blocks;
    }
  }
  return r;
}
