// A reader of TensorBoard event files for the tests, written from the format's description (not
// from the writer under test): TFRecord framing with both CRCs checked, then a protobuf walk of
// each tensorflow.Event. The real TensorBoard reads the same files in scripts/tensorboard-check.sh.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskedCrc32c } from '../../src/store/runs/tensorboard';

export interface ReadEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars: { tag: string; value: number }[];
}

type Field = { field: number; wire: number; int?: number; bytes?: Uint8Array };

function varint(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    const x = b[at++];
    v += (x & 0x7f) * mul;
    mul *= 128;
    if (x < 0x80) return [v, at];
  }
}

function fields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  for (let at = 0; at < b.length;) {
    let key: number;
    [key, at] = varint(b, at);
    const f: Field = { field: Math.floor(key / 8), wire: key % 8 };
    if (f.wire === 0) [f.int, at] = varint(b, at);
    else if (f.wire === 1) {
      f.bytes = b.subarray(at, at + 8);
      at += 8;
    } else if (f.wire === 5) {
      f.bytes = b.subarray(at, at + 4);
      at += 4;
    } else if (f.wire === 2) {
      let n: number;
      [n, at] = varint(b, at);
      f.bytes = b.subarray(at, at + n);
      at += n;
    } else throw new Error(`wire type ${f.wire}`);
    out.push(f);
  }
  return out;
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

export function decodeEvent(data: Uint8Array): ReadEvent {
  const e: ReadEvent = { wallTime: 0, step: 0, scalars: [] };
  for (const f of fields(data)) {
    if (f.field === 1) e.wallTime = view(f.bytes as Uint8Array).getFloat64(0, true);
    else if (f.field === 2) e.step = f.int as number;
    else if (f.field === 3) e.fileVersion = new TextDecoder().decode(f.bytes);
    else if (f.field === 5) {
      for (const v of fields(f.bytes as Uint8Array).filter((x) => x.field === 1)) {
        const parts = fields(v.bytes as Uint8Array);
        const tag = new TextDecoder().decode(parts.find((p) => p.field === 1)?.bytes);
        const value = view(parts.find((p) => p.field === 2)?.bytes as Uint8Array).getFloat32(0, true);
        e.scalars.push({ tag, value });
      }
    }
  }
  return e;
}

/** The records of one event file; throws on a bad CRC or a torn record. */
export function readRecords(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const v = view(bytes.subarray(at));
    const n = Number(v.getBigUint64(0, true));
    if (v.getUint32(8, true) !== maskedCrc32c(bytes.subarray(at, at + 8))) throw new Error(`bad length CRC at ${at}`);
    const data = bytes.subarray(at + 12, at + 12 + n);
    if (data.length !== n || at + 16 + n > bytes.length) throw new Error(`torn record at ${at}`);
    if (v.getUint32(12 + n, true) !== maskedCrc32c(data)) throw new Error(`bad data CRC at ${at}`);
    out.push(data);
    at += 16 + n;
  }
  return out;
}

/** Every event of every event file in `dir` (one series). */
export function readSeries(dir: string): ReadEvent[] {
  return readdirSync(dir)
    .filter((f) => f.includes('tfevents'))
    .sort()
    .flatMap((f) => readRecords(readFileSync(join(dir, f))).map(decodeEvent));
}
