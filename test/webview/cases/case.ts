// What a browser-test case is: a name and what it does to the one panel page the run shares. Cases
// run in order and build on each other's page (a reload case needs what earlier cases drew), so a
// case names what it needs in its own checks rather than relying on silent setup.
import type { Fixture } from '../fixture';
import type { PanelPage } from '../panelPage';

export interface Ctx {
  panel: PanelPage;
  fx: Fixture;
  /** Where screenshots go (.artifacts/webview/). */
  artifacts: string;
  /** The preview request the host has yet to answer (set by the preview cases). */
  requestId?: number;
}

export interface Case {
  name: string;
  run(ctx: Ctx): Promise<void>;
}

/** Puts the page into a state the following cases read; when it fails, the run stops. */
export interface Step {
  setup: string;
  run(ctx: Ctx): Promise<void>;
}

export type Entry = Case | Step;
