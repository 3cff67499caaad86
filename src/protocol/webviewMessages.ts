// The SalUn side panel's protocol: one definition per message kind (src/protocol/ipc.ts) that the
// host (extension/panel/handlers/, joined in panelHandlers.ts) and the webview (webview/) both use. The panel renders only what
// it receives: job events (live, or replayed after a reload), host status, and the host's answers to
// its requests. Both ends validate on receipt and log what they reject.
import type { JobEvent, SampleGridDescription } from './jobMessages';
import { isGenerationMetricsRow, isJobEvent, isSampleGridDescription } from './jobMessages';
import type { EvaluatedModel, GenerationMetricsRow, Metrics, SaliencySummary } from './results';
import { isFiniteNumber, isOneOf, isRecord, isString } from './guards';
import type { RunSetting } from './runLabels';
import { isRunSetting } from './runLabels';
import type { MessageOf, ReplyMessage } from './ipc';
import { command, isReplyMessage, MessageSet, noParams, notification, request } from './ipc';

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
  /** The model, data and forget set its config.json names (what lists and titles show). */
  setting?: RunSetting;
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
  /** A generation run's grids (each stage's last, from samples/) and figures (generation-metrics.json). */
  generation?: RunGeneration;
}

export interface RunGeneration {
  grids: SampleGridDescription[];
  rows: GenerationMetricsRow[];
}

function isRunGeneration(x: unknown): x is RunGeneration {
  return isRecord(x) && Array.isArray(x.grids) && x.grids.every(isSampleGridDescription) && Array.isArray(x.rows) && x.rows.every(isGenerationMetricsRow);
}

/** The range salun.saliencyRatio accepts (package.json, jobConfigs.ts). */
export const SETTING_RATIO_MIN = 0.01;
export const SETTING_RATIO_MAX = 1;

export type ExportFormat = 'csv' | 'md' | 'svg' | 'png';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'md', 'svg', 'png'];

function isLayerPreview(x: unknown): x is LayerPreview {
  return isRecord(x) && isString(x.name) && isFiniteNumber(x.salient) && isFiniteNumber(x.total) && isFiniteNumber(x.fraction);
}

export function isThresholdPreview(x: unknown): x is ThresholdPreview {
  return (
    isRecord(x) &&
    isFiniteNumber(x.ratio) &&
    typeof x.gamma === 'number' &&
    !Number.isNaN(x.gamma) &&
    isFiniteNumber(x.salientWeights) &&
    isFiniteNumber(x.totalWeights) &&
    Array.isArray(x.layers) &&
    x.layers.every(isLayerPreview)
  );
}

export function isScoreHistogram(x: unknown): x is ScoreHistogram {
  return (
    isRecord(x) &&
    isFiniteNumber(x.log10Min) &&
    isFiniteNumber(x.log10Max) &&
    Array.isArray(x.bins) &&
    x.bins.every(isFiniteNumber) &&
    isFiniteNumber(x.zeros) &&
    isFiniteNumber(x.total)
  );
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
  if (x.generation !== undefined && !isRunGeneration(x.generation)) return false;
  return Array.isArray(x.points) && x.points.every((p) => isRecord(p) && isFiniteNumber(p.epoch) && isMetrics(p.metrics));
}

function isComparisonRun(x: unknown): x is ComparisonRun {
  return (
    isRecord(x) &&
    isString(x.runId) &&
    isString(x.dir) &&
    isString(x.method) &&
    isString(x.state) &&
    (x.setting === undefined || isRunSetting(x.setting)) &&
    Array.isArray(x.rows) &&
    x.rows.every((r) => isRecord(r) && isString(r.role) && isRecord(r.metrics))
  );
}

/** Actions the panel may ask the host to perform (the panel never does work itself). */
export const PANEL_ACTIONS = ['computeSaliency', 'runUnlearning', 'cancelJob', 'showLog', 'openChartsInEditor'] as const;
export type PanelAction = (typeof PANEL_ACTIONS)[number];

/** A run folder's config.json as recorded, for the comparison's "config" link. */
export interface RunConfigReply {
  runId: string;
  config: Record<string, unknown>;
}

/**
 * What the panel's Run Unlearning button starts: the last New Unlearning Run's answers (`summary`
 * names them), or, with none remembered, the New Unlearning Run flow. Never the settings' defaults.
 */
export interface NextRunReply {
  configured: boolean;
  /** e.g. "SalUn on my-model/model.json · forget class 7"; present when configured. */
  summary?: string;
}

/** A generation job's sample grid as the panel draws it: the PNG the host read from the run folder. */
export interface SampleImageReply {
  /** The path asked for, so a late answer can be matched to the grid that asked. */
  file: string;
  /** `data:image/png;base64,…`: the CSP's img-src allows data: and nothing outside the panel's own roots. */
  dataUri: string;
  width: number;
  height: number;
  bytes: number;
}

/** Where an exported sample grid went; `saved: false` when the user closed the save dialog. */
export interface ExportSampleGridReply {
  saved: boolean;
  path?: string;
}

/** A samples/<name>.png path as the job's 'samples' event names it (the host confines it again). */
function isSampleFile(x: unknown): x is string {
  return isString(x) && x.length > 0 && x.length <= 4096 && /\.png$/i.test(x);
}

export function isSampleImageReply(x: unknown): x is SampleImageReply {
  return (
    isRecord(x) &&
    isSampleFile(x.file) &&
    isString(x.dataUri) &&
    x.dataUri.startsWith('data:image/png;base64,') &&
    isFiniteNumber(x.width) &&
    isFiniteNumber(x.height) &&
    isFiniteNumber(x.bytes)
  );
}

/** The live job's run and what it was set up with (read by the host from its config.json). */
export interface RunSetupParams {
  runId: string;
  method?: string;
  setting: RunSetting;
}

// ---------------------------------------------------------------------------------------------
// Host → webview: notifications

/** Everything the panel needs after (re)loading: the current or last job's event log. */
export const ReplayNotification = notification(
  'replay',
  (x): x is { events: JobEvent[]; jobRunning: boolean } => isRecord(x) && Array.isArray(x.events) && typeof x.jobRunning === 'boolean',
);

/** One live event of the running job. */
export const EventNotification = notification('event', (x): x is { event: JobEvent } => isRecord(x) && isJobEvent(x.event));

export const JobStateNotification = notification('jobState', (x): x is { running: boolean } => isRecord(x) && typeof x.running === 'boolean');

/** The saliency map the γ control previews (sent once per map, after the host has read it). */
export const SaliencyScoresNotification = notification(
  'saliencyScores',
  (x): x is { runId: string; runDir: string; summary: SaliencySummary; histogram: ScoreHistogram } =>
    isRecord(x) && isString(x.runId) && isString(x.runDir) && isRecord(x.summary) && Array.isArray(x.summary.layers) && isScoreHistogram(x.histogram),
);

export const RunsNotification = notification(
  'runs',
  (x): x is { runs: ComparisonRun[] } => isRecord(x) && Array.isArray(x.runs) && x.runs.every(isComparisonRun),
);

/** "Open in Panel" on a run: select it in the comparison and bring that section into view. */
export const FocusRunNotification = notification('focusRun', (x): x is { runId: string } => isRecord(x) && isString(x.runId));

/**
 * "Open in Panel" on a run: its metric trend replaces the live job's until a job starts, the user
 * switches back, or a replay comes that is not followed by another runTrend.
 */
export const RunTrendNotification = notification('runTrend', (x): x is RunTrend => isRunTrend(x));

/** Sent after a job's 'started' event (and after a replay): the model, data and forget set of that run. */
export const RunSetupNotification = notification(
  'runSetup',
  (x): x is RunSetupParams => isRecord(x) && isString(x.runId) && (x.method === undefined || isString(x.method)) && isRunSetting(x.setting),
);

export const HOST_NOTIFICATIONS = [
  ReplayNotification,
  EventNotification,
  JobStateNotification,
  SaliencyScoresNotification,
  RunsNotification,
  FocusRunNotification,
  RunTrendNotification,
  RunSetupNotification,
] as const;

// ---------------------------------------------------------------------------------------------
// Webview → host: commands (no reply) and requests (one reply)

/**
 * Sent once the panel's script is listening; the host answers with a replay. `trendRunDir`: the
 * past run whose trend the panel showed before it was reloaded (the host re-reads it if it has
 * not chosen the trend's source itself since it started).
 */
export const ReadyCommand = command(
  'ready',
  (x): x is { trendRunDir?: string } => isRecord(x) && (x.trendRunDir === undefined || (isString(x.trendRunDir) && x.trendRunDir.length > 0)),
);

/** The user switched the trend charts back from a past run to the live job. */
export const ShowLiveTrendCommand = command('showLiveTrend', noParams);

export const PanelActionCommand = command('action', (x): x is { action: PanelAction } => isRecord(x) && isOneOf(x.action, PANEL_ACTIONS));

/** Writes salun.saliencyRatio (workspace) so the next job uses this ratio. */
export const ApplySaliencyRatioCommand = command(
  'applySaliencyRatio',
  (x): x is { ratio: number } => isRecord(x) && isFiniteNumber(x.ratio) && x.ratio >= SETTING_RATIO_MIN && x.ratio <= SETTING_RATIO_MAX,
);

/** Re-list the run folders; the host answers with a runs notification (it also sends one after every job). */
export const RefreshRunsCommand = command('requestRuns', noParams);

/** Preview the saliency map of a listed run folder instead of the latest job's. */
export const LoadRunSaliencyCommand = command('loadRunSaliency', (x): x is { runDir: string } => isRecord(x) && isString(x.runDir) && x.runDir.length > 0);

/** The host asks where to save (showSaveDialog) and writes `content` (base64 when format is png). */
export const ExportCommand = command(
  'export',
  (x): x is { format: ExportFormat; fileName: string; content: string } =>
    isRecord(x) && isOneOf(x.format, EXPORT_FORMATS) && isString(x.fileName) && /^[\w.() -]{1,120}$/.test(x.fileName) && isString(x.content),
);

/** What the mask would be at another ratio or γ; fails while the host has no saliency map read. */
export const PreviewThresholdRequest = request(
  'previewThreshold',
  (x): x is { by: ThresholdBy; value: number } => isRecord(x) && isOneOf(x.by, ['ratio', 'gamma'] as const) && isFiniteNumber(x.value) && x.value >= 0,
  isThresholdPreview,
);

/** A listed run folder's config.json; fails for a folder that is not a run of this workspace. */
export const GetRunConfigRequest = request(
  'getRunConfig',
  (x): x is { runDir: string } => isRecord(x) && isString(x.runDir) && x.runDir.length > 0,
  (x): x is RunConfigReply => isRecord(x) && isString(x.runId) && isRecord(x.config),
);

/** What Run Unlearning would start now (the panel labels its button with it). */
export const NextRunRequest = request(
  'nextRun',
  noParams,
  (x): x is NextRunReply => isRecord(x) && typeof x.configured === 'boolean' && (x.summary === undefined || isString(x.summary)),
);

/**
 * A sample grid's PNG for the "Generated samples" section. The view asks (on first draw, after a
 * newer 'samples' event, after a reload) rather than the host pushing: a hidden webview drops
 * posts, and the view persists only the path. Fails for a file outside a run folder's samples/.
 */
export const SampleImageRequest = request('sampleImage', (x): x is { file: string } => isRecord(x) && isSampleFile(x.file), isSampleImageReply);

/** "Export PNG" on a sample grid: the host asks where to save and copies the run folder's PNG there. */
export const ExportSampleGridRequest = request(
  'exportSampleGrid',
  (x): x is { file: string; fileName: string } => isRecord(x) && isSampleFile(x.file) && isString(x.fileName) && /^[\w.() -]{1,120}\.png$/.test(x.fileName),
  (x): x is ExportSampleGridReply => isRecord(x) && typeof x.saved === 'boolean' && (x.path === undefined || isString(x.path)),
);

export const WEBVIEW_MESSAGES = [
  ReadyCommand,
  ShowLiveTrendCommand,
  PanelActionCommand,
  ApplySaliencyRatioCommand,
  RefreshRunsCommand,
  LoadRunSaliencyCommand,
  ExportCommand,
  PreviewThresholdRequest,
  GetRunConfigRequest,
  NextRunRequest,
  SampleImageRequest,
  ExportSampleGridRequest,
] as const;

export type HostNotificationType = (typeof HOST_NOTIFICATIONS)[number];
export type WebviewMessageType = (typeof WEBVIEW_MESSAGES)[number];

/** Host → webview notifications, as they travel. */
export type HostNotification = MessageOf<HostNotificationType>;
/** Everything the host posts: notifications and replies to requests. */
export type HostToWebview = HostNotification | ReplyMessage;
/** Webview → host. */
export type WebviewToHost = MessageOf<WebviewMessageType>;

export const hostNotifications = new MessageSet<HostNotificationType>(HOST_NOTIFICATIONS);
export const webviewMessages = new MessageSet<WebviewMessageType>(WEBVIEW_MESSAGES);

export function isWebviewToHost(x: unknown): x is WebviewToHost {
  return webviewMessages.is(x);
}

export function isHostToWebview(x: unknown): x is HostToWebview {
  return hostNotifications.is(x) || isReplyMessage(x);
}
