// The generation job's sample grids: rows = classes (the forgotten one marked), columns = seeds,
// written to <run>/samples/<stage>.png with <stage>.json beside it, and announced by a 'samples'
// event for the panel. Grids use the first `columns` seeds of the metric samples, so a grid and the
// figures beside it show the same images.
import type { ImageSet } from '../../data/dataset';
import { writeJsonAtomic } from '../../../store/runs/atomic';
import type { RunFolder } from '../../../store/runs/runFolder';
import { writeSampleGrid } from '../../generation/sampleGrid';
import type { JobContext } from '../shared/jobContext';

export interface GridSpec {
  stage: string;
  label: string;
  iteration?: number;
}

export interface GridLayout {
  classNames: string[];
  forgetClass: number;
  columns: number;
  seed: number;
}

/** The first `columns` images of every class of class-major samples (perClass each). */
export function gridImages(samples: ImageSet, perClass: number, columns: number): Float32Array {
  const per = samples.height * samples.width * samples.channels;
  const rows = samples.n / perClass;
  const out = new Float32Array(rows * columns * per);
  for (let r = 0; r < rows; r++) out.set(samples.images.subarray(r * perClass * per, (r * perClass + columns) * per), r * columns * per);
  return out;
}

/** Writes the grid and its description, then emits the 'samples' event naming the file. */
export function writeStageGrid(folder: RunFolder, ctx: JobContext, samples: ImageSet, perClass: number, layout: GridLayout, spec: GridSpec): string {
  const name = spec.iteration === undefined ? spec.stage : `${spec.stage}-iteration-${spec.iteration}`;
  const file = folder.path('samples', `${name}.png`);
  const channels = samples.channels === 3 ? 3 : 1;
  const rows = samples.n / perClass;
  writeSampleGrid(
    file,
    { images: gridImages(samples, perClass, layout.columns), rows, columns: layout.columns, height: samples.height, width: samples.width, channels },
    { markedRows: [layout.forgetClass], scale: 3 },
  );
  const description = {
    stage: spec.stage,
    label: spec.label,
    classes: layout.classNames,
    forgetClass: layout.forgetClass,
    columns: layout.columns,
    seed: layout.seed,
    ...(spec.iteration !== undefined ? { iteration: spec.iteration } : {}),
  };
  writeJsonAtomic(folder.path('samples', `${name}.json`), description);
  const { seed: _seed, ...event } = description;
  ctx.emit({ type: 'samples', ...event, file });
  return file;
}
