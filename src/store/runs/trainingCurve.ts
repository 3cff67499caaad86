// A trained model's own learning curve: θo's and Retrain's loss and training accuracy per epoch.
// Kept in the model cache's meta.json (so a cached model still has it) and written into every run
// folder that uses the model (training.csv and TensorBoard events, runs/scalarLog.ts).
import { isFiniteNumber, isRecord } from '../../protocol/guards';

export interface CurvePoint {
  /** 1-based. */
  epoch: number;
  /** Mean training loss over the epoch's batches (the model changing as it goes). */
  loss: number;
  /** Accuracy in percent of the model after the epoch, in inference mode, on (a sample of) its training rows. */
  accuracy: number;
  /** Unix time in ms at the end of the epoch. */
  time: number;
}

export type TrainingCurve = CurvePoint[];

/** A curve read back from JSON, or undefined when it is absent or malformed (entries cached before curves were kept). */
export function parseTrainingCurve(value: unknown): TrainingCurve | undefined {
  if (!Array.isArray(value)) return undefined;
  const ok = value.every((p) => isRecord(p) && Number.isInteger(p.epoch) && isFiniteNumber(p.loss) && isFiniteNumber(p.accuracy) && isFiniteNumber(p.time));
  return ok ? (value as TrainingCurve) : undefined;
}
