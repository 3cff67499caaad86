// The pickled batches of CIFAR's Python versions (cifar-10-batches-py, cifar-100-python), read with
// pickleparser under an allow-list: a pickle names the Python callables that rebuild its objects,
// and the only ones resolved here are the three numpy uses for an array, each answered by a plain
// function of ours that records its arguments. Any other name is an error naming it; nothing a
// file names is ever run. The official batches are Python 2 pickles (strings as BINSTRING), a
// batch re-saved by Python 3 has bytes (BINBYTES) and numpy 2's module names: both read.
import { Parser } from 'pickleparser';
import { UserError } from '../errors';

/** A numpy array as its pickle states it: dtype string (e.g. "|u1"), shape and raw bytes, C order. */
export interface PickledArray {
  dtype: string;
  shape: number[];
  fortran: boolean;
  bytes: Uint8Array;
}

/** What a CIFAR pickle's dicts may hold, once read. */
export type PickleValue = string | number | bigint | boolean | null | Uint8Array | PickledArray | PickleValue[] | Map<string, PickleValue>;

// pickleparser decodes Python 2 byte strings with TextDecoder('ascii'), which is windows-1252:
// one code point per byte, all 256 distinct, so the bytes are recovered exactly by its inverse.
const BYTE_OF = new Map<number, number>(
  Array.from({ length: 256 }, (_, b) => [new TextDecoder('ascii').decode(Uint8Array.of(b)).codePointAt(0) as number, b] as [number, number]),
);

/** The bytes of a Python 2 string (as pickleparser gives it) or a Python 3 bytes object. */
export function pickledBytes(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'string') return undefined;
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const b = BYTE_OF.get(v.charCodeAt(i));
    if (b === undefined) return undefined;
    out[i] = b;
  }
  return out;
}

class NumpyDtype {
  byteorder = '|';
  constructor(readonly name: string) {}
  __setstate__(state: unknown): void {
    if (Array.isArray(state) && typeof state[1] === 'string') this.byteorder = state[1];
  }
  get descr(): string {
    const order = this.byteorder === '=' ? '<' : this.byteorder;
    return /^[<>|]/.test(this.name) ? this.name : `${order}${this.name}`;
  }
}

class NumpyArray {
  state: unknown;
  __setstate__(state: unknown): void {
    this.state = state;
  }
}

function reconstruct(cls: unknown): NumpyArray {
  if (cls !== ndarrayMarker) throw new Error('_reconstruct of something other than numpy.ndarray');
  return new NumpyArray();
}
const ndarrayMarker = (): never => {
  throw new Error('numpy.ndarray called directly');
};
const dtypeOf = (name: unknown): NumpyDtype => {
  if (typeof name !== 'string') throw new Error('numpy.dtype of a non-string');
  return new NumpyDtype(name);
};

/** The allow-list: module.name → our stand-in. numpy 2 pickles say numpy._core, numpy 1's numpy.core. */
const ALLOWED: ReadonlyMap<string, (...args: never[]) => unknown> = new Map<string, (...args: never[]) => unknown>([
  ['numpy.core.multiarray._reconstruct', reconstruct],
  ['numpy._core.multiarray._reconstruct', reconstruct],
  ['numpy.ndarray', ndarrayMarker],
  ['numpy.dtype', dtypeOf],
]);

class RefusedName extends Error {
  constructor(readonly qualified: string) {
    super(qualified);
  }
}

const resolver = {
  resolve: (module: string, name: string): ((...args: never[]) => unknown) => {
    const f = ALLOWED.get(`${module}.${name}`);
    if (!f) throw new RefusedName(`${module}.${name}`);
    return f;
  },
};

/** A numpy array's pickled state (version, shape, dtype, is_fortran, raw data) as a PickledArray. */
function arrayOf(a: NumpyArray): PickledArray {
  const s = a.state;
  if (!Array.isArray(s) || s.length !== 5) throw new Error('a numpy array without the five-part state numpy writes');
  const [, shape, dtype, fortran, raw] = s as unknown[];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw new Error('a numpy array with a malformed shape');
  if (!(dtype instanceof NumpyDtype)) throw new Error('a numpy array without a numpy.dtype');
  const bytes = pickledBytes(raw);
  if (!bytes) throw new Error('a numpy array whose data is not a byte string');
  return { dtype: dtype.descr, shape: shape as number[], fortran: fortran === true, bytes };
}

/** Plain values only: arrays become PickledArrays, dict keys strings (Python 2 str and bytes alike). */
function plain(v: unknown, depth = 0): PickleValue {
  if (depth > 32) throw new Error('nested deeper than a CIFAR batch is');
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v instanceof Uint8Array) return v;
  if (v instanceof NumpyArray) return arrayOf(v);
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
  if (v instanceof Map) {
    const out = new Map<string, PickleValue>();
    for (const [k, x] of v) {
      const key = typeof k === 'string' ? k : k instanceof Uint8Array ? Buffer.from(k).toString('latin1') : undefined;
      if (key === undefined) throw new Error('a dict with a key that is not a string');
      out.set(key, plain(x, depth + 1));
    }
    return out;
  }
  throw new Error(`a value of an unexpected type (${Object.prototype.toString.call(v)})`);
}

/**
 * A CIFAR pickle's top-level dict. `hint` says what to do when the file is not one (re-download).
 * Every failure is a UserError naming the file; a class outside the allow-list is named too.
 */
export function readCifarPickle(bytes: Uint8Array, file: string, hint: string): Map<string, PickleValue> {
  let value: unknown;
  try {
    if (bytes.length < 2 || bytes[0] !== 0x80) throw new Error('it does not start as a pickle (protocol 2 or later) does');
    value = new Parser({ nameResolver: resolver, unpicklingTypeOfDictionary: 'Map', unpicklingTypeOfSet: 'array' }).parse(bytes);
    value = plain(value);
  } catch (e) {
    if (e instanceof RefusedName) {
      throw new UserError(
        `${file} names the Python class ${e.qualified}, which a CIFAR batch does not hold; it was not loaded (only numpy arrays, lists, strings and numbers are read, nothing in the file is run).`,
        hint,
        file,
      );
    }
    throw new UserError(`${file} is not a readable CIFAR batch: ${(e as Error).message}.`, hint, file);
  }
  if (!(value instanceof Map)) throw new UserError(`${file} is not a CIFAR batch: it holds no dict.`, hint, file);
  return value as Map<string, PickleValue>;
}

/** A key of a batch's dict that must be there, else a UserError naming the file and the key. */
export function batchField(d: Map<string, PickleValue>, key: string, file: string, hint: string): PickleValue {
  const v = d.get(key);
  if (v === undefined) throw new UserError(`${file} has no '${key}' entry (it has ${[...d.keys()].map((k) => `'${k}'`).join(', ') || 'none'}).`, hint, file);
  return v;
}

/** A list of names (label_names, fine_label_names), as strings. */
export function nameList(v: PickleValue, what: string, file: string, hint: string): string[] {
  if (!Array.isArray(v)) throw new UserError(`${file}: '${what}' is not a list of names.`, hint, file);
  return v.map((x) => {
    const b = pickledBytes(x);
    if (!b) throw new UserError(`${file}: '${what}' holds something other than a name.`, hint, file);
    return Buffer.from(b).toString(typeof x === 'string' ? 'latin1' : 'utf8');
  });
}

/** A list of integer labels, or a 1-D integer array of them. */
export function labelList(v: PickleValue, what: string, file: string, hint: string): Int32Array {
  const bad = (): never => {
    throw new UserError(`${file}: '${what}' is not a list of class numbers.`, hint, file);
  };
  if (Array.isArray(v)) return Int32Array.from(v, (x) => (typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 2 ** 31 ? x : bad()));
  if (typeof v === 'object' && v !== null && 'dtype' in v && v.shape.length === 1) {
    const size = { '|u1': 1, '|i1': 1, '<i2': 2, '<u2': 2, '<i4': 4, '<i8': 8 }[v.dtype];
    if (!size || v.bytes.length !== v.shape[0] * size) return bad();
    const view = new DataView(v.bytes.buffer, v.bytes.byteOffset, v.bytes.byteLength);
    return Int32Array.from({ length: v.shape[0] }, (_, i) => {
      const x =
        v.dtype === '|u1'
          ? v.bytes[i]
          : v.dtype === '|i1'
            ? view.getInt8(i)
            : v.dtype === '<u2'
              ? view.getUint16(2 * i, true)
              : v.dtype === '<i2'
                ? view.getInt16(2 * i, true)
                : size === 4
                  ? view.getInt32(4 * i, true)
                  : Number(view.getBigInt64(8 * i, true));
      return x >= 0 && x < 2 ** 31 ? x : bad();
    });
  }
  return bad();
}
