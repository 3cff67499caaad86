// What a section of the panel is: a row of render.ts's SECTIONS table says which fields of
// PanelState the section reads, and its builder makes the section's elements and its renderer. The
// panel redraws a section only when one of its reads changed (the reducer keeps unchanged fields
// identical), so keyboard focus survives the stream of progress events. The renderer is given only
// those fields (a Pick), so a read the row does not declare is a compile error, not a stale section.
import type { PanelChannel } from './channel';
import type { SeriesKey } from './charts';
import type { PanelState } from './panelState';
import type { ThresholdPreviews } from './previewRequests';

/** View choices that survive hide/show and reloads (kept with the webview's setState). */
export interface UiState {
  hiddenSeries: SeriesKey[];
  /** Run ids checked in the comparison; absent until the user picks. */
  selectedRuns?: string[];
  /** Ids of the sections the user folded. */
  folded?: string[];
}

/** Where the panel is shown: the sidebar's compact view, or an editor tab (Open Charts in Editor). */
export type Placement = 'sidebar' | 'editor';

export type StateKey = keyof PanelState;

/** What a builder is given: the host, where the panel is, and the view choices it keeps. */
export interface SectionContext {
  channel: PanelChannel;
  previews: ThresholdPreviews;
  placement: Placement;
  /** The view choices restored at start. */
  readonly ui: Readonly<UiState>;
  /** Records a view choice, to be persisted. */
  setUi(change: Partial<Omit<UiState, 'folded'>>): void;
  /** The user switched the trend charts from a past run back to the live job. */
  onShowLiveTrend(): void;
  /** Puts content in this row's foldable section (id: the row's id), whose fold state is kept. */
  fold(title: string, ...content: HTMLElement[]): HTMLElement;
}

/** A built section. The renderer is a property, not a method, so its parameter is checked strictly. */
export interface SectionPart<R extends StateKey> {
  /** What the section adds to the page, in page order. */
  elements: HTMLElement[];
  /** Draws the section: on the first render, then whenever one of its reads changed. */
  render: (state: Pick<PanelState, R>, prev: Pick<PanelState, R> | undefined) => void;
  /** Sees every state before any redraw (the comparison's report export reads the whole panel). */
  track?: (state: PanelState) => void;
  /** A theme change: rebuild the SVG charts (their exports read the computed colours). */
  redrawCharts?: () => void;
  /** Open in Panel: the run the user opened from the Runs view. */
  focusRun?: (runId: string) => void;
}

export interface SectionRow<R extends StateKey = StateKey> {
  /** Names the section; a foldable one (ctx.fold) has it as its element id and its name in UiState.folded. */
  id: string;
  /** Every field of PanelState the renderer reads. */
  reads: readonly R[];
  /** Open in Panel unfolds this section and scrolls the first shown one of these into view. */
  reveal?: boolean;
  build(ctx: SectionContext): SectionPart<NoInfer<R>>;
}

/** A row whose builder is checked against its own reads (R comes from `reads` alone). */
export function sectionRow<R extends StateKey>(row: SectionRow<R>): SectionRow {
  return row;
}
