// The real SalUn panel inside the real workbench (code-server in headless Chromium), checked by
// scripts/host-test.mjs after the mocha host suite has finished and while the extension host is
// still alive (test/host/index.ts waits on a gate file until this is done).
//
// The named cases of cases/ run in order: open the SalUn view as a user does, find the panel's
// document, check what it shows against what the suite left on disk (the last job's run folder, the
// runs the comparison offers), move the ratio and wait for the host's answer, screenshot workbench
// and panel in the dark theme, switch to the light theme and check that the panel's colours
// followed, open the walkthrough. Screenshots: .artifacts/workbench/. Each case prints one line.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Case, Ctx } from './cases/case';
import { panel } from './cases/panel';
import { saliency } from './cases/saliency';
import { jobViews } from './cases/jobViews';
import { ratio } from './cases/ratio';
import { themes } from './cases/themes';
import { walkthrough } from './cases/walkthrough';
import { type E2eResults, runCases } from './harness';
import { describeSuiteRecord, readSuiteRecord } from './suiteRecord';
import { Workbench } from './workbench';

/** In order: the first two open the panel the rest read; the theme cases come after the reading ones. */
export const CASES: readonly Case[] = [...panel, ...saliency, ...jobViews, ...ratio, ...themes, ...walkthrough];

export interface WorkbenchE2eOptions {
  /** The workbench page, with the suite's workspace open. */
  page: Page;
  /** The workspace folder the suite ran in. */
  ws: string;
  /** The repository (for package.json and .artifacts/). */
  root: string;
  /** The user settings.json code-server reads. */
  userSettings: string;
  /** The limit for all cases together. */
  timeoutMs: number;
  log(message: string): void;
}

/** Runs every case; resolves with the counts host-test.mjs adds to the suite's. */
export async function runWorkbenchE2E(o: WorkbenchE2eOptions): Promise<E2eResults> {
  const deadline = Date.now() + o.timeoutMs;
  const shots = join(o.root, '.artifacts', 'workbench');
  mkdirSync(shots, { recursive: true });
  const suite = readSuiteRecord(o.ws);
  o.log(`e2e: ${describeSuiteRecord(suite)}`);
  const manifest = JSON.parse(readFileSync(join(o.root, 'package.json'), 'utf8')) as { publisher: string; name: string };
  const ctx: Ctx = {
    wb: new Workbench(o.page, `${manifest.publisher}.${manifest.name}`),
    suite,
    root: o.root,
    shots,
    userSettings: o.userSettings,
    budget: (capMs) => Math.max(1000, Math.min(capMs, deadline - Date.now())),
  };
  const results = await runCases(CASES, ctx, deadline, o.timeoutMs);
  o.log(`e2e: screenshots in ${shots}`);
  return results;
}
