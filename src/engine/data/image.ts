// One image file of an ImageFolder: its size and colour from the header alone (so that a whole
// folder is checked before any pixel is decoded), then its pixels. PNG by our decoder, JPEG by
// jpeg-js (pure JS, so the job needs no native image library).
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { decode as decodeJpegData } from 'jpeg-js';
import { UserError } from '../../store/errors';
import { decodePng, interlacedPng, isPng, readPngHeader, type RawImage } from './png';

export interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** Gray levels only: PNG colour types 0 and 4, a one-component JPEG. Palette PNGs count as colour. */
  gray: boolean;
}

/** How much of a file the header pass reads; a JPEG whose frame header comes later is read whole. */
const HEAD_BYTES = 64 * 1024;

function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

function notAnImage(source: string): UserError {
  return new UserError(
    `${source} is neither a PNG nor a JPEG file (its first bytes are not a PNG or JPEG signature).`,
    'Convert it to PNG or JPEG, or remove it from the data folder.',
    source,
  );
}

function corruptJpeg(source: string, why: string): UserError {
  return new UserError(`${source} is not a readable JPEG: ${why}.`, 'Re-save the image, or remove it from the data folder.', source);
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic); not DHT (C4), JPG (C8) or DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** The JPEG frame header's size and component count, or undefined when `bytes` ends before it. */
function readJpegHeader(bytes: Uint8Array, source: string): ImageHeader | undefined {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw corruptJpeg(source, `no marker at byte ${at}`);
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    } // fill byte
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) throw corruptJpeg(source, 'the image data starts before any frame header');
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (length < 2) throw corruptJpeg(source, `a segment at byte ${at} has length ${length}`);
    if (isStartOfFrame(marker)) {
      if (at + 10 > bytes.length) return undefined;
      const height = (bytes[at + 5] << 8) | bytes[at + 6];
      const width = (bytes[at + 7] << 8) | bytes[at + 8];
      const components = bytes[at + 9];
      if (width === 0 || height === 0) throw corruptJpeg(source, `its frame header gives the size ${width}×${height}`);
      if (components !== 1 && components !== 3 && components !== 4) throw corruptJpeg(source, `it has ${components} colour components`);
      return { format: 'jpeg', width, height, gray: components === 1 };
    }
    at += 2 + length;
  }
  return undefined;
}

/** The header of an image already in memory. */
export function imageHeaderOf(bytes: Uint8Array, source: string): ImageHeader | undefined {
  if (isPng(bytes)) {
    const h = readPngHeader(bytes, source);
    if (h.interlaced) throw interlacedPng(source);
    return { format: 'png', width: h.width, height: h.height, gray: h.colorType === 0 || h.colorType === 4 };
  }
  if (isJpeg(bytes)) return readJpegHeader(bytes, source);
  throw notAnImage(source);
}

function readHead(path: string): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, n);
  } catch (e) {
    throw new UserError(`Cannot read ${path}: ${(e as Error).message}`, undefined, path);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readWhole(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UserError(`Cannot read ${path}: ${(e as Error).message}`, undefined, path);
  }
}

/** Size and colour of an image file, reading its first 64 KiB (more only for a JPEG with a long preamble). */
export function readImageHeader(path: string): ImageHeader {
  const head = readHead(path);
  const h = imageHeaderOf(head, path);
  if (h) return h;
  const whole = head.length < HEAD_BYTES ? head : readWhole(path);
  const again = whole === head ? undefined : imageHeaderOf(whole, path);
  if (!again) throw corruptJpeg(path, 'it has no frame header (truncated?)');
  return again;
}

export function decodeImage(bytes: Uint8Array, source: string): RawImage {
  if (isPng(bytes)) return decodePng(bytes, source);
  if (!isJpeg(bytes)) throw notAnImage(source);
  const header = readJpegHeader(bytes, source);
  if (!header) throw corruptJpeg(source, 'it has no frame header (truncated?)');
  let rgb: Uint8Array;
  let width: number;
  let height: number;
  try {
    // Strict: a damaged file is an error to report, not an image to guess at.
    const img = decodeJpegData(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false });
    ({ width, height } = img);
    rgb = img.data;
  } catch (e) {
    throw corruptJpeg(source, (e as Error).message);
  }
  if (width !== header.width || height !== header.height || rgb.length !== width * height * 3) {
    throw corruptJpeg(source, `it decodes to ${width}×${height}, its header says ${header.width}×${header.height}`);
  }
  if (!header.gray) return { width, height, channels: 3, maxValue: 255, data: rgb };
  // jpeg-js writes a one-component image as R = G = B.
  const gray = new Uint8Array(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = rgb[3 * i];
  return { width, height, channels: 1, maxValue: 255, data: gray };
}

export function readImage(path: string): RawImage {
  return decodeImage(readWhole(path), path);
}

/**
 * Writes an image's pixels into `out` at `offset` as `channels` values in [0, 1] per pixel: gray
 * is repeated into RGB, RGB kept, alpha dropped (not composited, as torchvision's convert('RGB')).
 */
export function writePixels(img: RawImage, out: Float32Array, offset: number, channels: 1 | 3): void {
  const n = img.width * img.height;
  const src = img.data;
  const ic = img.channels;
  const scale = 1 / img.maxValue;
  if (channels === 1) {
    for (let i = 0; i < n; i++) out[offset + i] = src[i * ic] * scale;
    return;
  }
  const colour = ic >= 3;
  for (let i = 0; i < n; i++) {
    const s = i * ic;
    const d = offset + 3 * i;
    const r = src[s] * scale;
    out[d] = r;
    out[d + 1] = colour ? src[s + 1] * scale : r;
    out[d + 2] = colour ? src[s + 2] * scale : r;
  }
}
