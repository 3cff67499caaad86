// The γ control: which run's saliency map it previews, what a mask at another ratio or γ would be,
// and its "Apply ratio", which sets salun.saliencyRatio for the next job.
import * as vscode from 'vscode';
import { ApplySaliencyRatioCommand, LoadRunSaliencyCommand, PreviewThresholdRequest } from '../../../protocol/webviewMessages';
import { CONFIG_SECTION } from '../../commandIds';
import type { PanelAreaHandlers, PanelContext } from '../panelContext';

export const SALIENCY_HANDLERS = {
  [LoadRunSaliencyCommand.method]: (m, ctx) => {
    // The webview names a folder; read only folders that are listed run folders of this workspace.
    if (!ctx.state.isListedRun(m.runDir)) {
      ctx.log.warn(`panel: refused to read saliency from ${m.runDir}: not a run folder of this workspace`);
      return;
    }
    ctx.state.clearSaliency();
    ctx.state.loadSaliency(m.runDir, true);
  },
  [PreviewThresholdRequest.method]: (m, ctx) => {
    if (!ctx.state.saliency) throw new Error('No saliency map has been read yet.');
    return ctx.state.saliency.preview(m.by, m.value);
  },
  [ApplySaliencyRatioCommand.method]: (m, ctx) => applySaliencyRatio(ctx, m.ratio),
} satisfies PanelAreaHandlers;

/** Workspace setting when a folder is open, else the user's. */
async function applySaliencyRatio(ctx: PanelContext, ratio: number): Promise<void> {
  const rounded = Number(ratio.toFixed(4));
  const hasFolder = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  const target = hasFolder ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(CONFIG_SECTION).update('saliencyRatio', rounded, target);
  ctx.log.info(`panel: salun.saliencyRatio = ${rounded} (${hasFolder ? 'workspace' : 'user'} setting)`);
  void vscode.window.showInformationMessage(
    `SalUn: the next job uses saliency ratio ${rounded} (salun.saliencyRatio, ${hasFolder ? 'workspace' : 'user'} setting).`,
  );
}
