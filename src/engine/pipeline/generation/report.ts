// report.md of a generation run: the table (UA, retained accuracy, FID-classifier), what each
// figure means and why FID-classifier is not Inception FID, the grids, and the scale the run used.
import { cpus } from 'node:os';
import type { GenerationConfig } from '../../../protocol/generationConfig';
import { GENERATION_METHOD_LABELS } from '../../../protocol/generationConfig';
import { backendMarkdownItems } from '../../../protocol/backendSummary';
import { FID_CLASSIFIER_NOTE, generationTableCells } from '../../../protocol/generationTable';
import type { BackendInfo, GenerationMetricsRow } from '../../../protocol/results';
import { markdownTable } from '../../../protocol/tableText';
import { formatWallTime } from '../../../store/runs/runReport';
import type { GenerationRun } from './run';

function gridLines(rows: readonly GenerationMetricsRow[]): string[] {
  return rows.map((r) => `![${r.label}](samples/${r.method}.png)`);
}

export function generationReport(
  config: GenerationConfig,
  run: GenerationRun,
  rows: readonly GenerationMetricsRow[],
  backend: BackendInfo,
  wallSeconds: number,
): string {
  const t = run.data.train;
  const u = config.unlearn;
  const s = config.sampling;
  return [
    `# Generation unlearning: forget class ${config.forgetClass} (${run.layout.classNames[config.forgetClass]})`,
    '',
    markdownTable(generationTableCells(rows)),
    '',
    `UA = % of the images generated for class ${config.forgetClass} that the judge classifier does NOT label as it (≈100 is forgotten). Acc. retained = the judge's mean accuracy on the images generated for the other classes. ${FID_CLASSIFIER_NOTE}`,
    '',
    `Judge: the built-in ${config.classifier.architecture} trained on the same images (${config.classifier.train.epochs} epochs), ${run.judgeTestAccuracy.toFixed(1)}% accurate on the real test images. Samples: ${s.samplesPerClass} per class, DDIM ${s.ddimSteps} steps (η 0), guidance ${s.guidance}, seed ${config.seed} (the same x_T for every model, column by column). Time (s) = θo's training (absent when its weights were read from a file) or the method's unlearning, without sampling.`,
    '',
    '## Setup',
    `- Data: ${t.n} training / ${run.data.test.n} test images, ${t.height}×${t.width}×${t.channels} (${t.source}); forget set: the ${run.rows.forget.length} training images of class ${config.forgetClass}, retain set: the other ${run.rows.retain.length}.`,
    `- θo: class-conditional U-Net, widths [${config.unet.widths.join(', ')}], ${config.original.kind === 'file' ? `read from ${config.original.path}` : `trained ${config.train.iterations} Adam steps (batch ${config.train.batchSize}, lr ${config.train.lr})`}.`,
    `- Unlearning (${config.methods.map((m) => GENERATION_METHOD_LABELS[m]).join(', ')}): ${u.iterations} Adam steps, lr ${u.lr}, batch ${u.batchSize}, mask ratio ${u.ratio} (SalUn), β ${u.beta}, η ${u.eta} (ESD), gradient clip ${u.gradClip}. The authors used 1,000 steps of batch 128 on CIFAR-10 32×32; this run is smaller so that it fits the machine.`,
    ...backendMarkdownItems(backend),
    `- Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}; wall time ${formatWallTime(wallSeconds)}.`,
    '',
    '## Sample grids',
    'Rows are classes (the forgotten one on the red band), columns are seeds. Grids part-way through unlearning are in samples/ as <method>-iteration-<k>.png.',
    '',
    ...gridLines(rows),
    '',
  ].join('\n');
}
