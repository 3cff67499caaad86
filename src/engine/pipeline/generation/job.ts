// A generation unlearning job (docs/method.md, "SalUn for generation"): θo's class-conditional
// DDPM (trained and cached, or a shipped file), a judge classifier (cached like θo), the saliency
// of the diffusion loss on the forgotten class, then each method from θo with sample grids along
// the way, UA / retained accuracy / FID-classifier for every model, and a run folder with all of it.
import { join } from 'node:path';
import type { GenerationConfig } from '../../../protocol/generationConfig';
import { generationFacet, type GenerationMethodName } from '../../../protocol/genMethods';
import type { GenerationRun } from './run';
import { GENERATION_METHOD_LABELS } from '../../../protocol/generationConfig';
import type { BackendInfo, GenerationMetricsRow, RunResult } from '../../../protocol/results';
import { writeJsonAtomic } from '../../../store/runs/atomic';
import { RunFolder } from '../../../store/runs/runFolder';
import { selectBackend } from '../../backend/select';
import type { ImageSet } from '../../data/dataset';
import { evaluateGeneration, type GenerationReference } from '../../generation/evaluateGeneration';
import { imageShapeOf } from '../../generation/generateSamples';
import { unetNumClasses } from '../../generation/unet';
import { saveModel } from '../../models/io';
import { PhaseProgress } from '../../progress';
import { UserError } from '../../../store/errors';
import { classRows, loadGenerationData } from './data';
import { writeStageGrid, type GridLayout } from './grids';
import { judgeClassifier } from './judge';
import { cachedDdpm, ddpmFromFile, type GenerationModel } from './model';
import { generationReport } from './report';
import { runGenerationMethod, generationSaliency } from './method';
import { runGuarded } from '../shared/guard';
import type { JobContext } from '../shared/jobContext';
import { versions } from '../shared/versions';

/** Samples and scores one model; writes its final grid; emits and returns its table row. */
async function evaluateStage(
  run: GenerationRun,
  model: GenerationModel['model'],
  stage: string,
  label: string,
  seconds: number | undefined,
  reference: Omit<GenerationReference, 'realTest'>,
): Promise<{ row: GenerationMetricsRow; samples: ImageSet }> {
  const { config, ctx } = run;
  const s = config.sampling;
  ctx.emit({ type: 'phase', phase: 'sample', label: `${label}: ${s.samplesPerClass} images per class, ${s.ddimSteps} DDIM steps` });
  let progress = new PhaseProgress(ctx.emit, 'sample', 1);
  let phase: 'sampling' | 'scoring' = 'sampling';
  const e = await evaluateGeneration({
    model,
    classifier: run.judge,
    forgetClass: config.forgetClass,
    classes: run.classes,
    samplesPerClass: s.samplesPerClass,
    ddimSteps: s.ddimSteps,
    guidance: s.guidance,
    seed: config.seed,
    reference: { realTest: run.data.test, ...reference },
    signal: ctx.signal,
    onProgress: (p) => {
      if (p.phase !== phase || progress.total !== p.total) {
        if (p.phase === 'scoring' && phase === 'sampling') ctx.emit({ type: 'phase', phase: 'evaluate', label: `${label}: UA, accuracy, FID-classifier` });
        phase = p.phase;
        progress = new PhaseProgress(ctx.emit, p.phase === 'sampling' ? 'sample' : 'evaluate', p.total);
      }
      progress.update(p.done);
    },
  });
  writeStageGrid(run.folder, ctx, e.samples, s.samplesPerClass, run.layout, { stage, label });
  const f = e.fidClassifier;
  const row: GenerationMetricsRow = {
    label,
    method: stage,
    ua: e.ua,
    retainedAccuracy: e.retainedAccuracy.mean,
    fidClassifier: {
      ...(f.realTest !== undefined ? { realTest: f.realTest } : {}),
      ...(f.theta0 !== undefined ? { theta0: f.theta0 } : {}),
      ...(f.retrain !== undefined ? { retrain: f.retrain } : {}),
    },
    ...(seconds !== undefined ? { seconds } : {}),
  };
  ctx.emit({ type: 'generationMetrics', row });
  ctx.emit({
    type: 'log',
    level: 'info',
    message: `${label}: UA ${e.ua.toFixed(1)}%, retained accuracy ${row.retainedAccuracy.toFixed(1)}% (${e.retainedAccuracy.perClass.map((p) => `${p.class}: ${p.accuracy.toFixed(0)}`).join(', ')}), FID-classifier vs test ${f.realTest?.toFixed(2) ?? '—'} (${f.samples} images, ${f.featureDim} features); sampling ${e.seconds.sampling.toFixed(1)} s`,
  });
  return { row, samples: e.samples };
}

async function originalModel(run: Pick<GenerationRun, 'config' | 'ctx' | 'data' | 'dataKey'>): Promise<GenerationModel> {
  const o = run.config.original;
  const m =
    o.kind === 'file'
      ? await ddpmFromFile(o.path, o.sha256, run.ctx)
      : await cachedDdpm(
          { role: 'original', set: run.data.train, rows: Int32Array.from(run.data.train.labels.keys()), config: run.config, dataKey: run.dataKey },
          run.ctx,
          'θo (DDPM)',
        );
  const [h, w, c] = imageShapeOf(m.model);
  const t = run.data.train;
  if (h !== t.height || w !== t.width || c !== t.channels || unetNumClasses(m.model) !== t.numClasses) {
    m.model.dispose();
    throw new UserError(
      `θo generates ${h}×${w}×${c} images of ${unetNumClasses(m.model)} classes, but the data (after ${run.config.downsample}× pooling) is ${t.height}×${t.width}×${t.channels} with ${t.numClasses} classes.`,
      'Use the downsample factor and data θo was trained with, or train θo for this data (original: {"kind": "train"}).',
    );
  }
  return m;
}

async function setUp(
  config: GenerationConfig,
  ctx: JobContext,
  folder: RunFolder,
): Promise<{ run: GenerationRun; backend: BackendInfo; original: GenerationModel }> {
  const backend = await selectBackend(config.backend);
  ctx.emit({ type: 'started', kind: 'generation', runId: folder.runId, runDir: folder.dir, backend });
  const { data, dataKey } = await loadGenerationData(config, ctx);
  const rows = classRows(data.train, config.forgetClass);
  const k = data.train.numClasses;
  const classNames = Array.from({ length: k }, (_, i) => data.classNames?.[i] ?? `class ${i}`);
  ctx.emit({
    type: 'log',
    level: 'info',
    message: `data: ${data.train.n} train / ${data.test.n} test images, ${data.train.height}×${data.train.width}×${data.train.channels} (${data.train.source}), ${k} classes; forget class ${config.forgetClass} (${classNames[config.forgetClass]}): ${rows.forget.length} images, retain ${rows.retain.length}`,
  });
  // θo before the judge: a shipped θo that is missing or damaged fails at once, not after the judge's
  // minutes of training, and the job says early that it read θo rather than training it.
  const original = await originalModel({ config, ctx, data, dataKey });
  let judge: Awaited<ReturnType<typeof judgeClassifier>>;
  try {
    judge = await judgeClassifier(config, data, dataKey, ctx);
  } catch (e) {
    original.model.dispose();
    throw e;
  }
  const layout: GridLayout = { classNames, forgetClass: config.forgetClass, columns: config.sampling.gridColumns, seed: config.seed };
  return {
    run: {
      config,
      ctx,
      folder,
      data,
      dataKey,
      rows,
      judge: judge.clf,
      judgeTestAccuracy: judge.testAccuracy,
      layout,
      classes: Array.from({ length: k }, (_, i) => i),
    },
    backend,
    original,
  };
}

export function runGenerationJob(config: GenerationConfig, ctx: JobContext): Promise<RunResult> {
  const folder = RunFolder.create(ctx.workspaceDir, `gen-forget${config.forgetClass}`);
  return runGuarded(folder, ctx, async () => {
    const t0 = Date.now();
    // The versions from the start: a run cancelled or failed while setting up still says what made it.
    folder.writeConfig({ ...config, kind: 'generation', versions: versions() });
    const { run, backend, original } = await setUp(config, ctx, folder);
    const resolved = {
      backend,
      train: { n: run.data.train.n },
      test: { n: run.data.test.n },
      forgetSize: run.rows.forget.length,
      retainSize: run.rows.retain.length,
      images: run.data.train.source,
    };
    folder.writeConfig({ ...config, kind: 'generation', resolved, versions: versions() });
    const rows: GenerationMetricsRow[] = [];
    try {
      const o = await evaluateStage(run, original.model, 'original', GENERATION_METHOD_LABELS.original, original.seconds || undefined, {});
      rows.push(o.row);
      let retrainSamples: ImageSet | undefined;
      if (config.retrain) {
        const r = await cachedDdpm({ role: 'retrain', set: run.data.train, rows: run.rows.retain, config, dataKey: run.dataKey }, ctx, 'Retrain (DDPM on Dr)');
        try {
          const e = await evaluateStage(run, r.model, 'retrain', GENERATION_METHOD_LABELS.retrain, r.seconds, { theta0Samples: o.samples });
          rows.push(e.row);
          retrainSamples = e.samples;
        } finally {
          r.model.dispose();
        }
      }
      const mask = config.methods.some((m) => generationFacet(m).usesMask) ? await generationSaliency(run, original.model) : undefined;
      for (const method of config.methods) {
        rows.push(await runMethodStage(run, method, original.model, mask, { theta0Samples: o.samples, ...(retrainSamples ? { retrainSamples } : {}) }));
      }
    } finally {
      original.model.dispose();
    }
    ctx.emit({ type: 'phase', phase: 'write', label: 'Writing the run folder' });
    const wallSeconds = (Date.now() - t0) / 1000;
    writeJsonAtomic(folder.path('generation-metrics.json'), {
      rows,
      judgeTestAccuracy: run.judgeTestAccuracy,
      backend,
      wallSeconds,
      date: new Date().toISOString(),
    });
    folder.writeReport([], generationReport(config, run, rows, backend, wallSeconds));
    return { runId: folder.runId, runDir: folder.dir, backend, rows: [], report: folder.path('report.md') };
  });
}

async function runMethodStage(
  run: GenerationRun,
  method: GenerationMethodName,
  original: GenerationModel['model'],
  mask: Uint8Array[] | undefined,
  reference: Omit<GenerationReference, 'realTest'>,
): Promise<GenerationMetricsRow> {
  const { model, seconds } = await runGenerationMethod(run, method, original, generationFacet(method).usesMask ? mask : undefined);
  try {
    const e = await evaluateStage(run, model, method, GENERATION_METHOD_LABELS[method], seconds, reference);
    await saveModel(model, join(run.folder.dir, 'model', method));
    return e.row;
  } finally {
    model.dispose();
  }
}
