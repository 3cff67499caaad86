// What every step of a generation job shares (job.ts builds it; the method, grid and
// report steps read it).
import type { GenerationConfig } from '../../../protocol/generationConfig';
import type { RunFolder } from '../../../store/runs/runFolder';
import type { SplitData } from '../../data/dataset';
import type { Classifier } from '../../models/io';
import type { GridLayout } from './grids';
import type { JobContext } from '../shared/jobContext';

/** What every step of the job shares. */
export interface GenerationRun {
  config: GenerationConfig;
  ctx: JobContext;
  folder: RunFolder;
  data: SplitData;
  dataKey: unknown;
  rows: { forget: Int32Array; retain: Int32Array };
  judge: Classifier;
  /** The judge's accuracy (%) on the real test images: the ceiling of every accuracy in the table. */
  judgeTestAccuracy: number;
  layout: GridLayout;
  classes: number[];
}
