// What a workbench e2e case is: a name, what it needs, and a check of the real panel in the real
// workbench. Cases run in order on one workbench page (the theme cases read what the dark one saw),
// so a case states its needs instead of relying on silent setup.
import type { SaliencySummary } from '../../../src/protocol/results';
import type { ThemeReading } from '../panelReadings';
import type { SuiteRecord } from '../suiteRecord';
import type { Workbench } from '../workbench';

/**
 * 'panel': the panel opened and showed the last job (a failed case with `blocks` says it did not);
 * 'saliency': the last run has a saliency map (without one the case is not applicable).
 */
export type Need = 'panel' | 'saliency';

export interface Ctx {
  wb: Workbench;
  suite: SuiteRecord;
  /** The repository (its package.json is the extension's manifest). */
  root: string;
  /** Where screenshots go (.artifacts/workbench/). */
  shots: string;
  /** The user settings.json code-server reads (and applies live when it changes). */
  userSettings: string;
  /** A wait's limit: `capMs`, or less when the e2e's whole time limit is nearer. */
  budget: (capMs: number) => number;
  /** The dark theme as the first theme case read it; the light case compares with it. */
  dark?: ThemeReading;
}

export interface Case {
  name: string;
  needs: readonly Need[];
  /** When this case fails, the later cases that need the panel do not run, for this reason. */
  blocks?: string;
  /** Resolves with a note for the pass line, or throws what is wrong. */
  run(ctx: Ctx): Promise<string | undefined>;
}

/** The last run's saliency summary; a map that is on disk but unreadable fails the case here. */
export function summaryOf(ctx: Ctx): SaliencySummary {
  const { summary, saliencyProblem } = ctx.suite;
  if (!summary) throw new Error(`the last run's saliency map cannot be read: ${saliencyProblem ?? 'no summary'}`);
  return summary;
}
