// Avg. Gap as the paper defines it (mean |method − Retrain| over UA, RA, TA, MIA), for the trend
// chart's per-epoch gap line; the final rows carry the job's own value.
import type { Metrics } from '../src/protocol/results';
import { METRIC_NAMES } from './panelState';

export function avgGap(metrics: Metrics, retrain: Metrics): number {
  return METRIC_NAMES.reduce((sum, m) => sum + Math.abs(metrics[m] - retrain[m]), 0) / METRIC_NAMES.length;
}
