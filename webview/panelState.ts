// The panel's state as a pure function of the job's event log. Rendering reads only this, so a
// replayed log (after a reload, or in a browser test) draws exactly what the live stream drew.
// No DOM, no vscode: it runs in plain Node tests.
import { JOB_KIND_FACTS, type JobError, type JobEvent, type JobKind, type JobPhase, type OverallProgress } from '../src/protocol/jobMessages';
import type { BackendInfo, EvaluatedModel, GenerationMetricsRow, LayerSaliency, Metrics, ModelRole } from '../src/protocol/results';
import type { ComparisonRun, HostNotification, RunSetupParams, RunTrend, ScoreHistogram, ThresholdPreview } from '../src/protocol/webviewMessages';
import type { RunSetting } from '../src/protocol/runLabels';
import { overallText } from '../src/protocol/jobProgress';
import type { SampleGrid } from './sampleGrids';
import { formatCount } from './format';
import { sampleGrid, upsertGenerationRow, upsertGrid } from './sampleGrids';

/** One horizontal bar of the mask-sparsity chart. */
export interface LayerBar {
  name: string;
  shape: number[];
  count: number;
  salient: number;
  /** 0..1: the share of this layer's weights the mask lets move. */
  fraction: number;
  minScore: number;
  medianScore: number;
  maxScore: number;
}

export interface SaliencyView {
  ratio: number;
  gamma: number;
  totalWeights: number;
  salientWeights: number;
  /** 0..1 over all layers. */
  salientShare: number;
  layers: LayerBar[];
}

/** The saliency map the host has read (the γ control's subject) and its score distribution. */
export interface ScoresView {
  runId: string;
  runDir: string;
  saliency: SaliencyView;
  histogram: ScoreHistogram;
}

export interface TrendPoint {
  epoch: number;
  metrics: Metrics;
}

/**
 * A running job's progress: the whole job's figure exactly as the job stamped it on its events (the
 * status bar and the SalUn view show the same fields; the panel computes no percentage of its own),
 * and the current phase's own count. A log recorded before jobs stamped it has no `overall`: the
 * panel then shows the phase's count without a percentage.
 */
export interface ProgressView {
  overall?: OverallProgress;
  /** The phase's latest progress event; absent until one came. */
  step?: { phase: JobPhase; done: number; total: number; epoch?: number };
}

export type Outcome = { status: 'finished' } | { status: 'failed'; error: JobError } | { status: 'cancelled' };

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface PanelState {
  jobRunning: boolean;
  /** How many events the state was folded from; 0 means nothing has run. */
  eventCount: number;
  kind?: JobKind;
  runId?: string;
  runDir?: string;
  backend?: BackendInfo;
  phase?: JobPhase;
  phaseLabel?: string;
  progress?: ProgressView;
  saliency?: SaliencyView;
  /** The unlearned model's metrics per epoch, sorted by epoch, one point per epoch. */
  trend: TrendPoint[];
  trendMethod?: string;
  /** Reference values for the trend chart, from the 'evaluated' rows of these roles. */
  references: Partial<Record<Exclude<ModelRole, 'unlearned'>, Metrics>>;
  /** 'evaluated' rows in arrival order; a later row for the same role and method replaces it. */
  rows: EvaluatedModel[];
  /** A generation job's latest sample grid per stage, θo first and Retrain last (sampleGrids.ts). */
  samples: SampleGrid[];
  /** A generation job's figures per model; a later row for the same method replaces it. */
  generationRows: GenerationMetricsRow[];
  outcome?: Outcome;
  /** The most recent warnings and errors the job logged (info lines go to the Output channel). */
  warnings: LogLine[];
  /** What the finished job's result says the user should know (RunResult.warnings). */
  resultWarnings: string[];
  /** The live job's model, data and forget set (the host reads them from its config.json). */
  setup?: RunSetupParams;
  /** Set once the host has read the saliency map's scores; the γ control needs them. */
  scores?: ScoresView;
  /** The latest answered γ/ratio preview of `scores`. */
  preview?: ThresholdPreview;
  /** Run folders offered for comparison, newest first. */
  runs?: ComparisonRun[];
  /**
   * A past run's trend (Open in Panel), drawn instead of the live job's until a job starts, a
   * replay comes without it, or the user switches back. Absent: the live job's trend is drawn.
   */
  runTrend?: RunTrend;
}

/** What the trend charts draw: the live job's epochs, or a past run's; and how to label them. */
export interface ShownTrend {
  past: boolean;
  /** "Live: current job …" or the host's "Run <id> (finished)". */
  label: string;
  trend: TrendPoint[];
  references: PanelState['references'];
  trendMethod?: string;
  runId?: string;
  /** Lines of the past run's metrics.jsonl that could not be read. */
  skippedLines: number;
}

const MAX_WARNINGS = 5;

export function initialPanelState(): PanelState {
  return { jobRunning: false, eventCount: 0, trend: [], references: {}, rows: [], samples: [], generationRows: [], warnings: [], resultWarnings: [] };
}

export function saliencyView(summary: { ratio: number; gamma: number; totalWeights: number; salientWeights: number; layers: LayerSaliency[] }): SaliencyView {
  return {
    ratio: summary.ratio,
    gamma: summary.gamma,
    totalWeights: summary.totalWeights,
    salientWeights: summary.salientWeights,
    salientShare: summary.totalWeights > 0 ? summary.salientWeights / summary.totalWeights : 0,
    layers: summary.layers.map((l) => ({
      name: l.name,
      shape: [...l.shape],
      count: l.count,
      salient: l.salient,
      fraction: Number.isFinite(l.salientFraction) ? l.salientFraction : l.count > 0 ? l.salient / l.count : 0,
      minScore: l.minScore,
      medianScore: l.medianScore,
      maxScore: l.maxScore,
    })),
  };
}

function upsertRow(rows: EvaluatedModel[], row: EvaluatedModel): EvaluatedModel[] {
  const i = rows.findIndex((r) => r.role === row.role && r.method === row.method);
  if (i < 0) return [...rows, row];
  const next = [...rows];
  next[i] = row;
  return next;
}

function upsertPoint(trend: TrendPoint[], point: TrendPoint): TrendPoint[] {
  const next = trend.filter((p) => p.epoch !== point.epoch);
  next.push(point);
  next.sort((a, b) => a.epoch - b.epoch);
  return next;
}

/**
 * The panel's progress line: "42% of the job · about 3 min 10 s left · this phase 384/1,000 · epoch 2".
 * The percentage and ETA are the job's own (overallText, as in the status bar's tooltip); the
 * phase's count follows as detail.
 */
export function progressLine(p: ProgressView): string {
  const parts: string[] = [];
  if (p.overall) parts.push(overallText(p.overall));
  if (p.step) {
    // An unlearning phase counts epochs in fractions: one decimal there, whole counts elsewhere.
    const count = (n: number): string => (Number.isInteger(n) ? formatCount(n) : n.toFixed(1));
    parts.push(`this phase ${count(p.step.done)}/${count(p.step.total)}`);
    if (p.step.epoch !== undefined) parts.push(`epoch ${p.step.epoch}`);
  }
  return parts.join(' · ');
}

/** Folds one event into the state. Pure: returns a new state, shares unchanged parts. */
export function reducePanel(state: PanelState, event: JobEvent): PanelState {
  const s: PanelState = { ...state, eventCount: state.eventCount + 1 };
  switch (event.type) {
    case 'started':
      // A new job: nothing of the previous one carries over.
      return {
        ...initialPanelState(),
        eventCount: s.eventCount,
        jobRunning: true,
        kind: event.kind,
        runId: event.runId,
        runDir: event.runDir,
        backend: event.backend,
      };
    case 'phase': {
      const overall = event.overall ?? s.progress?.overall;
      return { ...s, phase: event.phase, phaseLabel: event.label, progress: overall ? { overall } : undefined };
    }
    case 'progress': {
      const step: NonNullable<ProgressView['step']> = { phase: event.phase, done: event.done, total: event.total };
      if (event.epoch !== undefined) step.epoch = event.epoch;
      const progress: ProgressView = { step };
      const overall = event.overall ?? s.progress?.overall;
      if (overall) progress.overall = overall;
      const phaseChanged = event.phase !== s.phase;
      return { ...s, progress, phase: event.phase, phaseLabel: phaseChanged ? undefined : s.phaseLabel };
    }
    case 'saliency':
      return { ...s, saliency: saliencyView(event.summary) };
    case 'metrics':
      if (event.role !== 'unlearned') return s;
      return { ...s, trend: upsertPoint(s.trend, { epoch: event.epoch, metrics: event.metrics }), trendMethod: event.method };
    case 'evaluated': {
      const row = event.row;
      const references = row.role === 'unlearned' ? s.references : { ...s.references, [row.role]: row.metrics };
      return { ...s, rows: upsertRow(s.rows, row), references };
    }
    case 'samples':
      return { ...s, samples: upsertGrid(s.samples, sampleGrid(event, s.eventCount)) };
    case 'generationMetrics':
      return { ...s, generationRows: upsertGenerationRow(s.generationRows, event.row) };
    case 'log':
      if (event.level === 'info') return s;
      return { ...s, warnings: [...s.warnings, { level: event.level, message: event.message }].slice(-MAX_WARNINGS) };
    case 'finished': {
      let next: PanelState = { ...s, jobRunning: false, progress: undefined, outcome: { status: 'finished' } };
      const result = event.result;
      // The result repeats what the stream carried, plus each row's Avg. Gap (known only once every
      // model is evaluated): its rows replace the streamed ones, and fill in any the stream missed.
      if (!next.saliency && result.saliency) next = { ...next, saliency: saliencyView(result.saliency) };
      if (Array.isArray(result.rows)) {
        for (const row of result.rows) {
          const same = next.rows.find((r) => r.role === row.role && r.method === row.method);
          if (!same || JSON.stringify(same) !== JSON.stringify(row)) next = reducePanel(next, { type: 'evaluated', row });
        }
        next.eventCount = s.eventCount;
      }
      if (!next.runDir && result.runDir) next = { ...next, runDir: result.runDir, runId: result.runId };
      if (Array.isArray(result.warnings)) next = { ...next, resultWarnings: result.warnings.filter((w): w is string => typeof w === 'string') };
      return next;
    }
    case 'failed':
      return { ...s, jobRunning: false, outcome: { status: 'failed', error: event.error } };
    case 'cancelled':
      return { ...s, jobRunning: false, progress: undefined, outcome: { status: 'cancelled' } };
  }
}

export function stateFromEvents(events: readonly JobEvent[], jobRunning: boolean): PanelState {
  return { ...events.reduce(reducePanel, initialPanelState()), jobRunning };
}

/** Applies one host notification. Events in a replay must already be validated by the caller. */
export function applyHostMessage(state: PanelState, message: HostNotification): PanelState {
  switch (message.type) {
    case 'replay': {
      // The run list is not part of the job's log; the scores are, unless the replay is another job's.
      // A past run's trend is not kept: the host follows the replay with it while it still shows it.
      const next = stateFromEvents(message.events, message.jobRunning);
      if (state.runs) next.runs = state.runs;
      if (state.setup && state.setup.runId === next.runId) next.setup = state.setup;
      if (state.scores && state.scores.runDir === next.runDir) {
        next.scores = state.scores;
        if (state.preview) next.preview = state.preview;
      }
      return next;
    }
    case 'event': {
      const next = reducePanel(state, message.event);
      // A new job starts from nothing, but the run list is still the workspace's.
      if (message.event.type === 'started' && state.runs) next.runs = state.runs;
      // The host may name the new job's setup before its 'started' event is drawn.
      if (message.event.type === 'started' && state.setup?.runId === next.runId) next.setup = state.setup;
      return next;
    }
    case 'jobState':
      return state.jobRunning === message.running ? state : { ...state, jobRunning: message.running };
    case 'saliencyScores': {
      const next: PanelState = {
        ...state,
        scores: { runId: message.runId, runDir: message.runDir, saliency: saliencyView(message.summary), histogram: message.histogram },
      };
      delete next.preview;
      return next;
    }
    case 'runs':
      return { ...state, runs: message.runs };
    case 'runSetup': {
      const { type: _type, ...setup } = message;
      return { ...state, setup };
    }
    case 'focusRun':
      return state;
    case 'runTrend': {
      const { type: _type, ...trend } = message;
      // One point per epoch, in order, whatever the sender did; the last one for an epoch wins.
      const byEpoch = new Map(trend.points.map((p) => [p.epoch, p]));
      return { ...state, runTrend: { ...trend, points: [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch) } };
    }
  }
}

/** The host's answer to a γ/ratio preview request (of the scores shown). */
export function applyPreview(state: PanelState, preview: ThresholdPreview): PanelState {
  return { ...state, preview };
}

/** The user asked for the live job's trend again. */
export function showLiveTrend(state: PanelState): PanelState {
  if (!state.runTrend) return state;
  const next = { ...state };
  delete next.runTrend;
  return next;
}

/** The fields shownTrend reads. */
export type TrendReads = 'runTrend' | 'jobRunning' | 'outcome' | 'runId' | 'trend' | 'references' | 'trendMethod';

export function shownTrend(state: Pick<PanelState, TrendReads>): ShownTrend {
  const past = state.runTrend;
  if (past) {
    return {
      past: true,
      label: past.label,
      trend: past.points,
      references: past.reference,
      ...(past.method !== undefined ? { trendMethod: past.method } : {}),
      runId: past.runId,
      skippedLines: past.skippedLines,
    };
  }
  const how = state.jobRunning ? '' : state.outcome ? ` (${state.outcome.status})` : '';
  return {
    past: false,
    label: `Live: current job${state.runId ? ` · ${state.runId}` : ''}${how}`,
    trend: state.trend,
    references: state.references,
    ...(state.trendMethod !== undefined ? { trendMethod: state.trendMethod } : {}),
    ...(state.runId !== undefined ? { runId: state.runId } : {}),
    skippedLines: 0,
  };
}

/** What the Results section shows: the live job's rows, or (Open in Panel) the opened run's. */
export interface ShownResults {
  past: boolean;
  runId?: string;
  /** "Run <id> (finished)" for an opened run; the live job's run id otherwise. */
  label: string;
  method?: string;
  setting?: RunSetting;
  rows: EvaluatedModel[];
}

/** The fields shownResults reads. */
export type ResultsReads = 'runTrend' | 'runs' | 'setup' | 'runId' | 'trendMethod' | 'rows';

export function shownResults(state: Pick<PanelState, ResultsReads>): ShownResults {
  const past = state.runTrend;
  if (past) {
    // The run list carries report.json's rows; a run that has none (failed, still running) shows none.
    const run = state.runs?.find((r) => r.runId === past.runId);
    return {
      past: true,
      runId: past.runId,
      label: past.label,
      rows: run?.rows ?? [],
      ...((past.method ?? run?.method) ? { method: past.method ?? run?.method } : {}),
      ...(run?.setting ? { setting: run.setting } : {}),
    };
  }
  const setup = state.setup && state.setup.runId === state.runId ? state.setup : undefined;
  const listed = state.runs?.find((r) => r.runId === state.runId);
  const setting = setup?.setting ?? listed?.setting;
  const method = setup?.method ?? state.trendMethod;
  return {
    past: false,
    label: state.runId ?? '',
    rows: state.rows,
    ...(state.runId ? { runId: state.runId } : {}),
    ...(method ? { method } : {}),
    ...(setting ? { setting } : {}),
  };
}

/** What the Generated samples section shows: the live job's grids and figures, or (Open in Panel) the opened run's. */
export interface ShownSamples {
  past: boolean;
  /** Whether the section is shown: a generation job or run, or one with grids or figures. */
  has: boolean;
  grids: SampleGrid[];
  rows: GenerationMetricsRow[];
  runId?: string;
}

/** The fields shownSamples reads. */
export type SamplesReads = 'runTrend' | 'kind' | 'samples' | 'generationRows' | 'runId';

export function shownSamples(state: Pick<PanelState, SamplesReads>): ShownSamples {
  const past = state.runTrend;
  if (past) {
    const gen = past.generation;
    // An opened run's grids are not events: negative positions keep their picture keys apart from the live job's.
    const grids = (gen?.grids ?? []).reduce<SampleGrid[]>((all, g, i) => upsertGrid(all, sampleGrid({ type: 'samples', ...g }, -1 - i)), []);
    return { past: true, has: gen !== undefined, grids, rows: gen?.rows ?? [], runId: past.runId };
  }
  return {
    past: false,
    has: (state.kind !== undefined && JOB_KIND_FACTS[state.kind].drawsSamples === true) || state.samples.length > 0 || state.generationRows.length > 0,
    grids: state.samples,
    rows: state.generationRows,
    ...(state.runId !== undefined ? { runId: state.runId } : {}),
  };
}

/** The per-layer bars to draw: the preview's counts over the map's layers, else the map as computed. */
export function displayedSaliency(state: Pick<PanelState, 'saliency' | 'scores' | 'preview'>): SaliencyView | undefined {
  const base = state.scores?.saliency ?? state.saliency;
  const preview = state.preview;
  if (!base || !preview || preview.layers.length !== base.layers.length) return base;
  return {
    ...base,
    ratio: preview.ratio,
    gamma: preview.gamma,
    salientWeights: preview.salientWeights,
    salientShare: preview.totalWeights > 0 ? preview.salientWeights / preview.totalWeights : 0,
    layers: base.layers.map((l, i) => ({ ...l, salient: preview.layers[i].salient, fraction: preview.layers[i].fraction })),
  };
}
