// TensorBoard event files and the run folder's CSVs: CRC-32C against published vectors, events
// byte for byte against TensorBoard's own Python writer, then ScalarLog's files read back.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { avgGap, type Metrics } from '../../src/protocol/results';
import { CURVE_TAGS, METRIC_TAGS, METRICS_CSV_HEADER, ScalarLog, TRAINING_CSV_HEADER } from '../../src/store/runs/scalarLog';
import { crc32c, encodeEvent, eventFileName, FILE_VERSION, maskedCrc32c, ProtoWriter, tfRecord } from '../../src/store/runs/tensorboard';
import { parseTrainingCurve } from '../../src/store/runs/trainingCurve';
import { tinyIdxFolder, tinyRunConfig, runJob } from '../support/tinyRuns';
import { useCpu } from '../support/tinyModels';
import { readRecords, readSeries } from './tensorboardEvents';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const f32 = (x: number): number => Math.fround(x);

describe('CRC-32C and the TFRecord framing', () => {
  it('matches the published CRC-32C check values (RFC 3720 B.4 and the "123456789" check)', () => {
    assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
    assert.equal(crc32c(new Uint8Array(0)), 0);
    // masked(0) is the mask's constant alone.
    assert.equal(maskedCrc32c(new Uint8Array(0)), 0xa282ead8);
  });

  it('writes varints as protobuf does', () => {
    assert.equal(hex(new ProtoWriter().varint(1).finish()), '01');
    assert.equal(hex(new ProtoWriter().varint(300).finish()), 'ac02');
    assert.equal(hex(new ProtoWriter().int64(2, 2 ** 40 + 5).finish()), '10858080808020');
    assert.throws(() => new ProtoWriter().varint(-1), RangeError);
  });

  // The expected bytes were produced by tensorboard 2.21's own writer (pure Python, no TensorFlow):
  //   data = event_pb2.Event(...).SerializeToString(); RecordWriter(buf).write(data)
  it('encodes the file-version event and a scalar event byte for byte as TensorBoard does', () => {
    const header = encodeEvent(1700000000.25, 0, { fileVersion: FILE_VERSION });
    assert.equal(hex(header), '0900001040fc54d9411a0d627261696e2e4576656e743a32');
    assert.equal(hex(tfRecord(header)), '1800000000000000a37f4b220900001040fc54d9411a0d627261696e2e4576656e743a32338d2fe9');
    const scalars = encodeEvent(1700000000.5, 3, {
      scalars: [
        { tag: 'metrics/UA', value: 12.5 },
        { tag: 'metrics/Avg. Gap', value: 0.1 },
      ],
    });
    assert.equal(hex(scalars), '0900002040fc54d94110032a2c0a110a0a6d6574726963732f554115000048410a170a106d6574726963732f4176672e2047617015cdcccc3d');
    assert.equal(hex(tfRecord(scalars)), `39000000000000008b0737f1${hex(scalars)}aa3da364`);
  });

  it('writes a scalar of 0 (simple_value is in a oneof: left out, the value would be no scalar)', () => {
    const e = encodeEvent(1, 1, { scalars: [{ tag: 'x', value: 0 }] });
    assert.ok(hex(e).endsWith('0a01781500000000'), hex(e));
  });

  it('names event files as TensorFlow does, with a file-name-safe host', () => {
    assert.equal(eventFileName(1700000000.9, 'gpu-node.lab'), 'events.out.tfevents.1700000000.gpu-node.lab');
    assert.equal(eventFileName(5, 'a b/c'), 'events.out.tfevents.5.a_b_c');
  });
});

describe("a run folder's metrics.csv, training.csv and TensorBoard series", () => {
  const original: Metrics = { UA: 0, RA: 100, TA: 91.25, MIA: 2.5 };
  const retrain: Metrics = { UA: 8.5, RA: 99.5, TA: 90.75, MIA: 12.25 };
  const epochs: Metrics[] = [
    { UA: 4.125, RA: 97, TA: 89.5, MIA: 10 },
    { UA: 7.75, RA: 98.25, TA: 90, MIA: 11.5 },
  ];
  const t = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

  function written(): string {
    const dir = mkdtempSync(join(tmpdir(), 'salun-scalars-'));
    const log = new ScalarLog(dir);
    log.addCurve('original', [
      { epoch: 1, loss: 1.5, accuracy: 60, time: t(1).getTime() },
      { epoch: 2, loss: 0.5, accuracy: 85.5, time: t(2).getTime() },
    ]);
    log.addEvaluation('original', 'original', 0, original, t(3));
    log.addCurve('retrain', [{ epoch: 1, loss: 1.25, accuracy: 70, time: t(4).getTime() }]);
    log.addEvaluation('retrain', 'retrain', 0, retrain, t(5));
    epochs.forEach((m, i) => log.addEvaluation('unlearned', 'salun', i + 1, m, t(6 + i)));
    return dir;
  }

  it("metrics.csv: one row per evaluation, θo's Avg. Gap filled in once Retrain is known", () => {
    const lines = readFileSync(join(written(), 'metrics.csv'), 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], METRICS_CSV_HEADER);
    assert.deepEqual(lines.slice(1), [
      `original,original,0,0,100,91.25,2.5,${avgGap(original, retrain)},${t(3).toISOString()}`,
      `retrain,retrain,0,8.5,99.5,90.75,12.25,0,${t(5).toISOString()}`,
      `unlearned,salun,1,4.125,97,89.5,10,${avgGap(epochs[0], retrain)},${t(6).toISOString()}`,
      `unlearned,salun,2,7.75,98.25,90,11.5,${avgGap(epochs[1], retrain)},${t(7).toISOString()}`,
    ]);
  });

  it('training.csv: both curves', () => {
    const lines = readFileSync(join(written(), 'training.csv'), 'utf8').trimEnd().split('\n');
    assert.deepEqual(lines, [
      TRAINING_CSV_HEADER,
      `original,1,1.5,60,${t(1).toISOString()}`,
      `original,2,0.5,85.5,${t(2).toISOString()}`,
      `retrain,1,1.25,70,${t(4).toISOString()}`,
    ]);
  });

  it('event files: the unlearned model per epoch, θo and Retrain as flat lines over the same steps, their curves', () => {
    const dir = written();
    assert.deepEqual(readdirSync(join(dir, 'tb')).sort(), ['original', 'original-training', 'retrain', 'retrain-training', 'unlearn']);
    const scalarsOf = (series: string): Record<string, [number, number][]> => {
      const events = readSeries(join(dir, 'tb', series));
      assert.equal(events[0].fileVersion, FILE_VERSION, `${series}: first event is the file version`);
      const byTag: Record<string, [number, number][]> = {};
      for (const e of events.slice(1)) for (const s of e.scalars) (byTag[s.tag] ??= []).push([e.step, s.value]);
      return byTag;
    };
    const unlearn = scalarsOf('unlearn');
    assert.deepEqual(unlearn[METRIC_TAGS.UA], [
      [1, 4.125],
      [2, 7.75],
    ]);
    assert.deepEqual(
      unlearn[METRIC_TAGS.gap],
      epochs.map((m, i) => [i + 1, f32(avgGap(m, retrain))]),
    );
    const ref = scalarsOf('retrain');
    assert.deepEqual(ref[METRIC_TAGS.MIA], [
      [0, 12.25],
      [1, 12.25],
      [2, 12.25],
    ]);
    assert.deepEqual(ref[METRIC_TAGS.gap], [
      [0, 0],
      [1, 0],
      [2, 0],
    ]);
    const orig = scalarsOf('original');
    assert.deepEqual(orig[METRIC_TAGS.TA], [
      [0, 91.25],
      [1, 91.25],
      [2, 91.25],
    ]);
    // Evaluated before Retrain existed: its gap starts at the first unlearning epoch.
    assert.deepEqual(orig[METRIC_TAGS.gap], [
      [1, f32(avgGap(original, retrain))],
      [2, f32(avgGap(original, retrain))],
    ]);
    assert.deepEqual(scalarsOf('original-training'), {
      [CURVE_TAGS.loss]: [
        [1, 1.5],
        [2, 0.5],
      ],
      [CURVE_TAGS.accuracy]: [
        [1, 60],
        [2, 85.5],
      ],
    });
    assert.deepEqual(scalarsOf('retrain-training'), { [CURVE_TAGS.loss]: [[1, 1.25]], [CURVE_TAGS.accuracy]: [[1, 70]] });
    const wall = readSeries(join(dir, 'tb', 'original-training'))
      .slice(1)
      .map((e) => e.wallTime);
    assert.deepEqual(wall, [t(1).getTime() / 1000, t(2).getTime() / 1000]);
  });

  it('the reader refuses a damaged record (so the tests above would see one)', () => {
    const dir = written();
    const file = join(dir, 'tb', 'unlearn', readdirSync(join(dir, 'tb', 'unlearn'))[0]);
    const bytes = new Uint8Array(readFileSync(file));
    assert.equal(readRecords(bytes).length, 3);
    bytes[bytes.length - 10] ^= 1;
    assert.throws(() => readRecords(bytes), /bad data CRC/);
  });

  it("reads a curve back from a cache entry's meta, and not a malformed or absent one", () => {
    const curve = [{ epoch: 1, loss: 0.5, accuracy: 90, time: 1 }];
    assert.deepEqual(parseTrainingCurve(JSON.parse(JSON.stringify(curve))), curve);
    assert.equal(parseTrainingCurve(undefined), undefined);
    assert.equal(parseTrainingCurve([{ epoch: 1, loss: null, accuracy: 90, time: 1 }]), undefined);
  });
});

describe('a run writes them, and a cached θo and Retrain keep their curves', function () {
  this.timeout(120_000);
  before(useCpu);

  it('two runs of one config: the second reuses the cache and writes the same curves; the CSV and events equal metrics.jsonl', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-tb-run-'));
    const config = {
      ...tinyRunConfig(tinyIdxFolder(120, 60), 'mlp', 'cpu'),
      train: { epochs: 2, lr: 0.05, schedule: 'constant' as const, momentum: 0.9, weightDecay: 0.0005, batchSize: 32 },
    };
    const first = await runJob(config, ws);
    const second = await runJob(config, ws);
    assert.ok(
      second.events.some((e) => e.type === 'log' && /Original model: reusing the cached model/.test(e.message)),
      'θo came from the cache',
    );

    const curves = (dir: string): string => readFileSync(join(dir, 'training.csv'), 'utf8');
    const lines = curves(first.result.runDir).trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => l.split(',').slice(0, 2).join(',')),
      ['model,epoch', 'original,1', 'original,2', 'retrain,1', 'retrain,2'],
    );
    for (const l of lines.slice(1)) {
      const [, , loss, accuracy] = l.split(',').map(Number);
      assert.ok(loss > 0 && accuracy >= 0 && accuracy <= 100, l);
    }
    assert.equal(curves(second.result.runDir), curves(first.result.runDir));

    const dir = second.result.runDir;
    const jsonl = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Metrics & { role: string; epoch: number });
    const csvRows = readFileSync(join(dir, 'metrics.csv'), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    assert.equal(csvRows.length, jsonl.length);
    jsonl.forEach((j, i) =>
      assert.deepEqual(csvRows[i].slice(0, 7), [j.role, csvRows[i][1], String(j.epoch), String(j.UA), String(j.RA), String(j.TA), String(j.MIA)]),
    );
    const unlearned = jsonl.filter((j) => j.role === 'unlearned');
    const ua = readSeries(join(dir, 'tb', 'unlearn'))
      .filter((e) => e.scalars.length)
      .map((e) => [e.step, e.scalars.find((s) => s.tag === METRIC_TAGS.UA)?.value]);
    assert.deepEqual(
      ua,
      unlearned.map((j) => [j.epoch, f32(j.UA)]),
    );
    assert.equal(readSeries(join(dir, 'tb', 'original-training')).filter((e) => e.scalars.length).length, 2);

    // The curve's last accuracy is the evaluated model's own (every row of these small sets is
    // measured, in inference mode): Retrain's equals its RA; θo's is RA and 100 − UA weighted by |Dr|, |Df|.
    const last = (model: string): number => Number(lines.filter((l) => l.startsWith(`${model},2,`))[0].split(',')[3]);
    const ref = (role: string): Metrics => jsonl.find((j) => j.role === role) as Metrics;
    const { forgetSize, retainSize } = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { resolved: unknown }).resolved as {
      forgetSize: number;
      retainSize: number;
    };
    assert.ok(Math.abs(last('retrain') - ref('retrain').RA) < 1e-9, `${last('retrain')} vs RA ${ref('retrain').RA}`);
    const whole = (ref('original').RA * retainSize + (100 - ref('original').UA) * forgetSize) / (retainSize + forgetSize);
    assert.ok(Math.abs(last('original') - whole) < 1e-9, `${last('original')} vs ${whole}`);
  });
});
