// numpy's .npy format (numpy.lib.format: a magic string, a version, a header that is a Python dict
// literal with descr, fortran_order and shape, then the raw values) and .npz, a zip of .npy files
// as np.savez and np.savez_compressed write them. Only the header's three keys are read, by
// pattern, never evaluated; every declared size is checked against the bytes there are.
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { UserError } from '../errors';

/** The element types read (little-endian, as numpy writes them on every common machine), and their sizes. */
const ITEM_SIZES = { '|u1': 1, '|i1': 1, '<u2': 2, '<i2': 2, '<u4': 4, '<i4': 4, '<u8': 8, '<i8': 8, '<f4': 4, '<f8': 8 } as const;
export type NpyDescr = keyof typeof ITEM_SIZES;

/** The numpy name of each type, for messages. */
const NUMPY_NAMES: Record<NpyDescr, string> = {
  '|u1': 'uint8',
  '|i1': 'int8',
  '<u2': 'uint16',
  '<i2': 'int16',
  '<u4': 'uint32',
  '<i4': 'int32',
  '<u8': 'uint64',
  '<i8': 'int64',
  '<f4': 'float32',
  '<f8': 'float64',
};

export function numpyName(d: NpyDescr): string {
  return NUMPY_NAMES[d];
}

export type NpyValues =
  Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigUint64Array | BigInt64Array | Float32Array | Float64Array;

export interface NpyArray {
  descr: NpyDescr;
  shape: number[];
  /** The values in C (row-major) order, whatever order the file held them in. */
  values: NpyValues;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function isDescr(s: string): s is NpyDescr {
  return Object.hasOwn(ITEM_SIZES, s);
}

/** A one-byte type's byte order is '|' whatever a writer put. */
function normalDescr(s: string): string {
  return /^[<>=|][ui]1$/.test(s) ? `|${s.slice(1)}` : s.replace(/^=/, '<');
}

function typed(descr: NpyDescr, bytes: Uint8Array): NpyValues {
  // A fresh, aligned copy: a zip entry's bytes may start at any offset.
  const b = bytes.slice().buffer;
  switch (descr) {
    case '|u1':
      return new Uint8Array(b);
    case '|i1':
      return new Int8Array(b);
    case '<u2':
      return new Uint16Array(b);
    case '<i2':
      return new Int16Array(b);
    case '<u4':
      return new Uint32Array(b);
    case '<i4':
      return new Int32Array(b);
    case '<u8':
      return new BigUint64Array(b);
    case '<i8':
      return new BigInt64Array(b);
    case '<f4':
      return new Float32Array(b);
    case '<f8':
      return new Float64Array(b);
  }
}

/** Fortran (column-major) values into C order. */
function toCOrder<T extends NpyValues>(values: T, shape: readonly number[]): T {
  const out = new (values.constructor as new (n: number) => T)(values.length);
  const nd = shape.length;
  const fStride = new Array<number>(nd);
  let s = 1;
  for (let k = 0; k < nd; k++) {
    fStride[k] = s;
    s *= shape[k];
  }
  const idx = new Array<number>(nd).fill(0);
  for (let c = 0; c < values.length; c++) {
    let f = 0;
    for (let k = 0; k < nd; k++) f += idx[k] * fStride[k];
    (out as unknown as number[])[c] = (values as unknown as number[])[f];
    for (let k = nd - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

const NPY_HINT = 'Save the arrays with numpy (np.savez or np.savez_compressed) as plain numeric arrays: uint8 or float32/float64 images, integer labels.';

/** One .npy file's array; `source` names it in errors ("data.npz: x_train.npy"), `file` is the file on disk. */
export function parseNpy(bytes: Uint8Array, source: string, file: string): NpyArray {
  const fail = (why: string, hint = NPY_HINT): never => {
    throw new UserError(`${source} is not a readable .npy array: ${why}.`, hint, file);
  };
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) fail('it does not start with numpy\'s magic string "\\x93NUMPY"');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`its format version ${major}.${bytes[7]} is not one numpy writes (1.0, 2.0 or 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) fail('it ends inside its header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) fail(`its header declares ${headerLength} bytes but the file ends first`);
  const header = Buffer.from(bytes.subarray(headerStart, dataStart)).toString(major === 3 ? 'utf8' : 'latin1');
  const descrMatch = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortranMatch = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!/^\{.*\}\s*$/s.test(header.trim()) || !descrMatch || !fortranMatch || !shapeMatch) {
    fail(/'descr'\s*:\s*\[/.test(header) ? 'it is a structured (record) array' : 'its header lacks descr, fortran_order or shape');
  }
  const [, rawDescr] = descrMatch as RegExpExecArray;
  const descr = normalDescr(rawDescr);
  if (!isDescr(descr)) {
    const big = descr.startsWith('>');
    fail(
      `its element type '${rawDescr}' is not one this reads (${Object.values(NUMPY_NAMES).join(', ')}, little-endian)`,
      big ? `Convert it to little-endian first: x.astype(x.dtype.newbyteorder('<')).` : NPY_HINT,
    );
  }
  const dims = (shapeMatch as RegExpExecArray)[1]
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
  const shape = dims.map((d) => (/^\d+$/.test(d) ? Number(d) : NaN));
  if (shape.some((d) => !Number.isSafeInteger(d))) fail(`its shape (${dims.join(', ')}) is not a list of sizes`);
  const d = descr as NpyDescr;
  const count = shape.reduce((a, b) => a * b, 1);
  const declared = count * ITEM_SIZES[d];
  const held = bytes.length - dataStart;
  if (!Number.isSafeInteger(declared) || declared !== held) {
    fail(`its header declares shape [${shape.join(', ')}] of ${NUMPY_NAMES[d]} (${declared} bytes) but ${held} bytes follow: the file is truncated or corrupt`);
  }
  const values = typed(d, bytes.subarray(dataStart));
  return { descr: d, shape, values: (fortranMatch as RegExpExecArray)[1] === 'True' && shape.length > 1 ? toCOrder(values, shape) : values };
}

/** The largest array entry read (uncompressed): a larger declared size is a refused file, not an attempt to allocate it. */
export const NPZ_MAX_ENTRY_BYTES = 2 ** 31 - 1;

const NPZ_HINT = 'An .npz file is what np.savez(path, x_train=…, y_train=…, x_test=…, y_test=…) or np.savez_compressed writes.';

/** The names in an .npz (without .npy) with their uncompressed sizes, from the zip's directory; nothing is decompressed. */
export function npzEntries(file: string, bytes: Uint8Array = readNpzBytes(file)): Map<string, number> {
  const entries = new Map<string, number>();
  try {
    unzipSync(bytes, {
      filter: (f) => {
        if (f.name.endsWith('.npy')) entries.set(f.name.slice(0, -4), f.originalSize);
        return false;
      },
    });
  } catch (e) {
    throw new UserError(`${file} is not a readable .npz (zip) file: ${(e as Error).message}.`, NPZ_HINT, file);
  }
  return entries;
}

export function readNpzBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UserError(`Cannot read ${file}: ${(e as Error).message}`, undefined, file);
  }
}

/** The named arrays of an .npz; a missing one is a UserError naming what the file holds. */
export function readNpz(file: string, names: readonly string[], bytes: Uint8Array = readNpzBytes(file)): Map<string, NpyArray> {
  const have = npzEntries(file, bytes);
  const missing = names.filter((n) => !have.has(n));
  if (missing.length) {
    throw new UserError(
      `${file} has no ${missing.join(', ')} (it holds ${[...have.keys()].join(', ') || 'no arrays'}).`,
      `Save it with those names: np.savez(path, ${names.map((n) => `${n}=…`).join(', ')}).`,
      file,
    );
  }
  const big = names.find((n) => (have.get(n) as number) > NPZ_MAX_ENTRY_BYTES);
  if (big) {
    throw new UserError(
      `${file}: ${big}.npy declares ${have.get(big)} bytes, more than the ${NPZ_MAX_ENTRY_BYTES} this reads.`,
      'Use a smaller data set, or split it, and save it again.',
      file,
    );
  }
  let unzipped: Record<string, Uint8Array>;
  try {
    unzipped = unzipSync(bytes, { filter: (f) => names.includes(f.name.slice(0, -4)) && f.name.endsWith('.npy') });
  } catch (e) {
    throw new UserError(`${file} is not a readable .npz (zip) file: ${(e as Error).message}.`, NPZ_HINT, file);
  }
  return new Map(names.map((n) => [n, parseNpy(unzipped[`${n}.npy`], `${file}: ${n}.npy`, file)]));
}
