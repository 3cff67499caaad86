// A PNG decoder for ImageFolder data (PNG 1.2 / ISO 15948): every colour type and bit depth, the
// five row filters, CRC-checked chunks, zlib through node:zlib. Adam7 interlacing is refused with a
// clear message: it is rare in data sets and would double this file for no gain.
import { inflateSync } from 'node:zlib';
import { UserError } from '../../store/errors';

/** Decoded pixels, interleaved, before any conversion to the data set's channels. */
export interface RawImage {
  width: number;
  height: number;
  /** Samples per pixel in `data`: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  /** The value of full intensity: 255, or 65535 for 16-bit PNGs. */
  maxValue: number;
  data: Uint8Array | Uint16Array;
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  colorType: number;
  interlaced: boolean;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Samples per pixel of each colour type. */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
/** Far beyond any training image; keeps a corrupt header from asking for gigabytes. */
const MAX_PIXELS = 1 << 26;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

const CRC_TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309) of bytes[from, to), as PNG chunks use it. */
export function crc32(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let c = 0xffffffff;
  for (let i = from; i < to; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function corrupt(source: string, why: string): UserError {
  return new UserError(`${source} is not a readable PNG: ${why}.`, 'Re-save the image, or remove it from the data folder.', source);
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** The IHDR fields, from the first 33 bytes; the loader reads only these to check sizes before decoding. */
export function readPngHeader(bytes: Uint8Array, source: string): PngHeader {
  if (!isPng(bytes)) throw corrupt(source, 'the PNG signature is missing');
  if (bytes.length < 33) throw corrupt(source, 'the file ends inside the header');
  const type = String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]);
  if (type !== 'IHDR' || u32(bytes, 8) !== 13) throw corrupt(source, 'the first chunk is not a 13-byte IHDR');
  const width = u32(bytes, 16);
  const height = u32(bytes, 20);
  const bitDepth = bytes[24];
  const colorType = bytes[25];
  if (width === 0 || height === 0) throw corrupt(source, `its size is ${width}×${height}`);
  if (width * height > MAX_PIXELS) throw corrupt(source, `its size ${width}×${height} is implausibly large`);
  if (!(colorType in SAMPLES)) throw corrupt(source, `colour type ${colorType} does not exist`);
  if (!DEPTHS[colorType].includes(bitDepth)) throw corrupt(source, `bit depth ${bitDepth} is not allowed with colour type ${colorType}`);
  if (bytes[26] !== 0 || bytes[27] !== 0) throw corrupt(source, 'it uses an unknown compression or filter method');
  if (bytes[28] > 1) throw corrupt(source, `interlace method ${bytes[28]} does not exist`);
  return { width, height, bitDepth, colorType, interlaced: bytes[28] === 1 };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undoes the per-row filters (PNG spec §9) into one unfiltered buffer of height × rowBytes. */
function unfilter(raw: Uint8Array, height: number, rowBytes: number, bpp: number, source: string): Uint8Array {
  const out = new Uint8Array(height * rowBytes);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (rowBytes + 1)];
    const src = y * (rowBytes + 1) + 1;
    const row = y * rowBytes;
    const prev = row - rowBytes;
    for (let x = 0; x < rowBytes; x++) {
      const a = x >= bpp ? out[row + x - bpp] : 0;
      const b = y > 0 ? out[prev + x] : 0;
      const c = x >= bpp && y > 0 ? out[prev + x - bpp] : 0;
      let predictor: number;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) >> 1;
          break;
        case 4:
          predictor = paeth(a, b, c);
          break;
        default:
          throw corrupt(source, `row ${y} has filter type ${filter} (only 0–4 exist)`);
      }
      out[row + x] = (raw[src + x] + predictor) & 0xff;
    }
  }
  return out;
}

export function interlacedPng(source: string): UserError {
  return new UserError(
    `${source} is an interlaced (Adam7) PNG, which SalUn Lab does not read.`,
    'Re-save it without interlacing, e.g. `mogrify -interlace none *.png` (ImageMagick) or `Image.open(p).save(p)` (Pillow saves non-interlaced).',
    source,
  );
}

export function decodePng(bytes: Uint8Array, source: string): RawImage {
  const h = readPngHeader(bytes, source);
  if (h.interlaced) throw interlacedPng(source);
  let palette: Uint8Array | undefined;
  let alphaOfPalette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  for (let at = 8; at < bytes.length;) {
    if (at + 12 > bytes.length) throw corrupt(source, 'the file ends inside a chunk header (truncated?)');
    const length = u32(bytes, at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    const data = at + 8;
    if (length > bytes.length - data - 4) throw corrupt(source, `the ${type} chunk runs past the end of the file (truncated?)`);
    if (crc32(bytes, at + 4, data + length) !== u32(bytes, data + length)) throw corrupt(source, `the CRC of the ${type} chunk is wrong`);
    const body = bytes.subarray(data, data + length);
    if (type === 'IDAT') idat.push(body);
    else if (type === 'PLTE') {
      if (length % 3 !== 0 || length === 0 || length > 768) throw corrupt(source, `its palette has ${length} bytes`);
      palette = body;
    } else if (type === 'tRNS') alphaOfPalette = body;
    else if (type === 'IEND') {
      ended = true;
      break;
    } else if (type !== 'IHDR' && (bytes[at + 4] & 0x20) === 0) throw corrupt(source, `it has an unknown critical chunk ${type}`);
    at = data + length + 4;
  }
  if (idat.length === 0) throw corrupt(source, 'it has no image data (IDAT)');
  if (!ended) throw corrupt(source, 'the IEND chunk is missing (truncated?)');
  if (h.colorType === 3 && !palette) throw corrupt(source, 'it is a palette image without a palette (PLTE)');

  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    throw corrupt(source, `its compressed image data does not inflate (${(e as Error).message})`);
  }
  const samples = SAMPLES[h.colorType];
  const bitsPerPixel = samples * h.bitDepth;
  const rowBytes = Math.ceil((h.width * bitsPerPixel) / 8);
  if (raw.length < h.height * (rowBytes + 1)) {
    throw corrupt(source, `its image data holds ${raw.length} bytes, ${h.height * (rowBytes + 1)} expected for ${h.width}×${h.height}`);
  }
  const pix = unfilter(raw, h.height, rowBytes, Math.max(1, bitsPerPixel >> 3), source);
  const n = h.width * h.height;

  if (h.bitDepth === 16) {
    const data = new Uint16Array(n * samples);
    for (let i = 0; i < data.length; i++) data[i] = (pix[2 * i] << 8) | pix[2 * i + 1];
    return { width: h.width, height: h.height, channels: samples as RawImage['channels'], maxValue: 65535, data };
  }
  // One value per pixel (sub-byte depths unpacked): a gray level or a palette index.
  let values: Uint8Array;
  if (h.bitDepth === 8) values = pix;
  else {
    values = new Uint8Array(n);
    const mask = (1 << h.bitDepth) - 1;
    for (let y = 0; y < h.height; y++) {
      for (let x = 0; x < h.width; x++) {
        const bit = x * h.bitDepth;
        values[y * h.width + x] = (pix[y * rowBytes + (bit >> 3)] >> (8 - h.bitDepth - (bit & 7))) & mask;
      }
    }
    if (h.colorType === 0) {
      const scale = 255 / mask;
      for (let i = 0; i < n; i++) values[i] = Math.round(values[i] * scale);
    }
  }
  if (h.colorType !== 3) return { width: h.width, height: h.height, channels: samples as RawImage['channels'], maxValue: 255, data: values };

  const pal = palette as Uint8Array;
  const entries = pal.length / 3;
  const outChannels = alphaOfPalette ? 4 : 3;
  const data = new Uint8Array(n * outChannels);
  for (let i = 0; i < n; i++) {
    const k = values[i];
    if (k >= entries) throw corrupt(source, `pixel ${i % h.width},${Math.floor(i / h.width)} uses palette entry ${k} of ${entries}`);
    data[i * outChannels] = pal[3 * k];
    data[i * outChannels + 1] = pal[3 * k + 1];
    data[i * outChannels + 2] = pal[3 * k + 2];
    if (alphaOfPalette) data[i * outChannels + 3] = k < alphaOfPalette.length ? alphaOfPalette[k] : 255;
  }
  return { width: h.width, height: h.height, channels: outChannels, maxValue: 255, data };
}
