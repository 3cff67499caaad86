// A full unlearning run: θo, Retrain, saliency, the method with per-epoch evaluation, the
// comparison table, and a run folder that holds all of it.
import { withWeightSnapshot } from '../../models/weightReads';
import { dataText } from '../../../protocol/dataFormats';
import { join } from 'node:path';
import type { RunConfig } from '../../../protocol/config';
import type { EvaluatedModel, Metrics, RunResult, RunVerdict, SaliencySummary } from '../../../protocol/results';
import { classifierOf, saveModel, type Classifier } from '../../models/io';
import { tf } from '../../tf';
import { modelsMarkdown } from '../../../store/metrics/table';
import { withGaps } from '../../metrics/report';
import { RunFolder } from '../../../store/runs/runFolder';
import { describeForgetSpec, GAP_AND_TIME_NOTE, verdictSection } from '../../../store/runs/runReport';
import { verdictSummary } from '../../../protocol/verdictText';
import { modelVerdict, type OriginalAccuracies } from './verdictStep';
import { evaluateModel } from './evaluateModel';
import { applyMethod, retrainReference } from './methodStep';
import { prepare, splitHash, startBackend, type Prepared } from './prepare';
import type { JobContext } from '../shared/jobContext';
import { machineInfo, versions } from '../shared/versions';
import { fileDigest } from '../../../store/runs/fileDigest';
import { runGuarded } from '../shared/guard';
import { maskWarnings } from '../shared/saliencyWriter';
import { dataFitWarning } from './fitCheck';
import { backendMarkdownItems } from '../../../protocol/backendSummary';

export function runUnlearningJob(config: RunConfig, ctx: JobContext): Promise<RunResult> {
  const folder = RunFolder.create(ctx.workspaceDir, config.method);
  return runGuarded(
    folder,
    ctx,
    async () => {
      folder.writeConfig({ ...config, kind: 'run' });
      const backend = await startBackend(config, ctx);
      ctx.emit({ type: 'started', kind: 'run', runId: folder.runId, runDir: folder.dir, backend });
      const p = await prepare(config, ctx, backend);
      folder.writeConfig({ ...config, kind: 'run', resolved: resolvedInfo(p), versions: versions() });
      const run = new UnlearningRun(config, p, ctx, folder);
      const references = await run.evaluateReferences();
      const unlearned = await run.unlearn(references.original);
      return run.write(references, unlearned);
    },
    (result) => (result.stopped ? 'stopped' : 'finished'),
  );
}

/** θo and Retrain, measured before the method runs; `fit` warns that θo does not fit the data. */
interface References {
  original: Metrics;
  retrain?: Metrics;
  fit?: string;
}

interface Unlearned {
  theta: Classifier;
  saliency?: SaliencySummary;
  stopped?: RunResult['stopped'];
}

/** The steps of one run after `prepare`, sharing its folder and the rows of the models measured so far. */
class UnlearningRun {
  private readonly rows: EvaluatedModel[] = [];
  private readonly verdictProblems = new Set<string>();

  constructor(
    private readonly config: RunConfig,
    private readonly p: Prepared,
    private readonly ctx: JobContext,
    private readonly folder: RunFolder,
  ) {}

  // The verdict on each model, measured but never part of its metrics: a set too small to halve costs the verdict, not the run.
  private async verdictOn(clf: Classifier, label: string, original: OriginalAccuracies): Promise<RunVerdict | undefined> {
    const ctx = this.ctx;
    ctx.emit({ type: 'phase', phase: 'evaluate', label: `Retrain-free verdict on ${label}` });
    try {
      const v = await modelVerdict(clf, this.p, original, this.config.seed, ctx.signal);
      ctx.emit({ type: 'log', level: 'info', message: `${label}: Retrain-free verdict ${verdictSummary(v)} (${v.seconds.toFixed(1)} s)` });
      if (!v.miaConverged)
        ctx.emit({ type: 'log', level: 'warn', message: `${label}: the verdict's membership attack stopped at its iteration cap before converging` });
      return v;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      const why = e.message.replace(/^verdict: /, '');
      this.verdictProblems.add(`No Retrain-free verdict: ${why}`);
      ctx.emit({ type: 'log', level: 'warn', message: `${label}: no Retrain-free verdict: ${why}` });
      return undefined;
    }
  }

  private async evaluated(row: Omit<EvaluatedModel, 'metrics'>, clf = this.p.original, original?: OriginalAccuracies): Promise<Metrics> {
    this.ctx.emit({ type: 'phase', phase: 'evaluate', label: `Evaluating ${row.role}` });
    const metrics = await evaluateModel(clf, this.p, this.ctx.signal, this.ctx.emit, row.role);
    this.folder.appendMetrics(row.role, row.method, 0, metrics);
    const verdict = await this.verdictOn(clf, row.role, original ?? { retain: metrics.RA, test: metrics.TA });
    this.record({ ...row, metrics, ...(verdict ? { verdict } : {}) });
    return metrics;
  }

  private record(row: EvaluatedModel): void {
    this.rows.push(row);
    this.ctx.emit({ type: 'evaluated', row });
  }

  async evaluateReferences(): Promise<References> {
    const { config, p, ctx, folder } = this;
    if (p.originalCurve) folder.writeTrainingCurve('original', p.originalCurve);
    const original = await this.evaluated({ role: 'original', method: 'original', seconds: p.originalSeconds });
    let retrain: Metrics | undefined;
    if (config.retrain) {
      const r = await retrainReference(config, p, ctx);
      if (r.curve) folder.writeTrainingCurve('retrain', r.curve);
      retrain = await this.evaluated({ role: 'retrain', method: 'retrain', seconds: r.seconds }, classifierOf(r.model), {
        retain: original.RA,
        test: original.TA,
      });
      r.model.dispose();
    }
    const fit = dataFitWarning(original, retrain, config.data.normalize);
    if (fit) ctx.emit({ type: 'log', level: 'warn', message: fit });
    return { original, ...(retrain ? { retrain } : {}), ...(fit ? { fit } : {}) };
  }

  /** The method, measured after every epoch; θu is the model after the last epoch run (Stop and Keep ends early). */
  async unlearn(original: Metrics): Promise<Unlearned> {
    const { config, p, ctx, folder } = this;
    let last: Metrics | undefined;
    const { theta, seconds, saliency, epochsDone, epochs } = await applyMethod(p, config, ctx, folder, async (epoch, loss, clf) => {
      last = await evaluateModel(clf, p, ctx.signal, ctx.emit, `epoch ${epoch}`);
      const mem = tf.memory();
      folder.appendMetrics('unlearned', config.method, epoch, last, { loss, tensors: mem.numTensors });
      ctx.emit({
        type: 'log',
        level: 'info',
        message: `epoch ${epoch}: loss ${loss.toFixed(4)}, ${mem.numTensors} tensors, ${(mem.numBytes / 2 ** 20).toFixed(1)} MiB`,
      });
      ctx.emit({ type: 'metrics', role: 'unlearned', method: config.method, epoch, metrics: last });
    });
    const stopped = epochsDone < epochs ? { epoch: epochsDone, of: epochs } : undefined;
    if (stopped) ctx.emit({ type: 'log', level: 'info', message: `stopped on request after epoch ${stopped.epoch} of ${stopped.of}; keeping that model` });
    const finalMetrics = last ?? (await evaluateModel(theta, p, ctx.signal, ctx.emit, 'final'));
    const finalVerdict = await this.verdictOn(theta, 'unlearned', { retain: original.RA, test: original.TA });
    this.record({ role: 'unlearned', method: config.method, metrics: finalMetrics, seconds, ...(finalVerdict ? { verdict: finalVerdict } : {}) });
    return { theta, ...(saliency ? { saliency } : {}), ...(stopped ? { stopped } : {}) };
  }

  /** θu's model files, then the report of every row; θu is disposed here. */
  async write(references: References, { theta, saliency, stopped }: Unlearned): Promise<RunResult> {
    const { config, p, ctx, folder } = this;
    ctx.emit({ type: 'phase', phase: 'write', label: 'Writing the run folder' });
    const modelNotes: string[] = [];
    await saveModel(theta.model, join(folder.dir, 'model'), async (tmp) => {
      // One asynchronous read of every weight, then the writers work on plain arrays (webgpu cannot read synchronously).
      modelNotes.push(...(await withWeightSnapshot(theta.model, () => p.writeModel(theta.model, tmp))));
      for (const note of modelNotes) ctx.emit({ type: 'log', level: 'warn', message: note });
    });
    theta.model.dispose();
    const table = withGaps(this.rows);
    // What model/ lacks (no safetensors for a tfjs model, say) stays in the report, not only the log.
    const warnings = [...maskWarnings(saliency), ...(references.fit ? [references.fit] : []), ...this.verdictProblems, ...modelNotes];
    folder.writeReport(table, reportMarkdown(config, p, table, saliency, references.retrain !== undefined, stopped, warnings));
    return {
      runId: folder.runId,
      runDir: folder.dir,
      backend: p.backend,
      rows: table,
      saliency,
      report: folder.path('report.md'),
      ...(stopped ? { stopped } : {}),
      ...(warnings.length ? { warnings } : {}),
    };
  }
}

function resolvedInfo(p: Prepared): Record<string, unknown> {
  return {
    backend: p.backend,
    dataFingerprint: p.dataFingerprint,
    train: { n: p.data.train.n, source: p.data.train.source },
    test: { n: p.data.test.n, usedForTA: p.testIndices.length },
    forgetSize: p.split.forget.length,
    retainSize: p.split.retain.length,
    forgetHash: splitHash(p.split),
    originalModel: p.originalFrom,
    // The model before, as the files were when the run read them: an audit report compares them with what is there later.
    originalFiles: p.originalFiles.map(fileDigest),
    machine: machineInfo(),
  };
}

function reportMarkdown(
  config: RunConfig,
  p: Prepared,
  rows: EvaluatedModel[],
  s: SaliencySummary | undefined,
  hasRetrain: boolean,
  stopped: RunResult['stopped'],
  warnings: readonly string[],
): string {
  const forget = describeForgetSpec(config.forget);
  return [
    `# SalUn Lab run: ${config.method}`,
    '',
    `- Data: ${p.data.train.n} train / ${p.testIndices.length} test samples (${dataText(config.data)})`,
    `- Forget set: ${forget}, ${p.split.forget.length} samples; retain ${p.split.retain.length}`,
    ...backendMarkdownItems(p.backend),
    s ? `- Saliency: ratio ${s.ratio.toFixed(3)}, γ = ${s.gamma.toExponential(3)}, ${s.salientWeights} of ${s.totalWeights} weights salient` : '',
    `- Unlearning: ${config.unlearn.epochs} epochs, lr ${config.unlearn.lr}, batch ${config.unlearn.batchSize}, seed ${config.seed}`,
    ...warnings.map((w) => `- **Warning**: ${w}`),
    stopped ? `- **Stopped by the user after epoch ${stopped.epoch} of ${stopped.of}**: the model and its metrics are those after epoch ${stopped.epoch}` : '',
    '',
    modelsMarkdown(rows),
    '',
    hasRetrain ? GAP_AND_TIME_NOTE : 'No Retrain reference was trained, so no gaps.',
    '',
    ...verdictSection(rows),
  ]
    .filter((l, i, a) => l !== '' || a[i - 1] !== '')
    .join('\n');
}
