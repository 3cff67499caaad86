// The panel's comparison of run folders: the list, and one run's config.json for its "config" link.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isRecord } from '../../../protocol/guards';
import { GetRunConfigRequest, RefreshRunsCommand, type RunConfigReply } from '../../../protocol/webviewMessages';
import type { PanelAreaHandlers, PanelContext } from '../panelContext';

export const RUNS_HANDLERS = {
  [RefreshRunsCommand.method]: (_m, ctx) => ctx.state.refreshRuns(),
  [GetRunConfigRequest.method]: (m, ctx) => runConfig(ctx, m.runDir),
} satisfies PanelAreaHandlers;

function runConfig(ctx: PanelContext, runDir: string): RunConfigReply {
  if (!ctx.state.isListedRun(runDir)) throw new Error(`${runDir} is not a run folder of this workspace`);
  const config: unknown = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
  if (!isRecord(config)) throw new Error(`${join(runDir, 'config.json')} is not a JSON object`);
  return { runId: basename(runDir), config };
}
