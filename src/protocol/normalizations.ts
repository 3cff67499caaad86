// data.normalize in the words of the user who trained the model: what each scaling is in
// torchvision's / Keras's terms, and where the setting goes. The New Run flow's scaling step lists
// these; the run's data-fit warning (engine/pipeline/classification/fitCheck.ts) names the same step and keys, so
// the user who reads the warning finds the question it points to.
import type { DataNormalization } from './config';

/** The New Run flow's question, as its placeholder shows it (the warning quotes it). */
export const NORMALIZE_QUESTION = "How were your model's inputs scaled?";

export interface NormalizationChoice {
  value: DataNormalization;
  /** What the user wrote in their training code. */
  code: string;
  /** What the model then sees. */
  inputs: string;
  /** What the lab does to the pixels, in other words. */
  detail: string;
}

/**
 * One row per DataNormalization, in DATA_NORMALIZATIONS' order. 'standardize' takes the mean and
 * std of *this* training set (engine/data/normalize.ts): right for a model trained with the data
 * set's own statistics (CIFAR-10's 0.4914…/0.2470…), only close for other constants (ImageNet's).
 */
export const NORMALIZATION_CHOICES: readonly NormalizationChoice[] = [
  { value: 'unit', code: 'ToTensor() only', inputs: 'pixels in [0, 1]', detail: 'no Normalize (Keras: x / 255); what the built-in models use' },
  { value: 'centered', code: 'Normalize(0.5, 0.5)', inputs: 'pixels in [-1, 1]', detail: 'each channel (x − 0.5) / 0.5 (Keras: x / 127.5 − 1)' },
  {
    value: 'standardize',
    code: 'Normalize(mean, std)',
    inputs: 'per-channel standardised pixels',
    detail: "(x − mean) / std with this training set's own per-channel mean and std, as the lab computes them",
  },
];

/** The choice's one-line name: "Normalize(0.5, 0.5): pixels in [-1, 1]". */
export function normalizationLabel(c: NormalizationChoice): string {
  return `${c.code}: ${c.inputs}`;
}

export function normalizationChoice(value: DataNormalization | undefined): NormalizationChoice {
  return NORMALIZATION_CHOICES.find((c) => c.value === (value ?? 'unit')) ?? NORMALIZATION_CHOICES[0];
}

/**
 * Where the scaling is set, for a message: the flow's step, the setting and a run config's key.
 * `example`: the value the message suggests.
 */
export function normalizeWhere(example: DataNormalization): string {
  return (
    `Set it in SalUn: New Unlearning Run ("${NORMALIZE_QUESTION}"), in the salun.data setting ("normalize": ${JSON.stringify(example)}) ` +
    `or in a run config ("data": { …, "normalize": ${JSON.stringify(example)} })`
  );
}
