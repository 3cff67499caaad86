// The panel's Export buttons (a chart as SVG or PNG, a table as CSV or Markdown): the webview makes
// the content, the host asks where to save it and writes it.
import * as vscode from 'vscode';
import { ExportCommand, type ExportFormat } from '../../../protocol/webviewMessages';
import type { PanelAreaHandlers, PanelContext } from '../panelContext';

export const EXPORT_FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  csv: { CSV: ['csv'] },
  md: { Markdown: ['md'] },
  svg: { 'SVG image': ['svg'] },
  png: { 'PNG image': ['png'] },
};

export const EXPORT_HANDLERS = {
  [ExportCommand.method]: (m, ctx) => exportFile(ctx, m.format, m.fileName, m.content),
} satisfies PanelAreaHandlers;

/** The save dialog, offering `fileName` in the first workspace folder; undefined when the user closed it. */
export function askSaveUri(fileName: string, format: ExportFormat): Thenable<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return vscode.window.showSaveDialog({
    title: `Export ${fileName}`,
    saveLabel: 'Export',
    filters: EXPORT_FILTERS[format],
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, fileName) } : {}),
  });
}

async function exportFile(ctx: PanelContext, format: ExportFormat, fileName: string, content: string): Promise<void> {
  if (format === 'png' && !/^[A-Za-z0-9+/]+={0,2}$/.test(content)) {
    ctx.log.warn('panel: ignored a PNG export that is not base64');
    return;
  }
  const uri = await askSaveUri(fileName, format);
  if (!uri) return;
  const bytes = format === 'png' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
  await vscode.workspace.fs.writeFile(uri, bytes);
  ctx.log.info(`panel: exported ${format} to ${uri.fsPath} (${bytes.byteLength} bytes)`);
  void vscode.window.showInformationMessage(`SalUn: saved ${uri.fsPath}`);
}
