// The audit (`salun audit`; protocol/audit.ts says what it measures): θo and the forget set of one
// seed, N Retrain models and N runs of each method, every model reduced to what the evidence needs
// (the logit-scaled confidence of each forget example, UA, RA, TA) and written as it finishes under
// models/ in the audit folder. The folder is named by the config, so running the same audit again
// after a crash, a cancel or a closed window reads the models it has (each checked against the
// forget set's fingerprint; a damaged one is recomputed alone) and trains only the rest. The
// Retrain models come from the model cache too. Each model is its own step, so a cluster can run
// them as independent tasks.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditMethodRecipe, type AuditConfig, type AuditResult, type AuditRow, type RelearnFigures } from '../../../protocol/audit';
import { methodLabel } from '../../../protocol/methods';
import type { MethodName } from '../../../protocol/config';
import { modelText } from '../../../protocol/modelSources';
import { isFiniteNumber, isRecord } from '../../../protocol/guards';
import { markdownTable } from '../../../protocol/tableText';
import { writeFileAtomic, writeJsonAtomic } from '../../../store/runs/atomic';
import { accuracyPercent, forEachLogProbBatch, predictPerSample } from '../../metrics/evaluate';
import { challengeScore, EPSILON_CAP, forgetQuality, logitScaledConfidence } from '../../metrics/forgetQuality';
import { perExampleAttack } from '../../metrics/lira';
import { relearnSplit, relearnSteps } from '../../metrics/relearn';
import { classifierOf, type Classifier } from '../../models/io';
import type { JobContext } from '../shared/jobContext';
import { applyMethod, retrainReference, type MethodSpec } from './methodStep';
import { configHash, prepare, splitHash, type Prepared } from './prepare';
import { scenarioLabel, startStudy, studyModelLabel, studyPrepareConfig } from './tableJob';

/** What one model contributes to the audit. */
interface ModelOutputs {
  /** The forget set's fingerprint the confidences belong to. */
  split: string;
  /** Logit-scaled confidence of every forget example, in the forget set's order. */
  conf: number[];
  ua: number;
  ra: number;
  ta: number;
  seconds: number;
}

/**
 * <workspace>/.salun/audits/<scenario>-<model>-<hash>/: the hash is of what the models depend on (data,
 * θo, forget set, recipes, relearning test), not of the method list or N, whose models are files of
 * their own (<method>-<k>.json), so the same audit resumes, another method joins the folder, and a
 * larger N reads the first models back.
 */
export function defaultAuditDir(workspaceDir: string, config: AuditConfig): string {
  const s = config.scenario;
  const forgets = s.kind === 'random' ? `random${Math.round(s.fraction * 100)}` : s.kind === 'class' ? `class${s.classIndex}` : 'indices';
  const label = `${forgets}-${studyModelLabel(config.model)}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const { backend: _b, workers: _w, methods: _m, models: _n, only: _o, ...what } = config;
  return join(workspaceDir, '.salun', 'audits', `${label}-${configHash({ what: 'audit', v: 1, ...what }).slice(0, 12)}`);
}

async function modelOutputs(clf: Classifier, p: Prepared, seconds: number, signal?: AbortSignal): Promise<ModelOutputs> {
  const conf: number[] = [];
  let correct = 0;
  await forEachLogProbBatch(
    clf,
    p.data.train,
    p.split.forget,
    (lp) => [lp],
    ([lp], _from, labels) => {
      const classes = lp.length / labels.length;
      labels.forEach((y, i) => {
        const row = lp.subarray(i * classes, (i + 1) * classes);
        conf.push(logitScaledConfidence(row, y));
        if (row.indexOf(Math.max(...row)) === y) correct++;
      });
    },
    signal,
  );
  const ra = accuracyPercent((await predictPerSample(clf, p.data.train, p.split.retain, signal)).correct);
  const ta = accuracyPercent((await predictPerSample(clf, p.data.test, p.testIndices, signal)).correct);
  return { split: splitHash(p.split), conf, ua: 100 - (100 * correct) / Math.max(1, conf.length), ra, ta, seconds };
}

/** A model file read back, or undefined when it is missing, damaged or of another forget set (then it is recomputed). */
function readOutputs(path: string, p: Prepared, ctx: JobContext): ModelOutputs | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const ok =
      isRecord(v) &&
      v.split === splitHash(p.split) &&
      Array.isArray(v.conf) &&
      v.conf.length === p.split.forget.length &&
      v.conf.every(isFiniteNumber) &&
      [v.ua, v.ra, v.ta, v.seconds].every(isFiniteNumber);
    if (ok) return v as unknown as ModelOutputs;
  } catch {
    // Damaged: said below, recomputed.
  }
  ctx.emit({ type: 'log', level: 'warn', message: `${path} is damaged or belongs to another forget set: computing that model again` });
  return undefined;
}

/** The relearning figures kept beside the models, or undefined. */
function readRelearn(path: string): RelearnFigures | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (isRecord(v) && (v.steps === null || isFiniteNumber(v.steps)) && [v.startAccuracy, v.endAccuracy, v.target, v.seconds].every(isFiniteNumber))
      return v as unknown as RelearnFigures;
  } catch {
    // Recomputed.
  }
  return undefined;
}

interface Audit {
  config: AuditConfig;
  ctx: JobContext;
  outDir: string;
  p: Prepared;
  split: { train: Int32Array; held: Int32Array };
  target: number;
  resumed: number;
}

/** N models of one kind: each read back or made by `make` (which returns the model and its seconds), the first one relearnt. */
async function models(
  a: Audit,
  name: string,
  label: string,
  make: (k: number, ctx: JobContext) => Promise<{ clf: Classifier; seconds: number }>,
): Promise<{ outputs: ModelOutputs[]; relearn?: RelearnFigures }> {
  const { config, ctx, outDir, p } = a;
  const outputs: ModelOutputs[] = [];
  const relearnPath = join(outDir, 'models', `relearn-${name}.json`);
  let relearn = readRelearn(relearnPath);
  for (let k = 0; k < config.models; k++) {
    // One cluster task computes only the models it was given.
    if (config.only && !config.only.some((m) => m.kind === name && m.index === k + 1)) continue;
    const path = join(outDir, 'models', `${name}-${k + 1}.json`);
    const kept = readOutputs(path, p, ctx);
    if (kept && (k > 0 || relearn)) {
      outputs.push(kept);
      a.resumed++;
      continue;
    }
    const tagged: JobContext = { ...ctx, emit: (e) => ctx.emit(e.type === 'phase' ? { ...e, label: `[${label} ${k + 1}/${config.models}] ${e.label}` } : e) };
    const { clf, seconds } = await make(k, tagged);
    try {
      tagged.emit({ type: 'phase', phase: 'evaluate', label: `Evaluating ${label} ${k + 1}` });
      const out = kept ?? (await modelOutputs(clf, p, seconds, ctx.signal));
      writeJsonAtomic(path, out);
      outputs.push(out);
      if (k === 0 && !relearn) {
        tagged.emit({ type: 'phase', phase: 'evaluate', label: `Relearning test on ${label} 1` });
        relearn = await relearnSteps(clf, p.data.train, a.split, a.target, { ...config.relearn, seed: config.seed, signal: ctx.signal });
        writeJsonAtomic(relearnPath, relearn);
      }
    } finally {
      clf.model.dispose();
    }
  }
  return { outputs, ...(relearn ? { relearn } : {}) };
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const matrix = (outs: readonly ModelOutputs[]): Float64Array[] => outs.map((o) => Float64Array.from(o.conf));

function auditRow(method: string, outs: ModelOutputs[], retrain: ModelOutputs[], relearn?: RelearnFigures): AuditRow {
  const fq = forgetQuality(matrix(outs), matrix(retrain));
  const attack = perExampleAttack(matrix(outs), matrix(retrain));
  const ra = mean(outs.map((o) => o.ra));
  const ta = mean(outs.map((o) => o.ta));
  return {
    method,
    label: method === 'original' ? 'Original' : methodLabel(method),
    forgetQuality: fq.score,
    finalScore: challengeScore(fq.score, {
      unlearnedRa: ra,
      retrainRa: mean(retrain.map((o) => o.ra)),
      unlearnedTa: ta,
      retrainTa: mean(retrain.map((o) => o.ta)),
    }),
    ua: mean(outs.map((o) => o.ua)),
    ra,
    ta,
    attack: { auc: attack.auc, tprAt1Fpr: attack.tprAt1Fpr },
    ...(relearn ? { relearn } : {}),
    seconds: outs.reduce((s, o) => s + o.seconds, 0),
    epsilonAtCap: fq.epsilons.reduce((n, e) => n + (e === EPSILON_CAP ? 1 : 0), 0),
  };
}

function retrainModels(a: Audit): ReturnType<typeof models> {
  const { config, p } = a;
  return models(a, 'retrain', 'Retrain', async (k, mctx) => {
    const r = await retrainReference({ model: config.model, train: config.train, seed: config.seed + k }, p, mctx);
    return { clf: classifierOf(r.model), seconds: r.seconds };
  });
}

function methodModels(a: Audit, method: MethodName): ReturnType<typeof models> {
  const { config, p, outDir } = a;
  const spec = (k: number): MethodSpec => ({ ...auditMethodRecipe(config, method), method, saliency: config.saliency, seed: config.seed + k });
  return models(a, method, methodLabel(method), async (k, mctx) => {
    const out = await applyMethod(p, spec(k), mctx, { path: (...parts: string[]): string => join(outDir, 'work', `${method}-${k + 1}`, ...parts) });
    return { clf: out.theta, seconds: out.seconds };
  });
}

/** What a task of `only` models reports: where it ran, no figures (audit.json is the whole audit's). */
function emptyResult(
  config: AuditConfig,
  backend: AuditResult['backend'],
  machine: AuditResult['machine'],
  date: string,
  outDir: string,
  p: Prepared,
): AuditResult {
  return {
    config,
    epsilonLimit: Math.ceil(Math.log(config.models - 1)),
    retrain: { ua: NaN, ra: NaN, ta: NaN, seconds: 0 },
    rows: [],
    forgetSize: p.split.forget.length,
    data: { source: p.data.train.source, train: p.data.train.n, test: p.data.test.n },
    backend,
    machine,
    date,
    wallSeconds: 0,
    outDir,
    resumed: 0,
  };
}

/** `config` as dispatch passes it: through parseAuditConfig (protocol/configKinds.ts). */
export async function runAuditJob(config: AuditConfig, ctx: JobContext, outDir: string): Promise<AuditResult> {
  const { t0, date, machine, backend } = await startStudy('audit', config, ctx, outDir);
  const p = await prepare(studyPrepareConfig(config, config.seed), ctx, backend);
  try {
    const split = relearnSplit(p.split.forget, config.relearn.share, config.seed);
    const target = accuracyPercent((await predictPerSample(p.original, p.data.train, split.held, ctx.signal)).correct);
    const a: Audit = { config, ctx, outDir, p, split, target, resumed: 0 };
    if (config.only) {
      // One cluster task: its models are written; the figures are the audit run's that reads them all.
      await retrainModels(a);
      for (const method of config.methods) await methodModels(a, method);
      return { ...emptyResult(config, backend, machine, date, outDir, p), wallSeconds: (Date.now() - t0) / 1000 };
    }
    ctx.emit({ type: 'phase', phase: 'evaluate', label: 'Evaluating Original' });
    const original = (await modelOutputs(p.original, p, p.originalSeconds, ctx.signal)) satisfies ModelOutputs;
    const retrain = await retrainModels(a);
    const copies = Array.from({ length: config.models }, () => original);
    const relearnNone = { steps: 0, startAccuracy: target, endAccuracy: target, target, seconds: 0 };
    // One θo, trained (or read from the cache) once: its time is counted once, not N times.
    const rows: AuditRow[] = [{ ...auditRow('original', copies, retrain.outputs, relearnNone), seconds: original.seconds }];
    for (const method of config.methods) {
      const done = await methodModels(a, method);
      rows.push({ ...auditRow(method, done.outputs, retrain.outputs, done.relearn), recipe: auditMethodRecipe(config, method).unlearn });
    }
    const result: AuditResult = {
      config,
      epsilonLimit: Math.ceil(Math.log(config.models - 1)),
      retrain: {
        ua: mean(retrain.outputs.map((o) => o.ua)),
        ra: mean(retrain.outputs.map((o) => o.ra)),
        ta: mean(retrain.outputs.map((o) => o.ta)),
        ...(retrain.relearn ? { relearn: retrain.relearn } : {}),
        seconds: retrain.outputs.reduce((s, o) => s + o.seconds, 0),
      },
      rows,
      forgetSize: p.split.forget.length,
      forgetHash: splitHash(p.split),
      dataFingerprint: p.dataFingerprint,
      data: { source: p.data.train.source, train: p.data.train.n, test: p.data.test.n },
      backend,
      machine,
      date,
      wallSeconds: (Date.now() - t0) / 1000,
      outDir,
      resumed: a.resumed,
    };
    ctx.emit({ type: 'phase', phase: 'write', label: 'Writing the audit' });
    writeJsonAtomic(join(outDir, 'audit.json'), result);
    writeFileAtomic(join(outDir, 'audit.md'), auditMarkdown(result));
    return result;
  } finally {
    p.original.model.dispose();
  }
}

/** The audit's table, one row per audited model kind (Retrain first, as the reference). */
export function auditTable(r: AuditResult): string[][] {
  const f = (x: number, d = 2): string => x.toFixed(d);
  const relearn = (x?: RelearnFigures): string => (!x ? '—' : x.steps === null ? `> ${r.config.relearn.maxSteps} (${f(x.endAccuracy, 1)}%)` : String(x.steps));
  return [
    ['Model', 'F', 'Final score', 'UA', 'RA', 'TA', 'Attack AUC', 'TPR @ 1% FPR', 'Relearn steps', 'Time (s)'],
    ['Retrain', '—', '—', f(r.retrain.ua), f(r.retrain.ra), f(r.retrain.ta), '—', '—', relearn(r.retrain.relearn), f(r.retrain.seconds, 1)],
    ...r.rows.map((row) => [
      row.label,
      f(row.forgetQuality, 3),
      f(row.finalScore, 3),
      f(row.ua),
      f(row.ra),
      f(row.ta),
      f(row.attack.auc, 3),
      f(row.attack.tprAt1Fpr, 1),
      relearn(row.relearn),
      f(row.seconds, 1),
    ]),
  ];
}

/** The lines above the table: what was audited, with which N and what that N allows. */
export function auditHeader(r: AuditResult): string[] {
  const c = r.config;
  return [
    `- Scenario: ${scenarioLabel(c)}; forget set ${r.forgetSize} rows; data ${r.data.source}, ${r.data.train} train / ${r.data.test} test; model ${modelText(c.model)}, seed ${c.seed}${c.runRecipe ? `; ${methodLabel(c.runRecipe.method)} at the run config's recipe` : ''}`,
    `- N = ${c.models} Retrain models and ${c.models} runs of each method (the challenge used 512); with N = ${c.models} an ε above ⌈ln(N − 1)⌉ = ${r.epsilonLimit} scores 0, so F resolves ${r.epsilonLimit * 2} buckets`,
    `- Relearning: fine-tune on ${Math.round(c.relearn.share * 100)}% of the forget set (lr ${c.relearn.lr}, batch ${c.relearn.batchSize}), steps until the other ${100 - Math.round(c.relearn.share * 100)}% is as accurate as under θo (${r.rows[0]?.relearn?.target.toFixed(1) ?? '—'}%), at most ${c.relearn.maxSteps}`,
    `- Backend ${r.backend.name}; ${r.machine.cpu}, ${r.machine.cores} cores; Node ${r.machine.node}, tfjs ${r.machine.tfjs}; ${r.date}; wall time ${r.wallSeconds.toFixed(1)} s${r.resumed ? ` (${r.resumed} models read back from an earlier run of this audit)` : ''}`,
  ];
}

function auditMarkdown(r: AuditResult): string {
  return [
    `# SalUn Lab audit: ${scenarioLabel(r.config)}, ${studyModelLabel(r.config.model)}`,
    '',
    ...auditHeader(r),
    '',
    markdownTable(auditTable(r)),
    '',
    "F: the unlearning challenge's forgetting quality (per forget example ε of the best threshold test between the N unlearned and N Retrain models' confidences, scored 2^−⌊ε/0.5⌋, averaged); 1 would be indistinguishable from Retrain at every example, and two samples from one distribution score about 0.19 under this metric's many tests. Original is N copies of θo: a constant model, ε at the cap. Final score: F × RA/RA(Retrain) × TA/TA(Retrain). Attack: per-example likelihood ratio between the method's N confidences and Retrain's (a Gaussian each, the scored model left out of its own); AUC 0.5 is a coin flip, either direction of difference raises it. Relearn steps: SGD steps on part of the forget set until the rest is as accurate as under θo; '> max (x%)' gives the accuracy the budget reached, to read beside Retrain's. Time: training (Retrain; θo once) or saliency and unlearning (the methods), summed over the N models, evaluation excluded.",
    '',
  ].join('\n');
}
