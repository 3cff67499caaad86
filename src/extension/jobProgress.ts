// One meaning of progress: how far the whole job is, from 0 to 1, never a phase's own percentage.
// A job is a plan of stages in the order the engine runs them, each weighted by its rough cost in
// training epochs; the status bar and the view's progress both show this one number. No `vscode`
// import, so the rule is unit-tested (test/unit/jobProgress.unit.test.ts).
import { defaultRunConfig } from '../protocol/defaults';
import { PHASE_LABELS, type JobEvent, type JobKind, type JobPhase } from '../protocol/jobMessages';

interface Stage {
  phase: JobPhase;
  /** Rough cost in epochs of training on the training set. */
  weight: number;
}

// Costs in epochs over the training set, from the default recipes: θo and Retrain train
// train.epochs each; an unlearning epoch passes over the forget and retain sets (≈ one epoch) and
// is evaluated after it; an evaluation is forward passes over train and test plus the MIA's SVM
// (about half an epoch: forward only, ≈ 1/3 of a training step per sample, over 1.2× the rows).
const defaults = defaultRunConfig();
const EVALUATE = 0.5;
const TRAIN = defaults.train.epochs;
const UNLEARN = defaults.unlearn.epochs * (1 + EVALUATE);
const SALIENCY = 0.2;
const LOAD = 0.2;
const WRITE = 0.1;

/**
 * The stages of each kind in the engine's order (runJob.ts, saliencyJob.ts, evaluateJob.ts). A
 * stage that does not happen (θo given as a file, Retrain from the cache) is passed over when a
 * later one starts, and its weight leaves the total. Tables and grids repeat their stages per seed
 * and per point in numbers the events do not carry, so they have no plan and show no percentage.
 */
const PLANS: Partial<Record<JobKind, readonly Stage[]>> = {
  run: [
    { phase: 'load', weight: LOAD },
    { phase: 'train-original', weight: TRAIN },
    { phase: 'evaluate', weight: EVALUATE },
    { phase: 'retrain', weight: TRAIN },
    { phase: 'evaluate', weight: EVALUATE },
    { phase: 'saliency', weight: SALIENCY },
    { phase: 'unlearn', weight: UNLEARN },
    { phase: 'write', weight: WRITE },
  ],
  saliency: [
    { phase: 'load', weight: LOAD },
    { phase: 'train-original', weight: TRAIN },
    { phase: 'saliency', weight: SALIENCY },
    { phase: 'write', weight: WRITE },
  ],
  evaluate: [
    { phase: 'load', weight: LOAD },
    { phase: 'train-original', weight: TRAIN },
    { phase: 'retrain', weight: TRAIN },
    { phase: 'evaluate', weight: EVALUATE },
    { phase: 'evaluate', weight: EVALUATE },
    { phase: 'write', weight: WRITE },
  ],
};

export interface JobProgressView {
  /** What the job is doing now: the phase's label. */
  label: string;
  /** 0..1 over the whole job, never going back; undefined for jobs without a plan (tables, grids). */
  overall?: number;
  /** The current phase's own detail: epoch and ETA. */
  detail: string;
}

/** Folds job events into the one progress the status bar and the view show. */
export class JobProgress {
  private readonly plan: readonly Stage[] | undefined;
  private readonly passed = new Set<number>();
  /** The stage running; -1 before the first. */
  private at = -1;
  private fraction = 0;
  private overall = 0;
  private label = 'Starting';
  private detail = '';

  constructor(kind: JobKind) {
    this.plan = PLANS[kind];
  }

  /** The view after `event`, or undefined when the event changes nothing shown. */
  update(event: JobEvent): JobProgressView | undefined {
    if (event.type === 'phase') {
      this.enter(event.phase, true);
      this.label = event.label || PHASE_LABELS[event.phase];
      this.detail = '';
    } else if (event.type === 'progress') {
      if (this.enter(event.phase, false)) this.label = PHASE_LABELS[event.phase];
      if (this.plan?.[this.at]?.phase === event.phase) this.fraction = event.total > 0 ? Math.min(1, Math.max(0, event.done / event.total)) : 0;
      const parts: string[] = [];
      if (event.epoch !== undefined) parts.push(`epoch ${event.epoch}`);
      if (event.etaSeconds !== undefined && Number.isFinite(event.etaSeconds)) parts.push(`this step ${formatDuration(event.etaSeconds)} left`);
      this.detail = parts.join(' · ');
    } else if (event.type !== 'started') {
      return undefined;
    }
    return { label: this.label, overall: this.plan ? this.measure() : undefined, detail: this.detail };
  }

  /**
   * Moves to the stage `event` is about. A phase event starts the next stage of its phase after the
   * current one (an evaluation after another); a progress event belongs to the current stage when
   * the phases match. Where the plan has no such stage ahead (a second "Loading", a waiting
   * message, the evaluations inside unlearning), the current stage goes on. Returns whether the
   * stage changed.
   */
  private enter(phase: JobPhase, isPhaseEvent: boolean): boolean {
    if (!this.plan) return false;
    if (!isPhaseEvent && this.plan[this.at]?.phase === phase) return false;
    const next = this.plan.findIndex((s, i) => i > this.at && s.phase === phase);
    if (next < 0) return false;
    // Stages between were passed over (a cached model): their weight leaves the total.
    for (let i = this.at + 1; i < next; i++) this.passed.add(i);
    this.at = next;
    this.fraction = 0;
    return true;
  }

  private measure(): number {
    const plan = this.plan ?? [];
    let done = 0;
    let total = 0;
    plan.forEach((s, i) => {
      if (this.passed.has(i)) return;
      total += s.weight;
      if (i < this.at) done += s.weight;
      else if (i === this.at) done += this.fraction * s.weight;
    });
    // Passing stages over only shrinks the total, so this never goes back; the max guards rounding.
    this.overall = Math.max(this.overall, total > 0 ? Math.min(1, done / total) : 0);
    return this.overall;
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
