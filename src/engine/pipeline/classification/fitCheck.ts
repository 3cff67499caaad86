// Does the data fit the model? A model trained on this training set knows it better than unseen
// data: its retain accuracy (on Dr, part of what it was trained on) sits above its test accuracy,
// and at least as high as Retrain's, which saw only Dr. When θo's RA is about its TA *and* clearly
// below Retrain's, θo treats the training set as unseen data: it was trained on other data, or it
// expects other preprocessing (data.normalize). Every gap to Retrain then measures that mismatch,
// not unlearning, so the run says so. Thresholds in accuracy points: the seeds' noise floor on the
// bundled data is under 1 point (docs/results.md), so 3 points is well outside noise.
import type { DataNormalization } from '../../../protocol/config';
import { NORMALIZATION_CHOICES, normalizationChoice, normalizeWhere } from '../../../protocol/normalizations';
import type { Metrics } from '../../../protocol/results';

/** |RA − TA| of θo below this counts as "RA ≈ TA" (points). */
export const FIT_RA_TA_POINTS = 3;
/** θo's RA this far below Retrain's counts as "clearly below" (points). */
export const FIT_BELOW_RETRAIN_POINTS = 3;

/**
 * `normalize`: the run's data.normalize (undefined: 'unit'), so the warning says what this run did
 * and offers the other scalings, each in the user's training-code terms, and where to set one.
 */
export function dataFitWarning(original: Metrics, retrain: Metrics | undefined, normalize?: DataNormalization): string | undefined {
  if (!retrain) return undefined;
  const near = Math.abs(original.RA - original.TA) < FIT_RA_TA_POINTS;
  const below = original.RA < retrain.RA - FIT_BELOW_RETRAIN_POINTS;
  if (!near || !below) return undefined;
  const used = normalizationChoice(normalize);
  const others = NORMALIZATION_CHOICES.filter((c) => c.value !== used.value);
  return (
    `The original model does not look trained on this data: its retain accuracy (${original.RA.toFixed(1)}) is about its test accuracy ` +
    `(${original.TA.toFixed(1)}) and below Retrain's (${retrain.RA.toFixed(1)}). It was trained on other data or expects other preprocessing; ` +
    `gaps to Retrain then measure that mismatch. This run fed it ${used.inputs} (data.normalize ${JSON.stringify(used.value)}); ` +
    `if the model was trained with ${others.map((c) => `${c.code}, use ${JSON.stringify(c.value)}`).join('; with ')}. ` +
    `${normalizeWhere(others[0].value)}.`
  );
}
