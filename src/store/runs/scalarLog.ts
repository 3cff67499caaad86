// A run folder's metrics for the tools ML people already use, beside metrics.jsonl (which stays the
// record the panel reads): metrics.csv (one row per evaluation), training.csv (θo's and Retrain's
// learning curves) and TensorBoard event files under tb/, one folder per series so that
// `tensorboard --logdir .salun/runs` draws them as runs on the same charts:
//   tb/unlearn/            UA, RA, TA, MIA, Avg. Gap of the unlearned model per epoch
//   tb/original/, tb/retrain/   the same tags for θo and Retrain, repeated at every unlearning epoch
//                          (a flat reference line, as the panel's trend chart draws them)
//   tb/original-training/, tb/retrain-training/   their own loss and training accuracy per epoch
// The CSVs are rewritten whole (atomic.ts), so θo's row gains its Avg. Gap once Retrain is
// evaluated; event files are append-only (TensorBoard reads them while they grow), each record
// synced to disk before the next, so a crash leaves at most one torn record that readers skip.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { avgGap, METRIC_NAMES, type MetricName, type Metrics, type ModelRole } from '../../protocol/results';
import { csvTable } from '../../protocol/tableText';
import { UserError } from '../errors';
import { makeDirs, writeErrorHint, writeFileAtomic } from './atomic';
import { encodeEvent, eventFileName, FILE_VERSION, tfRecord, type Scalar } from './tensorboard';
import type { TrainingCurve } from './trainingCurve';

export type TrainedRole = Exclude<ModelRole, 'unlearned'>;

/** The TensorBoard run (folder under tb/) of each model's evaluations. */
export const EVALUATION_SERIES: Record<ModelRole, string> = { unlearned: 'unlearn', original: 'original', retrain: 'retrain' };
export const CURVE_SERIES: Record<TrainedRole, string> = { original: 'original-training', retrain: 'retrain-training' };
export const METRIC_TAGS: Readonly<Record<MetricName | 'gap', string>> = {
  UA: 'metrics/UA',
  RA: 'metrics/RA',
  TA: 'metrics/TA',
  MIA: 'metrics/MIA',
  gap: 'metrics/Avg. Gap',
};
export const CURVE_TAGS = { loss: 'training/loss', accuracy: 'training/accuracy' } as const;

export const METRICS_CSV_HEADER = ['role', 'method', 'epoch', ...METRIC_NAMES, 'Avg. Gap', 'time'].join(',');
export const TRAINING_CSV_HEADER = 'model,epoch,loss,accuracy,time';

interface Evaluation {
  role: ModelRole;
  method: string;
  epoch: number;
  metrics: Metrics;
  time: Date;
}

/** LF line ends, as the run folder's other text files; numbers at full precision. */
function csv(header: string, rows: (string | number | undefined)[][]): string {
  return csvTable([header.split(','), ...rows.map((r) => r.map((v) => (v === undefined ? '' : String(v))))], { lineEnd: '\n' });
}

/** Appends bytes and syncs them: the event file grows by whole records as far as a crash allows. */
function appendDurable(path: string, bytes: Uint8Array): void {
  let fd: number | undefined;
  try {
    makeDirs(dirname(path));
    fd = openSync(path, 'a');
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UserError(`Cannot write ${path}: ${err.message}`, writeErrorHint(err.code), path);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** One event file: created with its file-version event on the first scalars. */
class EventFile {
  private path?: string;

  constructor(private readonly dir: string) {}

  write(step: number, scalars: readonly Scalar[], wallTime: number): void {
    if (scalars.length === 0) return;
    if (!this.path) {
      const now = Date.now() / 1000;
      this.path = join(this.dir, eventFileName(now, hostname()));
      appendDurable(this.path, tfRecord(encodeEvent(now, 0, { fileVersion: FILE_VERSION })));
    }
    appendDurable(this.path, tfRecord(encodeEvent(wallTime, step, { scalars })));
  }
}

function metricScalars(m: Metrics, gap: number | undefined): Scalar[] {
  const s: Scalar[] = METRIC_NAMES.map((k) => ({ tag: METRIC_TAGS[k], value: m[k] }));
  return gap === undefined ? s : [...s, { tag: METRIC_TAGS.gap, value: gap }];
}

export class ScalarLog {
  private readonly evaluations: Evaluation[] = [];
  private readonly references: Partial<Record<TrainedRole, Evaluation>> = {};
  private readonly curves: Partial<Record<TrainedRole, TrainingCurve>> = {};
  private readonly events = new Map<string, EventFile>();

  constructor(private readonly runDir: string) {}

  /** One evaluation, as RunFolder.appendMetrics records it in metrics.jsonl. */
  addEvaluation(role: ModelRole, method: string, epoch: number, metrics: Metrics, time: Date): void {
    const e: Evaluation = { role, method, epoch, metrics, time };
    this.evaluations.push(e);
    if (role !== 'unlearned') this.references[role] = e;
    this.writeMetricsCsv();
    const wall = time.getTime() / 1000;
    this.series(EVALUATION_SERIES[role]).write(epoch, metricScalars(metrics, this.gapOf(metrics)), wall);
    if (role !== 'unlearned' || epoch === 0) return;
    for (const ref of Object.values(this.references)) {
      this.series(EVALUATION_SERIES[ref.role]).write(epoch, metricScalars(ref.metrics, this.gapOf(ref.metrics)), wall);
    }
  }

  /** θo's or Retrain's own training curve. */
  addCurve(role: TrainedRole, curve: TrainingCurve): void {
    this.curves[role] = curve;
    const rows = (['original', 'retrain'] as const).flatMap((r) =>
      (this.curves[r] ?? []).map((p) => [r, p.epoch, p.loss, p.accuracy, new Date(p.time).toISOString()]),
    );
    writeFileAtomic(join(this.runDir, 'training.csv'), csv(TRAINING_CSV_HEADER, rows));
    const file = this.series(CURVE_SERIES[role]);
    for (const p of curve)
      file.write(
        p.epoch,
        [
          { tag: CURVE_TAGS.loss, value: p.loss },
          { tag: CURVE_TAGS.accuracy, value: p.accuracy },
        ],
        p.time / 1000,
      );
  }

  private gapOf(m: Metrics): number | undefined {
    const retrain = this.references.retrain;
    return retrain ? avgGap(m, retrain.metrics) : undefined;
  }

  private writeMetricsCsv(): void {
    const rows = this.evaluations.map((e) => [
      e.role,
      e.method,
      e.epoch,
      ...METRIC_NAMES.map((k) => e.metrics[k]),
      this.gapOf(e.metrics),
      e.time.toISOString(),
    ]);
    writeFileAtomic(join(this.runDir, 'metrics.csv'), csv(METRICS_CSV_HEADER, rows));
  }

  private series(name: string): EventFile {
    let f = this.events.get(name);
    if (!f) this.events.set(name, (f = new EventFile(join(this.runDir, 'tb', name))));
    return f;
  }
}
