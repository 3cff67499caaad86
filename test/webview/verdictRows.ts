// The recorded job (test/fixtures/panel-replay.json) carries no Retrain-free verdict on its rows. For the cases
// that need the verdict drawn (its figures table at every width), the engine computes one from
// seeded synthetic per-sample outputs (as test/unit/verdictView.unit.test.ts does), and it is put on
// the recorded rows: the figures' text is the engine's, never typed in.
import type { JobEvent } from '../../src/protocol/jobMessages';
import type { EvaluatedModel, RunVerdict } from '../../src/protocol/results';
import type { ComparisonRun } from '../../src/protocol/webviewMessages';
import { makeRng } from '../../src/engine/rng';
import { retrainFreeVerdict, type SampleOutputs } from '../../src/engine/metrics/verdict';
import { toRunVerdict } from '../../src/engine/pipeline/classification/verdictStep';

function outputs(n: number, acc: number, seed: number): SampleOutputs {
  const rand = makeRng(seed);
  const correct = Float64Array.from({ length: n }, () => (rand() < acc ? 1 : 0));
  const loss = Float64Array.from(correct, (c) => (c ? 0.05 + 0.3 * rand() : 1 + 2 * rand()));
  return { correct, loss, confidence: Float64Array.from(loss, (l) => Math.max(Math.exp(-l), 0.4 + 0.2 * rand())) };
}

/** A verdict on a model whose Df accuracy is `forgetAcc` (held-out 0.85): 1 remembers, 0.85 looks unseen. */
export function engineVerdict(forgetAcc: number, seed: number): RunVerdict {
  const v = retrainFreeVerdict(
    { forget: outputs(300, forgetAcc, seed), heldOut: outputs(400, 0.85, seed + 1), retain: outputs(600, 0.97, seed + 2), originalRetainAccuracy: 97 },
    { seed, splits: 50 },
  );
  return toRunVerdict(v, { size: 400, source: 'the test set' }, 0.25);
}

function withVerdicts(rows: EvaluatedModel[]): EvaluatedModel[] {
  return rows.map((r) => ({ ...r, verdict: r.role === 'retrain' ? engineVerdict(0.85, 4) : engineVerdict(1, 3) }));
}

/** The recorded events with a verdict on every evaluated row of the finished result. */
export function eventsWithVerdict(events: readonly JobEvent[]): JobEvent[] {
  return events.map((e) => (e.type === 'finished' ? { ...e, result: { ...e.result, rows: withVerdicts(e.result.rows) } } : e));
}

/** The recorded runs with a verdict on their rows (the comparison does not show it; the rows stay real). */
export function runsWithVerdict(runs: readonly ComparisonRun[]): ComparisonRun[] {
  return runs.map((r) => ({ ...r, rows: withVerdicts(r.rows) }));
}
