// metrics.jsonl parsed: RunFolder.appendMetrics writes one flat JSON object per line, a line at a
// time while the job runs (atomic.ts appendLine), so a reader may meet a torn last line (a write in
// progress, or a crash mid-write); a line damaged any other way is skipped and counted.
import type { Metrics, ModelRole } from '../../protocol/results';
import { isFiniteNumber, isOneOf, isRecord, isString } from '../../protocol/guards';

export interface EpochMetrics {
  epoch: number;
  metrics: Metrics;
}

export type ReferenceRole = Exclude<ModelRole, 'unlearned'>;

export interface MetricsLog {
  /** The unlearned model per epoch, sorted by epoch; a later line for the same epoch replaces an earlier one. */
  points: EpochMetrics[];
  /** The method of the unlearned lines (the last one read). */
  method?: string;
  /** The last Original and Retrain lines: their evaluation, which the trend is measured against. */
  reference: Partial<Record<ReferenceRole, Metrics>>;
  /** 1-based numbers of complete lines that are not a metrics record (bad JSON, missing or non-finite fields). */
  corruptLines: number[];
  /** The file ends in a line without its newline that does not parse: a write in progress, or cut short. */
  tornTail: boolean;
}

const ROLES: readonly ModelRole[] = ['original', 'retrain', 'unlearned'];

function metricsOf(x: Record<string, unknown>): Metrics | undefined {
  const { UA, RA, TA, MIA } = x;
  return isFiniteNumber(UA) && isFiniteNumber(RA) && isFiniteNumber(TA) && isFiniteNumber(MIA) ? { UA, RA, TA, MIA } : undefined;
}

/** Parses the text of a metrics.jsonl (RunFolder.appendMetrics: one flat JSON object per line). */
export function parseMetricsLog(text: string): MetricsLog {
  const byEpoch = new Map<number, EpochMetrics>();
  const reference: MetricsLog['reference'] = {};
  const corruptLines: number[] = [];
  let method: string | undefined;
  let tornTail = false;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const last = i === lines.length - 1;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      // Only the final, newline-less line can be a write in progress.
      if (last) tornTail = true;
      else corruptLines.push(i + 1);
      return;
    }
    const metrics = isRecord(record) ? metricsOf(record) : undefined;
    if (!isRecord(record) || !metrics || !isOneOf(record.role, ROLES) || !isFiniteNumber(record.epoch)) {
      corruptLines.push(i + 1);
      return;
    }
    if (record.role === 'unlearned') {
      byEpoch.set(record.epoch, { epoch: record.epoch, metrics });
      if (isString(record.method)) method = record.method;
    } else {
      reference[record.role] = metrics;
    }
  });
  const points = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  return { points, ...(method !== undefined ? { method } : {}), reference, corruptLines, tornTail };
}
