// A full unlearning run: θo, Retrain, saliency, the method with per-epoch evaluation, the
// comparison table, and a run folder that holds all of it.
import { join } from 'node:path';
import type { RunConfig } from '../../protocol/config';
import type { EvaluatedModel, Metrics, RunResult, SaliencySummary } from '../../protocol/results';
import { buildArchitecture } from '../models/architectures';
import { cloneModel, classifierOf, saveModel } from '../models/io';
import { tf, type T } from '../tf';
import { markdownTable } from '../metrics/table';
import { withGaps } from '../metrics/report';
import { methodEpochs, methodUsesMask, unlearn } from '../methods/unlearn';
import { PhaseProgress } from '../progress';
import { RunFolder } from '../runs/runFolder';
import { trainableVariables } from '../train/loop';
import { evaluateModel } from './evaluateModel';
import { configHash, prepare, splitHash, startBackend, trainedOrCached, type JobContext, type Prepared } from './prepare';
import { saliencyStep } from './saliencyStep';
import { versions } from './versions';
import { runGuarded } from './guard';

async function retrainReference(config: RunConfig, p: Prepared, ctx: JobContext): Promise<{ model: T.LayersModel; seconds: number }> {
  const key = configHash({ what: 'retrain', v: 1, data: p.dataFingerprint, model: config.model, recipe: config.train, seed: config.seed, forget: splitHash(p.split) });
  const r = await trainedOrCached(ctx, key, 'retrain', 'Retrain (on Dr only)', async () => {
    if (config.model.kind === 'builtin') {
      const t = p.data.train;
      return buildArchitecture(config.model.architecture, { height: t.height, width: t.width, channels: t.channels, numClasses: t.numClasses }, config.seed);
    }
    // The user's architecture with fresh initial weights: its layers' own initialisers.
    return tf.models.modelFromJSON({ modelTopology: p.original.model.toJSON(null, false) as Parameters<typeof tf.models.modelFromJSON>[0]['modelTopology'] });
  }, p.data, p.split.retain, config.train, config.seed);
  return { model: r.clf.model, seconds: r.seconds };
}

export function runUnlearningJob(config: RunConfig, ctx: JobContext): Promise<RunResult> {
  const folder = RunFolder.create(ctx.workspaceDir, config.method);
  return runGuarded(folder, ctx, async () => {
    folder.writeConfig({ ...config, kind: 'run' });
    const backend = await startBackend(config, ctx);
    ctx.emit({ type: 'started', kind: 'run', runId: folder.runId, runDir: folder.dir, backend });
    const p = await prepare(config, ctx, backend);
    folder.writeConfig({ ...config, kind: 'run', resolved: resolvedInfo(p), versions: versions() });

    const rows: EvaluatedModel[] = [];
    const evaluated = async (row: Omit<EvaluatedModel, 'metrics'>, clf = p.original, epoch = 0): Promise<Metrics> => {
      ctx.emit({ type: 'phase', phase: 'evaluate', label: `Evaluating ${row.role}` });
      const metrics = await evaluateModel(clf, p, ctx.signal, ctx.emit, row.role);
      folder.appendMetrics(row.role, row.method, epoch, metrics);
      const full: EvaluatedModel = { ...row, metrics };
      rows.push(full);
      ctx.emit({ type: 'evaluated', row: full });
      return metrics;
    };

    await evaluated({ role: 'original', method: 'original', seconds: p.originalSeconds });
    let retrainMetrics: Metrics | undefined;
    if (config.retrain) {
      const r = await retrainReference(config, p, ctx);
      retrainMetrics = await evaluated({ role: 'retrain', method: 'retrain', seconds: r.seconds }, classifierOf(r.model));
      r.model.dispose();
    }

    let saliency: SaliencySummary | undefined;
    let saliencySeconds = 0;
    const theta = classifierOf(await cloneModel(p.original.model));
    const anchors: T.Tensor[] = [];
    const salient: T.Tensor[] = [];
    if (methodUsesMask(config.method, config.masked)) {
      const s = await saliencyStep(p, config.saliency, config.unlearn.batchSize, folder, ctx);
      saliency = s.summary;
      saliencySeconds = s.seconds;
      trainableVariables(theta).forEach((v, i) => {
        anchors.push(tf.clone(v));
        salient.push(tf.tidy(() => tf.cast(tf.tensor(s.masks[i], v.shape, 'int32'), 'bool')));
      });
    }

    const epochs = methodEpochs(config.method, config.unlearn);
    const methodLabel = `${config.method.toUpperCase()}${config.masked && config.method !== 'salun' ? ' (masked)' : ''}`;
    ctx.emit({ type: 'phase', phase: 'unlearn', label: `${methodLabel}: ${epochs === 1 && config.method === 'iu' ? 'one step' : `${epochs} epochs`}` });
    const progress = new PhaseProgress(ctx.emit, 'unlearn', epochs);
    let unlearnMs = 0;
    let epochStart = Date.now();
    let last: Metrics | undefined;
    try {
      await unlearn({
        method: config.method, clf: theta, train: p.data.train, forget: p.split.forget, retain: p.split.retain,
        recipe: config.unlearn, seed: config.seed, mask: salient.length ? { salient, anchor: anchors } : undefined, options: config.methodOptions, signal: ctx.signal,
        onBatch: (epoch, done, total) => progress.update(epoch - 1 + done / total, epoch),
        onEpoch: async (epoch, loss) => {
          unlearnMs += Date.now() - epochStart;   // evaluation is measurement, not part of the method's time
          last = await evaluateModel(theta, p, ctx.signal, ctx.emit, `epoch ${epoch}`);
          const mem = tf.memory();
          folder.appendMetrics('unlearned', config.method, epoch, last, { loss, tensors: mem.numTensors });
          ctx.emit({ type: 'log', level: 'info', message: `epoch ${epoch}: loss ${loss.toFixed(4)}, ${mem.numTensors} tensors, ${(mem.numBytes / 2 ** 20).toFixed(1)} MiB` });
          ctx.emit({ type: 'metrics', role: 'unlearned', method: config.method, epoch, metrics: last });
          epochStart = Date.now();
        },
      });
    } finally {
      tf.dispose([...anchors, ...salient]);
    }
    const seconds = saliencySeconds + unlearnMs / 1000;
    const final: EvaluatedModel = { role: 'unlearned', method: config.method, metrics: last ?? (await evaluateModel(theta, p, ctx.signal, ctx.emit, 'final')), seconds };
    rows.push(final);
    ctx.emit({ type: 'evaluated', row: final });

    ctx.emit({ type: 'phase', phase: 'write', label: 'Writing the run folder' });
    await saveModel(theta.model, join(folder.dir, 'model'));
    theta.model.dispose();
    const table = withGaps(rows);
    folder.writeReport(table, reportMarkdown(config, p, table, saliency, retrainMetrics !== undefined));
    const result: RunResult = { runId: folder.runId, runDir: folder.dir, backend: p.backend, rows: table, saliency };
    return result;
  });
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
  };
}

function reportMarkdown(config: RunConfig, p: Prepared, rows: EvaluatedModel[], s: SaliencySummary | undefined, hasRetrain: boolean): string {
  const forget = config.forget.kind === 'random' ? `random ${(config.forget.fraction * 100).toFixed(1)}%`
    : config.forget.kind === 'class' ? `class ${config.forget.classIndex}` : `indices from ${config.forget.file}`;
  return [
    `# SalUn Lab run: ${config.method}`,
    '',
    `- Data: ${p.data.train.n} train / ${p.testIndices.length} test samples (${config.data.kind === 'default' ? 'bundled Fashion-MNIST subset' : config.data.dir})`,
    `- Forget set: ${forget}, ${p.split.forget.length} samples; retain ${p.split.retain.length}`,
    `- Backend: ${p.backend.name} (${p.backend.detail})`,
    s ? `- Saliency: ratio ${s.ratio.toFixed(3)}, γ = ${s.gamma.toExponential(3)}, ${s.salientWeights} of ${s.totalWeights} weights salient` : '',
    `- Unlearning: ${config.unlearn.epochs} epochs, lr ${config.unlearn.lr}, batch ${config.unlearn.batchSize}, seed ${config.seed}`,
    '',
    markdownTable(rows),
    '',
    hasRetrain ? 'Avg. Gap = mean |metric − Retrain| over UA, RA, TA, MIA (smaller is closer to exact unlearning). Time: training time for Original/Retrain, saliency + unlearning time for the method.' : 'No Retrain reference was trained, so no gaps.',
    '',
  ].filter((l, i, a) => l !== '' || a[i - 1] !== '').join('\n');
}
