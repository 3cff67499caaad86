// What every unlearning method receives. Its own file so that the method files and the dispatcher
// (unlearn.ts, through registry.ts) import it without importing each other.
import type { UnseenReference } from '../metrics/sampleOutputs';
import type { MethodName, MethodOptions, OptimizerRecipe } from '../../protocol/config';
import type { ImageSet } from '../data/dataset';
import type { Classifier } from '../models/io';
import type { RunFolder } from '../../store/runs/runFolder';
import type { TrainingPool } from '../train/parallel';
import type { WeightMask } from '../train/sgd';

export interface UnlearnInput {
  method: MethodName;
  /** θu: starts as a copy of θo and is modified in place. */
  clf: Classifier;
  train: ImageSet;
  forget: Int32Array;
  retain: Int32Array;
  recipe: OptimizerRecipe;
  seed: number;
  /** Saliency mask: present exactly when methodUsesMask(method, masked) (always for SalUn). */
  mask?: WeightMask;
  /** Per-method hyper-parameters; what is left out takes the method table's defaults. */
  options?: MethodOptions;
  signal?: AbortSignal;
  /**
   * Data-parallel worker threads for every pass through trainPass (every method but those whose row
   * says `singleThread`: their gradients are their own loop on this thread).
   */
  pool?: TrainingPool;
  /** Checked at epoch boundaries only (after onEpoch): the model then holds whole epochs' updates. */
  stop?: AbortSignal;
  onBatch?: (epoch: number, samplesDone: number, samplesPerEpoch: number) => void;
  /** Awaited after each epoch (evaluation happens there); a one-shot method calls it once. */
  onEpoch?: (epoch: number, meanLoss: number) => Promise<void>;
  /**
   * Rows the model never saw, from Df's distribution (data.heldOut's rows or the test set, only the
   * forgotten class's for class-wise forgetting: unseenReference in metrics/sampleOutputs.ts), for a
   * method that judges its own progress without Retrain (the automatic recipes). Never a Retrain
   * model: methods do not get one.
   */
  heldOut?: UnseenReference;
  /** The run's test rows (TA's), for a method that estimates the Avg. Gap's TA term (the automatic recipes). */
  test?: { set: ImageSet; indices: Int32Array };
  /** Where a method writes what it decided (auto.json): the run folder, or the table's folder for this method. */
  folder?: Pick<RunFolder, 'path'>;
  /** A line for the run's log. */
  log?: (level: 'info' | 'warn', message: string) => void;
}
