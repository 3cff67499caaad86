// Reader for the idx format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
// magic = 0x00 0x00 <type> <ndims>, then ndims big-endian uint32 sizes, then the data.
// The files come from outside, so nothing they claim is trusted before it is checked: a .gz is
// inflated only up to the size its own header promises, and labels must name classes that exist.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { constants, gunzip, gunzipSync, type ZlibOptions } from 'node:zlib';
import { throwIfAborted, UserError } from '../../store/errors';

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;
/** 2^31 values: beyond it the Float32Array of the images alone would need more than 8 GiB. */
const MAX_VALUES = 2 ** 31;
const HINT = 'Use the MNIST/Fashion-MNIST idx files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], …).';

function invalid(source: string, why: string): UserError {
  return new UserError(`${source} is not a valid idx file: ${why}.`, HINT, source);
}

/** The header's shape and byte length; throws naming what is wrong. `bytes` may hold just the start. */
function readHeader(bytes: Uint8Array, source: string): { shape: number[]; headerLen: number; count: number } {
  const fail = (why: string): never => {
    throw invalid(source, why);
  };
  if (bytes.length < 4) fail('it is shorter than the 4-byte header');
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(`the magic number starts with ${bytes[0]},${bytes[1]} instead of 0,0`);
  if (bytes[2] !== UBYTE) fail(`element type 0x${bytes[2].toString(16)} is not unsigned byte (0x08), the only type image/label files use`);
  const ndims = bytes[3];
  if (ndims < 1 || ndims > 4) fail(`it declares ${ndims} dimensions`);
  const headerLen = 4 + 4 * ndims;
  if (bytes.length < headerLen) fail('the header is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndims; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_VALUES) fail(`the header promises ${shape.join('×')} = ${count} values, more than the ${MAX_VALUES} this reader accepts`);
  return { shape, headerLen, count };
}

export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const { shape, headerLen, count } = readHeader(bytes, source);
  if (bytes.length - headerLen !== count) {
    throw invalid(source, `the header promises ${shape.join('×')} = ${count} values but the file holds ${bytes.length - headerLen}`);
  }
  return { shape, data: bytes.subarray(headerLen) };
}

function isGzip(raw: Uint8Array): boolean {
  return raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
}

/**
 * The inflated size a .gz may have: its idx header's promise. Only the first compressed bytes are
 * inflated to read it (at most 1 MiB out), so a bomb is refused before it is expanded.
 */
function inflatedSizeCap(gz: Uint8Array, path: string): number {
  for (const take of [64, 1024, 65536]) {
    let head: Buffer;
    try {
      head = gunzipSync(gz.subarray(0, Math.min(take, gz.length)), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 1 << 20 });
    } catch (e) {
      throw new UserError(
        `${path} looks gzip-compressed but does not decompress: ${(e as Error).message}`,
        'The file may be truncated; download it again.',
        path,
      );
    }
    if (head.length >= 4 && head.length >= 4 + 4 * head[3]) {
      const { headerLen, count } = readHeader(head, path);
      return headerLen + count;
    }
    if (take >= gz.length) break;
  }
  throw invalid(path, 'the compressed data ends before the idx header');
}

function inflateError(path: string, cap: number, e: unknown): UserError {
  if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
    return new UserError(
      `${path} inflates to more than the ${cap} bytes its idx header promises; it was not expanded further.`,
      'The file is damaged or is not the idx file it is named after; download it again.',
      path,
    );
  }
  return new UserError(`${path} looks gzip-compressed but does not decompress: ${(e as Error).message}`, 'The file may be truncated; download it again.', path);
}

function readError(path: string, e: unknown): UserError {
  return new UserError(`Cannot read ${path}: ${(e as Error).message}`, 'Check that the data folder holds the idx files.', path);
}

export function readIdxFile(path: string): IdxArray {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw readError(path, e);
  }
  if (!isGzip(raw)) return parseIdx(raw, path);
  const cap = inflatedSizeCap(raw, path);
  try {
    return parseIdx(gunzipSync(raw, { maxOutputLength: Math.max(cap, 1) }), path);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw inflateError(path, cap, e);
  }
}

const gunzipAsync = promisify<Uint8Array, ZlibOptions, Buffer>(gunzip);

/**
 * readIdxFile without blocking the event loop: the read is cancellable and the inflate runs on
 * libuv's pool, so Ctrl-C and a job's cancel are heard while a large file loads.
 */
export async function readIdxFileAsync(path: string, signal?: AbortSignal): Promise<IdxArray> {
  let raw: Buffer;
  try {
    raw = await readFile(path, { signal });
  } catch (e) {
    throwIfAborted(signal);
    throw readError(path, e);
  }
  if (!isGzip(raw)) return parseIdx(raw, path);
  const cap = inflatedSizeCap(raw, path);
  let bytes: Buffer;
  try {
    bytes = await gunzipAsync(raw, { maxOutputLength: Math.max(cap, 1) });
  } catch (e) {
    throw inflateError(path, cap, e);
  }
  throwIfAborted(signal);
  return parseIdx(bytes, path);
}

/**
 * The class count of an idx data set, and the check behind it. idx headers carry no class count,
 * so it is derived: the classes are 0…K−1 where K is the first label with no training sample.
 * A label above that (255 among 0…9) would add classes nobody can learn, so it is refused, named
 * by its sample and byte offset. Test labels must be among the training classes. A uint8 label
 * caps K at 256, so no further limit is needed.
 */
export function idxClassCount(trainLabels: IdxArray, testLabels: IdxArray, trainPath: string, testPath: string): number {
  const seen = new Uint8Array(256);
  for (const v of trainLabels.data) seen[v] = 1;
  let k = 0;
  while (k < 256 && seen[k]) k++;
  const check = (labels: IdxArray, path: string, which: string): void => {
    const i = labels.data.findIndex((v) => v >= k);
    if (i < 0) return;
    const headerLen = 4 + 4 * labels.shape.length;
    const found = k > 0 ? `the training labels cover ${k} classes, 0…${k - 1}; class ${k} has no training sample` : 'no training sample has label 0';
    throw new UserError(
      `${path}: label ${labels.data[i]} of ${which} sample ${i} (byte offset ${headerLen + i}) is not a class: ${found}.`,
      'Labels must be the class indices 0…K−1, every one with training samples: fix or drop the samples with other labels.',
      path,
    );
  };
  check(trainLabels, trainPath, 'training');
  check(testLabels, testPath, 'test');
  return k;
}
