// The shapes of a run folder's files, checked where they are read back. A run folder is written by
// this code, but also edited by hand, cut short by a crash, synced from another machine or planted:
// every reader goes through these checks, and a file (or a row of it) that fails costs that file
// or row, with a problem naming it, never the list it is part of.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { JobError } from '../../protocol/jobMessages';
import { VERDICT_FIGURE_NAMES, VERDICT_LABELS, type EvaluatedModel, type ModelRole, type RunVerdict, type RunVerdictFigure } from '../../protocol/results';
import { isFiniteNumber, isOneOf, isRecord, isString } from '../../protocol/guards';
import { isMetrics } from '../../protocol/webviewMessages';
import type { RunState, RunStatus } from './runFolder';

export const RUN_STATES = ['running', 'finished', 'stopped', 'failed', 'cancelled', 'interrupted'] as const satisfies readonly RunState[];
const ROLES: readonly ModelRole[] = ['original', 'retrain', 'unlearned'];

/** Far above any real config, status or report (a few KB); a bigger one is not read into memory. */
export const MAX_RUN_JSON_BYTES = 16 * 1024 * 1024;

/**
 * A JSON file of a run folder: undefined when it is absent, else its value; anything else (a folder
 * in its place, unreadable, too big, not JSON) is a problem and undefined.
 */
export function readRunJson(path: string, problems: string[]): unknown {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) {
      problems.push(`${basename(path)}: not a file`);
      return undefined;
    }
    size = st.size;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // A dangling link has an lstat but no stat: absent as far as reading goes, but worth saying.
    if (err.code !== 'ENOENT') problems.push(`${basename(path)}: ${err.message}`);
    return undefined;
  }
  if (size > MAX_RUN_JSON_BYTES) {
    problems.push(`${basename(path)}: ${size} bytes, more than the ${MAX_RUN_JSON_BYTES} a run file can have; not read`);
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    problems.push(`${basename(path)}: ${(e as Error).message}`);
    return undefined;
  }
}

/** Why `x` is not an EvaluatedModel row, or undefined when it is one. */
export function rowProblem(x: unknown): string | undefined {
  if (!isRecord(x)) return 'not an object';
  if (!isOneOf(x.role, ROLES)) return `role ${JSON.stringify(x.role)} is not one of ${ROLES.join(', ')}`;
  if (!isString(x.method)) return 'method is not a string';
  if (!isMetrics(x.metrics)) return 'metrics are not four finite numbers UA, RA, TA, MIA';
  if (x.avgGap !== undefined && !isFiniteNumber(x.avgGap)) return `avgGap ${JSON.stringify(x.avgGap)} is not a finite number`;
  if (!isFiniteNumber(x.seconds)) return 'seconds is not a finite number';
  return undefined;
}

const NUMBERS_OF_FIGURE = ['forget', 'reference', 'gap', 'noise', 'threshold', 'z'] as const;

function verdictFigureOf(x: unknown): RunVerdictFigure | undefined {
  if (!isRecord(x) || !isOneOf(x.name, VERDICT_FIGURE_NAMES) || !isOneOf(x.noiseFrom, ['splits', 'analytic floor'] as const)) return undefined;
  if (!NUMBERS_OF_FIGURE.every((k) => isFiniteNumber(x[k]))) return undefined;
  const n = (k: (typeof NUMBERS_OF_FIGURE)[number]): number => x[k] as number;
  return {
    name: x.name,
    forget: n('forget'),
    reference: n('reference'),
    gap: n('gap'),
    noise: n('noise'),
    noiseFrom: x.noiseFrom,
    threshold: n('threshold'),
    z: n('z'),
  };
}

/**
 * A row's Retrain-free verdict, built field by field (never the parsed object itself); undefined
 * when it is not one. Every figure must read: a verdict with a figure missing would show a label
 * without the evidence behind it.
 */
export function runVerdictOf(x: unknown): RunVerdict | undefined {
  if (!isRecord(x) || !isOneOf(x.label, VERDICT_LABELS) || !isString(x.reason) || !Array.isArray(x.figures)) return undefined;
  const scalars = [x.points, x.meanAbsZ, x.k, x.alpha, x.splits, x.seed, x.seconds];
  if (!scalars.every(isFiniteNumber) || typeof x.miaConverged !== 'boolean') return undefined;
  const heldOut = x.heldOut;
  if (!isRecord(heldOut) || !isFiniteNumber(heldOut.size) || !isString(heldOut.source)) return undefined;
  const figures = x.figures.map(verdictFigureOf);
  if (!figures.length || figures.some((f) => f === undefined)) return undefined;
  const test =
    isRecord(x.test) && isFiniteNumber(x.test.accuracy) && isFiniteNumber(x.test.original)
      ? { accuracy: x.test.accuracy, original: x.test.original }
      : undefined;
  return {
    label: x.label,
    points: x.points as number,
    ...(test ? { test } : {}),
    meanAbsZ: x.meanAbsZ as number,
    figures: figures as RunVerdictFigure[],
    reason: x.reason,
    k: x.k as number,
    alpha: x.alpha as number,
    splits: x.splits as number,
    seed: x.seed as number,
    heldOut: { size: heldOut.size, source: heldOut.source, ...(typeof heldOut.wholeClass === 'boolean' ? { wholeClass: heldOut.wholeClass } : {}) },
    miaConverged: x.miaConverged,
    seconds: x.seconds as number,
  };
}

/**
 * report.json's rows that have the right shape; each other row is a problem naming it. A row's
 * verdict that does not read costs the verdict (with a problem), not the row's metrics; older runs
 * have none, and that is no problem.
 */
export function reportRows(report: unknown, problems: string[]): EvaluatedModel[] {
  if (report === undefined) return [];
  if (!isRecord(report) || !Array.isArray(report.rows)) {
    problems.push('report.json: no rows list');
    return [];
  }
  const rows: EvaluatedModel[] = [];
  report.rows.forEach((row: unknown, i) => {
    const why = rowProblem(row);
    if (why) {
      problems.push(`report.json: row ${i + 1} left out: ${why}`);
      return;
    }
    const { verdict: raw, ...rest } = row as EvaluatedModel & { verdict?: unknown };
    const verdict = raw === undefined ? undefined : runVerdictOf(raw);
    if (raw !== undefined && !verdict)
      problems.push(`report.json: row ${i + 1}'s verdict left out: not a verdict with a label, readable figures and its scores`);
    rows.push(verdict ? { ...rest, verdict } : rest);
  });
  return rows;
}

function jobErrorOf(x: unknown): JobError | undefined {
  if (!isRecord(x) || !isString(x.message)) return undefined;
  return { message: x.message, ...(isString(x.hint) ? { hint: x.hint } : {}), ...(isString(x.file) ? { file: x.file } : {}) };
}

/** status.json as a RunStatus, built field by field (never the parsed object itself); else a problem. */
export function runStatusOf(x: unknown, problems: string[]): RunStatus | undefined {
  if (x === undefined) return undefined;
  if (!isRecord(x) || !isOneOf(x.state, RUN_STATES)) {
    problems.push(`status.json: no state (one of ${RUN_STATES.join(', ')})`);
    return undefined;
  }
  const error = jobErrorOf(x.error);
  return {
    state: x.state,
    // Without startedAt the state is still worth showing; the time is just unknown.
    startedAt: isString(x.startedAt) ? x.startedAt : '',
    ...(isString(x.endedAt) ? { endedAt: x.endedAt } : {}),
    ...(error ? { error } : {}),
    ...(Number.isSafeInteger(x.pid) && (x.pid as number) > 0 ? { pid: x.pid as number } : {}),
    ...(isString(x.hostname) ? { hostname: x.hostname } : {}),
  };
}
