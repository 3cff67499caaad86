// `salun audit-report`: a run's audit report (audit.json, audit.md, SHA256SUMS) — the same store
// function as the Runs view's Export Audit Report (auditReportExport.ts). auditReportCli throws
// UserErrors (unit-tested); auditReportCommand prints and exits.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { jobErrorText, toJobError } from '../protocol/jobError';
import { UserError } from '../store/errors';
import { exportAuditReport, type AuditReportExport } from '../store/runs/auditReportExport';
import { fail } from './common';
import { runDirOf } from './exportCommand';

export const AUDIT_REPORT_USAGE = `salun audit-report — what a reviewer files about one unlearning run

Usage:
  salun audit-report <run-id|run-dir> [--out <dir>] [--workspace <dir>] [--json]

  <run-id|run-dir>    a finished (or stopped) run: its folder's name under <workspace>/.salun/runs, or its path
  --out <dir>         the folder to write (new, empty, or an earlier audit report, which is replaced);
                      default: the run folder's audit-report
  --workspace <dir>   the workspace holding .salun/runs (default: current directory)
  --json              print the report itself (audit.json) instead of where it went

It writes audit.json and audit.md: the deletion request (forget set, fingerprint, size), the model
before and after (sha256 of every weights file: θo's as the run read them and whether they still
match, θu's), method and recipe, the evidence (metrics against Retrain, the Retrain-free verdict,
and F and the per-example attack of a \`salun audit\` of the same θo and forget set, when there is
one), the environment, and a manifest; SHA256SUMS lets \`sha256sum -c SHA256SUMS\` check every file.`;

const OPTIONS = {
  out: { type: 'string' },
  workspace: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface AuditReportCliResult {
  text: string;
  written?: AuditReportExport;
}

export async function auditReportCli(argv: string[], cwd = process.cwd()): Promise<AuditReportCliResult> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserError(`salun audit-report: ${(e as Error).message}`, 'salun audit-report --help shows the usage.');
  }
  const { values, positionals } = parsed;
  if (values.help) return { text: AUDIT_REPORT_USAGE };
  if (positionals.length !== 1)
    throw new UserError(
      positionals.length
        ? `salun audit-report takes one run, got ${positionals.length}: ${positionals.join(' ')}`
        : 'salun audit-report: give the run (its id or folder)',
      'salun runs lists the run ids; salun audit-report --help shows the usage.',
    );
  const workspace = values.workspace !== undefined ? resolve(cwd, values.workspace) : cwd;
  const runDir = runDirOf(positionals[0], workspace, cwd);
  if (values.out === '') throw new UserError('salun audit-report: --out is empty', "Give a folder, or leave --out out for the run folder's audit-report.");
  const written = await exportAuditReport(runDir, values.out !== undefined ? resolve(cwd, values.out) : undefined);
  const r = written.report;
  const text = values.json
    ? JSON.stringify(r, null, 2)
    : [
        `Audit report of ${r.run.id}: ${written.files.join(', ')}`,
        ...(r.evidence.audit ? [`  with the audit in ${r.evidence.audit.dir} (N = ${r.evidence.audit.models})`] : []),
        ...r.modelBefore.files.filter((f) => f.now !== 'unchanged').map((f) => `  warning: θo's ${f.path} is ${f.now} since the run`),
        ...r.problems.map((p) => `  unreadable: ${p}`),
      ].join('\n');
  return { text, written };
}

export async function auditReportCommand(argv: string[]): Promise<void> {
  try {
    console.log((await auditReportCli(argv)).text);
  } catch (e) {
    if (e instanceof UserError) fail(jobErrorText(toJobError(e)), 1);
    throw e;
  }
}
