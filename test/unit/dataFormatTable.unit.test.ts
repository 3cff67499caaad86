// The data format table as an architecture rule and as the one source of what reads formats: a
// folder format's name is written in its row (src/protocol/dataFormats.ts) and its two registry
// lines (the store's layout, the engine's loader) and nowhere else; the schema, `--data`, folder
// detection and the summaries follow the rows. Fixture folders hold empty files: layouts read
// names, not contents.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DATA_FORMAT_NAMES,
  DATA_FORMATS,
  dataFormat,
  dataText,
  FILE_FORMAT_NAMES,
  FOLDER_FORMAT_NAMES,
  isFileFormatName,
  isFolderFormatName,
} from '../../src/protocol/dataFormats';
import { RUN_CONFIG_SCHEMA } from '../../src/protocol/runConfigSchema';
import { DATA_LOADERS } from '../../src/engine/data/registry';
import { IDX_FILE_STEMS } from '../../src/store/data/idxLayout';
import { dataFolderProblem, dataSpecFromArgument, detectDataKind } from '../../src/store/data/layout';
import { DATA_LAYOUTS } from '../../src/store/data/registry';
import { describeData } from '../../src/extension/flows/newRunAnswers';
import { filesWriting } from './sourceNames';

const root = join(__dirname, '..', '..', '..');
const TABLE = 'src/protocol/dataFormats.ts';
const REGISTRIES = ['src/store/data/registry.ts', 'src/engine/data/registry.ts'];

describe('data format table', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'salun-format-table-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function folder(name: string, files: readonly string[]): string {
    const d = join(dir, name);
    for (const f of files) {
      mkdirSync(join(d, f, '..'), { recursive: true });
      writeFileSync(join(d, f), '');
    }
    mkdirSync(d, { recursive: true });
    return d;
  }
  const idxFiles = IDX_FILE_STEMS.map((s, i) => (i % 2 ? `${s}.gz` : s));

  it("a folder format's name is written in its row and its two registry lines only", () => {
    // "default" is left out: the bundled format kept its config name, a word the code uses for other things too.
    for (const [name, files] of filesWriting(root, [...FOLDER_FORMAT_NAMES, ...FILE_FORMAT_NAMES])) {
      assert.deepEqual(files.sort(), [TABLE, ...REGISTRIES].sort(), `'${name}' is written in ${files.join(', ')}: read it from the data format table instead`);
    }
  });

  it('every row has a layout in the store and a loader in the engine; a folder format can be checked and detected', () => {
    assert.deepEqual(Object.keys(DATA_LAYOUTS), DATA_FORMAT_NAMES);
    assert.deepEqual(Object.keys(DATA_LOADERS), DATA_FORMAT_NAMES);
    for (const n of FOLDER_FORMAT_NAMES) assert.ok('check' in DATA_LAYOUTS[n] && 'detect' in DATA_LAYOUTS[n], n);
    assert.deepEqual(
      FOLDER_FORMAT_NAMES,
      DATA_FORMAT_NAMES.filter((n) => dataFormat(n).folder !== undefined),
    );
  });

  it("the schema has one data branch per row, in order: dir required exactly for folder formats, the row's options beside it", () => {
    const branches = RUN_CONFIG_SCHEMA.properties?.data?.oneOf ?? [];
    assert.deepEqual(
      branches.map((b) => b.properties?.kind?.const),
      DATA_FORMAT_NAMES,
    );
    branches.forEach((b, i) => {
      const row = dataFormat(DATA_FORMAT_NAMES[i]);
      assert.deepEqual(b.required, row.folder ? ['kind', 'dir'] : row.file ? ['kind', 'file'] : ['kind']);
      assert.equal(b.properties?.kind?.description, row.description);
      assert.deepEqual(Object.keys(b.properties ?? {}), [
        'normalize',
        'heldOut',
        'kind',
        ...(row.folder ? ['dir'] : row.file ? ['file'] : []),
        ...Object.keys(row.options ?? {}),
      ]);
    });
  });

  it("--data: a format without a folder by name, <format>:<folder>, or a folder detected in the table's order", () => {
    const plain = DATA_FORMAT_NAMES.find((n) => !isFolderFormatName(n));
    assert.ok(plain);
    assert.deepEqual(dataSpecFromArgument(plain, '--data'), { spec: { kind: plain } });
    for (const n of FOLDER_FORMAT_NAMES) assert.deepEqual(dataSpecFromArgument(`${n}:rel/x`, '--data'), { spec: { kind: n, dir: resolve('rel/x') } });
    const idx = folder('idx', idxFiles);
    const cifar = folder('cifar', ['cifar-10-batches-bin/data_batch_2.bin', 'cifar-10-batches-bin/test_batch.bin']);
    const images = folder('images', ['train/a/1.png', 'val/a/2.png']);
    // Both an idx folder and an ImageFolder by its names: the earlier row wins.
    const both = folder('both', [...idxFiles, 'train/a/1.png', 'test/a/2.png']);
    const found = [idx, cifar, images, both].map((d) => detectDataKind(d));
    assert.deepEqual(
      found,
      [idx, cifar, images, both].map((d) => FOLDER_FORMAT_NAMES.find((n) => DATA_LAYOUTS[n].detect(d))),
    );
    assert.equal(new Set(found.slice(0, 3)).size, 3, 'each fixture is a different format');
    assert.equal(
      found[3],
      FOLDER_FORMAT_NAMES.find((n) => n === found[0] || n === found[2]),
    );
    const r = dataSpecFromArgument(idx, '--data');
    assert.deepEqual(r, { spec: { kind: found[0], dir: idx } });
  });

  it('a folder of no format: the message names what every folder format needs and how to ask for one by name', () => {
    const empty = folder('empty', ['notes.txt']);
    const r = dataSpecFromArgument(empty, 'salun data');
    assert.ok('problem' in r);
    for (const n of FOLDER_FORMAT_NAMES) assert.ok(r.problem.includes(DATA_FORMATS[n].folder.needs), `${n}: ${r.problem}`);
    assert.match(r.problem, new RegExp(`^salun data ${empty} is not a data folder .* e\\.g\\. salun data [a-z0-9]+:${empty}$`));
    assert.equal(detectDataKind(join(dir, 'no-such-folder')), undefined);
  });

  it('the idx folder check names the files it lacks; a complete folder passes', () => {
    const partial = folder('partial', idxFiles.slice(0, 3));
    const idxKind = detectDataKind(folder('idx2', idxFiles));
    assert.ok(idxKind);
    assert.equal(dataFolderProblem(idxKind, join(dir, 'idx2')), undefined);
    assert.equal(
      dataFolderProblem(idxKind, partial),
      `${partial} is not an idx data folder: ${IDX_FILE_STEMS[3]} is missing (plain or .gz). It needs ${IDX_FILE_STEMS.join(', ')}.`,
    );
  });

  it('summaries say a data set by its row\'s label: "<label> <folder>", or the label and its detail', () => {
    for (const n of FOLDER_FORMAT_NAMES) {
      assert.equal(dataText({ kind: n, dir: '/d' }), `${DATA_FORMATS[n].label} /d`);
      assert.equal(describeData({ kind: n, dir: '/d' }), `${DATA_FORMATS[n].label} /d`);
    }
    for (const n of FILE_FORMAT_NAMES) assert.equal(dataText({ kind: n, file: '/d.x' }), `${DATA_FORMATS[n].label} /d.x`);
    for (const n of DATA_FORMAT_NAMES.filter((k) => !isFolderFormatName(k) && !isFileFormatName(k))) {
      const r = dataSpecFromArgument(n, '--data');
      assert.ok('spec' in r);
      assert.equal(describeData(r.spec), `${DATA_FORMATS[n].label} (${DATA_FORMATS[n].pick.detail})`);
    }
  });
});
