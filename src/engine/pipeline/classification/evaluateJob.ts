// An evaluation job: one model (usually a model.json, e.g. another run's unlearned model) measured
// with the same evaluator as every run: UA, RA, TA, MIA on the configured data and forget set, and
// with `retrain`, its gap to a Retrain reference. Written to a run folder of its own.
import { modelText } from '../../../protocol/modelSources';
import { dataText } from '../../../protocol/dataFormats';
import type { EvaluateJobConfig } from '../../../protocol/config';
import type { EvaluatedModel, RunResult } from '../../../protocol/results';
import { withGaps } from '../../metrics/report';
import { modelsMarkdown } from '../../../store/metrics/table';
import { classifierOf } from '../../models/io';
import { RunFolder } from '../../../store/runs/runFolder';
import { evaluateModel } from './evaluateModel';
import { runGuarded } from '../shared/guard';
import { retrainReference } from './methodStep';
import { prepare, splitHash, startBackend } from './prepare';
import type { JobContext } from '../shared/jobContext';
import { versions } from '../shared/versions';
import { backendMarkdownItems } from '../../../protocol/backendSummary';

/** The method name of the evaluated model's row (runs tree, report): it is no method of ours. */
export const EVALUATED_METHOD = 'model';

export function runEvaluateJob(config: EvaluateJobConfig, ctx: JobContext): Promise<RunResult> {
  const folder = RunFolder.create(ctx.workspaceDir, 'evaluate');
  return runGuarded(folder, ctx, async () => {
    folder.writeConfig({ ...config, kind: 'evaluate' });
    const backend = await startBackend(config, ctx);
    ctx.emit({ type: 'started', kind: 'evaluate', runId: folder.runId, runDir: folder.dir, backend });
    const p = await prepare(config, ctx, backend);
    folder.writeConfig({ ...config, kind: 'evaluate', versions: versions(), forgetSize: p.split.forget.length });
    const rows: EvaluatedModel[] = [];
    try {
      if (config.retrain) {
        const r = await retrainReference(config, p, ctx);
        try {
          ctx.emit({ type: 'phase', phase: 'evaluate', label: 'Evaluating Retrain' });
          const metrics = await evaluateModel(classifierOf(r.model), p, ctx.signal, ctx.emit, 'retrain');
          folder.appendMetrics('retrain', 'retrain', 0, metrics);
          rows.push({ role: 'retrain', method: 'retrain', metrics, seconds: r.seconds });
          ctx.emit({ type: 'evaluated', row: rows[rows.length - 1] });
        } finally {
          r.model.dispose();
        }
      }
      ctx.emit({
        type: 'phase',
        phase: 'evaluate',
        label: `Evaluating ${modelText(config.model)}`,
      });
      const metrics = await evaluateModel(p.original, p, ctx.signal, ctx.emit, 'model');
      folder.appendMetrics('unlearned', EVALUATED_METHOD, 0, metrics);
      const row: EvaluatedModel = { role: 'unlearned', method: EVALUATED_METHOD, metrics, seconds: 0 };
      rows.push(row);
      ctx.emit({ type: 'evaluated', row });
    } finally {
      p.original.model.dispose();
    }

    ctx.emit({ type: 'phase', phase: 'write', label: 'Writing the run folder' });
    const table = withGaps(rows);
    const model = modelText(config.model);
    const forget =
      config.forget.kind === 'random'
        ? `random ${(config.forget.fraction * 100).toFixed(1)}%`
        : config.forget.kind === 'class'
          ? `class ${config.forget.classIndex}`
          : `indices from ${config.forget.file}`;
    folder.writeReport(
      table,
      [
        `# SalUn Lab evaluation: ${model}`,
        '',
        `- Data: ${p.data.train.n} train / ${p.testIndices.length} test samples (${dataText(config.data)})`,
        `- Forget set: ${forget}, ${p.split.forget.length} samples (hash ${splitHash(p.split)}); retain ${p.split.retain.length}`,
        ...backendMarkdownItems(p.backend),
        '',
        modelsMarkdown(table),
        '',
        config.retrain
          ? 'Avg. Gap = mean |metric − Retrain| over UA, RA, TA, MIA. Retrain: the same architecture with fresh weights, trained on Dr.'
          : 'No Retrain reference was trained, so no gaps.',
        '',
      ].join('\n'),
    );
    return { runId: folder.runId, runDir: folder.dir, backend: p.backend, rows: table, report: folder.path('report.md') };
  });
}
