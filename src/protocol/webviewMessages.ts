// Messages between the extension host and the SalUn side panel (webview). The panel renders only
// what it receives: job events (live, or replayed after a reload), host status, and the host's
// answers to its requests (threshold previews, the run list). Both sides validate on receipt.
import type { JobEvent } from './jobMessages';
import type { EvaluatedModel, Metrics, SaliencySummary } from './results';
import { isFiniteNumber, isOneOf, isRecord, isString } from './guards';

/** log10|g| of a run's saliency scores in equal-width bins; zeros are counted apart (log10 0 = −∞). */
export interface ScoreHistogram {
  /** log10 of the smallest and largest nonzero score: the range the bins cover. */
  log10Min: number;
  log10Max: number;
  /** Nonzero scores per bin, lowest first. */
  bins: number[];
  /** Scores that are exactly 0 (e.g. weights behind dead ReLU units). */
  zeros: number;
  total: number;
}

export interface LayerPreview {
  name: string;
  salient: number;
  total: number;
  /** salient / total, 0..1. */
  fraction: number;
}

/** What a mask at another ratio or γ would look like, per layer; computed by the host without a job. */
export interface ThresholdPreview {
  ratio: number;
  gamma: number;
  salientWeights: number;
  totalWeights: number;
  layers: LayerPreview[];
}

export type ThresholdBy = 'ratio' | 'gamma';

/** One run folder as the comparison table needs it. */
export interface ComparisonRun {
  runId: string;
  dir: string;
  method: string;
  /** status.json's state: running, finished, failed, cancelled; 'unknown' without one. */
  state: string;
  startedAt?: string;
  /** The saliency ratio and γ the run's mask used; absent for methods without a mask. */
  ratio?: number;
  gamma?: number;
  /** report.json's rows: Original, Retrain, the method (with Avg. Gap). */
  rows: EvaluatedModel[];
}

/** One epoch of a trend: the unlearned model's metrics after that epoch, in %. */
export interface RunTrendPoint {
  epoch: number;
  metrics: Metrics;
}

/** A past run's metric trend, read by the host from its run folder (Open in Panel). */
export interface RunTrend {
  runId: string;
  runDir: string;
  /** What the panel shows as the trend's source, e.g. "Run 20261126-003323-salun (finished)". */
  label: string;
  /** status.json's state: running, finished, stopped, failed, cancelled; 'unknown' without one. */
  state: string;
  method?: string;
  /** metrics.jsonl's unlearned lines, sorted by epoch, one per epoch. */
  points: RunTrendPoint[];
  /** The Original and Retrain rows (metrics.jsonl's, else report.json's), drawn as reference lines. */
  reference: { original?: Metrics; retrain?: Metrics };
  /** metrics.jsonl lines that could not be read and were left out (a torn last line included). */
  skippedLines: number;
}

/** The range salun.saliencyRatio accepts (package.json, jobConfigs.ts). */
export const SETTING_RATIO_MIN = 0.01;
export const SETTING_RATIO_MAX = 1;

export type ExportFormat = 'csv' | 'md' | 'svg' | 'png';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'md', 'svg', 'png'];

/** Host → webview. */
export type HostToWebview =
  /** Everything the panel needs after (re)loading: the current or last job's event log. */
  | { type: 'replay'; events: JobEvent[]; jobRunning: boolean }
  /** One live event of the running job. */
  | { type: 'event'; event: JobEvent }
  | { type: 'jobState'; running: boolean }
  /** The saliency map the γ control previews (sent once per map, after the host has read it). */
  | { type: 'saliencyScores'; runId: string; runDir: string; summary: SaliencySummary; histogram: ScoreHistogram }
  | ({ type: 'thresholdPreview'; requestId: number } & ThresholdPreview)
  /** The host cannot answer a preview (no saliency map read yet); the panel stops waiting. */
  | { type: 'previewUnavailable'; requestId: number; reason: string }
  | { type: 'runs'; runs: ComparisonRun[] }
  /** "Open in Panel" on a run: select it in the comparison and bring that section into view. */
  | { type: 'focusRun'; runId: string }
  /**
   * "Open in Panel" on a run: its metric trend replaces the live job's until a job starts, the user
   * switches back, or a replay comes that is not followed by another runTrend.
   */
  | ({ type: 'runTrend' } & RunTrend);

/** Actions the panel may ask the host to perform (the panel never does work itself). */
export const PANEL_ACTIONS = ['computeSaliency', 'runUnlearning', 'cancelJob', 'showLog'] as const;
export type PanelAction = (typeof PANEL_ACTIONS)[number];

/** Webview → host. */
export type WebviewToHost =
  /**
   * Sent once the panel's script is listening; the host answers with a replay. `trendRunDir`: the
   * past run whose trend the panel showed before it was reloaded (the host re-reads it if it has
   * not chosen the trend's source itself since it started).
   */
  | { type: 'ready'; trendRunDir?: string }
  /** The user switched the trend charts back from a past run to the live job. */
  | { type: 'showLiveTrend' }
  | { type: 'action'; action: PanelAction }
  /** A request: the host answers with a thresholdPreview (or previewUnavailable) of the same id. */
  | { type: 'previewThreshold'; requestId: number; by: ThresholdBy; value: number }
  /** Writes salun.saliencyRatio (workspace) so the next job uses this ratio. */
  | { type: 'applySaliencyRatio'; ratio: number }
  | { type: 'requestRuns' }
  /** Preview the saliency map of a listed run folder instead of the latest job's. */
  | { type: 'loadRunSaliency'; runDir: string }
  /** The host asks where to save (showSaveDialog) and writes `content` (base64 when format is png). */
  | { type: 'export'; format: ExportFormat; fileName: string; content: string };

export function isWebviewToHost(x: unknown): x is WebviewToHost {
  if (!isRecord(x)) return false;
  switch (x.type) {
    case 'ready': return x.trendRunDir === undefined || (isString(x.trendRunDir) && x.trendRunDir.length > 0);
    case 'requestRuns':
    case 'showLiveTrend':
      return true;
    case 'action': return isOneOf(x.action, PANEL_ACTIONS);
    case 'previewThreshold':
      return Number.isSafeInteger(x.requestId) && isOneOf(x.by, ['ratio', 'gamma'] as const) && isFiniteNumber(x.value) && x.value >= 0;
    case 'applySaliencyRatio': return isFiniteNumber(x.ratio) && x.ratio >= SETTING_RATIO_MIN && x.ratio <= SETTING_RATIO_MAX;
    case 'loadRunSaliency': return isString(x.runDir) && x.runDir.length > 0;
    case 'export':
      return isOneOf(x.format, EXPORT_FORMATS) && isString(x.fileName) && /^[\w.() -]{1,120}$/.test(x.fileName) && isString(x.content);
    default: return false;
  }
}

function isLayerPreview(x: unknown): x is LayerPreview {
  return isRecord(x) && isString(x.name) && isFiniteNumber(x.salient) && isFiniteNumber(x.total) && isFiniteNumber(x.fraction);
}

export function isThresholdPreview(x: unknown): x is ThresholdPreview {
  return isRecord(x) && isFiniteNumber(x.ratio) && typeof x.gamma === 'number' && !Number.isNaN(x.gamma)
    && isFiniteNumber(x.salientWeights) && isFiniteNumber(x.totalWeights) && Array.isArray(x.layers) && x.layers.every(isLayerPreview);
}

export function isScoreHistogram(x: unknown): x is ScoreHistogram {
  return isRecord(x) && isFiniteNumber(x.log10Min) && isFiniteNumber(x.log10Max) && Array.isArray(x.bins)
    && x.bins.every(isFiniteNumber) && isFiniteNumber(x.zeros) && isFiniteNumber(x.total);
}

export function isMetrics(x: unknown): x is Metrics {
  return isRecord(x) && isFiniteNumber(x.UA) && isFiniteNumber(x.RA) && isFiniteNumber(x.TA) && isFiniteNumber(x.MIA);
}

export function isRunTrend(x: unknown): x is RunTrend {
  if (!isRecord(x) || !isString(x.runId) || !isString(x.runDir) || !isString(x.label) || !isString(x.state)) return false;
  if (x.method !== undefined && !isString(x.method)) return false;
  if (!Number.isSafeInteger(x.skippedLines) || (x.skippedLines as number) < 0) return false;
  const ref = x.reference;
  if (!isRecord(ref) || (ref.original !== undefined && !isMetrics(ref.original)) || (ref.retrain !== undefined && !isMetrics(ref.retrain))) return false;
  return Array.isArray(x.points) && x.points.every((p) => isRecord(p) && isFiniteNumber(p.epoch) && isMetrics(p.metrics));
}

function isComparisonRun(x: unknown): x is ComparisonRun {
  return isRecord(x) && isString(x.runId) && isString(x.dir) && isString(x.method) && isString(x.state)
    && Array.isArray(x.rows) && x.rows.every((r) => isRecord(r) && isString(r.role) && isRecord(r.metrics));
}

export function isHostToWebview(x: unknown): x is HostToWebview {
  if (!isRecord(x)) return false;
  switch (x.type) {
    case 'replay': return Array.isArray(x.events) && typeof x.jobRunning === 'boolean';
    case 'event': return isRecord(x.event);
    case 'jobState': return typeof x.running === 'boolean';
    case 'saliencyScores':
      return isString(x.runId) && isString(x.runDir) && isRecord(x.summary) && Array.isArray(x.summary.layers) && isScoreHistogram(x.histogram);
    case 'thresholdPreview': return Number.isSafeInteger(x.requestId) && isThresholdPreview(x);
    case 'previewUnavailable': return Number.isSafeInteger(x.requestId) && isString(x.reason);
    case 'runs': return Array.isArray(x.runs) && x.runs.every(isComparisonRun);
    case 'focusRun': return isString(x.runId);
    case 'runTrend': return isRunTrend(x);
    default: return false;
  }
}
