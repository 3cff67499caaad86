// The pure half of Export Audit Report: what the command accepts from scripts, what its "where"
// pick shows, and what it says afterwards. No `vscode` import (unit-tested); auditReportCommand.ts
// asks and writes, the store (auditReportExport.ts) builds the report.
import { existsSync } from 'node:fs';
import { isRecord, isString } from '../../protocol/guards';
import { UserError } from '../../store/errors';
import { displayPath, workspaceOfRunDir, type BeforeFile } from '../../store/runs/auditReport';
import { defaultAuditReportDir, type AuditReportExport } from '../../store/runs/auditReportExport';
import { COMMAND_IDS } from '../commandIds';

const ID = COMMAND_IDS.exportAuditReport;

/** `executeCommand('salun.exportAuditReport', { runId, outDir? })`: no run pick, no "where" pick; without outDir the run folder's audit-report. */
export interface ExportAuditReportArgs {
  runId: string;
  /** Relative paths are relative to the run's workspace folder; a script may write only under its .salun. */
  outDir?: string;
}

export function parseExportAuditReportArgs(x: unknown): ExportAuditReportArgs | undefined {
  if (!isRecord(x) || !('runId' in x)) return undefined;
  if (!isString(x.runId) || x.runId.length === 0) throw new Error(`${ID}: runId must be a run id (a folder name under .salun/runs).`);
  if (x.outDir !== undefined && !(isString(x.outDir) && x.outDir.length > 0)) throw new Error(`${ID}: outDir must be a folder path.`);
  return { runId: x.runId, ...(isString(x.outDir) ? { outDir: x.outDir } : {}) };
}

export interface WhereEntry {
  label: string;
  description: string;
  detail: string;
  where: 'run' | 'choose';
}

/** The run folder's audit-report first (the default: Enter takes it), then a folder of the user's. */
export function whereEntries(runDir: string, exists: (path: string) => boolean = existsSync): WhereEntry[] {
  const dir = defaultAuditReportDir(runDir);
  return [
    { label: 'In the run folder (audit-report)', description: exists(dir) ? 'replaces the report there' : '', detail: dir, where: 'run' },
    { label: 'Choose a folder…', description: '', detail: 'A new or empty folder, or an earlier audit report (which it replaces)', where: 'choose' },
  ];
}

/** θo's files that are not as the run read them: the report still holds, but of a θo that is no longer there. */
export function changedBeforeFiles(written: AuditReportExport): BeforeFile[] {
  return written.report.modelBefore.files.filter((f) => f.now !== 'unchanged');
}

export interface AuditReportNotice {
  level: 'info' | 'warning';
  text: string;
}

/** What the editor says once the report is written: where, and the audit it cites; a warning when θo changed since the run. */
export function auditReportNotice(written: AuditReportExport): AuditReportNotice {
  const r = written.report;
  const cites = r.evidence.audit ? ` It cites the audit in ${r.evidence.audit.dir} (N = ${r.evidence.audit.models}).` : '';
  const changed = changedBeforeFiles(written);
  if (!changed.length) return { level: 'info', text: `SalUn: wrote the audit report of ${r.run.id} to ${written.dir}.${cites}` };
  const workspace = workspaceOfRunDir(r.run.dir);
  const files = changed.map((f) => `${displayPath(f.path, workspace, r.run.dir)} (${f.now})`).join(', ');
  return {
    level: 'warning',
    text: `SalUn: wrote the audit report of ${r.run.id} to ${written.dir}, but θo's ${changed.length === 1 ? 'file is' : 'files are'} no longer as the run read ${changed.length === 1 ? 'it' : 'them'}: ${files}. The report records both digests.${cites}`,
  };
}

/**
 * A store error in the editor's words: the CLI's `--out` advice (a folder that holds other files,
 * one that cannot be written) becomes the script's outDir or the user's choice of folder.
 */
export function auditReportErrorText(e: unknown, scripted: boolean): string {
  if (!(e instanceof UserError)) return e instanceof Error ? e.message : String(e);
  const hint = e.hint?.includes('--out')
    ? scripted
      ? "Give outDir a new or empty folder under .salun, or leave it out for the run folder's audit-report."
      : "Choose a new or empty folder, or the run folder's audit-report."
    : e.hint;
  return `${e.message}. ${hint ?? ''}`.trim();
}
