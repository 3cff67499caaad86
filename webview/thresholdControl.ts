// The γ control: a ratio slider with a number box, an editable γ, the histogram of scores with γ
// marked, and "Apply to next run". Built once and updated in place, so a value being dragged or
// typed keeps focus while previews stream back. It only asks (previews.ask); the host answers.
import type { ThresholdBy } from '../src/protocol/webviewMessages';
import { ApplySaliencyRatioCommand, SETTING_RATIO_MAX, SETTING_RATIO_MIN } from '../src/protocol/webviewMessages';
import type { PanelChannel } from './channel';
import type { ThresholdPreviews } from './previewRequests';
import type { SaliencyView, ScoresView } from './panelState';
import { el, replaceChildren } from './dom';
import { scoreHistogramChart } from './histogram';
import { formatCount, formatPercent, formatScientific, scientificParts } from './format';
import { gammaZeroAdvice } from './gammaZero';

/** Parses "7.4e-4", "0.00074" or "7.4 × 10^-4"; undefined when it is not a non-negative number. */
export function parseGamma(text: string): number | undefined {
  const t = text
    .trim()
    .replace(/\s*[×x*]\s*10\s*\^?\s*([+-−]?\d+)$/, 'e$1')
    .replace('−', '-');
  if (!/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) && v >= 0 ? v : undefined;
}

function gammaNode(gamma: number): HTMLElement {
  const node = el('span', { class: 'mono', title: String(gamma) });
  if (!Number.isFinite(gamma)) {
    node.textContent = '∞ (nothing salient)';
    return node;
  }
  const parts = scientificParts(gamma, 3);
  node.append(parts.mantissa);
  if (parts.exponent !== 0) node.append(' × 10', el('sup', {}, String(parts.exponent)));
  return node;
}

export class ThresholdControl {
  readonly element: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly ratioInput: HTMLInputElement;
  private readonly gammaInput: HTMLInputElement;
  private readonly readout: HTMLElement;
  private readonly zeroWarning: HTMLElement;
  private readonly histogram: HTMLElement;
  private readonly source: HTMLElement;
  private readonly applyButton: HTMLElement;
  private readonly applyHint: HTMLElement;
  private shown: SaliencyView | undefined;
  private scores: ScoresView | undefined;

  constructor(
    private readonly channel: PanelChannel,
    private readonly previews: ThresholdPreviews,
  ) {
    this.slider = el('input', {
      type: 'range',
      id: 'ratio-slider',
      min: SETTING_RATIO_MIN,
      max: SETTING_RATIO_MAX,
      step: 0.005,
      'aria-label': 'Saliency ratio: share of weights the mask lets move',
    });
    this.ratioInput = el('input', {
      type: 'number',
      id: 'ratio-input',
      min: 0.0001,
      max: 1,
      step: 0.01,
      class: 'num-input',
      'aria-label': 'Saliency ratio (0 to 1)',
    });
    this.gammaInput = el('input', {
      type: 'text',
      id: 'gamma-input',
      inputmode: 'decimal',
      spellcheck: false,
      class: 'num-input mono',
      'aria-label': 'γ, the threshold on |g| (e.g. 7.4e-4)',
    });
    this.readout = el('div', { class: 'gamma-readout', id: 'gamma-readout', role: 'status', 'aria-live': 'polite' });
    this.histogram = el('div', { class: 'histogram-wrap' });
    this.zeroWarning = el('div', { class: 'gamma-zero', id: 'gamma-zero', role: 'alert', hidden: true });
    this.source = el('div', { class: 'muted small' });
    this.applyButton = el('vscode-button', { 'data-action': 'applySaliencyRatio', title: 'Write this ratio to the salun.saliencyRatio workspace setting' });
    this.applyButton.textContent = 'Apply to next run';
    this.applyHint = el('span', { class: 'muted small' });

    this.slider.addEventListener('input', () => this.ask('ratio', Number(this.slider.value)));
    this.ratioInput.addEventListener('input', () => {
      const v = Number(this.ratioInput.value);
      if (this.ratioInput.value !== '' && Number.isFinite(v) && v > 0 && v <= 1) this.ask('ratio', v);
    });
    this.gammaInput.addEventListener('change', () => {
      const v = parseGamma(this.gammaInput.value);
      this.gammaInput.toggleAttribute('aria-invalid', v === undefined);
      if (v !== undefined) this.ask('gamma', v);
    });
    this.applyButton.addEventListener('click', () => {
      const ratio = this.shown?.ratio;
      if (ratio !== undefined && !this.applyButton.hasAttribute('disabled'))
        this.channel.command(ApplySaliencyRatioCommand, { ratio: Number(ratio.toFixed(4)) });
    });

    this.element = el(
      'div',
      { class: 'threshold', role: 'group', 'aria-labelledby': 'h-threshold' },
      el('h3', { id: 'h-threshold' }, 'Threshold γ'),
      this.source,
      el('div', { class: 'threshold-row' }, el('label', { for: 'ratio-slider' }, 'Ratio'), this.slider, this.ratioInput),
      el('div', { class: 'threshold-row' }, el('label', { for: 'gamma-input' }, 'γ'), this.gammaInput),
      this.readout,
      this.zeroWarning,
      this.histogram,
      el('div', { class: 'threshold-actions' }, this.applyButton, this.applyHint),
    );
  }

  private ask(by: ThresholdBy, value: number): void {
    // The slider and the box show the same ratio; the one not being touched follows at once.
    if (by === 'ratio') {
      if (document.activeElement !== this.slider) this.slider.value = String(value);
      if (document.activeElement !== this.ratioInput) this.ratioInput.value = String(Number(value.toFixed(4)));
    }
    this.previews.ask(by, value);
  }

  /** `shown`: the mask the bars show (a preview, or the computed one); `scores`: the map it comes from. */
  update(shown: SaliencyView, scores: ScoresView | undefined, previewing: boolean): void {
    const newScores = scores !== this.scores;
    this.scores = scores;
    this.shown = shown;
    this.element.hidden = !scores;
    if (!scores) return;
    const active = document.activeElement;
    if (active !== this.slider) this.slider.value = String(Math.min(SETTING_RATIO_MAX, Math.max(SETTING_RATIO_MIN, shown.ratio)));
    if (active !== this.ratioInput) this.ratioInput.value = String(Number(shown.ratio.toFixed(4)));
    if (active !== this.gammaInput) {
      this.gammaInput.value = Number.isFinite(shown.gamma) ? formatScientific(shown.gamma, 3) : '';
      this.gammaInput.removeAttribute('aria-invalid');
    }
    replaceChildren(
      this.readout,
      'γ = ',
      gammaNode(shown.gamma),
      ' · ',
      el(
        'span',
        { class: 'salient-count' },
        `${formatCount(shown.salientWeights)} of ${formatCount(shown.totalWeights)} weights salient (${formatPercent(shown.salientShare, 2)})`,
      ),
      previewing ? el('span', { class: 'muted' }, ` · preview (the run used ratio ${scores.saliency.ratio.toFixed(3)})`) : undefined,
    );
    this.showZeroWarning(shown, scores);
    this.redrawHistogram();
    if (newScores) this.source.textContent = `Scores of run ${scores.runId}; drag to preview other masks (no recomputation).`;
    const applicable = shown.ratio >= SETTING_RATIO_MIN && shown.ratio <= SETTING_RATIO_MAX;
    this.applyButton.toggleAttribute('disabled', !applicable);
    this.applyButton.setAttribute('aria-disabled', String(!applicable));
    this.applyHint.textContent = applicable
      ? `salun.saliencyRatio = ${Number(shown.ratio.toFixed(4))}`
      : `salun.saliencyRatio must be in ${SETTING_RATIO_MIN}…${SETTING_RATIO_MAX}`;
  }

  private showZeroWarning(shown: SaliencyView, scores: ScoresView): void {
    const advice = gammaZeroAdvice(shown.gamma, scores.histogram);
    this.zeroWarning.hidden = !advice;
    if (!advice) {
      replaceChildren(this.zeroWarning);
      return;
    }
    const use =
      advice.suggestedRatio >= SETTING_RATIO_MIN
        ? el(
            'button',
            { type: 'button', class: 'link-button', 'data-action': 'useSuggestedRatio', 'data-ratio': advice.suggestedRatio },
            `Preview ratio ${advice.suggestedRatio}`,
          )
        : undefined;
    use?.addEventListener('click', () => this.ask('ratio', advice.suggestedRatio));
    replaceChildren(
      this.zeroWarning,
      el('strong', {}, 'γ = 0: '),
      `ratio ${Number(shown.ratio.toFixed(4))} asks for more weights than have a nonzero score (${formatCount(advice.zeros)} of ${formatCount(advice.total)} are exactly 0), ` +
        'so the mask is filled up with zero-gradient weights in weight order, not by saliency. ',
      advice.suggestedRatio > 0 ? `The largest ratio with γ > 0 is ${advice.suggestedRatio}.` : 'Every score is 0: this map cannot rank weights.',
      use,
    );
  }

  /** Also called on a theme change: the histogram is rebuilt, never restyled in place. */
  redrawHistogram(): void {
    const scores = this.scores;
    const shown = this.shown;
    if (!scores || !shown) return;
    replaceChildren(
      this.histogram,
      scoreHistogramChart(scores.histogram, shown.gamma, (gamma) => this.ask('gamma', gamma)),
      scores.histogram.zeros > 0
        ? el(
            'div',
            { class: 'muted small' },
            `log10|g| of ${formatCount(scores.histogram.total - scores.histogram.zeros)} nonzero scores; ${formatCount(scores.histogram.zeros)} are exactly 0 (salient only when γ = 0).`,
          )
        : el('div', { class: 'muted small' }, `log10|g| of all ${formatCount(scores.histogram.total)} scores.`),
    );
  }
}
