// The CIFAR-10 binary and ImageFolder formats: the PNG decoder against a small encoder written
// here (every colour type, bit depth and row filter), JPEG through jpeg-js, the folder rules and
// their error messages, and a run on each format end to end. Fixtures are written at test time.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { deflateSync } from 'node:zlib';
import { encode as encodeJpeg } from 'jpeg-js';
import type { JobEvent } from '../../src/protocol/jobMessages';
import type { RunConfig } from '../../src/protocol/config';
import { defaultRunConfig } from '../../src/protocol/defaults';
import { parseRunConfig, ConfigError } from '../../src/protocol/runConfigSchema';
import { tableConfigProblems, defaultTableConfig } from '../../src/protocol/table';
import { loadCifar10Folder } from '../../src/engine/data/cifar10';
import { decodeImage, readImageHeader } from '../../src/engine/data/image';
import { loadImageFolder } from '../../src/engine/data/imageFolder';
import { CIFAR10_CLASSES } from '../../src/store/data/cifar10Layout';
import { FASHION_MNIST_CLASSES } from '../../src/store/data/idxLayout';
import { listImageFolder } from '../../src/store/data/imageFolderLayout';
import { dataFolderProblem, describeDataClasses, detectDataKind } from '../../src/store/data/layout';
import { loadData } from '../../src/engine/data/load';
import { decodePng } from '../../src/engine/data/png';
import { UserError } from '../../src/store/errors';
import { buildArchitecture } from '../../src/engine/models/architectures';
import { saveModel } from '../../src/engine/models/io';
import { runUnlearningJob } from '../../src/engine/pipeline/classification/runJob';
import { runEvaluateJob } from '../../src/engine/pipeline/classification/evaluateJob';
import { dataClassNames, describeData, rememberedAnswers } from '../../src/extension/flows/newRunAnswers';
import { useCpu } from '../support/tinyModels';

// ---- a small PNG encoder, independent of the decoder under test ----

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, tail]);
}

const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

interface PngSpec {
  width: number;
  height: number;
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** Samples row-major, interleaved (gray levels, palette indices, or 16-bit values). */
  samples: number[];
  /** The filter of each row (cycled); default None. */
  filters?: number[];
  palette?: number[][];
  trns?: number[];
  interlace?: boolean;
}

function packRow(values: number[], bitDepth: number): Uint8Array {
  if (bitDepth === 8) return Uint8Array.from(values);
  if (bitDepth === 16) {
    const out = new Uint8Array(values.length * 2);
    values.forEach((v, i) => {
      out[2 * i] = v >> 8;
      out[2 * i + 1] = v & 0xff;
    });
    return out;
  }
  const out = new Uint8Array(Math.ceil((values.length * bitDepth) / 8));
  values.forEach((v, i) => {
    const bit = i * bitDepth;
    out[bit >> 3] |= v << (8 - bitDepth - (bit & 7));
  });
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function encodePng(s: PngSpec): Buffer {
  const spp = SAMPLES[s.colorType];
  const bpp = Math.max(1, (spp * s.bitDepth) >> 3);
  const rows: Uint8Array[] = [];
  for (let y = 0; y < s.height; y++) rows.push(packRow(s.samples.slice(y * s.width * spp, (y + 1) * s.width * spp), s.bitDepth));
  const filtered: number[] = [];
  rows.forEach((row, y) => {
    const f = s.filters ? s.filters[y % s.filters.length] : 0;
    filtered.push(f);
    const prev = y > 0 ? rows[y - 1] : new Uint8Array(row.length);
    for (let x = 0; x < row.length; x++) {
      const a = x >= bpp ? row[x - bpp] : 0;
      const b = prev[x];
      const c = x >= bpp ? prev[x - bpp] : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f];
      filtered.push((row[x] - pred) & 0xff);
    }
  });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(s.width, 0);
  ihdr.writeUInt32BE(s.height, 4);
  ihdr[8] = s.bitDepth;
  ihdr[9] = s.colorType;
  ihdr[12] = s.interlace ? 1 : 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(s.palette ? [chunk('PLTE', Uint8Array.from(s.palette.flat()))] : []),
    ...(s.trns ? [chunk('tRNS', Uint8Array.from(s.trns))] : []),
    chunk('IDAT', deflateSync(Uint8Array.from(filtered))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Deterministic, filter-unfriendly sample values (so every predictor matters). */
function samples(count: number, max: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % (max + 1);
  });
}

const ALL_FILTERS = [0, 1, 2, 3, 4];

// ---- fixtures ----

function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `salun-${prefix}-`));
}

/** An RGB PNG whose every pixel is (r, g, b), with one varying pixel so images differ. */
function rgbPng(w: number, h: number, rgb: [number, number, number], k = 0): Buffer {
  const px: number[] = [];
  for (let i = 0; i < w * h; i++) px.push(...(i === 0 ? [k % 256, rgb[1], rgb[2]] : rgb));
  return encodePng({ width: w, height: h, colorType: 2, bitDepth: 8, samples: px, filters: ALL_FILTERS });
}

function grayPng(w: number, h: number, level: number): Buffer {
  return encodePng({ width: w, height: h, colorType: 0, bitDepth: 8, samples: new Array<number>(w * h).fill(level), filters: [1] });
}

function put(root: string, rel: string, bytes: Uint8Array | string): string {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/** train/{cat,dog} and test/{cat,dog}: 4 RGB PNGs per training class, 2 per test class, 4×3 (h×w). */
function imageFolder(): string {
  const root = tmp('imagefolder');
  const colours: Record<string, [number, number, number]> = { cat: [200, 30, 40], dog: [20, 180, 90] };
  for (const [cls, rgb] of Object.entries(colours)) {
    for (let k = 0; k < 4; k++) put(root, `train/${cls}/${String(k).padStart(2, '0')}.png`, rgbPng(3, 4, rgb, k));
    for (let k = 0; k < 2; k++) put(root, `test/${cls}/t${k}.png`, rgbPng(3, 4, rgb, 100 + k));
  }
  put(root, 'train/cat/notes.txt', 'not an image');
  put(root, 'train/cat/.DS_Store', 'hidden');
  put(root, 'train/.hidden-class/x.png', rgbPng(3, 4, [0, 0, 0]));
  return root;
}

/** One CIFAR-10 record: label, then R, G, B planes; R = (p + k) % 256, G = 100, B = 200 − label. */
function cifarRecord(label: number, k: number): Uint8Array {
  const r = new Uint8Array(3073);
  r[0] = label;
  for (let p = 0; p < 1024; p++) {
    r[1 + p] = (p + k) % 256;
    r[1 + 1024 + p] = 100;
    r[1 + 2048 + p] = 200 - label;
  }
  return r;
}

function cifarBatch(labels: number[], k0: number): Buffer {
  return Buffer.concat(labels.map((l, i) => cifarRecord(l, k0 + i)));
}

/** data_batch_1..3 (2, 3, 1 records) and test_batch (2). */
function cifarFolder(dir = tmp('cifar')): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'data_batch_1.bin'), cifarBatch([0, 1], 0));
  writeFileSync(join(dir, 'data_batch_2.bin'), cifarBatch([2, 3, 9], 10));
  writeFileSync(join(dir, 'data_batch_3.bin'), cifarBatch([5], 20));
  writeFileSync(join(dir, 'test_batch.bin'), cifarBatch([9, 0], 30));
  return dir;
}

function throwsUser(fn: () => unknown, message: RegExp, file?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `not a UserError: ${String(e)}`);
    assert.match(e.message, message);
    if (file !== undefined) assert.equal(e.file, file);
    return true;
  });
}

// ---- tests ----

describe('PNG decoder', () => {
  it('reads 8-bit gray, gray+alpha, RGB and RGBA through all five row filters', () => {
    for (const colorType of [0, 4, 2, 6] as const) {
      const spp = SAMPLES[colorType];
      const values = samples(5 * 5 * spp, 255, colorType + 1);
      const img = decodePng(encodePng({ width: 5, height: 5, colorType, bitDepth: 8, samples: values, filters: ALL_FILTERS }), `t${colorType}.png`);
      assert.deepEqual([img.width, img.height, img.channels, img.maxValue], [5, 5, spp, 255], `colour type ${colorType}`);
      assert.deepEqual(Array.from(img.data), values, `colour type ${colorType}`);
    }
  });

  it('reads 16-bit gray and RGB (big-endian samples, bpp 2 and 6 for the filters)', () => {
    for (const colorType of [0, 2, 4, 6] as const) {
      const spp = SAMPLES[colorType];
      const values = samples(3 * 5 * spp, 65535, 7 + colorType);
      const img = decodePng(encodePng({ width: 3, height: 5, colorType, bitDepth: 16, samples: values, filters: ALL_FILTERS }), 'wide.png');
      assert.equal(img.maxValue, 65535);
      assert.ok(img.data instanceof Uint16Array);
      assert.deepEqual(Array.from(img.data), values, `16-bit colour type ${colorType}`);
    }
  });

  it('reads 1-, 2- and 4-bit gray, scaled to 0…255, with rows padded to whole bytes', () => {
    for (const depth of [1, 2, 4] as const) {
      const max = (1 << depth) - 1;
      const values = samples(5 * 5, max, depth);
      const img = decodePng(encodePng({ width: 5, height: 5, colorType: 0, bitDepth: depth, samples: values, filters: ALL_FILTERS }), 'low.png');
      assert.equal(img.channels, 1);
      assert.deepEqual(
        Array.from(img.data),
        values.map((v) => Math.round((v * 255) / max)),
        `depth ${depth}`,
      );
    }
  });

  it('expands palettes of 1, 2, 4 and 8 bits to RGB, and to RGBA with tRNS', () => {
    for (const depth of [1, 2, 4, 8] as const) {
      const entries = Math.min(1 << depth, 20);
      const palette = Array.from({ length: entries }, (_, i) => [i * 10, 255 - i * 5, (i * 37) % 256]);
      const idx = samples(7 * 3, entries - 1, 3 + depth);
      const img = decodePng(encodePng({ width: 7, height: 3, colorType: 3, bitDepth: depth, samples: idx, palette, filters: ALL_FILTERS }), 'pal.png');
      assert.equal(img.channels, 3);
      assert.deepEqual(
        Array.from(img.data),
        idx.flatMap((i) => palette[i]),
        `palette depth ${depth}`,
      );
    }
    const palette = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ];
    const img = decodePng(encodePng({ width: 3, height: 1, colorType: 3, bitDepth: 2, samples: [0, 1, 2], palette, trns: [0, 128] }), 'alpha.png');
    assert.equal(img.channels, 4);
    assert.deepEqual(Array.from(img.data), [1, 2, 3, 0, 4, 5, 6, 128, 7, 8, 9, 255]);
  });

  it('refuses interlaced PNGs with a re-save hint, and names what is corrupt', () => {
    const good = encodePng({ width: 2, height: 2, colorType: 0, bitDepth: 8, samples: [1, 2, 3, 4] });
    assert.throws(
      () => decodePng(encodePng({ width: 2, height: 2, colorType: 0, bitDepth: 8, samples: [1, 2, 3, 4], interlace: true }), 'i.png'),
      (e: Error) =>
        e instanceof UserError && /i\.png is an interlaced \(Adam7\) PNG/.test(e.message) && /without interlacing/.test(e.hint ?? '') && e.file === 'i.png',
    );
    const badCrc = Buffer.from(good);
    badCrc[good.length - 20] ^= 0xff; // inside IDAT
    throwsUser(() => decodePng(badCrc, 'crc.png'), /crc\.png is not a readable PNG: the CRC of the IDAT chunk is wrong/, 'crc.png');
    // A well-formed chunk whose compressed data is garbage.
    const garbage = Buffer.concat([good.subarray(0, 33), chunk('IDAT', Uint8Array.from([1, 2, 3, 4, 5, 6])), chunk('IEND', new Uint8Array(0))]);
    throwsUser(() => decodePng(garbage, 'z.png'), /z\.png is not a readable PNG: its compressed image data does not inflate/);
    throwsUser(() => decodePng(good.subarray(0, good.length - 15), 'cut.png'), /cut\.png is not a readable PNG: .*truncated/);
    const badFilter = Buffer.concat([good.subarray(0, 33), chunk('IDAT', deflateSync(Uint8Array.from([7, 1, 2, 0, 3, 4]))), chunk('IEND', new Uint8Array(0))]);
    throwsUser(() => decodePng(badFilter, 'f.png'), /row 0 has filter type 7/);
    const short = Buffer.concat([good.subarray(0, 33), chunk('IDAT', deflateSync(Uint8Array.from([0, 1, 2]))), chunk('IEND', new Uint8Array(0))]);
    throwsUser(() => decodePng(short, 's.png'), /holds 3 bytes, 6 expected for 2×2/);
  });
});

describe('JPEG via jpeg-js', () => {
  it('decodes an RGB JPEG close to its pixels, and reads its size from the header', () => {
    const w = 8;
    const h = 8;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set(i < 32 ? [220, 40, 30, 255] : [30, 60, 200, 255], 4 * i);
    const jpg = encodeJpeg({ width: w, height: h, data: rgba }, 95).data;
    const dir = tmp('jpeg');
    const path = put(dir, 'a.jpg', jpg);
    assert.deepEqual(readImageHeader(path), { format: 'jpeg', width: 8, height: 8, gray: false });
    const img = decodeImage(jpg, path);
    assert.equal(img.channels, 3);
    for (const [i, rgb] of [
      [0, [220, 40, 30]],
      [63, [30, 60, 200]],
    ] as const) {
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(img.data[3 * i + c] - rgb[c]) <= 12, `pixel ${i} channel ${c}: ${img.data[3 * i + c]} vs ${rgb[c]}`);
    }
    throwsUser(() => decodeImage(jpg.subarray(0, 200), 'cut.jpg'), /cut\.jpg is not a readable JPEG/, 'cut.jpg');
    throwsUser(() => decodeImage(Buffer.from('GIF89a........'), 'x.gif'), /x\.gif is neither a PNG nor a JPEG/);
  });
});

describe('CIFAR-10 binary', () => {
  it('reads the batches present in order, as NHWC in [0, 1], with the standard class names', () => {
    const d = loadCifar10Folder(cifarFolder());
    assert.deepEqual([d.train.n, d.test.n, d.train.height, d.train.width, d.train.channels, d.train.numClasses], [6, 2, 32, 32, 3, 10]);
    assert.deepEqual(Array.from(d.train.labels), [0, 1, 2, 3, 9, 5]);
    assert.deepEqual(Array.from(d.test.labels), [9, 0]);
    assert.deepEqual(d.classNames, CIFAR10_CLASSES);
    // Training row 3 is data_batch_2's second record (k = 11, label 3); pixel p at (y, x) = (p / 32, p % 32).
    const px = (set: typeof d.train, row: number, p: number): number[] =>
      Array.from(set.images.subarray(row * 3072 + 3 * p, row * 3072 + 3 * p + 3)).map((v) => Math.round(v * 255));
    assert.deepEqual(px(d.train, 3, 0), [11, 100, 197]);
    assert.deepEqual(px(d.train, 3, 33), [44, 100, 197]);
    assert.deepEqual(px(d.test, 1, 1023), [(1023 + 31) % 256, 100, 200]);
    const notes = (d.notes ?? []).map((n) => n.message).join('\n');
    assert.match(notes, /training on data_batch_1\.bin, data_batch_2\.bin, data_batch_3\.bin \(6 images\)/);
    assert.match(notes, /data_batch_4\.bin, data_batch_5\.bin are not in/);
  });

  it('takes class names from batches.meta.txt, and the folder the archive unpacked into', () => {
    const parent = tmp('cifar-parent');
    const dir = cifarFolder(join(parent, 'cifar-10-batches-bin'));
    const names = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9'];
    writeFileSync(join(dir, 'batches.meta.txt'), `${names.join('\n')}\n\n`);
    assert.deepEqual(loadData({ kind: 'cifar10', dir: 'cifar-10-batches-bin' }, parent).classNames, names);
    assert.deepEqual(loadCifar10Folder(parent).classNames, names);
    assert.deepEqual(describeDataClasses({ kind: 'cifar10', dir: parent }, '/'), names);
    assert.equal(detectDataKind(parent), 'cifar10');
  });

  it('names a truncated file, a bad label and missing files', () => {
    const dir = cifarFolder();
    writeFileSync(join(dir, 'data_batch_3.bin'), cifarBatch([5], 0).subarray(0, 3000));
    throwsUser(() => loadCifar10Folder(dir), /data_batch_3\.bin is 3000 bytes, not a whole number of 3073-byte records/, join(dir, 'data_batch_3.bin'));
    const bad = cifarBatch([1, 12], 0);
    writeFileSync(join(dir, 'data_batch_3.bin'), bad);
    throwsUser(() => loadCifar10Folder(dir), /data_batch_3\.bin: record 1 \(counting from 0, byte 3073\) has label 12; CIFAR-10 labels are 0…9/);
    const empty = tmp('cifar-empty');
    writeFileSync(join(empty, 'test_batch.bin'), cifarBatch([0], 0));
    throwsUser(() => loadCifar10Folder(empty), /is not a CIFAR-10 binary folder: data_batch_1\.bin … data_batch_5\.bin \(at least one\) is missing/);
    const noTest = cifarFolder();
    writeFileSync(join(noTest, 'test_batch.bin'), '');
    throwsUser(() => loadCifar10Folder(noTest), /test_batch\.bin is 0 bytes, empty/);
    throwsUser(() => loadCifar10Folder(join(empty, 'nope')), /CIFAR-10 folder .*nope does not exist/);
    assert.match(
      dataFolderProblem('cifar10', tmp('cifar-none')) ?? '',
      /data_batch_1\.bin … data_batch_5\.bin \(at least one\) and test_batch\.bin are missing/,
    );
  });
});

describe('ImageFolder', () => {
  it('lists classes and files in sorted order, skipping hidden and non-image files', () => {
    const root = imageFolder();
    const l = listImageFolder(root);
    assert.deepEqual(l.classNames, ['cat', 'dog']);
    assert.deepEqual(
      l.train.files.map((f) => f.slice(root.length + 1)),
      [
        'train/cat/00.png',
        'train/cat/01.png',
        'train/cat/02.png',
        'train/cat/03.png',
        'train/dog/00.png',
        'train/dog/01.png',
        'train/dog/02.png',
        'train/dog/03.png',
      ],
    );
    assert.deepEqual(Array.from(l.train.labels), [0, 0, 0, 0, 1, 1, 1, 1]);
    assert.deepEqual(l.train.skipped, ['train/cat/notes.txt']);
    assert.equal(l.test.name, 'test');
  });

  it('loads RGB PNGs as NHWC in [0, 1], labels by the sorted training classes, and says what it skipped', () => {
    const root = imageFolder();
    const d = loadImageFolder(root);
    assert.deepEqual([d.train.n, d.test.n, d.train.height, d.train.width, d.train.channels, d.train.numClasses], [8, 4, 4, 3, 3, 2]);
    assert.deepEqual(d.classNames, ['cat', 'dog']);
    assert.deepEqual(Array.from(d.test.labels), [0, 0, 1, 1]);
    const size = 4 * 3 * 3;
    // Row 5 = train/dog/01.png: pixel 0 is (1, 180, 90), the others (20, 180, 90).
    assert.deepEqual(
      Array.from(d.train.images.subarray(5 * size, 5 * size + 6)).map((v) => Math.round(v * 255)),
      [1, 180, 90, 20, 180, 90],
    );
    assert.match(
      (d.notes ?? [])
        .filter((n) => n.level === 'warn')
        .map((n) => n.message)
        .join('\n'),
      /skipped 1 entry that is not a \.png, \.jpg or \.jpeg file \(train\/cat\/notes\.txt\)/,
    );
    assert.deepEqual(describeDataClasses({ kind: 'imagefolder', dir: root }, '/'), ['cat', 'dog']);
    assert.equal(detectDataKind(root), 'imagefolder');
    assert.equal(dataFolderProblem('imagefolder', root), undefined);
  });

  it('has 1 channel when every image is gray, else 3 with gray repeated; val/ works as the test split; JPEG and PNG mix', () => {
    const gray = tmp('if-gray');
    put(gray, 'train/a/1.png', grayPng(2, 2, 10));
    put(gray, 'train/b/1.png', grayPng(2, 2, 250));
    put(gray, 'val/b/1.png', grayPng(2, 2, 128));
    const g = loadImageFolder(gray);
    assert.equal(g.train.channels, 1);
    assert.deepEqual(
      Array.from(g.test.images).map((v) => Math.round(v * 255)),
      [128, 128, 128, 128],
    );
    assert.deepEqual(Array.from(g.test.labels), [1]);

    const rgba = new Uint8Array(2 * 2 * 4).fill(255);
    put(gray, 'train/b/2.jpg', encodeJpeg({ width: 2, height: 2, data: rgba }, 90).data);
    const mixed = loadImageFolder(gray);
    assert.equal(mixed.train.channels, 3);
    assert.equal(mixed.train.n, 3);
    assert.deepEqual(
      Array.from(mixed.train.images.subarray(0, 6)).map((v) => Math.round(v * 255)),
      [10, 10, 10, 10, 10, 10],
    );
    assert.ok(
      Array.from(mixed.train.images.subarray(24, 36)).every((v) => v > 0.95),
      'the white JPEG',
    );
  });

  it("resizes images of another size to the first image's, bilinearly, and says how many", () => {
    const root = imageFolder();
    // Solid colours stay exact under bilinear interpolation, whatever the scale.
    put(root, 'train/dog/zz.png', rgbPng(6, 8, [0, 180, 90]));
    put(root, 'test/dog/t9.png', rgbPng(2, 2, [0, 180, 90]));
    const d = loadImageFolder(root);
    assert.deepEqual([d.train.n, d.test.n, d.train.height, d.train.width, d.train.channels], [9, 5, 4, 3, 3]);
    const size = 4 * 3 * 3;
    const zz = 8; // train/dog/zz.png sorts last
    assert.ok(Array.from(d.train.images.subarray(zz * size, (zz + 1) * size)).every((v, i) => Math.round(v * 255) === [0, 180, 90][i % 3]));
    assert.ok(Array.from(d.test.images.subarray(4 * size, 5 * size)).every((v, i) => Math.round(v * 255) === [0, 180, 90][i % 3]));
    const warn = (d.notes ?? [])
      .filter((n) => n.level === 'warn')
      .map((n) => n.message)
      .join('\n');
    assert.match(warn, /ImageFolder: resized 2 of 14 images to 4×3 \(the size of train\/cat\/00\.png; bilinear\): 1 of 8×6, 1 of 2×2\. Set data\.size/);
    assert.doesNotMatch((loadImageFolder(imageFolder()).notes ?? []).map((n) => n.message).join('\n'), /resized/);
  });

  it('resizes every image to data.size: a 1×2 gray ramp becomes 1×4 with the half-pixel weights', () => {
    const root = tmp('if-size');
    const ramp = encodePng({ width: 2, height: 1, colorType: 0, bitDepth: 8, samples: [0, 255], filters: [0] });
    for (const f of ['train/a/1.png', 'train/b/1.png', 'test/a/1.png']) put(root, f, ramp);
    const d = loadImageFolder(root, { size: { height: 1, width: 4 } });
    assert.deepEqual([d.train.height, d.train.width, d.train.channels], [1, 4, 1]);
    assert.deepEqual(
      Array.from(d.test.images).map((v) => v * 255),
      [0, 63.75, 191.25, 255].map((v) => Math.fround(v / 255) * 255),
    );
    assert.match((d.notes ?? []).map((n) => n.message).join('\n'), /resized 3 of 3 images to 1×4 \(data\.size; bilinear\): 3 of 1×2/);
    assert.equal(loadData({ kind: 'imagefolder', dir: root, size: { height: 3, width: 5 } }, '/').train.width, 5);
  });

  it('names an empty class, a test class unknown to train, and a corrupt file', () => {
    const empty = imageFolder();
    mkdirSync(join(empty, 'train', 'emu'));
    throwsUser(() => loadImageFolder(empty), /class folder .*train\/emu has no PNG or JPEG images/);

    const extra = imageFolder();
    put(extra, 'test/zebra/1.png', rgbPng(3, 4, [1, 2, 3]));
    throwsUser(() => loadImageFolder(extra), /test has class folder 'zebra' that .*\/train does not have/);

    const corrupt = imageFolder();
    const bytes = readFileSync(join(corrupt, 'train/dog/02.png'));
    bytes[bytes.length - 20] ^= 0xff;
    const path = put(corrupt, 'train/dog/02.png', bytes);
    throwsUser(() => loadImageFolder(corrupt), /dog\/02\.png is not a readable PNG: the CRC/, path);

    const interlaced = imageFolder();
    const il = put(
      interlaced,
      'test/cat/t0.png',
      encodePng({ width: 3, height: 4, colorType: 0, bitDepth: 8, samples: new Array<number>(12).fill(0), interlace: true }),
    );
    throwsUser(() => loadImageFolder(interlaced), /t0\.png is an interlaced \(Adam7\) PNG/, il);

    const noTest = tmp('if-notest');
    put(noTest, 'train/a/1.png', grayPng(2, 2, 1));
    throwsUser(() => loadImageFolder(noTest), /is not an ImageFolder: test\/ \(or val\/\) is missing/);
    assert.match(
      dataFolderProblem('imagefolder', join(noTest, 'train')) ?? '',
      /train\/ and test\/ \(or val\/\) are missing\. It looks like a split folder itself: choose its parent/,
    );
  });
});

describe('data specs in configs and the New Run flow', () => {
  it('validates the new kinds, and lists the allowed kinds for an unknown one', () => {
    const c = parseRunConfig({ data: { kind: 'imagefolder', dir: 'faces' } });
    assert.deepEqual(c.data, { kind: 'imagefolder', dir: 'faces' });
    assert.deepEqual(parseRunConfig({ data: { kind: 'cifar10', dir: 'c' } }).data, { kind: 'cifar10', dir: 'c' });
    assert.throws(
      () => parseRunConfig({ data: { kind: 'cifar100', dir: 'c' } }),
      (e: Error) =>
        e instanceof ConfigError &&
        /config\.data\.kind must be one of "default", "idx", "cifar10", "imagefolder", "cifar10py", "cifar100py", "npz" \(got "cifar100"\)/.test(e.message),
    );
    assert.throws(() => parseRunConfig({ data: { kind: 'cifar10' } }), /config\.data\.dir is required/);
    assert.deepEqual(parseRunConfig({ data: { kind: 'imagefolder', dir: 'f', size: { height: 32, width: 24 } } }).data, {
      kind: 'imagefolder',
      dir: 'f',
      size: { height: 32, width: 24 },
    });
    assert.throws(() => parseRunConfig({ data: { kind: 'imagefolder', dir: 'f', size: { height: 0, width: 24 } } }), /config\.data\.size\.height must be ≥ 1/);
    assert.throws(() => parseRunConfig({ data: { kind: 'imagefolder', dir: 'f', size: [32, 24] } }), /config\.data\.size must be an object/);
    assert.throws(() => parseRunConfig({ data: { kind: 'idx', dir: 'f', size: { height: 32, width: 24 } } }), /config\.data\.size is not a known setting/);
    assert.deepEqual(tableConfigProblems({ ...defaultTableConfig(), data: { kind: 'imagefolder', dir: 'x' } }), []);
    assert.match(
      tableConfigProblems({ ...defaultTableConfig(), data: { kind: 'png', dir: 'x' } }).join('\n'),
      /data\.kind must be one of "default", "idx", "cifar10", "imagefolder", "cifar10py", "cifar100py", "npz"/,
    );
  });

  it('describes the data and finds its class names for the class step', () => {
    const root = imageFolder();
    assert.equal(describeData({ kind: 'imagefolder', dir: root }), `ImageFolder ${root}`);
    assert.equal(describeData({ kind: 'cifar10', dir: '/c' }), 'CIFAR-10 binary folder /c');
    assert.deepEqual(dataClassNames({ kind: 'imagefolder', dir: root }, '/').names, ['cat', 'dog']);
    assert.deepEqual(dataClassNames({ kind: 'default' }, '/').names, FASHION_MNIST_CLASSES);
    assert.deepEqual(dataClassNames({ kind: 'idx', dir: '/d' }, '/'), { names: undefined });
    assert.match(dataClassNames({ kind: 'cifar10', dir: '/no/such/folder' }, '/').problem ?? '', /does not exist/);
    // The flow remembers the new kinds like idx.
    assert.deepEqual(rememberedAnswers({ data: { kind: 'cifar10', dir: '/c' } }).data, { kind: 'cifar10', dir: '/c' });
    assert.equal(rememberedAnswers({ data: { kind: 'imagefolder' } }).data, undefined);
  });
});

describe('runs on the new formats', function () {
  this.timeout(120_000);
  before(useCpu);

  function quick(data: RunConfig['data'], architecture: 'cnn' | 'mlp'): RunConfig {
    const c = defaultRunConfig();
    return {
      ...c,
      data,
      model: { kind: 'builtin', architecture },
      forget: { kind: 'class', classIndex: 1 },
      method: 'ft',
      retrain: false,
      backend: 'cpu',
      train: { ...c.train, epochs: 1, batchSize: 4 },
      unlearn: { ...c.unlearn, epochs: 1, batchSize: 4 },
    };
  }

  async function run(config: RunConfig, ws: string): Promise<{ events: JobEvent[]; runDir: string }> {
    const events: JobEvent[] = [];
    const result = await runUnlearningJob(config, { workspaceDir: ws, emit: (e) => events.push(e), signal: new AbortController().signal });
    return { events, runDir: result.runDir };
  }

  it('an ImageFolder, relative to the workspace: class-wise forgetting names the class', async () => {
    const ws = tmp('if-run');
    const root = imageFolder();
    const { events, runDir } = await run(quick({ kind: 'imagefolder', dir: relative(ws, root) }, 'mlp'), ws);
    const logs = events
      .filter((e): e is Extract<JobEvent, { type: 'log' }> => e.type === 'log')
      .map((e) => e.message)
      .join('\n');
    assert.match(logs, /ImageFolder: 8 train \/ 4 test images of 4×3×3, 2 classes \(cat, dog\)/);
    assert.match(logs, /forget 4 \(class 1, dog\), retain 4/);
    assert.equal((JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as { state: string }).state, 'finished');
  });

  it("an ImageFolder with data.size: resized in the run, and θo cached apart from the unresized data's", async () => {
    const ws = tmp('if-size-run');
    const root = imageFolder();
    await run(quick({ kind: 'imagefolder', dir: root }, 'mlp'), ws);
    const { events, runDir } = await run(quick({ kind: 'imagefolder', dir: root, size: { height: 6, width: 5 } }, 'mlp'), ws);
    const logs = events
      .filter((e): e is Extract<JobEvent, { type: 'log' }> => e.type === 'log')
      .map((e) => e.message)
      .join('\n');
    assert.match(logs, /ImageFolder: resized 12 of 12 images to 6×5 \(data\.size; bilinear\)/);
    assert.match(logs, /Original model: epoch 1\/1, loss/, 'θo trained for the new size, not taken from the cache');
    assert.equal((JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as { state: string }).state, 'finished');
  });

  it('CIFAR-10 with the built-in CNN on 32×32×3', async () => {
    const ws = tmp('cifar-run');
    cifarFolder(join(ws, 'cifar'));
    const { events, runDir } = await run(quick({ kind: 'cifar10', dir: 'cifar' }, 'cnn'), ws);
    const logs = events
      .filter((e): e is Extract<JobEvent, { type: 'log' }> => e.type === 'log')
      .map((e) => e.message)
      .join('\n');
    assert.match(logs, /forget 1 \(class 1, automobile\), retain 5/);
    assert.match(logs, /Original model: epoch 1\/1, loss/);
    assert.equal((JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as { state: string }).state, 'finished');
  });

  it('a model.json for other images fails before any work, naming both shapes', async () => {
    const ws = tmp('shape');
    const model = buildArchitecture('mlp', { height: 28, width: 28, channels: 1, numClasses: 2 }, 1);
    await saveModel(model, join(ws, 'mnist-model'));
    model.dispose();
    const root = imageFolder();
    const c = quick({ kind: 'imagefolder', dir: root }, 'mlp');
    await assert.rejects(
      runEvaluateJob(
        { data: c.data, model: { kind: 'file', path: 'mnist-model/model.json' }, forget: c.forget, train: c.train, retrain: false, seed: 1, backend: 'cpu' },
        { workspaceDir: ws, emit: () => undefined, signal: new AbortController().signal },
      ),
      (e: Error) => e instanceof UserError && /model\.json expects inputs of shape \[28, 28, 1\] but the data is 4×3×3/.test(e.message),
    );
  });
});
