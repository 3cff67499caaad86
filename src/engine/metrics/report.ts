// UA, RA, TA, MIA-Efficacy for one model from per-sample predictions, and Avg. Gap to Retrain.
import { avgGap, type EvaluatedModel, type Metrics } from '../../protocol/results';
import { miaEfficacy } from './mia';
import { accuracyPercent, type PerSample } from './evaluate';

export interface EvalSets {
  forget: PerSample;
  retain: PerSample;
  test: PerSample;
  /** Positions (into `retain`) of the member sample for the MIA, |Dt| of them, fixed per run. */
  miaRetainPositions: Int32Array;
  /** Positions (into `test`) of the non-member sample, as many as the members. */
  miaTestPositions: Int32Array;
}

export function metricsOf(s: EvalSets): Metrics & { miaConverged: boolean } {
  const members = new Float32Array(s.miaRetainPositions.length);
  s.miaRetainPositions.forEach((p, i) => {
    members[i] = s.retain.confidence[p];
  });
  const nonMembers = Float32Array.from(s.miaTestPositions, (p) => s.test.confidence[p]);
  const mia = miaEfficacy({ retainConfidence: members, testConfidence: nonMembers, forgetConfidence: s.forget.confidence });
  return {
    UA: 100 - accuracyPercent(s.forget.correct),
    RA: accuracyPercent(s.retain.correct),
    TA: accuracyPercent(s.test.correct),
    MIA: mia.efficacy,
    miaConverged: mia.converged,
  };
}

export { avgGap };

export function withGaps(rows: EvaluatedModel[]): EvaluatedModel[] {
  const ref = rows.find((r) => r.role === 'retrain');
  return rows.map((r) => (ref ? { ...r, avgGap: avgGap(r.metrics, ref.metrics) } : r));
}
