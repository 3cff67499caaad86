// Forget set Df from a ForgetSpec: a seeded random fraction, one class, or a user's index list.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ForgetSpec } from '../../protocol/config';
import { UserError } from '../../store/errors';
import { makeRng, shuffleInPlace, subSeed } from '../rng';
import type { ImageSet } from './dataset';

export interface ForgetSplit {
  forget: Int32Array;
  retain: Int32Array;
  /** For class-wise forgetting, the class that leaves the test set too. */
  forgottenClass?: number;
}

function parseIndexFile(path: string, n: number): number[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(
      `Cannot read the forget index file ${path}: ${(e as Error).message}`,
      'Give a file with a JSON array of training-set indices, or one index per line.',
      path,
    );
  }
  let values: unknown[];
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      values = JSON.parse(trimmed) as unknown[];
    } catch (e) {
      throw new UserError(`${path} starts like JSON but does not parse: ${(e as Error).message}`, undefined, path);
    }
  } else {
    values = trimmed
      .split(/[\s,]+/)
      .filter((t) => t.length > 0)
      .map((t) => (/^-?\d+$/.test(t) ? Number(t) : t));
  }
  const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= n);
  if (bad >= 0) {
    throw new UserError(
      `${path}: entry ${bad + 1} (${JSON.stringify(values[bad])}) is not a training-set index in 0…${n - 1}.`,
      'Every entry must be an integer index into the training set.',
      path,
    );
  }
  // A repeat collapses into one forgotten sample, so |Df| would silently differ from the file's
  // length: an error, naming the repeats, rather than a run whose forget set is not what was written.
  const first = new Map<number, number>();
  const repeats: string[] = [];
  (values as number[]).forEach((v, entry) => {
    const seen = first.get(v);
    if (seen === undefined) first.set(v, entry + 1);
    else repeats.push(`${v} (entries ${seen} and ${entry + 1})`);
  });
  if (repeats.length) {
    throw new UserError(
      `${path}: ${repeats.length} ${repeats.length === 1 ? 'entry repeats an index' : 'entries repeat an index'}: ${repeats.slice(0, 5).join(', ')}${repeats.length > 5 ? ', …' : ''}.`,
      'List each training sample once: a sample is forgotten or not, so repeats only hide a mistake (two lists joined?).',
      path,
    );
  }
  return values as number[];
}

export function splitForget(spec: ForgetSpec, train: ImageSet, seed: number, workspaceDir: string): ForgetSplit {
  const n = train.n;
  const isForget = new Uint8Array(n);
  let forgottenClass: number | undefined;
  switch (spec.kind) {
    case 'random': {
      if (!(spec.fraction > 0 && spec.fraction < 1)) {
        throw new UserError(`The random forget fraction must be strictly between 0 and 1, got ${spec.fraction}.`, 'Use e.g. 0.1 for 10% random forgetting.');
      }
      const k = Math.round(spec.fraction * n);
      if (k === 0) throw new UserError(`A forget fraction of ${spec.fraction} of ${n} samples selects no sample.`, 'Raise the fraction.');
      const order = new Int32Array(n).map((_, i) => i);
      shuffleInPlace(order, makeRng(subSeed(spec.seed ?? seed, 'forget')));
      for (let i = 0; i < k; i++) isForget[order[i]] = 1;
      break;
    }
    case 'class': {
      const c = spec.classIndex;
      if (!Number.isInteger(c) || c < 0 || c >= train.numClasses) {
        throw new UserError(`Class ${c} is out of range: the data has classes 0…${train.numClasses - 1}.`, 'Pick a class index the data has.');
      }
      for (let i = 0; i < n; i++) if (train.labels[i] === c) isForget[i] = 1;
      forgottenClass = c;
      break;
    }
    case 'indices': {
      const path = resolve(workspaceDir, spec.file);
      for (const i of parseIndexFile(path, n)) isForget[i] = 1;
      break;
    }
  }
  const forget: number[] = [];
  const retain: number[] = [];
  for (let i = 0; i < n; i++) (isForget[i] ? forget : retain).push(i);
  if (forget.length === 0)
    throw new UserError('The forget set is empty.', 'Choose samples to forget: a fraction, a class with samples, or a non-empty index file.');
  if (retain.length === 0) throw new UserError('The forget set covers the whole training set; nothing would be retained.', 'Forget a subset of the data.');
  return { forget: Int32Array.from(forget), retain: Int32Array.from(retain), forgottenClass };
}
