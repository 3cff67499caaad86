// The host's half of the panel's sample grids: a PNG is read only from a run folder's samples/
// (lexically and after links), only when it is a real PNG within the size cap, and Export copies
// the same bytes. Real files in a temporary folder; the images come from the engine's encoder.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../../src/engine/data/pngEncode';
import { ConfinementError } from '../../src/extension/runs/pathConfinement';
import { confinedSampleFile, exportSampleImage, pngSize, readSampleImage, sampleImageReply } from '../../src/extension/panel/sampleImages';
import { isSampleImageReply, SampleImageRequest, ExportSampleGridRequest } from '../../src/protocol/webviewMessages';

function grayPng(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 256;
  return encodePng({ width, height, channels: 1, data });
}

describe('panel sample grids: the host reads a grid', () => {
  let ws: string;
  let run: string;
  let grid: string;
  let png: Uint8Array;

  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'salun-grids-'));
    run = join(ws, '.salun', 'runs', 'gen-1');
    mkdirSync(join(run, 'samples'), { recursive: true });
    png = grayPng(7, 5);
    grid = join(run, 'samples', 'original.png');
    writeFileSync(grid, png);
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('reads the size from the IHDR chunk and refuses what is not a PNG', () => {
    assert.deepEqual(pngSize(png), { width: 7, height: 5 });
    assert.equal(pngSize(png.subarray(0, 20)), undefined);
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...new Array<number>(40).fill(0)]);
    assert.equal(pngSize(jpeg), undefined);
  });

  it('answers a data: URI of exactly the file’s bytes, with its size', () => {
    const reply = sampleImageReply(readSampleImage([run], grid), grid);
    assert.ok(isSampleImageReply(reply));
    assert.equal(reply.width, 7);
    assert.equal(reply.height, 5);
    assert.equal(reply.bytes, png.length);
    assert.deepEqual(new Uint8Array(Buffer.from(reply.dataUri.replace('data:image/png;base64,', ''), 'base64')), png);
  });

  it('refuses files outside a vouched-for run folder’s samples/', () => {
    const outside = join(ws, 'elsewhere.png');
    writeFileSync(outside, png);
    writeFileSync(join(run, 'model.png'), png);
    const other = join(ws, '.salun', 'runs', 'gen-2', 'samples');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'original.png'), png);
    for (const file of [
      outside,
      join(run, 'model.png'),
      join(other, 'original.png'),
      join(run, 'samples', '..', '..', 'gen-1', 'model.png'),
      'samples/original.png',
    ]) {
      assert.throws(() => readSampleImage([run], file), ConfinementError, file);
    }
    // The same grid is readable once its run folder is one the host vouches for.
    assert.equal(readSampleImage([run, join(ws, '.salun', 'runs', 'gen-2')], join(other, 'original.png')).width, 7);
  });

  it('refuses a link in samples/ that leads out of the run folder', () => {
    const secret = join(ws, 'secret.png');
    writeFileSync(secret, png);
    const link = join(run, 'samples', 'retrain.png');
    symlinkSync(secret, link);
    assert.throws(() => confinedSampleFile([run], link), /a link leads it to/);
  });

  it('refuses a file that is not a PNG, a folder, a missing file and one over the cap', () => {
    const fake = join(run, 'samples', 'fake.png');
    writeFileSync(fake, 'not a png at all, but long enough to have a header: 0123456789');
    assert.throws(() => readSampleImage([run], fake), /is not a PNG image/);
    mkdirSync(join(run, 'samples', 'dir.png'));
    assert.throws(() => readSampleImage([run], join(run, 'samples', 'dir.png')), /not a regular file/);
    assert.throws(() => readSampleImage([run], join(run, 'samples', 'none.png')), /does not exist/);
    assert.throws(() => readSampleImage([run], grid, png.length - 1), /more than the/);
    assert.equal(readSampleImage([run], grid, png.length).bytes.length, png.length);
  });

  it('exports a copy of the same bytes, and nothing for a refused file', () => {
    const dest = join(ws, 'exported', 'grid.png');
    assert.equal(exportSampleImage([run], grid, dest), png.length);
    assert.deepEqual(new Uint8Array(readFileSync(dest)), png);
    const fake = join(run, 'samples', 'fake.png');
    writeFileSync(fake, 'x'.repeat(64));
    const dest2 = join(ws, 'exported', 'fake.png');
    assert.throws(() => exportSampleImage([run], fake, dest2));
    assert.throws(() => readFileSync(dest2), /ENOENT/);
  });

  it('the requests’ guards take a .png path and a plain file name only', () => {
    assert.ok(SampleImageRequest.isParams({ file: grid }));
    assert.ok(!SampleImageRequest.isParams({ file: join(run, 'config.json') }));
    assert.ok(ExportSampleGridRequest.isParams({ file: grid, fileName: 'salun-samples-gen-1-original.png' }));
    assert.ok(!ExportSampleGridRequest.isParams({ file: grid, fileName: '../x.png' }));
    assert.ok(!ExportSampleGridRequest.isParams({ file: grid, fileName: 'grid.svg' }));
    assert.ok(!ExportSampleGridRequest.isReply({ saved: 'yes' }));
  });
});
