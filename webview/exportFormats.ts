// What the panel exports as a Markdown report of the run. Pure (no DOM), so the exact bytes are
// unit-tested; the host only asks where to save them. The comparison's text (its CSV too) is shared
// with the host's Compare Runs command (src/protocol/comparisonFormat.ts).
import type { PanelState } from './panelState';
import { shownTrend } from './panelState';
import { avgGap, METRIC_NAMES } from '../src/protocol/results';
import { backendMarkdownItems } from '../src/protocol/backendSummary';
import { formatCount, formatScientific, runFolderLabel } from './format';
import { comparisonMarkdownTable, formatFixed as num, methodDisplayName, RESULTS_NOTE, type ComparisonRow } from '../src/protocol/comparisonFormat';
import { alignFrom, markdownTable } from '../src/protocol/tableText';
import { termsNote } from '../src/protocol/terms';

export interface ReportContext {
  /** ISO time of the export. */
  generatedAt: string;
  comparison: readonly ComparisonRow[];
}

export function markdownReport(state: PanelState, ctx: ReportContext): string {
  const out: string[] = [];
  out.push(`# SalUn Lab report${state.runId ? `: ${state.runId}` : ''}`, '');
  const facts: string[] = [];
  // Relative to the workspace, as the panel shows it: a shared report names no one's home folder.
  if (state.runDir) facts.push(`- Run folder: \`${runFolderLabel(state.runDir).text}\``);
  if (state.backend) facts.push(...backendMarkdownItems(state.backend));
  if (state.outcome) facts.push(`- Outcome: ${state.outcome.status}`);
  facts.push(`- Exported: ${ctx.generatedAt}`);
  out.push(...facts, '');

  if (state.rows.length) {
    out.push('## Results', '', RESULTS_NOTE, '', termsNote(), '');
    out.push(
      markdownTable([
        ['Model', ...METRIC_NAMES, 'Avg. Gap', 'Time (s)'],
        ...state.rows.map((r) => [
          methodDisplayName(r.role === 'unlearned' ? r.method : r.role),
          ...METRIC_NAMES.map((m) => num(r.metrics[m])),
          num(r.avgGap),
          num(r.seconds, 1),
        ]),
      ]),
      '',
    );
  }

  const s = state.saliency;
  if (s) {
    out.push('## Saliency mask', '');
    out.push(
      `Ratio ${s.ratio.toFixed(3)}, γ = ${formatScientific(s.gamma, 3)}; ${formatCount(s.salientWeights)} of ${formatCount(s.totalWeights)} weights salient.`,
      '',
    );
    out.push(
      markdownTable(
        [
          ['Layer', 'Shape', 'Salient', 'Weights', 'Share (%)'],
          ...s.layers.map((l) => [l.name, l.shape.join('×'), String(l.salient), String(l.count), num(l.fraction * 100, 1)]),
        ],
        alignFrom(5, 2),
      ),
      '',
    );
  }

  // The trend on screen: the live job's, or the past run opened from the Runs view.
  const shown = shownTrend(state);
  if (shown.trend.length) {
    const retrain = shown.references.retrain;
    out.push(`## Metric trends${shown.trendMethod ? ` (${methodDisplayName(shown.trendMethod)})` : ''}`, '', `${shown.label}.`, '');
    out.push(
      markdownTable([
        ['Epoch', ...METRIC_NAMES, ...(retrain ? ['Avg. Gap'] : [])],
        ...shown.trend.map((p) => [String(p.epoch), ...METRIC_NAMES.map((m) => num(p.metrics[m])), ...(retrain ? [num(avgGap(p.metrics, retrain))] : [])]),
      ]),
      '',
    );
  }

  if (ctx.comparison.length) {
    out.push('## Comparison of runs', '');
    out.push(comparisonMarkdownTable(ctx.comparison), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
