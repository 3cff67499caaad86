// A generation job's sample grids: the PNG the panel draws, and its "Export PNG". The webview names
// the file; the host reads it only from the samples/ of a run folder it vouches for (sampleImages.ts).
import { dirname, resolve } from 'node:path';
import * as vscode from 'vscode';
import { ExportSampleGridRequest, SampleImageRequest, type ExportSampleGridReply } from '../../../protocol/webviewMessages';
import type { PanelAreaHandlers, PanelContext } from '../panelContext';
import { exportSampleImage, readSampleImage, sampleImageReply } from '../sampleImages';
import { askSaveUri } from './exports';

export const SAMPLE_HANDLERS = {
  [SampleImageRequest.method]: (m, ctx) => sampleImageReply(readSampleImage(sampleRunDirs(ctx, m.file), m.file), m.file),
  [ExportSampleGridRequest.method]: (m, ctx) => exportSampleGrid(ctx, m.file, m.fileName),
} satisfies PanelAreaHandlers;

/**
 * The run folders whose samples/ a webview may read: the current (or last) job's, wherever it
 * writes, and the folder `file` lies in when that is a listed run folder of this workspace.
 */
function sampleRunDirs(ctx: PanelContext, file: string): string[] {
  const dirs = ctx.state.jobRunDirs();
  const runDir = dirname(dirname(resolve(file)));
  if (ctx.state.isListedRun(runDir)) dirs.push(runDir);
  return dirs;
}

/** "Export PNG" on a sample grid: the run folder's own bytes, checked again, copied where the user says. */
async function exportSampleGrid(ctx: PanelContext, file: string, fileName: string): Promise<ExportSampleGridReply> {
  const runDirs = sampleRunDirs(ctx, file);
  // Refuse before asking where to save: a dialog for a file that cannot be copied wastes the user's time.
  readSampleImage(runDirs, file);
  const uri = await askSaveUri(fileName, 'png');
  if (!uri) return { saved: false };
  let bytes: number;
  if (uri.scheme === 'file') {
    bytes = exportSampleImage(runDirs, file, uri.fsPath);
  } else {
    // A remote or virtual file system: no local rename to make the write atomic; its provider's write is what there is.
    const image = readSampleImage(runDirs, file);
    await vscode.workspace.fs.writeFile(uri, image.bytes);
    bytes = image.bytes.length;
  }
  ctx.log.info(`panel: exported the sample grid ${file} to ${uri.fsPath} (${bytes} bytes)`);
  return { saved: true, path: uri.fsPath };
}
