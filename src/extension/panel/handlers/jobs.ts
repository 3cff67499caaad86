// The panel's job buttons: Compute Saliency, Run Unlearning, Cancel, the log, the editor tab.
import * as vscode from 'vscode';
import { NextRunRequest, PanelActionCommand, type NextRunReply, type PanelAction } from '../../../protocol/webviewMessages';
import { COMMAND_IDS, CONFIG_SECTION } from '../../commandIds';
import { NEW_RUN_MEMORY_KEY } from '../../flows/newRunFlow';
import type { PanelAreaHandlers, PanelContext } from '../panelContext';
import { panelRunPlan } from '../panelRun';

export const JOB_HANDLERS = {
  [PanelActionCommand.method]: (m, ctx) => panelAction(ctx, m.action),
  [NextRunRequest.method]: (_m, ctx) => nextRun(ctx),
} satisfies PanelAreaHandlers;

/** The Run button reruns the last New Unlearning Run, or opens the flow; it never starts a settings-default run. */
function panelAction(ctx: PanelContext, action: PanelAction): void {
  if (action === 'openChartsInEditor') {
    ctx.openInEditor();
    return;
  }
  if (action !== 'runUnlearning') {
    ctx.onAction(action);
    return;
  }
  const plan = runPlan(ctx);
  ctx.log.info(
    plan.kind === 'rerun'
      ? `panel: Run Unlearning reruns the last New Unlearning Run: ${plan.summary}`
      : 'panel: Run Unlearning: no run set up yet; opening New Unlearning Run',
  );
  const started =
    plan.kind === 'rerun' ? vscode.commands.executeCommand(COMMAND_IDS.newRun, { answers: plan.answers }) : vscode.commands.executeCommand(COMMAND_IDS.newRun);
  started.then(undefined, (err: unknown) => ctx.log.error(`panel: Run Unlearning failed: ${err instanceof Error ? err.message : String(err)}`));
}

function runPlan(ctx: PanelContext): ReturnType<typeof panelRunPlan> {
  const ratio = vscode.workspace.getConfiguration(CONFIG_SECTION).get<unknown>('saliencyRatio');
  return panelRunPlan(ctx.memory?.get<unknown>(NEW_RUN_MEMORY_KEY), typeof ratio === 'number' ? { ratio } : {});
}

/** What Run Unlearning would start now: the panel labels its button with it. */
function nextRun(ctx: PanelContext): NextRunReply {
  const plan = runPlan(ctx);
  return plan.kind === 'rerun' ? { configured: true, summary: plan.summary } : { configured: false };
}
