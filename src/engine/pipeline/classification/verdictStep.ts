// The Retrain-free verdict on one model of a run (docs/verdict.md): its per-sample outputs on Df, the
// held-out rows of Df's distribution and Dr, then the statistics of metrics/verdict.ts, reduced to
// the tensor-free RunVerdict a run folder, the CLI and the panel carry. The seed is the run's,
// through subSeed: the verdict draws from RNGs of its own and none of the metrics' (prepare.ts),
// so adding it leaves every metric of the run as it was.
import type { RunVerdict, RunVerdictFigure } from '../../../protocol/results';
import { subSeed } from '../../rng';
import { accuracyPercent, collectSampleOutputs, unseenReference } from '../../metrics/sampleOutputs';
import { retrainFreeVerdict, type Verdict } from '../../metrics/verdict';
import type { Classifier } from '../../models/io';
import type { Prepared } from './prepare';

/** Held-out halvings behind each threshold: the verdict's own default, at a few seconds per model on the bundled data. */
export const RUN_VERDICT_SPLITS = 200;

/** The seed every verdict of a run draws with: the same halvings for θo, Retrain and θu, so their figures compare. */
export function runVerdictSeed(runSeed: number): number {
  return subSeed(runSeed, 'run-verdict');
}

/**
 * The verdict's score in points, an estimate of the Avg. Gap without Retrain: the mean of |accuracy
 * gap|, |MIA gap|, |RA − RA(θo)| and, given the test accuracies, |TA − TA(θo)| (the AUC figures are
 * not in points).
 */
export function verdictPoints(figures: readonly Pick<RunVerdictFigure, 'name' | 'gap'>[], test?: RunVerdict['test']): number {
  const gaps = figures.filter((f) => f.name === 'accuracy' || f.name === 'mia' || f.name === 'retain').map((f) => Math.abs(f.gap));
  if (test) gaps.push(Math.abs(test.accuracy - test.original));
  return gaps.reduce((s, g) => s + g, 0) / gaps.length;
}

/** The engine's verdict as a run records it: numbers and words only. */
export function toRunVerdict(v: Verdict, heldOut: RunVerdict['heldOut'], seconds: number, test?: RunVerdict['test']): RunVerdict {
  const figures = v.figures.map((f): RunVerdictFigure => ({
    name: f.name,
    forget: f.forget,
    reference: f.reference,
    gap: f.gap,
    noise: f.noise,
    noiseFrom: f.noiseFrom,
    threshold: f.threshold,
    z: f.z,
  }));
  return {
    label: v.label,
    points: verdictPoints(figures, test),
    ...(test ? { test } : {}),
    meanAbsZ: v.score,
    figures,
    reason: v.reason,
    k: v.k,
    alpha: v.alpha,
    splits: v.splits,
    seed: v.seed,
    heldOut,
    miaConverged: v.miaConverged,
    seconds,
  };
}

/** θo's retain and test accuracy in percent, as the run measured them on the same Dr and test rows. */
export interface OriginalAccuracies {
  retain: number;
  test: number;
}

export async function modelVerdict(clf: Classifier, p: Prepared, original: OriginalAccuracies, runSeed: number, signal?: AbortSignal): Promise<RunVerdict> {
  const t0 = Date.now();
  const ref = unseenReference(p.data.test, p.heldOut, p.split.forgottenClass);
  const forget = await collectSampleOutputs(clf, p.data.train, p.split.forget, signal);
  const heldOut = await collectSampleOutputs(clf, ref.set, ref.indices, signal);
  const retain = await collectSampleOutputs(clf, p.data.train, p.split.retain, signal);
  const test = await collectSampleOutputs(clf, p.data.test, p.testIndices, signal);
  const v = retrainFreeVerdict(
    { forget, heldOut, retain, originalRetainAccuracy: original.retain, unseenClass: ref.wholeClass },
    { seed: runVerdictSeed(runSeed), splits: RUN_VERDICT_SPLITS },
  );
  return toRunVerdict(v, { size: ref.indices.length, source: ref.source, wholeClass: ref.wholeClass }, (Date.now() - t0) / 1000, {
    accuracy: accuracyPercent(test.correct),
    original: original.test,
  });
}
