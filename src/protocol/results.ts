// Shapes of what a job produces: saliency statistics, metrics, backend info. Shared by every side.
import type { BackendName, GpuAdapterInfo, SkippedBackend } from './backends';

export interface BackendInfo {
  name: BackendName;
  /** Why this backend was chosen (or which ones were tried and why they failed). */
  reason: string;
  /** e.g. "wasm SIMD, 1 thread" or "CUDA". */
  detail: string;
  /** The GPU adapter (webgpu only). */
  adapter?: GpuAdapterInfo;
  /** `auto`: the backends tried first, each with why it was not taken. */
  skipped?: SkippedBackend[];
}

export interface LayerSaliency {
  /** Weight variable name, e.g. "conv2d_1/kernel". */
  name: string;
  shape: number[];
  count: number;
  salient: number;
  /** salient / count: the share of this layer's weights that the mask lets move. */
  salientFraction: number;
  minScore: number;
  medianScore: number;
  maxScore: number;
}

export interface SaliencySummary {
  ratio: number;
  gamma: number;
  totalWeights: number;
  salientWeights: number;
  layers: LayerSaliency[];
}

/**
 * The classification metrics, in the paper's column order (SalUn, Fan et al., ICLR 2024, Table 3);
 * every table, export, chart and log lists them from here. None is "higher is better": a method is
 * judged by how close each one comes to Retrain's, which Avg. Gap sums up.
 */
export const METRICS = [
  { name: 'UA', label: 'Unlearning accuracy', meaning: '100 − accuracy on the forget set Df' },
  { name: 'RA', label: 'Remaining accuracy', meaning: 'accuracy on the retain set Dr' },
  { name: 'TA', label: 'Testing accuracy', meaning: 'accuracy on the test set' },
  { name: 'MIA', label: 'MIA-Efficacy', meaning: 'MIA-Efficacy (share of Df a membership classifier calls non-member)' },
] as const;

export type MetricName = (typeof METRICS)[number]['name'];

/** UA, RA, TA, MIA: the metrics' names in column order. */
export const METRIC_NAMES: readonly MetricName[] = METRICS.map((m) => m.name);

/** All in percent, as in the paper. */
export type Metrics = Record<MetricName, number>;

/** A value per metric, built one name at a time (a mean over seeds, a statistic, a label). */
export function perMetric<T>(value: (name: MetricName) => T): Record<MetricName, T> {
  return { UA: value('UA'), RA: value('RA'), TA: value('TA'), MIA: value('MIA') };
}

/** "UA 1.00  RA 2.00 …": each metric after its name, for one-line summaries (terminal, tooltips, pick lists). */
export function metricsLine(m: Metrics, format: (x: number) => string, separator: string): string {
  return METRIC_NAMES.map((k) => `${k} ${format(m[k])}`).join(separator);
}

/**
 * Avg. Gap as the paper defines it: mean |metric − Retrain's| over UA, RA, TA, MIA (points). The one
 * definition for the engine's reports, the panel's per-epoch gap line and the exports.
 */
export function avgGap(m: Metrics, reference: Metrics): number {
  return METRIC_NAMES.reduce((sum, k) => sum + Math.abs(m[k] - reference[k]), 0) / METRIC_NAMES.length;
}

export type ModelRole = 'original' | 'retrain' | 'unlearned';

/** The Retrain-free verdict's words (engine/metrics/verdict.ts says how each is reached; docs/verdict.md why). */
export const VERDICT_LABELS = ['looks unseen', 'still remembers', 'over-forgot'] as const;
export type RunVerdictLabel = (typeof VERDICT_LABELS)[number];
export const VERDICT_FIGURE_NAMES = ['accuracy', 'loss', 'confidence', 'mia', 'retain'] as const;
export type VerdictFigureName = (typeof VERDICT_FIGURE_NAMES)[number];

/** One figure of the verdict: Df's value against its held-out reference, with the noise that sets its threshold. */
export interface RunVerdictFigure {
  name: VerdictFigureName;
  /** Df's value: accuracy %, loss or confidence AUC, MIA-Efficacy %; for `retain`, RA(θu) %. */
  forget: number;
  /** Held-out accuracy %, 0.5, held-out MIA-Efficacy %, RA(θo) %. */
  reference: number;
  /** Signed; > 0: Df looks more like training data than held-out data does (for `retain`: RA gained). */
  gap: number;
  /** σ of the gap between random held-out halves, at the compared sizes. */
  noise: number;
  noiseFrom: 'splits' | 'analytic floor';
  /** k·σ: a |gap| beyond it is not noise. */
  threshold: number;
  z: number;
}

/**
 * The Retrain-free verdict on one evaluated model, tensor-free: what a run folder, the CLI and the
 * panel carry. `points` is its score in points, an estimate of the Avg. Gap without Retrain: the
 * mean of |accuracy gap|, |MIA gap|, |RA − RA(θo)| and |TA − TA(θo)| (the Avg. Gap's four terms,
 * held-out data standing in for Retrain's UA and MIA, θo for its RA and TA; verdicts recorded
 * before `test` existed used the first three). The z's decide the label.
 */
export interface RunVerdict {
  label: RunVerdictLabel;
  points: number;
  /** TA(θu) and TA(θo) in percent on the run's test rows: the fourth term of `points` (absent in older records). */
  test?: { accuracy: number; original: number };
  meanAbsZ: number;
  figures: RunVerdictFigure[];
  reason: string;
  /** The threshold multiplier Φ⁻¹(1 − α/10), its α, the held-out halvings and the seed they were drawn with. */
  k: number;
  alpha: number;
  splits: number;
  seed: number;
  /**
   * How many held-out samples Df was compared with, and where they come from; `wholeClass` when Df is a
   * whole class (its accuracy is then judged against 0; absent in older records).
   */
  heldOut: { size: number; source: string; wholeClass?: boolean };
  /** False when a membership attack stopped at its iteration cap. */
  miaConverged: boolean;
  /** Wall-clock seconds the verdict took (its forward passes and statistics), not counted in the model's own time. */
  seconds: number;
}

export interface EvaluatedModel {
  role: ModelRole;
  method: string;
  metrics: Metrics;
  /** Mean of |metric − Retrain's| over UA, RA, TA, MIA; absent when there is no Retrain. */
  avgGap?: number;
  /** Wall-clock seconds of the step that produced this model (training or unlearning). */
  seconds: number;
  /** The Retrain-free verdict on this model (unlearning runs; absent in older run folders and tables). */
  verdict?: RunVerdict;
}

export interface RunResult {
  runId: string;
  runDir: string;
  backend: BackendInfo;
  rows: EvaluatedModel[];
  saliency?: SaliencySummary;
  /** The Markdown report to open: report.md of a run folder, table.md of a comparison table. */
  report?: string;
  /** Present when the user chose Stop and Keep: the model is the one after `epoch` of `of` epochs. */
  stopped?: { epoch: number; of: number };
  /**
   * A comparison table ended by Stop and Keep: `done` of `of` models evaluated; `missing` names
   * what it lacks, one entry per seed ("seed 2: Retrain, Original, FT").
   */
  partial?: { done: number; of: number; missing: string[] };
  /** What the user should know about the result although the job succeeded (an empty saliency mask). */
  warnings?: string[];
}

/**
 * One model's figures in a generation unlearning job. `ua`: share of images generated
 * for the forgotten class that the evaluation classifier does NOT label as it; `retainedAccuracy`:
 * the classifier's accuracy on images generated for the other classes; `fidClassifier`: Fréchet
 * distance on that classifier's penultimate features (not Inception's: it is not available
 * offline) against real test images, θo's samples and Retrain's samples, where computed. UA and
 * accuracy in percent, like the classification metrics.
 */
export interface GenerationMetricsRow {
  label: string;
  method: string;
  ua: number;
  retainedAccuracy: number;
  fidClassifier: { realTest?: number; theta0?: number; retrain?: number };
  /** Wall-clock seconds of the step that produced this model (training or unlearning). */
  seconds?: number;
}
