// `salun data <folder>`: what a data folder holds, read from names and sizes (no pixels), and with
// --files which file each training index is, so that a forget-index file can be written by hand.
import { readFileSync, statSync } from 'node:fs';
import { basename, relative } from 'node:path';
import type { DataSpec } from '../protocol/config';
import { CIFAR10_RECORD_BYTES } from '../engine/data/cifar10';
import { cifar10ClassNames, cifar10Layout, describeDataClasses, listImageFolder } from '../store/data/layout';
import { UserError } from '../store/errors';
import { jobErrorText, toJobError } from '../protocol/jobError';
import { fail, readArgs } from './common';
import { dataArg } from './studyArgs';

const DATA_USAGE = `salun data — what a data folder holds, and which file each training index is

Usage:
  salun data <folder> [--files] [--json]

  <folder>   default, a data folder (idx, CIFAR-10 binary or ImageFolder, recognised from its
             files), or kind:<folder> with kind idx, cifar10 or imagefolder
  --files    list the training set in index order: index, label, class, file (for ImageFolder
             the image, for CIFAR-10 the batch file and record); the indices a forget "indices"
             file refers to
  --json     print the same as JSON`;

interface TrainEntry { index: number; label: number; className?: string; file: string }

interface DataSummary {
  kind: DataSpec['kind'];
  dir?: string;
  classNames?: string[];
  train?: number;
  test?: number;
  skipped?: string[];
  files?: TrainEntry[];
}

function summarise(spec: DataSpec, withFiles: boolean): DataSummary {
  const classNames = describeDataClasses(spec, process.cwd());
  if (spec.kind === 'imagefolder') {
    const l = listImageFolder(spec.dir);
    return {
      kind: spec.kind, dir: l.root, classNames, train: l.train.files.length, test: l.test.files.length, skipped: [...l.train.skipped, ...l.test.skipped],
      files: withFiles ? l.train.files.map((f, index) => ({ index, label: l.train.labels[index], className: l.classNames[l.train.labels[index]], file: relative(l.root, f) })) : undefined,
    };
  }
  if (spec.kind === 'cifar10') {
    const l = cifar10Layout(spec.dir);
    const counts = l.train.map((f) => Math.floor(statSync(f).size / CIFAR10_RECORD_BYTES));
    const names = cifar10ClassNames(l).names;
    let files: TrainEntry[] | undefined;
    if (withFiles) {
      const list: TrainEntry[] = [];
      l.train.forEach((f, b) => {
        const bytes = readFileSync(f);
        for (let k = 0; k < counts[b]; k++) {
          const label = bytes[k * CIFAR10_RECORD_BYTES];
          list.push({ index: list.length, label, className: names[label], file: `${basename(f)} record ${k}` });
        }
      });
      files = list;
    }
    return { kind: spec.kind, dir: l.dir, classNames: names, train: counts.reduce((a, c) => a + c, 0), test: Math.floor(statSync(l.test).size / CIFAR10_RECORD_BYTES), files };
  }
  return { kind: spec.kind, dir: spec.kind === 'idx' ? spec.dir : undefined, classNames };
}

export function dataCommand(argv: string[]): void {
  const { values, positionals } = readArgs(argv, { files: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, DATA_USAGE, true);
  const folder = positionals[positionals.length - 1];
  if (!folder) fail(`give a data folder\n\n${DATA_USAGE}`);
  const json = values.json === true;
  let s: DataSummary;
  try {
    s = summarise(dataArg(folder, 'salun data'), values.files === true);
  } catch (e) {
    if (e instanceof UserError) fail(jobErrorText(toJobError(e)), 1);
    throw e;
  }
  if (json) { console.log(JSON.stringify(s, null, 2)); return; }
  const what = { default: 'the bundled Fashion-MNIST subset', idx: 'idx folder', cifar10: 'CIFAR-10 binary folder', imagefolder: 'ImageFolder' }[s.kind];
  console.log(`${what}${s.dir ? ` ${s.dir}` : ''}`);
  const images = (k: number | undefined): string => `${k} image${k === 1 ? '' : 's'}`;
  if (s.train !== undefined) console.log(`train: ${images(s.train)}, test: ${images(s.test)}`);
  if (s.classNames) console.log(`classes: ${s.classNames.map((n, i) => `${i} ${n}`).join(', ')}`);
  if (s.skipped?.length) console.log(`skipped (not .png/.jpg/.jpeg): ${s.skipped.length}, e.g. ${s.skipped.slice(0, 3).join(', ')}`);
  if (s.kind === 'idx' || s.kind === 'default') console.log('training index i is record i of train-images-idx3-ubyte and train-labels-idx1-ubyte');
  if (s.files) {
    console.log('\nindex\tlabel\tclass\tfile');
    for (const f of s.files) console.log(`${f.index}\t${f.label}\t${f.className ?? ''}\t${f.file}`);
  }
}
