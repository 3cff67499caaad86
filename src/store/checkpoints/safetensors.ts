// safetensors (huggingface/safetensors, docs "format"): an 8-byte little-endian header length N,
// N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
// then the tensors' bytes, offsets relative to the end of the header. The header is validated
// before a single data byte is read, as strictly as the reference reader (tensors tile the data
// exactly: no overlap, no gap), so a hostile file costs at most its 100 MB header cap.
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { throwIfAborted, UserError } from '../errors';
import { writeFileAtomic } from '../runs/atomic';
import { DTYPE_BYTES, decodeElements, encodeElements, isStateDtype } from './dtypes';
import { elementCount, type StateDict, type StateDtype } from './stateDict';

/** The reference reader's cap (safetensors' MAX_HEADER_SIZE). */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA = '__metadata__';
const RESAVE = 'Save it again with safetensors.torch.save_file(net.state_dict(), path).';

export interface SafetensorsFile {
  tensors: StateDict;
  metadata: Record<string, string>;
}

interface Entry {
  name: string;
  dtype: StateDtype;
  shape: number[];
  begin: number;
  end: number;
}

function bad(path: string, problem: string, hint = RESAVE): UserError {
  return new UserError(`${basename(path)} is not a valid safetensors file: ${problem}.`, hint, path);
}

function gigabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${bytes} bytes`;
}

export async function readSafetensors(path: string, signal?: AbortSignal): Promise<SafetensorsFile> {
  const file = await openForRead(path);
  try {
    const size = (await file.stat()).size;
    const headerBytes = await readHeaderLength(file, path, size);
    const header = parseHeader(path, (await readAt(file, path, 8, headerBytes)).toString('utf8'));
    const dataBytes = size - 8 - headerBytes;
    const { entries, metadata } = validateHeader(path, header, dataBytes);
    throwIfAborted(signal);
    const data = await readAt(file, path, 8 + headerBytes, dataBytes);
    const tensors: StateDict = new Map();
    for (const e of entries) {
      throwIfAborted(signal);
      const count = elementCount(e.shape);
      tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: decodeElements(data.subarray(e.begin, e.end), e.dtype, count) });
    }
    return { tensors, metadata };
  } finally {
    await file.close();
  }
}

type Handle = Awaited<ReturnType<typeof open>>;

async function openForRead(path: string): Promise<Handle> {
  try {
    return await open(path, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UserError(`Cannot read ${path}: ${err.message}`, 'Check the path of the checkpoint.', path);
  }
}

async function readAt(file: Handle, path: string, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  if (done < length) throw new UserError(`${basename(path)} got shorter while it was read.`, 'Read it again once nothing is writing it.', path);
  return buf;
}

async function readHeaderLength(file: Handle, path: string, size: number): Promise<number> {
  if (size < 8) throw bad(path, `it holds ${size} bytes, fewer than the 8 of the header length`);
  const n = (await readAt(file, path, 0, 8)).readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_BYTES)) throw bad(path, `its header length says ${n} bytes, beyond the 100 MB limit`);
  if (Number(n) > size - 8) throw bad(path, `its header length says ${n} bytes but the file holds ${size} (truncated, or not safetensors)`);
  return Number(n);
}

function parseHeader(path: string, text: string): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw bad(path, `its header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad(path, 'its header is not a JSON object');
  const dup = firstDuplicateKey(text);
  if (dup !== undefined) throw bad(path, `the header names the tensor "${dup}" twice`);
  return header as Record<string, unknown>;
}

/**
 * The first top-level key that occurs twice: JSON.parse keeps the last silently, and a file that
 * says two things about one tensor is refused as the reference reader refuses it.
 */
function firstDuplicateKey(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      let k = j + 1;
      while (/\s/.test(text[k] ?? '')) k++;
      if (depth === 1 && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
      }
      i = j;
    }
  }
  return undefined;
}

function validateHeader(path: string, header: Record<string, unknown>, dataBytes: number): { entries: Entry[]; metadata: Record<string, string> } {
  const metadata = readMetadata(path, header[METADATA]);
  const entries = Object.keys(header)
    .filter((k) => k !== METADATA)
    .map((name) => readEntry(path, name, header[name], dataBytes));
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous = '';
  for (const e of byOffset) {
    if (e.begin < at) throw bad(path, `tensor "${e.name}" overlaps "${previous}" (bytes ${e.begin}…${e.end} of the data)`);
    if (e.begin > at) throw bad(path, `there are unused bytes ${at}…${e.begin} before tensor "${e.name}"`);
    at = e.end;
    previous = e.name;
  }
  if (at !== dataBytes) throw bad(path, `the tensors cover ${at} bytes of data but the file holds ${dataBytes}`);
  return { entries, metadata };
}

function readMetadata(path: string, raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(path, '__metadata__ is not an object of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') throw bad(path, `__metadata__.${k} is not a string`);
    out[k] = v;
  }
  return out;
}

function readEntry(path: string, name: string, raw: unknown, dataBytes: number): Entry {
  if (typeof raw !== 'object' || raw === null) throw bad(path, `tensor "${name}" is not an object`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (!isStateDtype(dtype)) {
    const known = Object.keys(DTYPE_BYTES).join(', ');
    throw bad(path, `tensor "${name}" has dtype ${JSON.stringify(dtype)}, which SalUn does not read`, `Convert it to one of ${known} before saving.`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad(path, `tensor "${name}" has no valid shape`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0) || offsets[0] > offsets[1]) {
    throw bad(path, `tensor "${name}" has no valid data_offsets`);
  }
  const [begin, end] = offsets as [number, number];
  const bytes = elementCount(shape as number[]) * DTYPE_BYTES[dtype];
  if (!Number.isSafeInteger(bytes) || bytes > dataBytes) {
    throw bad(path, `tensor "${name}" declares ${gigabytes(bytes)} (${dtype} [${shape.join(', ')}]) but the file holds ${gigabytes(dataBytes)} of data`);
  }
  if (end - begin !== bytes) throw bad(path, `tensor "${name}" is ${dtype} [${shape.join(', ')}], ${bytes} bytes, but its data_offsets span ${end - begin}`);
  if (end > dataBytes) throw bad(path, `tensor "${name}" ends at byte ${end} of the data but the file holds ${dataBytes}`);
  return { name, dtype, shape: shape as number[], begin, end };
}

/**
 * Writes `dict` in its own order, as safetensors.torch.load_file reads it back: F32 as it is,
 * integer dtypes (num_batches_tracked: I64) rounded from the float values, the header padded with
 * spaces to a multiple of 8 as the reference writer pads it. Atomic: a temp file, then a rename.
 */
export function writeSafetensors(path: string, dict: StateDict, metadata?: Record<string, string>): void {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header[METADATA] = metadata;
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const [name, t] of dict) {
    if (name === METADATA) throw new Error(`a tensor may not be called ${METADATA}`);
    if (t.data.length !== elementCount(t.shape)) throw new Error(`${name}: ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    const bytes = encodeElements(t.data, t.dtype);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + bytes.length] };
    chunks.push(bytes);
    at += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Buffer.alloc(json.length + ((8 - (json.length % 8)) % 8), 0x20);
  json.copy(padded);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(padded.length));
  writeFileAtomic(path, Buffer.concat([length, padded, ...chunks]));
}
