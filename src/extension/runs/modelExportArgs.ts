// The pure half of Export Unlearned Model: what the command accepts from scripts and what its
// format pick shows. No `vscode` import (unit-tested); modelExportCommand.ts asks and writes.
import { isRecord, isString } from '../../protocol/guards';
import {
  isModelExportFormat,
  MODEL_EXPORT_FORMAT_NAMES,
  MODEL_EXPORT_FORMATS,
  type ModelExportFormat,
  type RunModelFormats,
} from '../../store/runs/modelExport';

/** `executeCommand('salun.exportModel', { runId, format?, outFile? })`: no run pick; no format pick with format; no dialog with outFile. */
export interface ExportModelArgs {
  runId: string;
  format?: ModelExportFormat;
  /** Relative paths are relative to the run's workspace folder; a script may write only under its .salun. */
  outFile?: string;
}

export function parseExportModelArgs(x: unknown): ExportModelArgs | undefined {
  if (!isRecord(x) || !('runId' in x)) return undefined;
  if (!isString(x.runId) || x.runId.length === 0) throw new Error('salun.exportModel: runId must be a run id (a folder name under .salun/runs).');
  if (x.format !== undefined && !isModelExportFormat(x.format))
    throw new Error(`salun.exportModel: format must be one of ${MODEL_EXPORT_FORMAT_NAMES.join(', ')} (got ${JSON.stringify(x.format)}).`);
  if (x.outFile !== undefined && !(isString(x.outFile) && x.outFile.length > 0)) throw new Error('salun.exportModel: outFile must be a path.');
  return { runId: x.runId, ...(x.format !== undefined ? { format: x.format } : {}), ...(isString(x.outFile) ? { outFile: x.outFile } : {}) };
}

export interface FormatPickEntry {
  label: string;
  description: string;
  detail: string;
  format: ModelExportFormat;
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** One entry per format the run has, in the table's order: label, its files and size, how to load it. */
export function formatPickEntries(formats: RunModelFormats): FormatPickEntry[] {
  return formats.available.map((a) => ({
    label: MODEL_EXPORT_FORMATS[a.format].label,
    description: `${a.files.join(' + ')} · ${size(a.bytes)}`,
    detail: `Load with ${MODEL_EXPORT_FORMATS[a.format].loadWith}`,
    format: a.format,
  }));
}

/** The pick's placeholder: which formats are not offered, and why (the first reason is enough to act on). */
export function formatPickPlaceholder(formats: RunModelFormats): string {
  const first = formats.missing[0];
  if (!first) return 'Which format?';
  const names = formats.missing.map((m) => m.format).join(', ');
  return `Which format? (no ${names}: ${first.why})`;
}
