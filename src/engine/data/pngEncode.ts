// A PNG encoder for what the engine writes (sample grids): 8-bit gray, RGB or RGBA, one IDAT, every
// row with the Sub filter — images of flat cells and gaps compress well with it, and one fixed
// filter keeps the encoder short. The CRC is the decoder's (png.ts); the decoder's own tests use an
// independent encoder in test/unit/dataFormats.unit.test.ts on purpose, so it is not reused here.
import { deflateSync } from 'node:zlib';
import { crc32 } from './png';

export interface PixelImage {
  width: number;
  height: number;
  /** 1 gray, 3 RGB, 4 RGBA; samples interleaved, row-major. */
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOR_TYPE: Record<PixelImage['channels'], number> = { 1: 0, 3: 2, 4: 6 };
const SUB_FILTER = 1;

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

function header(img: PixelImage): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, img.width);
  view.setUint32(4, img.height);
  ihdr[8] = 8;
  ihdr[9] = COLOR_TYPE[img.channels];
  return ihdr; // compression, filter method and interlace all 0
}

/** Each row prefixed by its filter byte, samples replaced by their difference to the pixel on the left. */
function subFiltered(img: PixelImage): Uint8Array {
  const stride = img.width * img.channels;
  const out = new Uint8Array(img.height * (stride + 1));
  for (let y = 0; y < img.height; y++) {
    const row = y * stride;
    const at = y * (stride + 1);
    out[at] = SUB_FILTER;
    for (let x = 0; x < stride; x++) {
      const left = x >= img.channels ? img.data[row + x - img.channels] : 0;
      out[at + 1 + x] = (img.data[row + x] - left) & 0xff;
    }
  }
  return out;
}

export function encodePng(img: PixelImage): Uint8Array {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1) {
    throw new Error(`a PNG needs a positive integer size, got ${img.width}×${img.height}`);
  }
  if (img.data.length !== img.width * img.height * img.channels) {
    throw new Error(`${img.data.length} samples for a ${img.width}×${img.height}×${img.channels} image`);
  }
  const parts = [SIGNATURE, chunk('IHDR', header(img)), chunk('IDAT', deflateSync(subFiltered(img))), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
