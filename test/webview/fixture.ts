// The recorded job the browser test replays (test/fixtures/panel-replay.json, written by
// scripts/record-panel-replay.mjs): the events of a real SalUn run, the host's real answers, and what
// "Open in Panel" sends for a past run with that run's metrics.jsonl. Plus what the cases derive from
// it, each read from the recording itself (never typed in).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobEvent } from '../../src/protocol/jobMessages';
import type { EvaluatedModel, Metrics, SaliencySummary } from '../../src/protocol/results';
import type { ComparisonRun, HostNotification, RunTrend, ThresholdPreview } from '../../src/protocol/webviewMessages';

export const METRICS = ['UA', 'RA', 'TA', 'MIA'] as const;

interface Recording {
  source: string;
  events: JobEvent[];
  scores: Extract<HostNotification, { type: 'saliencyScores' }>;
  previews: Record<string, ThresholdPreview>;
  runs: ComparisonRun[];
  pastRun: { runTrend: Extract<HostNotification, { type: 'runTrend' }>; metricsJsonl: string };
}

type MetricsLine = Metrics & { role: string; epoch: number };

export interface Fixture extends Recording {
  summary: SaliencySummary;
  finished: Extract<JobEvent, { type: 'finished' }>;
  /** The unlearning epochs of the live job, in order. */
  trendEpochs: number[];
  retrainRow: EvaluatedModel;
  /** The past run's unlearned lines and its Retrain line, read from metrics.jsonl without the host's reader. */
  pastTrend: Extract<HostNotification, { type: 'runTrend' }> & RunTrend;
  pastPoints: MetricsLine[];
  pastRetrain: MetricsLine;
  /** The unlearned model's metrics at `epoch` (the last line for it). */
  metricsAt(epoch: number): Metrics;
}

function found<T>(x: T | undefined, what: string): T {
  if (x === undefined) throw new Error(`the recording has no ${what}`);
  return x;
}

/** `workspace` replaces the recorder's placeholder: the panel only shows and returns these paths. */
export function loadFixture(root: string, workspace: string): Fixture {
  const text = readFileSync(join(root, 'test/fixtures/panel-replay.json'), 'utf8').replaceAll('{{workspace}}', JSON.stringify(workspace).slice(1, -1));
  const rec = JSON.parse(text) as Recording;
  const events = rec.events;
  const saliency = found(
    events.find((e): e is Extract<JobEvent, { type: 'saliency' }> => e.type === 'saliency'),
    'saliency event',
  );
  const metrics = events.filter((e): e is Extract<JobEvent, { type: 'metrics' }> => e.type === 'metrics');
  const pastLines = rec.pastRun.metricsJsonl
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as MetricsLine);
  return {
    ...rec,
    summary: saliency.summary,
    finished: found(
      events.find((e): e is Extract<JobEvent, { type: 'finished' }> => e.type === 'finished'),
      'finished event',
    ),
    trendEpochs: [...new Set(metrics.filter((e) => e.role === 'unlearned').map((e) => e.epoch))],
    retrainRow: found(
      events.map((e) => (e.type === 'evaluated' ? e.row : undefined)).find((r) => r?.role === 'retrain'),
      'Retrain row',
    ),
    pastTrend: rec.pastRun.runTrend,
    pastPoints: pastLines.filter((l) => l.role === 'unlearned'),
    pastRetrain: found(pastLines.filter((l) => l.role === 'retrain').at(-1), 'Retrain line in the past run'),
    metricsAt: (epoch) => found(metrics.filter((e) => e.epoch === epoch).at(-1), `metrics at epoch ${epoch}`).metrics,
  };
}
