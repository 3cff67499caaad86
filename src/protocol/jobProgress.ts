// The one progress figure of a job: how far the whole job is, from 0 to 1, and how long the rest
// should take. The job computes it once (dispatchJob stamps it on every 'phase' and 'progress'
// event) and every display shows those fields as they came: the status bar, the SalUn view's
// progress bar, the panel. Nothing downstream computes a percentage of its own, so they cannot
// disagree, and a replayed log shows what the live stream showed.
//
// A job is a plan of stages in the order the engine runs them (each kind's row in configKinds.ts
// names its plan here; the engine: classification/ runJob.ts, saliencyJob.ts,
// evaluateJob.ts, tableJob.ts, gridJob.ts, and generation/job.ts), built from the parsed config at the
// start, each weighted by its rough cost. Phase events move through the plan; a stage that may
// not happen (a model from the cache) is passed over when a later one starts, and its weight
// leaves the total. The whole job's ETA is elapsed × (1 − fraction) / fraction: the time so far
// per unit of planned work, times the work left, so it corrects itself as the job runs.
import { isOwnModel } from './modelSources';
import type { EvaluateJobConfig, RunConfig, SaliencyJobConfig } from './config';
import type { GenerationConfig } from './generationConfig';
import { seedConfig, type GenerationTableConfig } from './genTable';
import { genGridPoints, pointConfig, type GenerationGridConfig } from './genGrid';
import { BUNDLED_CLASS_COUNT } from './generationConfig';
import { generationFacet } from './genMethods';
import { applyPoint, gridPoints, type GridConfig } from './grid';
import type { JobEvent, JobPhase, OverallProgress } from './jobMessages';
import { defaultUnlearnRecipe, methodEpochs, methodUsesMask, type MethodName, type MethodOptions } from './methods';
import { auditMethodRecipe, type AuditConfig } from './audit';
import type { TableConfig } from './table';

export interface JobStage {
  phase: JobPhase;
  /** Rough cost, in the plan's own unit (epochs of training for a classifier job, U-Net steps for generation). */
  weight: number;
  /** May not happen (a model from the cache, a judge already trained): later stages may pass it over. */
  optional?: boolean;
}

// Classifier jobs, in epochs of training over the training set: θo and Retrain train train.epochs
// each; an unlearning epoch passes over the forget and retain sets (≈ one epoch); an evaluation is
// forward passes over train and test plus the MIA's SVM (about half an epoch: forward only, ≈ 1/3
// of a training step per sample, over 1.2× the rows); the saliency map one gradient pass over Df.
const EVALUATE = 0.5;
const SALIENCY = 0.2;
const LOAD = 0.2;
const WRITE = 0.1;

/** Loading the data, and θo trained here unless it is the user's file (then the cache or training decides). */
function classifierStart(model: { kind: string }, trainEpochs: number): JobStage[] {
  return [{ phase: 'load', weight: LOAD }, ...(isOwnModel(model) ? [] : [{ phase: 'train-original' as const, weight: trainEpochs, optional: true }])];
}

/** A model evaluated, then its Retrain-free verdict (a run evaluates every model twice over). */
const evaluation = (verdict: boolean): JobStage[] => [
  { phase: 'evaluate', weight: EVALUATE },
  ...(verdict ? [{ phase: 'evaluate' as const, weight: EVALUATE }] : []),
];

/** One method from θo: its saliency map when it uses one, then its epochs (each evaluated in a run). */
function methodStages(method: MethodName, masked: boolean | undefined, epochs: number, evaluatedEachEpoch: boolean, options?: MethodOptions): JobStage[] {
  return [
    ...(methodUsesMask(method, masked, options) ? [{ phase: 'saliency' as const, weight: SALIENCY }] : []),
    { phase: 'unlearn', weight: Math.max(1, epochs) * (1 + (evaluatedEachEpoch ? EVALUATE : 0)) },
  ];
}

export function runPlan(c: RunConfig): JobStage[] {
  return [
    ...classifierStart(c.model, c.train.epochs),
    ...evaluation(true),
    ...(c.retrain ? [{ phase: 'retrain' as const, weight: c.train.epochs, optional: true }, ...evaluation(true)] : []),
    ...methodStages(c.method, c.masked, methodEpochs(c.method, c.unlearn, c.methodOptions), true, c.methodOptions),
    // The final model's verdict (its metrics are the last epoch's).
    { phase: 'evaluate', weight: EVALUATE },
    { phase: 'write', weight: WRITE },
  ];
}

export function saliencyPlan(c: SaliencyJobConfig): JobStage[] {
  return [...classifierStart(c.model, c.train.epochs), { phase: 'saliency', weight: SALIENCY }];
}

export function evaluatePlan(c: EvaluateJobConfig): JobStage[] {
  return [
    ...classifierStart(c.model, c.train.epochs),
    ...(c.retrain ? [{ phase: 'retrain' as const, weight: c.train.epochs, optional: true }, ...evaluation(false)] : []),
    ...evaluation(false),
    { phase: 'write', weight: WRITE },
  ];
}

/** θo and Retrain of the seed (cached or trained), Retrain and Original evaluated: what a table's seed and a grid start with. */
function studyStart(c: Pick<TableConfig, 'model' | 'train'>): JobStage[] {
  return [
    ...classifierStart(c.model, c.train.epochs),
    { phase: 'retrain', weight: c.train.epochs, optional: true },
    ...evaluation(false),
    ...evaluation(false),
  ];
}

export function tablePlan(c: TableConfig): JobStage[] {
  const seed: JobStage[] = [
    ...studyStart(c),
    ...c.methods.flatMap((m) => [...methodStages(m, false, methodEpochs(m, defaultUnlearnRecipe(m)), false), ...evaluation(false)]),
  ];
  return c.seeds.flatMap(() => seed);
}

/** Relearning a copy step by step, each step measured on part of Df: about half an evaluation. */
const RELEARN = 0.25;

/**
 * The audit: θo's outputs, N Retrain models, N runs of each method, a relearning test after the
 * first Retrain and the first run of each method. Every model's stages are optional: a resumed
 * audit reads the models it already has.
 */
export function auditPlan(c: AuditConfig): JobStage[] {
  const each = (stages: JobStage[]): JobStage[] => Array.from({ length: c.models }, () => stages.map((s) => ({ ...s, optional: true }))).flat();
  const relearn: JobStage = { phase: 'evaluate', weight: RELEARN, optional: true };
  return [
    ...classifierStart(c.model, c.train.epochs),
    { phase: 'evaluate', weight: EVALUATE },
    ...each([
      { phase: 'retrain', weight: c.train.epochs },
      { phase: 'evaluate', weight: EVALUATE },
    ]),
    relearn,
    ...c.methods.flatMap((m) => {
      const r = auditMethodRecipe(c, m);
      return [
        ...each([
          ...methodStages(m, r.masked ?? false, methodEpochs(m, r.unlearn, r.methodOptions), false, r.methodOptions),
          { phase: 'evaluate', weight: EVALUATE },
        ]),
        relearn,
      ];
    }),
    { phase: 'write', weight: WRITE },
  ];
}

export function gridPlan(c: GridConfig): JobStage[] {
  const base = defaultUnlearnRecipe(c.method);
  return [
    ...studyStart(c),
    ...gridPoints(c.axes).flatMap((p) => [
      ...methodStages(c.method, c.masked, methodEpochs(c.method, applyPoint(p, base, 0.5).recipe), false),
      ...evaluation(false),
    ]),
  ];
}

// Generation, in θo's Adam steps of train.batchSize images (0.69 s on wasm at 14×14, batch 64;
// docs/results.md). A forward pass is about a third of a step per image; sampling runs the U-Net
// twice per DDIM step (guidance). Measured on wasm (the quick demo, 662 s in all, and a recorded
// small job): an unlearning step of batch 32 (forget and retain) ≈ 0.75 of a θo step, an epoch of
// the judge CNN over the bundled 10,000 images ≈ 8 steps, the saliency of the diffusion loss ≈ 30.
const GEN_LOAD = 2;
const GEN_JUDGE_EPOCH = 8;
const GEN_SALIENCY = 30;
const GEN_SCORING = 1;
const GEN_WRITE = 2;

/** The generation grid: each point's generation job in turn. */
export function generationGridPlan(c: GenerationGridConfig): JobStage[] {
  return genGridPoints(c).flatMap((p) => generationPlan(pointConfig(c, p)));
}

/** The generation table: each seed's generation job in turn. */
export function generationTablePlan(c: GenerationTableConfig): JobStage[] {
  return c.seeds.flatMap((seed) => generationPlan(seedConfig(c, seed)));
}

export function generationPlan(c: GenerationConfig): JobStage[] {
  const step = 3 * c.train.batchSize;
  const sampling = (perClass: number): number => (BUNDLED_CLASS_COUNT * perClass * c.sampling.ddimSteps * 2) / step;
  const scored: JobStage[] = [
    { phase: 'sample', weight: sampling(c.sampling.samplesPerClass) },
    { phase: 'evaluate', weight: GEN_SCORING },
  ];
  const u = c.unlearn;
  const every = c.sampling.every;
  const gridsPartWay = every > 0 ? Math.floor((u.iterations - 1) / every) : 0;
  const unlearning = u.iterations * 0.75 * ((2 * u.batchSize) / c.train.batchSize) + gridsPartWay * sampling(c.sampling.gridColumns);
  return [
    { phase: 'load', weight: GEN_LOAD },
    // θo first (read, or trained unless cached: generation/job.ts reads it before the judge, so a damaged
    // file fails at once), then the judge, which trains under 'evaluate' (it is the evaluation's
    // instrument) so that the two are told apart.
    ...(c.original.kind === 'train' ? [{ phase: 'train-original' as const, weight: c.train.iterations, optional: true }] : []),
    { phase: 'evaluate', weight: GEN_JUDGE_EPOCH * c.classifier.train.epochs, optional: true },
    ...scored,
    ...(c.retrain ? [{ phase: 'retrain' as const, weight: c.train.iterations, optional: true }, ...scored] : []),
    ...(c.methods.some((m) => generationFacet(m).usesMask) ? [{ phase: 'saliency' as const, weight: GEN_SALIENCY }] : []),
    ...c.methods.flatMap((): JobStage[] => [{ phase: 'unlearn', weight: unlearning }, ...scored]),
    { phase: 'write', weight: GEN_WRITE },
  ];
}

/** Before this share of the job, the ETA is mostly the time to start and says little. */
const ETA_FROM = 0.01;

/** Folds a job's events into its overall progress and stamps it on the events the displays read. */
export class JobProgress {
  private readonly passed = new Set<number>();
  /** The stage running; -1 before the first. */
  private at = -1;
  private within = 0;
  private overall = 0;
  private ended = false;
  private readonly t0: number;

  constructor(
    private readonly plan: readonly JobStage[],
    private readonly now: () => number = Date.now,
  ) {
    this.t0 = now();
  }

  /** 0..1 over the whole job, never going back; 1 once the job finished. */
  get fraction(): number {
    return this.overall;
  }

  /** Stages the plan holds as certain that the job passed over: none while the plans match the engine (the tests read it). */
  get missed(): JobStage[] {
    return [...this.passed].filter((i) => !this.plan[i].optional).map((i) => this.plan[i]);
  }

  /** `event` with the whole job's progress added when it is a 'phase' or 'progress' event. */
  stamp(event: JobEvent): JobEvent {
    this.update(event);
    if (event.type !== 'phase' && event.type !== 'progress') return event;
    return { ...event, overall: this.current() };
  }

  update(event: JobEvent): void {
    if (event.type === 'finished') {
      this.ended = true;
      this.overall = 1;
    } else if (event.type === 'phase') {
      this.enter(event.phase, true);
    } else if (event.type === 'progress') {
      this.enter(event.phase, false);
      if (this.plan[this.at]?.phase === event.phase) this.within = event.total > 0 ? Math.min(1, Math.max(0, event.done / event.total)) : 0;
    }
    if (!this.ended) this.measure();
  }

  private current(): OverallProgress {
    const f = this.overall;
    const elapsed = (this.now() - this.t0) / 1000;
    if (f >= 1) return { fraction: 1, etaSeconds: 0 };
    return f >= ETA_FROM ? { fraction: f, etaSeconds: (elapsed * (1 - f)) / f } : { fraction: f };
  }

  /**
   * Moves to the stage an event is about. A phase event starts the next stage of its phase; a
   * progress event belongs to the current stage when the phases match, else it starts the next.
   * The next stage is looked for past optional stages only (those are then passed over), so that
   * a phase repeated in the plan is not skipped; failing that, an event of another phase than the
   * current stage's starts the first stage of its phase further on (a stage the plan expected did
   * not happen). An event of the current stage's phase with no such stage next (a second
   * "Loading", a wait for another job's model) leaves the current stage going on.
   */
  private enter(phase: JobPhase, isPhaseEvent: boolean): void {
    const here = this.plan[this.at]?.phase;
    if (!isPhaseEvent && here === phase) return;
    let next = -1;
    for (let i = this.at + 1; i < this.plan.length; i++) {
      if (this.plan[i].phase === phase) {
        next = i;
        break;
      }
      if (!this.plan[i].optional) break;
    }
    if (next < 0 && here !== phase) next = this.plan.findIndex((s, i) => i > this.at && s.phase === phase);
    if (next < 0) return;
    for (let i = this.at + 1; i < next; i++) this.passed.add(i);
    this.at = next;
    this.within = 0;
  }

  private measure(): void {
    let done = 0;
    let total = 0;
    this.plan.forEach((s, i) => {
      if (this.passed.has(i)) return;
      total += s.weight;
      if (i < this.at) done += s.weight;
      else if (i === this.at) done += this.within * s.weight;
    });
    // Passing stages over only shrinks the total, so done/total does not fall; the max guards rounding.
    // Below 1 until the job has finished: its last stage's work is done only then.
    this.overall = Math.max(this.overall, total > 0 ? Math.min(0.999, done / total) : 0);
  }
}

/** The percentage every display shows: rounded down, so 100% means the job has finished. */
export function overallPercent(o: OverallProgress): number {
  return Math.floor(Math.min(1, Math.max(0, o.fraction)) * 100);
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** "42% of the job · about 3 min 10 s left": the same words in the status bar's tooltip and the panel. */
export function overallText(o: OverallProgress): string {
  const eta =
    o.etaSeconds === undefined || !Number.isFinite(o.etaSeconds) ? '' : o.etaSeconds < 1 ? ' · almost done' : ` · about ${formatDuration(o.etaSeconds)} left`;
  return `${overallPercent(o)}% of the job${eta}`;
}
