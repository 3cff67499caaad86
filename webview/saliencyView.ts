// The "Saliency mask" section: the mask's ratio, γ and salient count, its sparsity per layer (or a
// γ/ratio preview's), and the γ control once the host has read the run folder's scores.
import type { PanelState } from './panelState';
import { displayedSaliency } from './panelState';
import type { SectionContext, SectionPart } from './section';
import { layerBars } from './charts';
import { el, replaceChildren } from './dom';
import { formatCount, formatPercent, scientificParts } from './format';
import { ThresholdControl } from './thresholdControl';

type SaliencyReads = 'saliency' | 'scores' | 'preview' | 'runDir' | 'jobRunning';

export function saliencySection(ctx: SectionContext): SectionPart<SaliencyReads> {
  const threshold = new ThresholdControl(ctx.channel, ctx.previews);
  const body = el('div');
  const section = ctx.fold('Saliency mask', body, threshold.element);
  return {
    elements: [section],
    render: (state) => renderSaliency(section, body, threshold, state),
    redrawCharts: () => threshold.redrawHistogram(),
  };
}

function renderSaliency(section: HTMLElement, body: HTMLElement, threshold: ThresholdControl, state: Pick<PanelState, SaliencyReads>): void {
  // The mask as computed (by the job, or by the run whose scores were loaded) and what the bars show.
  const s = state.scores?.saliency ?? state.saliency;
  const shown = displayedSaliency(state);
  section.hidden = !s;
  if (!s || !shown) {
    replaceChildren(body);
    return;
  }
  threshold.update(shown, state.scores, shown !== s);
  const gamma = scientificParts(s.gamma);
  const gammaNode = el('span', { class: 'mono', title: String(s.gamma) }, gamma.mantissa);
  if (gamma.exponent !== 0) gammaNode.append(' × 10', el('sup', {}, String(gamma.exponent)));
  const summary = el(
    'dl',
    { class: 'summary', id: 'mask-summary' },
    el('dt', {}, 'Ratio'),
    el('dd', {}, formatPercent(s.ratio)),
    el('dt', {}, 'γ (threshold on |g|)'),
    el('dd', { id: 'gamma-value' }, gammaNode),
    el('dt', {}, 'Salient weights'),
    el('dd', {}, `${formatCount(s.salientWeights)} / ${formatCount(s.totalWeights)} (${formatPercent(s.salientShare)})`),
  );
  const source = state.scores && state.scores.runDir !== state.runDir ? ` (run ${state.scores.runId})` : '';
  replaceChildren(
    body,
    summary,
    el('h3', {}, shown !== s ? `Mask sparsity per layer: preview at ratio ${shown.ratio.toFixed(3)}` : `Mask sparsity per layer${source}`),
    layerBars(shown),
    el(
      'p',
      { class: 'muted small' },
      'Bar: share of the layer’s weights that are salient; tick: the global share. Hover or focus a layer for its score range.',
    ),
    state.scores
      ? undefined
      : el(
          'p',
          { class: 'muted small' },
          state.jobRunning ? 'The γ control appears once the scores are written.' : 'The γ control needs the run folder’s saliency scores.',
        ),
  );
}
