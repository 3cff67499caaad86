// Everything a run folder recorded, read back whole for a report: config.json (with what the job
// resolved), status.json, report.json's final rows, every line of metrics.jsonl and the saliency
// summary. Tolerant like readRuns.ts: a missing or torn file costs its section, never the report.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BackendInfo, EvaluatedModel, SaliencySummary } from '../../protocol/results';
import { isFiniteNumber, isRecord, isString } from '../../protocol/guards';
import { backendInfoOf } from '../../protocol/backendRecord';
import { parseMetricsLog, type MetricsLog } from './metricsLog';
import { runProcessGone } from './liveness';
import type { RunStatus } from './runFolder';
import { readRunJson, reportRows, runStatusOf } from './runShapes';

/** What the job resolved at run time (config.json's `resolved`). */
export interface ResolvedRunInfo {
  backend?: BackendInfo;
  dataFingerprint?: string;
  trainSize?: number;
  testSize?: number;
  testUsedForTA?: number;
  forgetSize?: number;
  retainSize?: number;
  forgetHash?: string;
  originalModel?: string;
}

export interface RunRecord {
  runId: string;
  dir: string;
  /** config.json as written (the run config plus kind, resolved and versions); undefined when unreadable. */
  config?: Record<string, unknown>;
  resolved: ResolvedRunInfo;
  versions: Record<string, string>;
  status?: RunStatus;
  /** report.json's final rows (Original, Retrain, the method, with Avg. Gap). */
  rows: EvaluatedModel[];
  /** metrics.jsonl: the method's model after every epoch, and the Original / Retrain evaluations. */
  metricsLog: MetricsLog;
  saliency?: SaliencySummary;
  /** Files that were there but could not be read; the report lists them. */
  problems: string[];
}

function resolvedOf(x: unknown): ResolvedRunInfo {
  if (!isRecord(x)) return {};
  const train = isRecord(x.train) ? x.train : {};
  const test = isRecord(x.test) ? x.test : {};
  const backend = backendInfoOf(x.backend);
  return {
    ...(backend ? { backend } : {}),
    ...(isString(x.dataFingerprint) ? { dataFingerprint: x.dataFingerprint } : {}),
    ...(isFiniteNumber(train.n) ? { trainSize: train.n } : {}),
    ...(isFiniteNumber(test.n) ? { testSize: test.n } : {}),
    ...(isFiniteNumber(test.usedForTA) ? { testUsedForTA: test.usedForTA } : {}),
    ...(isFiniteNumber(x.forgetSize) ? { forgetSize: x.forgetSize } : {}),
    ...(isFiniteNumber(x.retainSize) ? { retainSize: x.retainSize } : {}),
    ...(isString(x.forgetHash) ? { forgetHash: x.forgetHash } : {}),
    ...(isString(x.originalModel) ? { originalModel: x.originalModel } : {}),
  };
}

function saliencyOf(x: unknown): SaliencySummary | undefined {
  if (
    !isRecord(x) ||
    !isFiniteNumber(x.ratio) ||
    typeof x.gamma !== 'number' ||
    !isFiniteNumber(x.totalWeights) ||
    !isFiniteNumber(x.salientWeights) ||
    !Array.isArray(x.layers)
  )
    return undefined;
  const layers = x.layers.filter(
    (l): l is SaliencySummary['layers'][number] =>
      isRecord(l) && isString(l.name) && Array.isArray(l.shape) && isFiniteNumber(l.count) && isFiniteNumber(l.salient) && isFiniteNumber(l.salientFraction),
  );
  return { ratio: x.ratio, gamma: x.gamma, totalWeights: x.totalWeights, salientWeights: x.salientWeights, layers };
}

export function readRunRecord(dir: string): RunRecord {
  const problems: string[] = [];
  const configRaw = readRunJson(join(dir, 'config.json'), problems);
  const config = isRecord(configRaw) ? configRaw : undefined;
  if (configRaw !== undefined && !config) problems.push('config.json: not an object');
  const rows = reportRows(readRunJson(join(dir, 'report.json'), problems), problems);
  const metricsPath = join(dir, 'metrics.jsonl');
  let metricsText = '';
  if (existsSync(metricsPath)) {
    try {
      metricsText = readFileSync(metricsPath, 'utf8');
    } catch (e) {
      problems.push(`${metricsPath}: ${(e as Error).message}`);
    }
  }
  const metricsLog = parseMetricsLog(metricsText);
  if (metricsLog.corruptLines.length) problems.push(`${metricsPath}: skipped unreadable line(s) ${metricsLog.corruptLines.join(', ')}`);
  const saliencyPath = join(dir, 'saliency', 'summary.json');
  const saliencyRaw = readRunJson(saliencyPath, problems);
  const saliency = saliencyOf(saliencyRaw);
  if (saliencyRaw !== undefined && !saliency) problems.push(`${saliencyPath}: not a saliency summary`);
  const versions = isRecord(config?.versions) ? Object.fromEntries(Object.entries(config.versions).filter((e): e is [string, string] => isString(e[1]))) : {};
  const read = runStatusOf(readRunJson(join(dir, 'status.json'), problems), problems);
  // The report says what the Runs view says: a running status whose process is gone was interrupted.
  const status = read && runProcessGone(read) ? { ...read, state: 'interrupted' as const } : read;
  return {
    runId: basename(dir),
    dir,
    ...(config ? { config } : {}),
    resolved: resolvedOf(config?.resolved),
    versions,
    ...(status ? { status } : {}),
    rows,
    metricsLog,
    ...(saliency ? { saliency } : {}),
    problems,
  };
}
