// `salun data <folder>`: what a data folder holds, read from names and sizes (no pixels), and with
// --files which file each training index is, so that a forget-index file can be written by hand.
import { DATA_FORMAT_NAMES, dataFormat, dataText, FOLDER_FORMAT_NAMES, isFolderFormatName } from '../protocol/dataFormats';
import { jobErrorText, toJobError } from '../protocol/jobError';
import { dataSummary } from '../store/data/layout';
import { UserError } from '../store/errors';
import { fail, readArgs } from './common';
import { dataArg } from './studyArgs';

const plainNames = DATA_FORMAT_NAMES.filter((n) => !isFolderFormatName(n));
const folderLabels = FOLDER_FORMAT_NAMES.map((n) => dataFormat(n).label);

const DATA_USAGE = `salun data — what a data folder holds, and which file each training index is

Usage:
  salun data <folder> [--files] [--json]

  <folder>   ${plainNames.join(', ')}, a data folder (${folderLabels.join(', ')}: recognised
             from its files), or kind:<folder> with kind one of ${FOLDER_FORMAT_NAMES.join(', ')}
  --files    list the training set in index order: index, label, class, file (for an ImageFolder
             the image, for CIFAR-10 the batch file and record); the indices a forget "indices"
             file refers to
  --json     print the same as JSON`;

function images(k: number | undefined): string {
  return `${k} image${k === 1 ? '' : 's'}`;
}

export function dataCommand(argv: string[]): void {
  const { values, positionals } = readArgs(
    argv,
    { files: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    DATA_USAGE,
    true,
  );
  const folder = positionals[positionals.length - 1];
  if (!folder) fail(`give a data folder\n\n${DATA_USAGE}`);
  let s: ReturnType<typeof dataSummary>;
  try {
    s = dataSummary(dataArg(folder, 'salun data'), process.cwd(), values.files === true);
  } catch (e) {
    if (e instanceof UserError) fail(jobErrorText(toJobError(e)), 1);
    throw e;
  }
  if (values.json === true) {
    console.log(JSON.stringify(s, null, 2));
    return;
  }
  const row = dataFormat(s.kind);
  console.log(row.folder || row.file ? dataText(s) : `the ${row.label}`);
  if (s.train !== undefined) console.log(`train: ${images(s.train)}, test: ${images(s.test)}`);
  if (s.classNames) console.log(`classes: ${s.classNames.map((n, i) => `${i} ${n}`).join(', ')}`);
  if (s.skipped?.length) console.log(`skipped (not .png/.jpg/.jpeg): ${s.skipped.length}, e.g. ${s.skipped.slice(0, 3).join(', ')}`);
  if (row.trainIndex) console.log(row.trainIndex);
  if (s.files) {
    console.log('\nindex\tlabel\tclass\tfile');
    for (const f of s.files) console.log(`${f.index}\t${f.label}\t${f.className ?? ''}\t${f.file}`);
  }
}
