// TensorBoard's event-file format, written byte by byte so that a run folder opens in TensorBoard
// (`tensorboard --logdir .salun/runs`) without TensorFlow or a protobuf library in the job.
//
// An event file is a TFRecord file (tensorflow/core/lib/io/record_writer.cc): each record is
//   uint64 length (little-endian) | uint32 masked CRC32C of those 8 bytes | data | uint32 masked CRC32C of data
// with masked(crc) = ((crc >>> 15) | (crc << 17)) + 0xa282ead8, and each data is one serialized
// tensorflow.Event (tensorflow/core/util/event.proto):
//   Event   { double wall_time = 1; int64 step = 2; oneof { string file_version = 3; Summary summary = 5; } }
//   Summary { repeated Value value = 1; }    Value { string tag = 1; float simple_value = 2; }
// The first event of a file carries file_version "brain.Event:2"; readers use it to know the format.
// Pure bytes: no tfjs, no file system (scalarLog.ts writes the files).

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum TFRecord uses. */
const CRC32C_TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC32C_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord masks its CRCs so that a CRC of data that itself holds CRCs stays well distributed. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** The protobuf wire format's few pieces an Event needs (developers.google.com/protocol-buffers/docs/encoding). */
export class ProtoWriter {
  private readonly parts: number[] = [];

  /** A base-128 varint of a non-negative integer up to 2^53 (steps and lengths; no BigInt needed). */
  varint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint: ${value} is not a non-negative safe integer`);
    let v = value;
    while (v >= 0x80) {
      this.parts.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.parts.push(v);
    return this;
  }

  /** A field key: field number and wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32). */
  key(field: number, wireType: 0 | 1 | 2 | 5): this {
    return this.varint(field * 8 + wireType);
  }

  double(field: number, value: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    return this.key(field, 1).raw(b);
  }

  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.key(field, 5).raw(b);
  }

  int64(field: number, value: number): this {
    return this.key(field, 0).varint(value);
  }

  bytes(field: number, value: Uint8Array): this {
    return this.key(field, 2).varint(value.length).raw(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  private raw(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export interface Scalar {
  tag: string;
  value: number;
}

export const FILE_VERSION = 'brain.Event:2';

/** A serialized tensorflow.Event: the file-version header event, or one step's scalars. */
export function encodeEvent(wallTime: number, step: number, content: { fileVersion: string } | { scalars: readonly Scalar[] }): Uint8Array {
  // proto3 leaves fields at their default (0) out, as TensorFlow's writer does; simple_value is in
  // a oneof, so a 0 there is written (without it the value would not be a scalar).
  const w = new ProtoWriter();
  if (wallTime !== 0) w.double(1, wallTime);
  if (step !== 0) w.int64(2, step);
  if ('fileVersion' in content) return w.string(3, content.fileVersion).finish();
  const summary = new ProtoWriter();
  for (const s of content.scalars) summary.bytes(1, new ProtoWriter().string(1, s.tag).float(2, s.value).finish());
  return w.bytes(5, summary.finish()).finish();
}

/** One TFRecord: length, its masked CRC, the data, the data's masked CRC. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/**
 * TensorFlow's name for an event file; TensorBoard finds files by the "tfevents" in it. The host
 * part is reduced to file-name-safe characters.
 */
export function eventFileName(unixSeconds: number, host: string): string {
  return `events.out.tfevents.${Math.floor(unixSeconds)}.${host.replace(/[^A-Za-z0-9._-]/g, '_') || 'localhost'}`;
}
