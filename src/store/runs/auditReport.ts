// The audit report of one run: what a privacy reviewer files about a deletion request. The request
// (forget set, its fingerprint and size), the model before and after (the sha256 of every weights
// file: θo's as the run read them and now, θu's as the run wrote them), the method and recipe, the
// evidence (metrics against Retrain, the Retrain-free verdict, and the challenge's forgetting
// quality and per-example attack of an audit of the same θo and forget set, when there is one),
// the environment, and a manifest of every file it speaks of. Built from the run folder alone
// (no tfjs); auditReportMarkdown.ts renders it, auditReportExport.ts writes it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { AuditResult, AuditRow } from '../../protocol/audit';
import { isFiniteNumber, isRecord, isString } from '../../protocol/guards';
import { methodDisplayName } from '../../protocol/comparisonFormat';
import type { BackendInfo, EvaluatedModel } from '../../protocol/results';
import { axesText, unlearnedVerdict, verdictAxes, verdictReason } from '../../protocol/verdictText';
import { UserError } from '../errors';
import { fileDigest, isFileDigest, type DigestRead, type FileDigest } from './fileDigest';
import { runHasModel } from './modelExport';
import { readRunRecord, type RunRecord } from './runRecord';
import { forgetOfRecord } from './runReport';
import { readRunJson } from './runShapes';

export const AUDIT_REPORT_FORMAT = 'salun-audit-report';

/** A file the report speaks of: where it is, and its digest now (or why it could not be read). */
export type ManifestEntry = DigestRead & { role: string };

/** θo's file as the run read it, beside what is there now. */
export interface BeforeFile {
  path: string;
  atRun: FileDigest;
  now: 'unchanged' | 'changed' | 'missing' | 'unreadable';
  /** The sha256 now, when it changed. */
  sha256Now?: string;
}

/** The challenge's figures for the run's method, from an audit of the same θo and forget set. */
export interface AuditEvidence {
  dir: string;
  date: string;
  models: number;
  epsilonLimit: number;
  forgetQuality: number;
  finalScore: number;
  attack: AuditRow['attack'];
  relearn?: AuditRow['relearn'];
  /** The audit's method ran the run's recipe (and mask): the figures describe this recipe, not only this method. */
  recipeMatches: boolean;
  /** Original's figures in the same audit: θo copies, the floor. */
  original?: { forgetQuality: number; attackAuc: number };
}

export interface AuditReport {
  format: typeof AUDIT_REPORT_FORMAT;
  version: 1;
  createdAt: string;
  run: { id: string; dir: string; state: string; startedAt?: string; endedAt?: string };
  request: { forgetSet?: string; spec?: unknown; size?: number; retainSize?: number; fingerprint?: string; data?: unknown; dataFingerprint?: string };
  modelBefore: { spec?: unknown; from?: string; files: BeforeFile[]; note?: string };
  modelAfter: { files: ManifestEntry[] };
  method: { name?: string; label?: string; unlearn?: unknown; saliency?: unknown; methodOptions?: unknown; seed?: number; train?: unknown; stopped: boolean };
  evidence: {
    rows: EvaluatedModel[];
    verdict?: { forgetting: string; utility: string; text: string; points: number; reason: string };
    audit?: AuditEvidence;
    notes: string[];
  };
  environment: { versions: Record<string, string>; backend?: BackendInfo; machine?: unknown };
  manifest: ManifestEntry[];
  problems: string[];
}

/** The workspace a run folder belongs to (<ws>/.salun/runs/<id>), or undefined when it is elsewhere. */
export function workspaceOfRunDir(runDir: string): string | undefined {
  const runs = dirname(resolve(runDir));
  return basename(runs) === 'runs' && basename(dirname(runs)) === '.salun' ? dirname(dirname(runs)) : undefined;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []))
    .sort();
}

function atRunDigest(x: unknown): FileDigest | undefined {
  if (!isRecord(x) || !isString(x.path) || !isFiniteNumber(x.bytes) || !isString(x.sha256) || !/^[0-9a-f]{64}$/.test(x.sha256)) return undefined;
  return { path: x.path, bytes: x.bytes, sha256: x.sha256 };
}

function beforeFiles(resolved: unknown, problems: string[]): BeforeFile[] | undefined {
  if (!isRecord(resolved) || !Array.isArray(resolved.originalFiles)) return undefined;
  return resolved.originalFiles.flatMap((x: unknown, i): BeforeFile[] => {
    const atRun = atRunDigest(x);
    if (!atRun) {
      problems.push(`config.json: θo's file ${i + 1} was not read when the run recorded it (${isRecord(x) && isString(x.problem) ? x.problem : 'no digest'})`);
      return [];
    }
    const now = fileDigest(atRun.path);
    if (!isFileDigest(now)) return [{ path: atRun.path, atRun, now: now.problem === 'missing' ? 'missing' : 'unreadable' }];
    return [
      {
        path: atRun.path,
        atRun,
        now: now.sha256 === atRun.sha256 ? 'unchanged' : 'changed',
        ...(now.sha256 === atRun.sha256 ? {} : { sha256Now: now.sha256 }),
      },
    ];
  });
}

function modelBefore(r: RunRecord, problems: string[]): AuditReport['modelBefore'] {
  const c = r.config ?? {};
  const files = beforeFiles(c.resolved, problems);
  const from = r.resolved.originalModel;
  const note =
    files === undefined
      ? "The run did not record θo's files (it was made before runs recorded them): re-run it to have them in the report."
      : files.length === 0
        ? 'θo was trained for this run and kept in no file (another job cached the same model first).'
        : undefined;
  return { ...(c.model !== undefined ? { spec: c.model } : {}), ...(from ? { from } : {}), files: files ?? [], ...(note ? { note } : {}) };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function auditOf(dir: string, problems: string[]): AuditResult | undefined {
  const x = readRunJson(join(dir, 'audit.json'), problems);
  if (x === undefined) return undefined;
  const ok =
    isRecord(x) &&
    isRecord(x.config) &&
    Array.isArray(x.rows) &&
    isFiniteNumber(x.epsilonLimit) &&
    isString(x.date) &&
    x.rows.every((row: unknown) => isRecord(row) && isString(row.method) && isFiniteNumber(row.forgetQuality) && isRecord(row.attack));
  if (!ok) problems.push(`${join(dir, 'audit.json')}: not an audit result; left out`);
  return ok ? (x as unknown as AuditResult) : undefined;
}

/** The audit of the run's θo (data, model, recipe, seed) and forget set that has the run's method: the largest N, then the newest. */
function matchingAudit(r: RunRecord, workspace: string | undefined, problems: string[]): AuditEvidence | undefined {
  const c = r.config ?? {};
  const method = isString(c.method) ? c.method : undefined;
  const root = workspace ? join(workspace, '.salun', 'audits') : undefined;
  if (!method || !root || !existsSync(root) || !r.resolved.forgetHash || !r.resolved.dataFingerprint) return undefined;
  const found = readdirSync(root)
    .map((name) => join(root, name))
    .filter((d) => statSync(d).isDirectory())
    .flatMap((dir) => {
      const a = auditOf(dir, problems);
      const row = a?.rows.find((x) => x.method === method);
      const same =
        a &&
        a.forgetHash === r.resolved.forgetHash &&
        a.dataFingerprint === r.resolved.dataFingerprint &&
        a.config.seed === c.seed &&
        sameJson(a.config.model, c.model) &&
        sameJson(a.config.train, c.train);
      return a && row && same ? [{ a, row, dir }] : [];
    })
    .sort((x, y) => y.a.config.models - x.a.config.models || (x.a.date < y.a.date ? 1 : -1));
  const best = found[0];
  if (!best) return undefined;
  const original = best.a.rows.find((x) => x.method === 'original');
  return {
    dir: best.dir,
    date: best.a.date,
    models: best.a.config.models,
    epsilonLimit: best.a.epsilonLimit,
    forgetQuality: best.row.forgetQuality,
    finalScore: best.row.finalScore,
    attack: best.row.attack,
    ...(best.row.relearn ? { relearn: best.row.relearn } : {}),
    recipeMatches: best.row.recipe !== undefined && sameJson(best.row.recipe, c.unlearn) && sameJson(best.a.config.saliency, c.saliency),
    ...(original ? { original: { forgetQuality: original.forgetQuality, attackAuc: original.attack.auc } } : {}),
  };
}

function evidenceOf(r: RunRecord, workspace: string | undefined, problems: string[]): AuditReport['evidence'] {
  const notes: string[] = [];
  const v = unlearnedVerdict(r.rows);
  const axes = v ? verdictAxes(v) : undefined;
  if (!r.rows.some((x) => x.role === 'retrain')) notes.push('No Retrain in this run: no gap to exact unlearning (the verdict stands in for it).');
  const audit = matchingAudit(r, workspace, problems);
  if (!audit)
    notes.push(
      "No audit of this θo and forget set with this method: `salun audit` (or SalUn: Audit Unlearning) on the same data, model, training recipe, seed and scenario adds the challenge's forgetting quality and the per-example attack.",
    );
  else if (!audit.recipeMatches)
    notes.push(`The audit in ${audit.dir} ran the method at its default recipe, not this run's: its figures describe the method, not this recipe.`);
  return {
    rows: r.rows,
    ...(v && axes
      ? { verdict: { forgetting: axes.forgetting, utility: axes.utility, text: axesText(v), points: v.points, reason: verdictReason(v.figures, v.k) } }
      : {}),
    ...(audit ? { audit } : {}),
    notes,
  };
}

/** A path as the Markdown shows it: inside the run folder, `<workspace>/…`, or whole. */
export function displayPath(path: string, workspace: string | undefined, runDir: string): string {
  for (const root of [runDir, workspace]) {
    if (!root) continue;
    const rel = relative(root, path);
    if (rel && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)) return root === runDir ? rel : join('<workspace>', rel);
  }
  return path;
}

function entry(role: string, path: string): ManifestEntry {
  return { role, ...fileDigest(path) };
}

function manifestOf(r: RunRecord, workspace: string | undefined, before: BeforeFile[], after: ManifestEntry[]): ManifestEntry[] {
  const c = r.config ?? {};
  const record = ['config.json', 'status.json', 'report.json', 'metrics.jsonl']
    .filter((f) => existsSync(join(r.dir, f)))
    .map((f) => entry('run record', join(r.dir, f)));
  const forget = isRecord(c.forget) && c.forget.kind === 'indices' && isString(c.forget.file) ? resolve(workspace ?? r.dir, c.forget.file) : undefined;
  return [
    ...(forget ? [entry('deletion request (forget indices)', forget)] : []),
    ...before.map((b) => entry('model before (θo)', b.path)),
    ...after,
    ...record,
  ];
}

/** The report of a finished or stopped run; a UserError for a run without a model of its own. */
export function buildAuditReport(runDir: string, now = new Date()): AuditReport {
  const r = readRunRecord(runDir);
  const state = r.status?.state ?? 'unknown';
  if (state !== 'finished' && state !== 'stopped')
    throw new UserError(
      `run ${r.runId} is ${state}: an audit report is of a run that ended with its unlearned model`,
      state === 'running' ? 'Wait for it to finish (or Stop and Keep it), then export.' : 'Pick a finished run (salun runs lists them), or re-run this one.',
      runDir,
    );
  if (!runHasModel(runDir))
    throw new UserError(`run ${r.runId} has no model folder (${join(runDir, 'model')})`, 'Re-run it to get its unlearned model.', runDir);
  const workspace = workspaceOfRunDir(runDir);
  const problems = [...r.problems];
  const c = r.config ?? {};
  const before = modelBefore(r, problems);
  const after = filesUnder(join(runDir, 'model')).map((f) => entry('model after (θu)', f));
  const res = r.resolved;
  return {
    format: AUDIT_REPORT_FORMAT,
    version: 1,
    createdAt: now.toISOString(),
    run: {
      id: r.runId,
      dir: r.dir,
      state,
      ...(r.status?.startedAt ? { startedAt: r.status.startedAt } : {}),
      ...(r.status?.endedAt ? { endedAt: r.status.endedAt } : {}),
    },
    request: {
      ...(forgetOfRecord(c) ? { forgetSet: forgetOfRecord(c) } : {}),
      ...(c.forget !== undefined ? { spec: c.forget } : {}),
      ...(res.forgetSize !== undefined ? { size: res.forgetSize } : {}),
      ...(res.retainSize !== undefined ? { retainSize: res.retainSize } : {}),
      ...(res.forgetHash ? { fingerprint: res.forgetHash } : {}),
      ...(c.data !== undefined ? { data: c.data } : {}),
      ...(res.dataFingerprint ? { dataFingerprint: res.dataFingerprint } : {}),
    },
    modelBefore: before,
    modelAfter: { files: after },
    method: methodOf(c, state),
    evidence: evidenceOf(r, workspace, problems),
    environment: {
      versions: r.versions,
      ...(res.backend ? { backend: res.backend } : {}),
      ...(isRecord(c.resolved) && c.resolved.machine !== undefined ? { machine: c.resolved.machine } : {}),
    },
    manifest: manifestOf(r, workspace, before.files, after),
    problems,
  };
}

function methodOf(c: Record<string, unknown>, state: string): AuditReport['method'] {
  const name = isString(c.method) ? c.method : undefined;
  return {
    ...(name ? { name, label: methodDisplayName(name) } : {}),
    ...(c.unlearn !== undefined ? { unlearn: c.unlearn } : {}),
    ...(c.saliency !== undefined ? { saliency: c.saliency } : {}),
    ...(c.methodOptions !== undefined ? { methodOptions: c.methodOptions } : {}),
    ...(isFiniteNumber(c.seed) ? { seed: c.seed } : {}),
    ...(c.train !== undefined ? { train: c.train } : {}),
    stopped: state === 'stopped',
  };
}
