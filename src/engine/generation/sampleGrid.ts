// A sample grid as one RGB PNG: rows are classes, columns are seeds (./sampleSeeds.ts), cells are
// the generated images scaled up by nearest neighbour with a gap between them. A marked row (the
// forgotten class) is drawn on a coloured band: a marker column at the left edge and a frame in the
// gaps around each of its cells, so it stays visible in print and to colour-blind readers (the
// band's position, not only its hue). Gray images are written as RGB so one file format serves
// both 28×28×1 and 32×32×3 data.
import { writeFileAtomic } from '../../store/runs/atomic';
import { encodePng, type PixelImage } from '../data/pngEncode';

export interface GridImages {
  /** rows × columns images in [0, 1], NHWC, row-major over cells (all of row 0's columns first). */
  images: Float32Array;
  rows: number;
  columns: number;
  height: number;
  width: number;
  channels: 1 | 3;
}

export interface GridStyle {
  /** Pixels per image pixel (default 2). */
  scale?: number;
  /** Pixels between cells and around the grid (default 2). */
  gap?: number;
  /** Rows drawn on the marker colour (e.g. the forgotten class's row). */
  markedRows?: readonly number[];
  /** Width of the marker column at the left edge (default 4; 0: frame only). */
  markerWidth?: number;
}

/** Mid gray: the gaps stay visible against Fashion-MNIST's black backgrounds and its white garments. */
export const GRID_BACKGROUND = [100, 100, 100] as const;
export const GRID_MARKER = [230, 57, 70] as const;

/** Where cell (row, column)'s top-left pixel lands, and the whole image's size. */
export interface GridGeometry {
  width: number;
  height: number;
  cellX(column: number): number;
  cellY(row: number): number;
  cellWidth: number;
  cellHeight: number;
}

function resolved(style: GridStyle): Required<GridStyle> {
  const out = { scale: style.scale ?? 2, gap: style.gap ?? 2, markedRows: style.markedRows ?? [], markerWidth: style.markerWidth ?? 4 };
  if (!Number.isInteger(out.scale) || out.scale < 1) throw new Error(`the grid scale must be a positive integer, got ${out.scale}`);
  if (!Number.isInteger(out.gap) || out.gap < 0) throw new Error(`the grid gap must be a non-negative integer, got ${out.gap}`);
  if (!Number.isInteger(out.markerWidth) || out.markerWidth < 0) throw new Error(`the marker width must be a non-negative integer, got ${out.markerWidth}`);
  return out;
}

export function gridGeometry(g: GridImages, style: GridStyle = {}): GridGeometry {
  const s = resolved(style);
  const cellWidth = g.width * s.scale;
  const cellHeight = g.height * s.scale;
  const left = s.markerWidth + s.gap;
  return {
    width: left + g.columns * (cellWidth + s.gap),
    height: s.gap + g.rows * (cellHeight + s.gap),
    cellX: (column) => left + column * (cellWidth + s.gap),
    cellY: (row) => s.gap + row * (cellHeight + s.gap),
    cellWidth,
    cellHeight,
  };
}

function fill(img: PixelImage, x0: number, y0: number, x1: number, y1: number, rgb: readonly number[]): void {
  for (let y = Math.max(0, y0); y < Math.min(img.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(img.width, x1); x++) img.data.set(rgb, (y * img.width + x) * 3);
  }
}

function drawCell(img: PixelImage, g: GridImages, cell: number, x0: number, y0: number, scale: number): void {
  const per = g.height * g.width * g.channels;
  for (let y = 0; y < g.height * scale; y++) {
    for (let x = 0; x < g.width * scale; x++) {
      const src = cell * per + (Math.floor(y / scale) * g.width + Math.floor(x / scale)) * g.channels;
      const at = ((y0 + y) * img.width + x0 + x) * 3;
      for (let k = 0; k < 3; k++) {
        const v = g.images[src + (g.channels === 1 ? 0 : k)];
        img.data[at + k] = Math.round(255 * Math.min(1, Math.max(0, v)));
      }
    }
  }
}

export function renderSampleGrid(g: GridImages, style: GridStyle = {}): PixelImage {
  const s = resolved(style);
  if (g.images.length !== g.rows * g.columns * g.height * g.width * g.channels) {
    throw new Error(`${g.images.length} values for ${g.rows}×${g.columns} images of ${g.height}×${g.width}×${g.channels}`);
  }
  const geo = gridGeometry(g, s);
  const img: PixelImage = { width: geo.width, height: geo.height, channels: 3, data: new Uint8Array(geo.width * geo.height * 3) };
  fill(img, 0, 0, geo.width, geo.height, GRID_BACKGROUND);
  for (const r of s.markedRows) {
    if (!Number.isInteger(r) || r < 0 || r >= g.rows) throw new Error(`marked row ${r} is outside 0..${g.rows - 1}`);
    fill(img, 0, geo.cellY(r) - s.gap, geo.width, geo.cellY(r) + geo.cellHeight + s.gap, GRID_MARKER);
  }
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.columns; c++) drawCell(img, g, r * g.columns + c, geo.cellX(c), geo.cellY(r), s.scale);
  }
  return img;
}

/** Renders and writes the grid as a PNG, atomically (a reader never sees half a file). */
export function writeSampleGrid(path: string, g: GridImages, style: GridStyle = {}): void {
  writeFileAtomic(path, encodePng(renderSampleGrid(g, style)));
}
