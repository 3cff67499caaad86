// Every panel message's handler, one table combined from the areas' (panel/handlers/<area>.ts).
// `satisfies PanelHandlers` is the exhaustiveness check: a kind of protocol/webviewMessages.ts
// without a handler fails to compile, and each area's own `satisfies` refuses a handler for a kind
// that does not exist. HostChannel.handleAll checks the same again at run time.
import type { PanelAreaHandlers, PanelHandlers } from './panelContext';
import { EXPORT_HANDLERS } from './handlers/exports';
import { JOB_HANDLERS } from './handlers/jobs';
import { RUNS_HANDLERS } from './handlers/runs';
import { SALIENCY_HANDLERS } from './handlers/saliency';
import { SAMPLE_HANDLERS } from './handlers/samples';
import { SESSION_HANDLERS } from './handlers/session';
import { TREND_HANDLERS } from './handlers/trends';

/** The areas by name, for the test that no two areas handle one kind (a spread keeps the last one silently). */
export const PANEL_HANDLER_AREAS: Readonly<Record<string, PanelAreaHandlers>> = {
  session: SESSION_HANDLERS,
  trends: TREND_HANDLERS,
  jobs: JOB_HANDLERS,
  runs: RUNS_HANDLERS,
  saliency: SALIENCY_HANDLERS,
  exports: EXPORT_HANDLERS,
  samples: SAMPLE_HANDLERS,
};

export const PANEL_HANDLERS = {
  ...SESSION_HANDLERS,
  ...TREND_HANDLERS,
  ...JOB_HANDLERS,
  ...RUNS_HANDLERS,
  ...SALIENCY_HANDLERS,
  ...EXPORT_HANDLERS,
  ...SAMPLE_HANDLERS,
} satisfies PanelHandlers;
