import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fromIdx } from '../../src/engine/data/dataset';
import { splitForget } from '../../src/engine/data/forgetSet';
import { parseIdx, readIdxFile } from '../../src/engine/data/idx';
import { loadData } from '../../src/engine/data/load';
import { UserError } from '../../src/store/errors';
import { toyImages } from '../support/tinyModels';

function idx(dims: number[], data: number[], typeByte = 0x08): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = typeByte;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return new Uint8Array(Buffer.concat([header, Buffer.from(data)]));
}

describe('idx reader', () => {
  it('reads shape and data', () => {
    const a = parseIdx(idx([2, 2, 1], [1, 2, 3, 4]), 'x');
    assert.deepEqual(a.shape, [2, 2, 1]);
    assert.deepEqual(Array.from(a.data), [1, 2, 3, 4]);
  });

  it('rejects a bad magic number, a non-ubyte type, and a size that does not match the header', () => {
    const bad = idx([2], [1, 2]);
    bad[0] = 7;
    assert.throws(
      () => parseIdx(bad, 'f1'),
      (e: Error) => e instanceof UserError && /f1 is not a valid idx file: the magic number/.test(e.message),
    );
    assert.throws(() => parseIdx(idx([2], [1, 2], 0x0d), 'f2'), /element type 0xd is not unsigned byte/);
    assert.throws(() => parseIdx(idx([3], [1, 2]), 'f3'), /promises 3 = 3 values but the file holds 2/);
    assert.throws(() => parseIdx(new Uint8Array([0, 0]), 'f4'), /shorter than the 4-byte header/);
  });

  it('reads gzip files and names a corrupt one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'salun-idx-'));
    writeFileSync(join(dir, 'ok.gz'), gzipSync(idx([3], [7, 8, 9])));
    assert.deepEqual(Array.from(readIdxFile(join(dir, 'ok.gz')).data), [7, 8, 9]);
    writeFileSync(join(dir, 'broken.gz'), gzipSync(idx([3], [7, 8, 9])).subarray(0, 15));
    assert.throws(
      () => readIdxFile(join(dir, 'broken.gz')),
      (e: Error) => e instanceof UserError && e.file === join(dir, 'broken.gz'),
    );
  });

  it('rejects images and labels of different lengths', () => {
    assert.throws(() => fromIdx(parseIdx(idx([2, 1, 1], [0, 255]), 'i'), parseIdx(idx([3], [0, 1, 2]), 'l'), 'set'), /2 images but 3 labels/);
  });

  it('loads the bundled default subset: 10,000 train / 2,000 test, balanced, pixels in [0, 1]', () => {
    const d = loadData({ kind: 'default' }, '.');
    assert.equal(d.train.n, 10000);
    assert.equal(d.test.n, 2000);
    const counts = new Array(10).fill(0);
    d.train.labels.forEach((l) => counts[l]++);
    assert.deepEqual(counts, new Array(10).fill(1000));
    assert.ok(d.train.images.every((v) => v >= 0 && v <= 1));
  });
});

describe('forget sets', () => {
  const set = toyImages(200, 1);
  it('random: the requested fraction, seeded, disjoint from the retain set', () => {
    const a = splitForget({ kind: 'random', fraction: 0.1, seed: 3 }, set, 1, '.');
    const b = splitForget({ kind: 'random', fraction: 0.1, seed: 3 }, set, 1, '.');
    assert.equal(a.forget.length, 20);
    assert.deepEqual(Array.from(a.forget), Array.from(b.forget));
    assert.equal(a.forget.length + a.retain.length, 200);
    const f = new Set(a.forget);
    assert.ok(Array.from(a.retain).every((i) => !f.has(i)));
  });
  it('class: every sample of that class', () => {
    const s = splitForget({ kind: 'class', classIndex: 2 }, set, 1, '.');
    assert.ok(Array.from(s.forget).every((i) => set.labels[i] === 2));
    assert.equal(s.forget.length, set.labels.filter((l) => l === 2).length);
    assert.equal(s.forgottenClass, 2);
  });
  it('index files: JSON or one per line; out-of-range, empty and malformed lists are named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'salun-forget-'));
    writeFileSync(join(dir, 'a.json'), '[3, 5, 7]');
    writeFileSync(join(dir, 'b.txt'), '3\n5\n');
    writeFileSync(join(dir, 'bad.txt'), '3\n500\n');
    writeFileSync(join(dir, 'empty.txt'), '\n');
    writeFileSync(join(dir, 'junk.json'), '[3, ');
    assert.deepEqual(Array.from(splitForget({ kind: 'indices', file: 'a.json' }, set, 1, dir).forget), [3, 5, 7]);
    assert.deepEqual(Array.from(splitForget({ kind: 'indices', file: 'b.txt' }, set, 1, dir).forget), [3, 5]);
    assert.throws(() => splitForget({ kind: 'indices', file: 'bad.txt' }, set, 1, dir), /entry 2 \(500\) is not a training-set index in 0…199/);
    assert.throws(() => splitForget({ kind: 'indices', file: 'empty.txt' }, set, 1, dir), /forget set is empty/);
    assert.throws(() => splitForget({ kind: 'indices', file: 'junk.json' }, set, 1, dir), /does not parse/);
  });
  it('rejects out-of-range classes and fractions', () => {
    assert.throws(() => splitForget({ kind: 'class', classIndex: 9 }, set, 1, '.'), /Class 9 is out of range: the data has classes 0…2/);
    assert.throws(() => splitForget({ kind: 'random', fraction: 0 }, set, 1, '.'), /strictly between 0 and 1/);
  });
});

describe('the full Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  const dir = '/usr/share/datasets/fashion-mnist';
  it(`loads from ${dir} as an idx folder: 60,000 train / 10,000 test, 28×28, 10 classes`, function () {
    this.timeout(60_000);
    // CI installs the package (.ci/run); a missing folder is a failure with a clear message, not a skip.
    const d = loadData({ kind: 'idx', dir }, '/');
    assert.equal(d.train.n, 60000);
    assert.equal(d.test.n, 10000);
    assert.deepEqual([d.train.height, d.train.width, d.train.channels, d.train.numClasses], [28, 28, 1, 10]);
  });
});
