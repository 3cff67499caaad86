// What a job is given by whoever runs it (the job process, the CLI, a test): where it works, where
// its events go, and the signals that end it.
import type { Emit } from '../../progress';
import type { TrainingPool } from '../../train/parallel';

export interface JobContext {
  workspaceDir: string;
  emit: Emit;
  signal: AbortSignal;
  /**
   * Stop and keep: unlike `signal`, fires only a graceful end: the unlearning loop stops after its
   * current epoch (the comparison table: after its current model) and the job writes what it has.
   * Steps without epochs to stop between ignore it.
   */
  stop?: AbortSignal;
  /** Data-parallel worker threads for every training pass of the job (config `workers`); absent: one thread. */
  training?: TrainingPool;
}
