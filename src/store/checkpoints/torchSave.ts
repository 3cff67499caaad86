// torch.save's file (torch >= 1.6; torch/serialization.py, _save): a zip (entries stored, not
// compressed) holding `<archive>/data.pkl`, a protocol-2 pickle of the saved object in which each
// tensor is torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …) and each storage a
// persistent id ('storage', torch.FloatStorage, key, location, numel) whose bytes are the entry
// `<archive>/data/<key>`, in the byte order `<archive>/byteorder` names.
//
// The pickle is read by pickleparser with our own resolver: a global outside ALLOWED (below) stops
// the read with an error that names it. Nothing in the file is ever executed: the allowed names map
// to small functions of ours that build Maps and tensor records, never to Python's meaning of a
// name. Sizes are checked against the zip's own entries before any storage is decoded.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { Parser } from 'pickleparser';
import { throwIfAborted, UserError } from '../errors';
import { DTYPE_BYTES, decodeElements } from './dtypes';
import { elementCount, type StateDtype, type StateTensor } from './stateDict';

const RESAVE = 'Save the weights with torch.save(net.state_dict(), path) or safetensors.torch.save_file(net.state_dict(), path).';
const MAX_PICKLE_BYTES = 1_000_000_000;
const MAX_ZIP_ENTRIES = 1_000_000;
/** The first pickle of torch's pre-1.6 format: protocol 2, then the long 0x1950a86a20f9469cfc6c. */
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

const STORAGE_DTYPES: Record<string, StateDtype> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** One storage of the file: the persistent id's record, its bytes attached once the zip is read. */
interface Storage {
  key: string;
  dtype: StateDtype;
  numel: number;
  bytes?: Uint8Array;
  values?: Float32Array;
}

/**
 * A tensor of the file, a view into a storage that may be shared (a slice, a transposed weight).
 * Its values are decoded on first `read()`, so tensors a caller does not take (an optimizer's
 * momentum buffers) cost nothing.
 */
export class TorchTensor {
  constructor(
    readonly dtype: StateDtype,
    readonly shape: readonly number[],
    private readonly storage: Storage,
    private readonly offset: number,
    private readonly stride: readonly number[],
    private readonly littleEndian: { value: boolean },
  ) {
    Object.freeze(this);
  }

  read(): StateTensor {
    const s = this.storage;
    if (!s.bytes) throw new Error(`storage ${s.key} was not loaded`);
    const shape = [...this.shape];
    const count = elementCount(shape);
    if (isContiguous(shape, this.stride)) {
      // The common case (every tensor of a state_dict): decode just the view's bytes, one copy.
      const size = DTYPE_BYTES[s.dtype];
      return { dtype: this.dtype, shape, data: decodeElements(s.bytes.subarray(this.offset * size), s.dtype, count, this.littleEndian.value) };
    }
    s.values ??= decodeElements(s.bytes, s.dtype, s.numel, this.littleEndian.value);
    return { dtype: this.dtype, shape, data: gather(s.values, this.offset, shape, this.stride) };
  }
}

function contiguousStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = step;
    step *= shape[i];
  }
  return out;
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  const natural = contiguousStrides(shape);
  return shape.every((d, i) => d <= 1 || stride[i] === natural[i]);
}

/** A non-contiguous view's elements in row-major order (a transposed weight, a strided slice). */
function gather(values: Float32Array, offset: number, shape: readonly number[], stride: readonly number[]): Float32Array {
  const count = elementCount(shape);
  const out = new Float32Array(count);
  const index = new Array<number>(shape.length).fill(0);
  let at = offset;
  for (let n = 0; n < count; n++) {
    out[n] = values[at];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) {
        at += stride[d];
        break;
      }
      at -= stride[d] * (shape[d] - 1);
      index[d] = 0;
    }
  }
  return out;
}

export interface TorchSaveFile {
  /** The saved object: Maps for dicts, arrays for lists and tuples, TorchTensor for tensors, primitives. */
  root: unknown;
}

export async function readTorchSave(path: string, signal?: AbortSignal): Promise<TorchSaveFile> {
  const bytes = await readWhole(path, signal);
  const name = basename(path);
  checkZip(name, path, bytes);
  const first = unzipEntries(name, path, bytes, (f) => /^[^/]+\/(data\.pkl|byteorder)$/.test(f.name), MAX_PICKLE_BYTES);
  const pklName = Object.keys(first).find((n) => n.endsWith('/data.pkl'));
  if (!pklName) {
    throw new UserError(`${name} is a zip but not a torch.save checkpoint: it has no data.pkl.`, RESAVE, path);
  }
  const archive = pklName.slice(0, -'/data.pkl'.length);
  const order = first[`${archive}/byteorder`];
  const littleEndian = { value: order === undefined || new TextDecoder().decode(order).trim() !== 'big' };
  const storages = new Map<string, Storage>();
  const root = unpickle(name, path, first[pklName], storages, littleEndian);
  throwIfAborted(signal);
  attachStorages(name, path, bytes, archive, storages);
  return { root };
}

async function readWhole(path: string, signal?: AbortSignal): Promise<Uint8Array> {
  try {
    return await readFile(path, { signal });
  } catch (e) {
    throwIfAborted(signal);
    throw new UserError(`Cannot read ${path}: ${(e as Error).message}`, 'Check the path of the checkpoint.', path);
  }
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** Refuses the legacy format and non-zips by their first bytes, and zips whose directory is absurd (fflate walks it entry by entry). */
function checkZip(name: string, path: string, bytes: Uint8Array): void {
  if (startsWith(bytes, LEGACY_MAGIC)) {
    throw new UserError(
      `${name} is in torch's legacy format (torch.save before PyTorch 1.6, or _use_new_zipfile_serialization=False), which SalUn does not read.`,
      `Load it in Python with a current torch and save it again: torch.save(torch.load(path), path), or as safetensors with safetensors.torch.save_file(state_dict, path).`,
      path,
    );
  }
  if (!startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    throw new UserError(`${name} is neither a torch.save checkpoint (a zip) nor safetensors.`, RESAVE, path);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = bytes.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50 && bytes.length - end <= 65558) end--;
  if (end < 0 || view.getUint32(end, true) !== 0x06054b50) {
    throw new UserError(`${name} is an incomplete zip: its central directory is missing (truncated while copying or saving?).`, RESAVE, path);
  }
  let count = view.getUint16(end + 10, true);
  if (end >= 20 && view.getUint32(end - 20, true) === 0x07064b50) {
    const z = Number(view.getBigUint64(end - 12, true));
    if (z + 40 <= bytes.length && view.getUint32(z, true) === 0x06064b50) count = Number(view.getBigUint64(z + 32, true));
  }
  if (count > MAX_ZIP_ENTRIES || count * 46 > bytes.length) {
    throw new UserError(`${name} is not a valid zip: it declares ${count} entries in ${bytes.length} bytes.`, RESAVE, path);
  }
}

/** The entries `want` selects, each checked for its declared size (a deflated entry may not claim more than `maxBytes`). */
function unzipEntries(name: string, path: string, bytes: Uint8Array, want: (f: UnzipFileInfo) => boolean, maxBytes: number): Record<string, Uint8Array> {
  const declared = new Map<string, number>();
  let refused: string | undefined;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (refused || !want(f)) return false;
        if (f.originalSize > maxBytes || (f.compression === 0 && f.size !== f.originalSize) || (f.compression !== 0 && f.compression !== 8)) {
          refused = `entry ${f.name} declares ${f.originalSize} bytes (${f.size} stored, compression ${f.compression})`;
          return false;
        }
        declared.set(f.name, f.originalSize);
        return true;
      },
    });
  } catch (e) {
    throw new UserError(`${name} is not a readable zip (${(e as Error).message}): truncated or damaged?`, RESAVE, path);
  }
  if (refused) throw new UserError(`${name} is not a valid torch.save checkpoint: ${refused}.`, RESAVE, path);
  for (const [entry, size] of declared) {
    if (files[entry]?.length !== size) {
      throw new UserError(`${name} is truncated: its entry ${entry} should hold ${size} bytes but holds ${files[entry]?.length ?? 0}.`, RESAVE, path);
    }
  }
  return files;
}

function attachStorages(name: string, path: string, bytes: Uint8Array, archive: string, storages: Map<string, Storage>): void {
  if (storages.size === 0) return;
  const wanted = new Map([...storages.values()].map((s) => [`${archive}/data/${s.key}`, s]));
  const files = unzipEntries(name, path, bytes, (f) => wanted.has(f.name), Number.MAX_SAFE_INTEGER);
  for (const [entry, s] of wanted) {
    const data = s.numel === 0 ? new Uint8Array(0) : files[entry];
    const need = s.numel * DTYPE_BYTES[s.dtype];
    if (!data) throw new UserError(`${name} is not a complete torch.save checkpoint: storage ${s.key} has no entry ${entry}.`, RESAVE, path);
    if (data.length < need) {
      throw new UserError(`${name} is damaged: storage ${s.key} holds ${data.length} bytes but ${s.numel} ${s.dtype} elements need ${need}.`, RESAVE, path);
    }
    s.bytes = data;
  }
}

// --- the pickle -------------------------------------------------------------------------------

type Callable = (...args: unknown[]) => unknown;

/** Storage classes are only ever named in persistent ids; calling one is refused. */
const storageClasses = new WeakMap<Callable, StateDtype>();

function isIndexList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
}

function unpickle(name: string, path: string, pkl: Uint8Array, storages: Map<string, Storage>, littleEndian: { value: boolean }): unknown {
  const fail = (problem: string): never => {
    throw new UserError(`${name} is not a torch.save checkpoint SalUn can read: ${problem}.`, RESAVE, path);
  };
  const rebuild = (storage: unknown, offset: unknown, size: unknown, stride: unknown): TorchTensor => {
    if (!(typeof storage === 'object' && storage !== null && storages.get((storage as Storage).key) === storage)) return fail('a tensor without a storage');
    const s = storage as Storage;
    if (!Number.isSafeInteger(offset) || (offset as number) < 0 || !isIndexList(size) || !isIndexList(stride) || size.length !== stride.length) {
      return fail(`a tensor of storage ${s.key} has an invalid offset, size or stride`);
    }
    const count = elementCount(size);
    const last = (offset as number) + size.reduce((a, d, i) => a + (d - 1) * stride[i], 0);
    if (!Number.isSafeInteger(count) || (count > 0 && last >= s.numel)) {
      return fail(`a tensor of shape [${size.join(', ')}] reaches element ${last} of storage ${s.key}, which holds ${s.numel}`);
    }
    return new TorchTensor(s.dtype, Object.freeze([...size]), s, offset as number, Object.freeze([...stride]), littleEndian);
  };
  const allowed = allowedGlobals(rebuild);
  const parser = new Parser({
    unpicklingTypeOfDictionary: 'Map',
    nameResolver: {
      resolve: (module: string, global: string): Callable => {
        const f = allowed.get(`${module}.${global}`);
        if (!f) throw refuseGlobal(name, path, module, global);
        return f;
      },
    },
    persistentResolver: { resolve: (pid: unknown) => storageFor(pid, storages, fail) },
  });
  try {
    return parser.parse(pkl);
  } catch (e) {
    if (e instanceof UserError) throw e;
    return fail(`its data.pkl does not unpickle (${(e as Error).message})`);
  }
}

function storageFor(pid: unknown, storages: Map<string, Storage>, fail: (problem: string) => never): Storage {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) return fail(`a persistent id that is not a storage (${String(pid).slice(0, 60)})`);
  const [, cls, key, , numel] = pid as unknown[];
  const dtype = typeof cls === 'function' ? storageClasses.get(cls as Callable) : undefined;
  if (!dtype) return fail('a storage of a type SalUn does not read');
  if (typeof key !== 'string' || !/^[\w.-]{1,64}$/.test(key)) return fail('a storage with an invalid key');
  if (!Number.isSafeInteger(numel) || (numel as number) < 0) return fail(`storage ${key} has an invalid size`);
  const known = storages.get(key);
  if (known) {
    if (known.dtype !== dtype || known.numel !== numel) return fail(`storage ${key} is declared twice, differently`);
    return known;
  }
  const s: Storage = { key, dtype, numel: numel as number };
  storages.set(key, s);
  return s;
}

/** What each allowed global builds: containers as Maps, tensors as TorchTensor, parameters as their tensor. */
function allowedGlobals(rebuild: (storage: unknown, offset: unknown, size: unknown, stride: unknown) => TorchTensor): Map<string, Callable> {
  const dict: Callable = (items?: unknown) => {
    const m = new Map<unknown, unknown>();
    if (Array.isArray(items)) for (const pair of items) if (Array.isArray(pair) && pair.length === 2) m.set(pair[0], pair[1]);
    return m;
  };
  const parameter: Callable = (data: unknown) => (data instanceof TorchTensor ? data : undefined);
  const table = new Map<string, Callable>([
    ['collections.OrderedDict', dict],
    // LR schedulers' state (MultiStepLR's milestones) holds a Counter, saved beside state_dicts.
    ['collections.Counter', dict],
    ['torch._utils._rebuild_tensor_v2', (storage, offset, size, stride) => rebuild(storage, offset, size, stride)],
    ['torch._utils._rebuild_tensor', (storage, offset, size, stride) => rebuild(storage, offset, size, stride)],
    ['torch._utils._rebuild_parameter', parameter],
    ['torch._utils._rebuild_parameter_with_state', parameter],
  ]);
  for (const [cls, dtype] of Object.entries(STORAGE_DTYPES)) {
    const marker: Callable = () => {
      throw new Error(`torch.${cls} is a storage type, not a function`);
    };
    storageClasses.set(marker, dtype);
    table.set(`torch.${cls}`, marker);
  }
  return table;
}

function refuseGlobal(name: string, path: string, module: string, global: string): UserError {
  const what = `${module}.${global}`;
  let hint = RESAVE;
  if (module === '__main__' || module.startsWith('torch.nn') || module.startsWith('torchvision')) {
    hint = `It looks like a whole model saved with torch.save(net). ${RESAVE}`;
  } else if (module.startsWith('__torch__')) {
    hint = `It looks like a TorchScript model (torch.jit.save). ${RESAVE}`;
  }
  const message = `${name} asks for ${what}: SalUn reads tensors and dicts only, never runs code from a checkpoint; save net.state_dict() with torch.save or as safetensors.`;
  return new UserError(message, hint, path);
}
