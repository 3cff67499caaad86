// Export Audit Report (and `salun audit-report`): audit.json, audit.md and SHA256SUMS in one folder,
// the run's `audit-report/` by default. The folder is built under a temp name and renamed into
// place, so a reviewer never finds half a report; it goes only where nothing is, an empty folder,
// or an earlier audit report (which it replaces): never over someone's files.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors';
import { writeFileAtomic, replaceDirAtomic } from './atomic';
import { AUDIT_REPORT_FORMAT, buildAuditReport, type AuditReport } from './auditReport';
import { auditReportMarkdown } from './auditReportMarkdown';
import { isFileDigest } from './fileDigest';
import { readRunJson } from './runShapes';

export const AUDIT_REPORT_FILES = ['audit.json', 'audit.md', 'SHA256SUMS'] as const;

export interface AuditReportExport {
  dir: string;
  files: string[];
  report: AuditReport;
}

export function defaultAuditReportDir(runDir: string): string {
  return join(runDir, 'audit-report');
}

function inside(root: string, path: string): boolean {
  const r = relative(root, path);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

/** An earlier export: only the report's own files, its audit.json of the report's format. */
function isEarlierReport(dir: string): boolean {
  const names = readdirSync(dir);
  if (!names.every((n) => (AUDIT_REPORT_FILES as readonly string[]).includes(n))) return false;
  const x = readRunJson(join(dir, 'audit.json'), []);
  return typeof x === 'object' && x !== null && (x as { format?: unknown }).format === AUDIT_REPORT_FORMAT;
}

function checkTarget(runDir: string, out: string): void {
  if (inside(join(runDir, 'model'), out))
    throw new UserError(
      `${out} is inside the run's model folder, whose files the report lists`,
      "Export to the run folder's audit-report (the default) or a folder outside the run.",
      out,
    );
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory())
    throw new UserError(`${out} is a file; an audit report is a folder (audit.json, audit.md, SHA256SUMS)`, 'Give the path of a new or empty folder.', out);
  if (readdirSync(out).length > 0 && !isEarlierReport(out))
    throw new UserError(
      `${out} already holds files that are not an audit report; they are never replaced`,
      "Give the path of a new or empty folder, or leave --out out to write the run folder's audit-report (nothing was written).",
      out,
    );
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `sha256sum -c` input: every file of the manifest by its path from `dir`, then the report's own two files. */
function sumsText(report: AuditReport, dir: string, json: string, md: string): string {
  const lines = report.manifest.filter(isFileDigest).map((f) => `${f.sha256}  ${relative(dir, f.path) || f.path}`);
  lines.push(`${sha256(json)}  audit.json`, `${sha256(md)}  audit.md`);
  return `${lines.join('\n')}\n`;
}

/** Builds the run's report and writes it to `outDir` (default: the run's audit-report folder). */
export async function exportAuditReport(runDir: string, outDir?: string, now = new Date()): Promise<AuditReportExport> {
  const dir = resolve(outDir ?? defaultAuditReportDir(runDir));
  const report = buildAuditReport(runDir, now);
  checkTarget(runDir, dir);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const md = auditReportMarkdown(report);
  try {
    await replaceDirAtomic(dir, (tmp) => {
      writeFileAtomic(join(tmp, 'audit.json'), json);
      writeFileAtomic(join(tmp, 'audit.md'), md);
      writeFileAtomic(join(tmp, 'SHA256SUMS'), sumsText(report, dir, json, md));
    });
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`Cannot write the audit report to ${dir}: ${(e as Error).message}`, 'Choose another folder (--out).', dir);
  }
  return { dir, files: AUDIT_REPORT_FILES.map((f) => join(dir, f)), report };
}
