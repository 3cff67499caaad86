// One evaluation of a class-conditional generator: sample every class with fixed seeds, let the
// classifier judge them (UA on the forgotten class, accuracy on the retained ones) and measure
// FID-classifier of the retained classes' images against real test images and, when given, against
// θo's and Retrain's samples of the same classes.
//
// FID-classifier is not FID: the features are the penultimate activations of our own classifier
// (./classifierFeatures.ts), not Inception-v3's, whose weights cannot be had offline. Its values are
// comparable only between runs that use the same classifier and the same sample counts (with
// n samples in d dimensions the estimate is biased upward, strongly when n < d).
import { allIndices, type ImageSet } from '../data/dataset';
import { UserError } from '../../store/errors';
import { predictPerSample } from '../metrics/evaluate';
import type { Classifier } from '../models/io';
import type { T } from '../tf';
import { classifierFeatures } from './classifierFeatures';
import { frechetDistance, gaussianFit, type GaussianFit } from './frechet';
import { generateSamples } from './generateSamples';
import { generationAgreement, type RetainedAccuracy } from './quality';
import { linearSchedule, type NoiseSchedule } from './schedule';

export interface GenerationReference {
  /** Real images (the test split); only its retained classes' rows are used. */
  realTest: ImageSet;
  /** θo's samples (from evaluateGeneration's `samples`, same seed for a like-for-like comparison). */
  theta0Samples?: ImageSet;
  retrainSamples?: ImageSet;
}

export interface GenerationEvalProgress {
  phase: 'sampling' | 'scoring';
  done: number;
  total: number;
}

export interface GenerationEvalConfig {
  model: T.LayersModel;
  classifier: Classifier;
  forgetClass: number;
  /** Classes to generate; must include forgetClass and at least one other. */
  classes: readonly number[];
  samplesPerClass: number;
  ddimSteps: number;
  guidance: number;
  seed: number;
  reference?: GenerationReference;
  schedule?: NoiseSchedule;
  eta?: number;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: GenerationEvalProgress) => void;
}

export interface FidClassifier {
  /** vs the real test images of the retained classes. */
  realTest?: number;
  theta0?: number;
  retrain?: number;
  /** Feature width of the classifier's penultimate layer. */
  featureDim: number;
  /** Generated retained-class images that went into each fit. */
  samples: number;
}

export interface GenerationEvaluation {
  /** Percent of the forgotten class's images the classifier does not label as it. */
  ua: number;
  retainedAccuracy: RetainedAccuracy;
  fidClassifier: FidClassifier;
  /** The generated images (class-major, labels = conditioning class): for grids and as a later reference. */
  samples: ImageSet;
  seconds: { sampling: number; scoring: number };
}

function checkClasses(c: GenerationEvalConfig): void {
  if (!c.classes.includes(c.forgetClass))
    throw new UserError(`The classes to generate do not include the forgotten class ${c.forgetClass}.`, 'Add it: UA is measured on its images.');
  if (!c.classes.some((k) => k !== c.forgetClass))
    throw new UserError('Only the forgotten class would be generated.', 'Add at least one retained class to measure image quality.');
}

function rowsOf(set: ImageSet, keep: ReadonlySet<number>): Int32Array {
  return Int32Array.from(allIndices(set.n).filter((i) => keep.has(set.labels[i])));
}

async function fitRows(clf: Classifier, set: ImageSet, rows: Int32Array, signal?: AbortSignal): Promise<GaussianFit> {
  const f = await classifierFeatures(clf, set, rows, signal);
  return gaussianFit(f.values, f.n, f.dim);
}

async function fidAgainst(
  c: GenerationEvalConfig,
  ownFit: GaussianFit,
  retained: ReadonlySet<number>,
  onEach: () => void,
): Promise<Omit<FidClassifier, 'featureDim' | 'samples'>> {
  const out: Omit<FidClassifier, 'featureDim' | 'samples'> = {};
  const refs = [
    ['realTest', c.reference?.realTest],
    ['theta0', c.reference?.theta0Samples],
    ['retrain', c.reference?.retrainSamples],
  ] as const;
  for (const [key, set] of refs) {
    if (!set) continue;
    const rows = rowsOf(set, retained);
    if (rows.length < 2)
      throw new UserError(
        `The ${key} reference has ${rows.length} images of the retained classes.`,
        'FID-classifier needs at least 2 (and far more for a stable value).',
      );
    out[key] = frechetDistance(ownFit, await fitRows(c.classifier, set, rows, c.signal));
    onEach();
  }
  return out;
}

export async function evaluateGeneration(c: GenerationEvalConfig): Promise<GenerationEvaluation> {
  checkClasses(c);
  const t0 = Date.now();
  const samples = await generateSamples(c.model, {
    schedule: c.schedule ?? linearSchedule(),
    classes: c.classes,
    samplesPerClass: c.samplesPerClass,
    steps: c.ddimSteps,
    guidance: c.guidance,
    seed: c.seed,
    eta: c.eta,
    batchSize: c.batchSize,
    signal: c.signal,
    onStep: (done, total) => c.onProgress?.({ phase: 'sampling', done, total }),
  });
  const t1 = Date.now();
  const retained = new Set(c.classes.filter((k) => k !== c.forgetClass));
  const totalScoring = 2 + Object.values(c.reference ?? {}).filter(Boolean).length;
  let scored = 0;
  const progress = (): void => c.onProgress?.({ phase: 'scoring', done: ++scored, total: totalScoring });
  const { correct } = await predictPerSample(c.classifier, samples, allIndices(samples.n), c.signal);
  const agreement = generationAgreement(samples.labels, correct, c.forgetClass);
  progress();
  const ownRows = rowsOf(samples, retained);
  const ownFit = await fitRows(c.classifier, samples, ownRows, c.signal);
  progress();
  const fids = await fidAgainst(c, ownFit, retained, progress);
  return {
    ua: agreement.ua,
    retainedAccuracy: agreement.retainedAccuracy,
    fidClassifier: { ...fids, featureDim: ownFit.dim, samples: ownRows.length },
    samples,
    seconds: { sampling: (t1 - t0) / 1000, scoring: (Date.now() - t1) / 1000 },
  };
}
