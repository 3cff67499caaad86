// audit.md: the audit report (auditReport.ts) as a reviewer reads it. Everything in it is in
// audit.json; this file only words it.
import { isFiniteNumber, isRecord, isString } from '../../protocol/guards';
import { alignFrom, markdownTable } from '../../protocol/tableText';
import { isFileDigest } from './fileDigest';
import { modelsMarkdown } from '../metrics/table';
import { recipeOf } from './runReport';
import { displayPath, workspaceOfRunDir, type AuditReport, type BeforeFile, type ManifestEntry } from './auditReport';

const short = (sha: string): string => `\`${sha}\``;

function json(x: unknown): string {
  return `\`${JSON.stringify(x)}\``;
}

function recipeText(r: unknown): string {
  return recipeOf(r) ?? json(r);
}

const NOW_WORDS: Record<BeforeFile['now'], string> = {
  unchanged: 'unchanged',
  changed: '**changed since the run**',
  missing: '**missing now**',
  unreadable: '**unreadable now**',
};

function requestSection(r: AuditReport): string[] {
  const q = r.request;
  return [
    '## The request',
    '',
    `- Forget set: ${q.forgetSet ?? 'not recorded'}${q.size !== undefined ? `: ${q.size} samples forgotten, ${q.retainSize ?? '?'} retained` : ''}`,
    `- Forget-set fingerprint: ${q.fingerprint ? `\`${q.fingerprint}\` (the first 16 hex digits of the sha256 of the forgotten rows' indices, ascending, as little-endian int32)` : 'not recorded'}`,
    `- Data: ${q.data !== undefined ? json(q.data) : 'not recorded'}${q.dataFingerprint ? `; fingerprint \`${q.dataFingerprint}\`` : ''}`,
    '',
  ];
}

function beforeSection(r: AuditReport, ws: string | undefined): string[] {
  const b = r.modelBefore;
  const from =
    b.from === 'cache' ? 'read from the model cache' : b.from === 'trained' ? 'trained for this run' : b.from === 'file' ? 'your model file' : 'not recorded';
  const out = ['## The model before (θo)', '', `- Model: ${b.spec !== undefined ? json(b.spec) : 'not recorded'}; ${from}`, ''];
  if (b.note) out.push(b.note, '');
  if (b.files.length)
    out.push(
      markdownTable(
        [
          ['File', 'Bytes', 'sha256 when the run read it', 'Now'],
          ...b.files.map((f) => [
            `\`${displayPath(f.path, ws, r.run.dir)}\``,
            String(f.atRun.bytes),
            short(f.atRun.sha256),
            `${NOW_WORDS[f.now]}${f.sha256Now ? ` (${short(f.sha256Now)})` : ''}`,
          ]),
        ],
        alignFrom(4, 1),
      ),
      '',
    );
  return out;
}

function afterSection(r: AuditReport): string[] {
  const files = r.modelAfter.files;
  return [
    '## The model after (θu)',
    '',
    markdownTable([['File', 'Bytes', 'sha256'], ...files.map((f) => [`\`${displayPath(f.path, undefined, r.run.dir)}\``, ...digestCells(f)])], alignFrom(3, 1)),
    '',
  ];
}

function digestCells(f: ManifestEntry): string[] {
  return isFileDigest(f) ? [String(f.bytes), short(f.sha256)] : ['—', `**${f.problem}**`];
}

function methodSection(r: AuditReport): string[] {
  const m = r.method;
  return [
    '## Method and recipe',
    '',
    `- Method: ${m.label ?? 'not recorded'}${m.name ? ` (\`${m.name}\`)` : ''}${m.stopped ? '; **stopped by the user** (the model after the last epoch done)' : ''}`,
    `- Unlearning recipe: ${m.unlearn !== undefined ? recipeText(m.unlearn) : 'not recorded'}`,
    ...(m.saliency !== undefined ? [`- Saliency: ${json(m.saliency)}`] : []),
    ...(m.methodOptions !== undefined ? [`- Method options: ${json(m.methodOptions)}`] : []),
    ...(m.seed !== undefined ? [`- Seed: ${m.seed}`] : []),
    ...(m.train !== undefined ? [`- θo and Retrain training recipe: ${recipeText(m.train)}`] : []),
    '',
  ];
}

function auditLines(r: AuditReport): string[] {
  const a = r.evidence.audit;
  if (!a) return [];
  const relearn = a.relearn
    ? `; relearning: ${a.relearn.steps === null ? `not back to θo's ${a.relearn.target.toFixed(1)}% within the budget (${a.relearn.endAccuracy.toFixed(1)}%)` : `${a.relearn.steps} steps back to θo's ${a.relearn.target.toFixed(1)}%`}`
    : '';
  return [
    `- Forgetting quality (the unlearning challenge's F, N = ${a.models} models each, ε capped at ${a.epsilonLimit}): **F = ${a.forgetQuality.toFixed(3)}**, final score ${a.finalScore.toFixed(3)}${a.original ? ` (θo copies: F = ${a.original.forgetQuality.toFixed(3)})` : ''}`,
    `- Per-example likelihood-ratio attack against N Retrain models: AUC ${a.attack.auc.toFixed(3)}, TPR at 1% FPR ${a.attack.tprAt1Fpr.toFixed(1)}%${a.original ? ` (θo: AUC ${a.original.attackAuc.toFixed(3)})` : ''}${relearn}`,
    `- From the audit in \`${a.dir}\` (${a.date}), ${a.recipeMatches ? "which ran this run's recipe" : "which ran the method at its default recipe, not this run's"}`,
  ];
}

function evidenceSection(r: AuditReport): string[] {
  const e = r.evidence;
  const out = ['## Evidence', ''];
  if (e.rows.length)
    out.push(modelsMarkdown(e.rows), '', 'UA, RA, TA, MIA in %; Avg. Gap = mean |metric − Retrain| (smaller is closer to exact unlearning).', '');
  if (e.verdict) out.push(`- Retrain-free verdict: ${e.verdict.text}; score ${e.verdict.points.toFixed(2)} points (${e.verdict.reason})`);
  out.push(...auditLines(r), ...e.notes.map((n) => `- ${n}`), '');
  return out;
}

function environmentSection(r: AuditReport): string[] {
  const env = r.environment;
  const v = Object.entries(env.versions)
    .map(([k, x]) => `${k} ${x}`)
    .join(', ');
  const m =
    isRecord(env.machine) && isString(env.machine.cpu)
      ? `${env.machine.cpu}${isFiniteNumber(env.machine.cores) ? `, ${env.machine.cores} cores` : ''}`
      : 'not recorded';
  return [
    '## Environment',
    '',
    `- Versions: ${v || 'not recorded'}`,
    `- Backend: ${env.backend ? `${env.backend.name}${env.backend.detail ? ` (${env.backend.detail})` : ''}` : 'not recorded'}`,
    `- Machine: ${m}`,
    '',
  ];
}

function manifestSection(r: AuditReport, ws: string | undefined): string[] {
  return [
    '## Manifest',
    '',
    markdownTable(
      [['Role', 'File', 'Bytes', 'sha256 now'], ...r.manifest.map((f) => [f.role, `\`${displayPath(f.path, ws, r.run.dir)}\``, ...digestCells(f)])],
      alignFrom(4, 2),
    ),
    '',
    "SHA256SUMS beside this file lists these files (by their path from the report folder) and this report's audit.json and audit.md: `sha256sum -c SHA256SUMS` in the report folder, on the machine that holds the run, checks every one.",
    '',
  ];
}

export function auditReportMarkdown(r: AuditReport): string {
  const ws = workspaceOfRunDir(r.run.dir);
  const out = [
    `# SalUn Lab audit report: ${r.method.label ?? 'run'} on run ${r.run.id}`,
    '',
    `Run \`${r.run.dir}\`, ${r.run.state}${r.run.startedAt ? `, ${r.run.startedAt} → ${r.run.endedAt ?? '(not ended)'}` : ''}. Report created ${r.createdAt}.`,
    '',
    ...requestSection(r),
    ...beforeSection(r, ws),
    ...afterSection(r),
    ...methodSection(r),
    ...evidenceSection(r),
    ...environmentSection(r),
    ...manifestSection(r, ws),
  ];
  if (r.problems.length) out.push('## Unreadable files', '', ...r.problems.map((p) => `- ${p}`), '');
  return `${out.join('\n').trimEnd()}\n`;
}
