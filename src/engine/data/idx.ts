// Reader for the idx format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
// magic = 0x00 0x00 <type> <ndims>, then ndims big-endian uint32 sizes, then the data.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors';

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const fail = (why: string): never => {
    throw new UserError(`${source} is not a valid idx file: ${why}.`,
      'Use the MNIST/Fashion-MNIST idx files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], …).', source);
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
  if (bytes.length - headerLen !== count) {
    fail(`the header promises ${shape.join('×')} = ${count} values but the file holds ${bytes.length - headerLen}`);
  }
  return { shape, data: bytes.subarray(headerLen) };
}

export function readIdxFile(path: string): IdxArray {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new UserError(`Cannot read ${path}: ${(e as Error).message}`, 'Check that the data folder holds the idx files.', path);
  }
  let bytes: Uint8Array = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw);
    } catch (e) {
      throw new UserError(`${path} looks gzip-compressed but does not decompress: ${(e as Error).message}`, 'The file may be truncated; download it again.', path);
    }
  }
  return parseIdx(bytes, path);
}
