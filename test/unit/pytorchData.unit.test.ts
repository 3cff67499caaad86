// The data formats PyTorch users keep: torchvision's CIFAR-10/100 Python folders (pickles read
// under an allow-list) and .npz arrays. Pixels, labels and class names are compared with what
// numpy reads from the same files (test/fixtures/data/make.py writes both); hostile and broken
// files are refused with the file named.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSpec } from '../../src/protocol/config';
import { loadData } from '../../src/engine/data/load';
import { parseRunConfig } from '../../src/protocol/runConfigSchema';
import { dataSpecFromArgument, dataSummary } from '../../src/store/data/layout';
import { UserError } from '../../src/store/errors';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'data');

interface SplitFacts {
  n: number;
  shape: number[];
  labels: number[];
  sha256: string;
  probes: [number, number][];
  dtype?: string;
}
interface Expected {
  cifar10py: { classNames: string[]; train: SplitFacts; test: SplitFacts };
  cifar100py: { classNames: string[]; train: SplitFacts; test: SplitFacts };
  npz: Record<string, { layout: string; train: SplitFacts; test: SplitFacts }>;
}
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Expected;

function sameAsNumpy(spec: DataSpec, e: { classNames?: string[]; train: SplitFacts; test: SplitFacts }, float: boolean): void {
  const d = loadData(spec, FIXTURES);
  for (const split of ['train', 'test'] as const) {
    const set = d[split];
    const x = e[split];
    assert.equal(set.n, x.n, split);
    assert.deepEqual([set.height, set.width, set.channels], x.shape, split);
    assert.deepEqual(Array.from(set.labels), x.labels, split);
    for (const [i, v] of x.probes) assert.equal(set.images[i], float ? Math.fround(v) : Math.fround(v / 255), `${split} pixel ${i}`);
    const bytes = float ? Buffer.from(set.images.buffer) : Buffer.from(Uint8Array.from(set.images, (v) => Math.round(v * 255)));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), x.sha256, `${split}: every pixel as numpy has it`);
  }
  if (e.classNames) assert.deepEqual(d.classNames, e.classNames);
}

function refused(f: () => unknown, pattern: RegExp): UserError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    assert.match(e.message, pattern);
    return e;
  }
  assert.fail('no error');
}

describe("PyTorch users' data: CIFAR Python folders and .npz", () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'salun-pydata-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("CIFAR-10's Python folder (torchvision's root or cifar-10-batches-py): pixels, labels and batches.meta's names as numpy reads them", () => {
    sameAsNumpy({ kind: 'cifar10py', dir: 'cifar10py' }, expected.cifar10py, false);
    sameAsNumpy({ kind: 'cifar10py', dir: 'cifar10py/cifar-10-batches-py' }, expected.cifar10py, false);
  });

  it("CIFAR-100's Python folder: the fine labels and meta's fine_label_names", () => {
    sameAsNumpy({ kind: 'cifar100py', dir: 'cifar100py' }, expected.cifar100py, false);
    const s = dataSummary({ kind: 'cifar100py', dir: 'cifar100py' }, FIXTURES, true);
    assert.equal(s.train, expected.cifar100py.train.n);
    assert.deepEqual(
      s.files?.map((f) => f.label),
      expected.cifar100py.train.labels,
    );
  });

  for (const [name, e] of Object.entries(expected.npz).filter(([n]) => n !== 'out-of-range')) {
    it(`.npz ${name}: NHWC float32 pixels and labels as numpy has them`, () => {
      sameAsNumpy(
        { kind: 'npz', file: `npz/${name}.npz`, ...(name === 'ambiguous' ? { layout: 'nchw' as const } : {}) },
        e,
        e.train.dtype?.startsWith('float') ?? false,
      );
    });
  }

  it('.npz: an ambiguous shape asks for layout; pixels outside [0, 1] are refused, naming the range', () => {
    const a = refused(() => loadData({ kind: 'npz', file: 'npz/ambiguous.npz' }, FIXTURES), /axis 1 and axis 3 could both be the channels/);
    assert.match(a.hint ?? '', /"layout": "nhwc"/);
    refused(() => loadData({ kind: 'npz', file: 'npz/out-of-range.npz' }, FIXTURES), /must be in \[0, 1\].*range from -1\.9/);
  });

  it("normalize { mean, std }: (x − mean) / std per channel, as torchvision's Normalize; lengths and std checked", () => {
    const plain = loadData({ kind: 'cifar10py', dir: 'cifar10py' }, FIXTURES);
    const mean = [0.4914, 0.4822, 0.4465];
    const std = [0.247, 0.2435, 0.2616];
    const d = loadData({ kind: 'cifar10py', dir: 'cifar10py', normalize: { mean, std } }, FIXTURES);
    for (const i of [0, 1, 2, 3071, 5000]) assert.equal(d.test.images[i], Math.fround((plain.test.images[i] - mean[i % 3]) / std[i % 3]), `pixel ${i}`);
    refused(() => loadData({ kind: 'npz', file: 'npz/gray.npz', normalize: { mean, std } }, FIXTURES), /mean has 3 values but the data has 1 channel/);
    refused(() => loadData({ kind: 'npz', file: 'npz/gray.npz', normalize: { mean: [0.5], std: [0] } }, FIXTURES), /std must be above 0/);
    assert.throws(() => parseRunConfig({ data: { kind: 'default', normalize: { mean: [0.5], std: [-1] } } }), /normalize/);
    assert.deepEqual(parseRunConfig({ data: { kind: 'default', normalize: { mean: [0.5], std: [0.25] } } }).data.normalize, { mean: [0.5], std: [0.25] });
  });

  it('--data recognises the folders and the .npz file', () => {
    assert.deepEqual(dataSpecFromArgument(join(FIXTURES, 'cifar10py'), '--data'), { spec: { kind: 'cifar10py', dir: join(FIXTURES, 'cifar10py') } });
    assert.deepEqual(dataSpecFromArgument(join(FIXTURES, 'cifar100py'), '--data'), { spec: { kind: 'cifar100py', dir: join(FIXTURES, 'cifar100py') } });
    const f = join(FIXTURES, 'npz', 'gray.npz');
    assert.deepEqual(dataSpecFromArgument(f, '--data'), { spec: { kind: 'npz', file: f } });
  });

  it('a pickle naming any other Python callable is refused before anything is built, naming it', () => {
    const dir = join(tmp, 'evil');
    mkdirSync(dir);
    // GLOBAL os.system, REDUCE ('echo',): what a hostile pickle does.
    writeFileSync(join(dir, 'test_batch'), Buffer.from('\x80\x02cos\nsystem\nU\x04echo\x85R.', 'latin1'));
    writeFileSync(join(dir, 'data_batch_1'), readFileSync(join(FIXTURES, 'cifar10py', 'cifar-10-batches-py', 'data_batch_1')));
    const e = refused(() => loadData({ kind: 'cifar10py', dir }, FIXTURES), /test_batch names the Python class os\.system/);
    assert.equal(e.file, join(dir, 'test_batch'));
  });

  it('truncated files are clear errors naming the file', () => {
    const dir = join(tmp, 'short');
    mkdirSync(dir);
    const batch = readFileSync(join(FIXTURES, 'cifar10py', 'cifar-10-batches-py', 'test_batch'));
    writeFileSync(join(dir, 'test_batch'), batch.subarray(0, batch.length - 700));
    writeFileSync(join(dir, 'data_batch_1'), batch);
    refused(() => loadData({ kind: 'cifar10py', dir }, FIXTURES), /test_batch/);
    const npz = readFileSync(join(FIXTURES, 'npz', 'nhwc-uint8.npz'));
    const cut = join(tmp, 'cut.npz');
    writeFileSync(cut, npz.subarray(0, npz.length >> 1));
    refused(() => loadData({ kind: 'npz', file: cut }, FIXTURES), /cut\.npz/);
  });
});
