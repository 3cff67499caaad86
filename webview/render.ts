// Renders PanelState into the panel. The page is the SECTIONS table in order: each row names the
// fields of PanelState its section reads, and the section is built once (so keyboard focus survives
// the stream of progress events and previews) and redrawn only when one of those fields changed
// (the reducer keeps unchanged fields identical). Adding a section is a row and its builder.
import type { PanelChannel } from './channel';
import type { ThresholdPreviews } from './previewRequests';
import type { PanelState } from './panelState';
import { shownSamples, shownTrend } from './panelState';
import type { Placement, SectionContext, SectionPart, SectionRow, UiState } from './section';
import { sectionRow } from './section';
import { replaceChildren } from './dom';
import { foldableSection, type Foldable } from './foldable';
import { TrendView } from './trendView';
import { ComparisonView } from './comparisonView';
import { SampleGridView } from './sampleGridView';
import { toolbarSection } from './toolbarView';
import { emptySection, statusSection } from './statusView';
import { saliencySection } from './saliencyView';
import { resultsSection } from './resultsView';

/**
 * What the views are given: the channel for everything they ask of the host, the γ previews (flow
 * controlled; answers come back as state), and the two things that change only the panel itself.
 */
export interface PanelContext {
  channel: PanelChannel;
  previews: ThresholdPreviews;
  /** View choices to persist with setState. */
  onUiChange(ui: UiState): void;
  /** The user switched the trend charts from a past run back to the live job (the view tells the host). */
  onShowLiveTrend(): void;
}

/** The panel, top to bottom. */
const SECTIONS: readonly SectionRow[] = [
  sectionRow({ id: 'toolbar', reads: ['jobRunning'], build: toolbarSection }),
  sectionRow({ id: 'empty', reads: ['eventCount', 'jobRunning'], build: emptySection }),
  sectionRow({
    id: 'status',
    reads: [
      'kind',
      'runId',
      'runDir',
      'backend',
      'phase',
      'phaseLabel',
      'jobRunning',
      'eventCount',
      'setup',
      'progress',
      'outcome',
      'warnings',
      'resultWarnings',
    ],
    build: statusSection,
  }),
  sectionRow({ id: 'saliency', reads: ['saliency', 'scores', 'preview', 'runDir', 'jobRunning'], build: saliencySection }),
  sectionRow({ id: 'trend', reads: ['trend', 'references', 'trendMethod', 'runTrend', 'runId', 'jobRunning', 'outcome'], reveal: true, build: trendSection }),
  sectionRow({ id: 'results', reads: ['rows', 'runTrend', 'runs', 'setup', 'runId', 'trendMethod'], reveal: true, build: resultsSection }),
  sectionRow({ id: 'samples', reads: ['samples', 'generationRows', 'kind', 'runId', 'runTrend'], build: samplesSection }),
  sectionRow({ id: 'compare', reads: ['runs', 'runId'], build: compareSection }),
];

function trendSection(ctx: SectionContext): SectionPart<'trend' | 'references' | 'trendMethod' | 'runTrend' | 'runId' | 'jobRunning' | 'outcome'> {
  const view = new TrendView(ctx.ui.hiddenSeries, ctx.channel, {
    onHiddenChange: (hidden) => ctx.setUi({ hiddenSeries: hidden }),
    onShowLive: () => ctx.onShowLiveTrend(),
  });
  const section = ctx.fold('Metric trends', view.element);
  return {
    elements: [section],
    render: (state) => {
      const shown = shownTrend(state);
      // A past run is shown even without epochs (its label says which run); the live job only once it has some.
      const has = shown.past || shown.trend.length > 0;
      section.hidden = !has;
      section.dataset.source = shown.past ? 'run' : 'live';
      if (has) view.update(shown);
    },
    redrawCharts: () => view.redraw(),
  };
}

/** Only a generation job (or an opened generation run) has grids; the section stays hidden for every other kind. */
function samplesSection(ctx: SectionContext): SectionPart<'samples' | 'generationRows' | 'kind' | 'runId' | 'runTrend'> {
  const grids = new SampleGridView(ctx.channel);
  const section = ctx.fold('Generated samples', grids.element);
  return {
    elements: [section],
    render: (state) => {
      const shown = shownSamples(state);
      section.hidden = !shown.has;
      section.dataset.source = shown.past ? 'run' : 'live';
      if (shown.has) grids.update(shown.grids, shown.rows, shown.runId, shown.past);
    },
  };
}

function compareSection(ctx: SectionContext): SectionPart<'runs' | 'runId'> {
  const comparison = new ComparisonView(ctx.ui.selectedRuns, ctx.channel, { onSelectionChange: (selected) => ctx.setUi({ selectedRuns: selected }) });
  const section = ctx.fold('Compare runs', comparison.element);
  return {
    elements: [section],
    track: (state) => comparison.track(state),
    render: (state) => {
      section.hidden = state.runs === undefined;
      if (state.runs) comparison.update(state);
    },
    focusRun: (runId) => comparison.focus(runId),
  };
}

interface Built {
  row: SectionRow;
  part: SectionPart<keyof PanelState>;
}

export class PanelView {
  private readonly sections: Built[];
  private readonly folds = new Map<string, Foldable>();
  private readonly onUiChange: (ui: UiState) => void;
  private scrollPending = false;
  private ui: UiState;
  private last: PanelState | undefined;

  constructor(root: HTMLElement, ctx: PanelContext, ui: UiState, placement: Placement = 'sidebar') {
    this.ui = { ...ui };
    this.onUiChange = (next) => ctx.onUiChange(next);
    this.sections = SECTIONS.map((row) => ({ row, part: row.build(this.sectionContext(row.id, ctx, placement)) }));
    root.dataset.placement = placement;
    replaceChildren(root, ...this.sections.flatMap((s) => s.part.elements));
  }

  private sectionContext(id: string, ctx: PanelContext, placement: Placement): SectionContext {
    return {
      channel: ctx.channel,
      previews: ctx.previews,
      placement,
      ui: this.ui,
      setUi: (change) => this.setUi(change),
      onShowLiveTrend: () => ctx.onShowLiveTrend(),
      fold: (title, ...content) => {
        const f = foldableSection(id, title, (this.ui.folded ?? []).includes(id), (_, folded) => this.setFolded(id, folded), ...content);
        this.folds.set(id, f);
        return f.section;
      },
    };
  }

  private setUi(change: Partial<UiState>): void {
    this.ui = { ...this.ui, ...change };
    this.onUiChange(this.ui);
  }

  private setFolded(id: string, folded: boolean): void {
    const next = new Set(this.ui.folded ?? []);
    if (folded) next.add(id);
    else next.delete(id);
    this.setUi({ folded: [...next] });
  }

  /**
   * Open in Panel: the run joins the comparison, and once the revealed sections (the trend and the
   * results) have switched to it they are unfolded and scrolled into view (not the comparison at
   * the bottom, which changed least).
   */
  focusRun(runId: string): void {
    for (const { part } of this.sections) part.focusRun?.(runId);
    const revealed = this.sections.filter((s) => s.row.reveal).map((s) => s.row.id);
    for (const id of revealed) this.folds.get(id)?.setFolded(false);
    this.setUi({ folded: (this.ui.folded ?? []).filter((id) => !revealed.includes(id)) });
    this.scrollPending = true;
    requestAnimationFrame(() => this.scrollToChange(revealed));
  }

  private scrollToChange(revealed: readonly string[]): void {
    if (!this.scrollPending) return;
    this.scrollPending = false;
    const target = revealed.map((id) => this.folds.get(id)?.section).find((s) => s && !s.hidden);
    target?.scrollIntoView({ block: 'start' });
  }

  /** A theme change: rebuild the SVG charts (their exports read the computed colours). */
  redrawCharts(): void {
    for (const { part } of this.sections) part.redrawCharts?.();
  }

  render(state: PanelState): void {
    const prev = this.last;
    this.last = state;
    for (const { row, part } of this.sections) {
      part.track?.(state);
      if (!prev || row.reads.some((key) => prev[key] !== state[key])) part.render(state, prev);
    }
  }
}
