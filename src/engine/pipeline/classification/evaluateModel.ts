// Evaluates one model on Df, Dr and Dt and computes UA, RA, TA, MIA.
import { perMetric, type Metrics } from '../../../protocol/results';
import type { Classifier } from '../../models/io';
import { predictPerSample } from '../../metrics/evaluate';
import { metricsOf } from '../../metrics/report';
import type { Emit } from '../../progress';
import type { Prepared } from './prepare';

export async function evaluateModel(clf: Classifier, p: Prepared, signal: AbortSignal, emit: Emit, label: string): Promise<Metrics> {
  const forget = await predictPerSample(clf, p.data.train, p.split.forget, signal);
  const retain = await predictPerSample(clf, p.data.train, p.split.retain, signal);
  const test = await predictPerSample(clf, p.data.test, p.testIndices, signal);
  const m = metricsOf({ forget, retain, test, miaRetainPositions: p.miaRetainPositions, miaTestPositions: p.miaTestPositions });
  if (!m.miaConverged) emit({ type: 'log', level: 'warn', message: `${label}: the MIA classifier stopped at its iteration cap before converging` });
  return perMetric((k) => m[k]);
}
