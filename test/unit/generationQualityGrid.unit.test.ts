// The PNG encoder and the sample grid, read back with the repo's own PNG decoder (data/png.ts):
// sizes, every cell's pixels, the marked row's band, the gaps, and the atomic write.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng } from '../../src/engine/data/png';
import { encodePng } from '../../src/engine/data/pngEncode';
import { GRID_BACKGROUND, GRID_MARKER, gridGeometry, renderSampleGrid, writeSampleGrid, type GridImages } from '../../src/engine/generation/sampleGrid';
import { makeRng } from '../../src/engine/rng';

function randomBytes(n: number, seed: number): Uint8Array {
  const r = makeRng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(256 * r()));
}

/** rows × columns images with pseudo-random values in [0, 1]. */
function gridImages(rows: number, columns: number, height: number, width: number, channels: 1 | 3, seed: number): GridImages {
  const r = makeRng(seed);
  const images = Float32Array.from({ length: rows * columns * height * width * channels }, () => r());
  return { images, rows, columns, height, width, channels };
}

function pixel(data: Uint8Array | Uint16Array, width: number, x: number, y: number): number[] {
  const at = (y * width + x) * 3;
  return [data[at], data[at + 1], data[at + 2]];
}

/** Every pixel of every cell equals round(255·v) of its source pixel, nearest-neighbour scaled. */
function assertCells(decoded: { width: number; data: Uint8Array | Uint16Array }, g: GridImages, scale: number, gap: number, markerWidth: number): void {
  const geo = gridGeometry(g, { scale, gap, markerWidth });
  const per = g.height * g.width * g.channels;
  for (let row = 0; row < g.rows; row++) {
    for (let col = 0; col < g.columns; col++) {
      for (let y = 0; y < geo.cellHeight; y++) {
        for (let x = 0; x < geo.cellWidth; x++) {
          const src = (row * g.columns + col) * per + (Math.floor(y / scale) * g.width + Math.floor(x / scale)) * g.channels;
          const want = [0, 1, 2].map((k) => Math.round(255 * g.images[src + (g.channels === 1 ? 0 : k)]));
          assert.deepEqual(pixel(decoded.data, decoded.width, geo.cellX(col) + x, geo.cellY(row) + y), want, `cell (${row}, ${col}) pixel (${x}, ${y})`);
        }
      }
    }
  }
}

describe('generation quality: PNG encoder', () => {
  it('round-trips gray, RGB and RGBA through the decoder', () => {
    for (const channels of [1, 3, 4] as const) {
      const [width, height] = [7, 5];
      const data = randomBytes(width * height * channels, channels);
      const img = decodePng(encodePng({ width, height, channels, data }), `t${channels}.png`);
      assert.equal(img.width, width);
      assert.equal(img.height, height);
      assert.equal(img.channels, channels);
      assert.equal(img.maxValue, 255);
      assert.deepEqual(Array.from(img.data), Array.from(data), `${channels} channels`);
    }
  });

  it('refuses a sample count that does not match the size', () => {
    assert.throws(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) }), /11 samples/);
  });
});

describe('generation quality: sample grid', () => {
  it('writes gray 28×28 cells as an RGB PNG of the right size, pixels and marked row (atomically)', () => {
    const g = gridImages(3, 4, 28, 28, 1, 1);
    const [scale, gap, markerWidth] = [2, 3, 5];
    const dir = mkdtempSync(join(tmpdir(), 'salun-grid-'));
    const path = join(dir, 'samples.png');
    writeSampleGrid(path, g, { scale, gap, markerWidth, markedRows: [1] });
    assert.deepEqual(readdirSync(dir), ['samples.png'], 'no temporary file left behind');
    const img = decodePng(readFileSync(path), path);
    assert.equal(img.channels, 3);
    assert.equal(img.width, markerWidth + gap + 4 * (28 * scale + gap));
    assert.equal(img.height, gap + 3 * (28 * scale + gap));
    assertCells(img, g, scale, gap, markerWidth);
    const geo = gridGeometry(g, { scale, gap, markerWidth });
    const midY = (row: number): number => geo.cellY(row) + geo.cellHeight / 2;
    assert.deepEqual(pixel(img.data, img.width, 0, midY(1)), [...GRID_MARKER], 'marker column beside the marked row');
    assert.deepEqual(pixel(img.data, img.width, geo.cellX(1) - 1, midY(1)), [...GRID_MARKER], "frame between the marked row's cells");
    assert.deepEqual(pixel(img.data, img.width, geo.cellX(0) + 3, geo.cellY(1) - 1), [...GRID_MARKER], 'frame above the marked row');
    assert.deepEqual(pixel(img.data, img.width, 0, midY(0)), [...GRID_BACKGROUND], 'no marker beside an unmarked row');
    assert.deepEqual(pixel(img.data, img.width, geo.cellX(1) - 1, midY(2)), [...GRID_BACKGROUND], 'background between unmarked cells');
  });

  it('draws RGB 32×32 cells with their colours, at scale 1 and without gaps', () => {
    const g = gridImages(2, 3, 32, 32, 3, 2);
    const img = renderSampleGrid(g, { scale: 1, gap: 0, markerWidth: 0 });
    assert.equal(img.width, 3 * 32);
    assert.equal(img.height, 2 * 32);
    const decoded = decodePng(encodePng(img), 'rgb.png');
    assertCells(decoded, g, 1, 0, 0);
  });

  it('clips values outside [0, 1] and refuses a wrong image count or a marked row outside the grid', () => {
    const g: GridImages = { images: Float32Array.from([-0.5, 1.5]), rows: 1, columns: 2, height: 1, width: 1, channels: 1 };
    const img = renderSampleGrid(g, { scale: 1, gap: 0, markerWidth: 0 });
    assert.deepEqual(Array.from(img.data), [0, 0, 0, 255, 255, 255]);
    assert.throws(() => renderSampleGrid({ ...g, columns: 3 }), /2 values for 1×3/);
    assert.throws(() => renderSampleGrid(g, { markedRows: [1] }), /marked row 1/);
  });
});
