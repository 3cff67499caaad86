// Raw tensor bytes (safetensors data, torch.save storages) to float32 and back. Both formats store
// elements as plain little-endian arrays (torch.save says so in its `byteorder` entry), so one
// decoder serves both. Half and bfloat16 widen exactly; 64-bit integers beyond 2^24 round, which no
// state_dict buffer reaches (num_batches_tracked counts steps).
import type { StateDtype } from './stateDict';

export const DTYPE_BYTES: Record<StateDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export function isStateDtype(s: unknown): s is StateDtype {
  return typeof s === 'string' && Object.hasOwn(DTYPE_BYTES, s);
}

const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const SCRATCH = new DataView(new ArrayBuffer(4));

type Reader = (view: DataView, at: number, little: boolean) => number;

const READERS: Record<StateDtype, Reader> = {
  F64: (v, at, le) => v.getFloat64(at, le),
  F32: (v, at, le) => v.getFloat32(at, le),
  F16: (v, at, le) => halfToFloat(v.getUint16(at, le)),
  BF16: (v, at, le) => {
    SCRATCH.setUint32(0, v.getUint16(at, le) << 16);
    return SCRATCH.getFloat32(0);
  },
  I64: (v, at, le) => Number(v.getBigInt64(at, le)),
  I32: (v, at, le) => v.getInt32(at, le),
  I16: (v, at, le) => v.getInt16(at, le),
  I8: (v, at) => v.getInt8(at),
  U8: (v, at) => v.getUint8(at),
  BOOL: (v, at) => (v.getUint8(at) ? 1 : 0),
};

/** `count` elements of `dtype` from `bytes` (little-endian unless `little` is false), as float32. */
export function decodeElements(bytes: Uint8Array, dtype: StateDtype, count: number, little = true): Float32Array {
  if (dtype === 'F32' && little === HOST_LITTLE) {
    // One copy, which also aligns: a tensor may start at any byte of the file.
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = DTYPE_BYTES[dtype];
  const read = READERS[dtype];
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = read(view, i * size, little);
  return out;
}

/** The values as `dtype`'s little-endian bytes: F32 as they are, integers rounded, F16/BF16 to nearest. */
export function encodeElements(data: Float32Array, dtype: StateDtype): Uint8Array {
  if (dtype === 'F32' && HOST_LITTLE) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const size = DTYPE_BYTES[dtype];
  const out = new Uint8Array(data.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) WRITERS[dtype](view, i * size, data[i]);
  return out;
}

function floatToHalf(x: number): number {
  SCRATCH.setFloat32(0, x);
  const bits = SCRATCH.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    let h = m >> shift;
    const rest = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
  return sign | h;
}

function floatToBf16(x: number): number {
  SCRATCH.setFloat32(0, x);
  const bits = SCRATCH.getUint32(0);
  if (Number.isNaN(x)) return 0x7fc0;
  return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
}

/** float32 holds 2^31 - 1 as 2^31: clamped, so it is written back as the int32 it came from rather than wrapping. */
function clampRound(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(x)));
}

type Writer = (view: DataView, at: number, x: number) => void;

const WRITERS: Record<StateDtype, Writer> = {
  F64: (v, at, x) => v.setFloat64(at, x, true),
  F32: (v, at, x) => v.setFloat32(at, x, true),
  F16: (v, at, x) => v.setUint16(at, floatToHalf(x), true),
  BF16: (v, at, x) => v.setUint16(at, floatToBf16(x) & 0xffff, true),
  I64: (v, at, x) => v.setBigInt64(at, BigInt(Math.round(x)), true),
  I32: (v, at, x) => v.setInt32(at, clampRound(x, -(2 ** 31), 2 ** 31 - 1), true),
  I16: (v, at, x) => v.setInt16(at, clampRound(x, -32768, 32767), true),
  I8: (v, at, x) => v.setInt8(at, clampRound(x, -128, 127)),
  U8: (v, at, x) => v.setUint8(at, clampRound(x, 0, 255)),
  BOOL: (v, at, x) => v.setUint8(at, x ? 1 : 0),
};
