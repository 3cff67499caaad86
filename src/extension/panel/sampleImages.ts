// A generation job's sample grids for the panel: the webview names a PNG (from a 'samples' event it
// received, or replayed from its saved state) and the host reads it, but only a file in the
// samples/ folder of a run folder the host vouches for, physically there (a link inside samples/
// that leads elsewhere is refused), a regular file, a real PNG by its signature and header, and no
// larger than SAMPLE_IMAGE_MAX_BYTES. The bytes go to the view as a data: URI: the panel's CSP
// already allows `img-src data:`, so the run folder never joins the webview's localResourceRoots
// (which would let the page load any file under it, and needs the webview's options reset per run).
// No vscode import: plain Node tests drive it.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { SampleImageReply } from '../../protocol/webviewMessages';
import { writeFileAtomic } from '../../store/runs/atomic';
import { ConfinementError } from '../runs/pathConfinement';

/** A grid of 10 classes × 8 seeds at 3× is about 60 KB; anything near this is not one of ours. */
export const SAMPLE_IMAGE_MAX_BYTES = 8 * 1024 * 1024;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** PNG's own limit on a dimension is 2^31−1; a grid wider or taller than this is not a grid. */
const MAX_SIDE = 16384;

export interface SampleImage {
  file: string;
  bytes: Buffer;
  width: number;
  height: number;
}

function inside(base: string, target: string): boolean {
  const rel = relative(base, target);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

/** width × height from the IHDR chunk that must follow the signature; undefined if `bytes` is not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 33) return undefined;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!buf.subarray(0, 8).equals(PNG_SIGNATURE) || buf.readUInt32BE(8) !== 13 || buf.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) return undefined;
  return { width, height };
}

function refuse(file: string, why: string): never {
  throw new ConfinementError(`sample grid: refused ${file}: ${why}.`);
}

/**
 * `file` when it is `<runDir>/samples/<name>.png` for one of `runDirs`, lexically and after links
 * are resolved; else a ConfinementError saying why.
 */
export function confinedSampleFile(runDirs: readonly string[], file: string): string {
  if (!isAbsolute(file)) refuse(file, 'not an absolute path');
  const target = resolve(file);
  if (!/\.png$/i.test(target)) refuse(file, 'not a .png file');
  const runDir = runDirs.map((d) => resolve(d)).find((d) => dirname(target) === resolve(d, 'samples') && inside(d, target));
  if (!runDir) return refuse(file, 'it is not in the samples folder of a run folder of this workspace or of the current job');
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    return refuse(file, 'it does not exist');
  }
  if (dirname(real) !== realpathSync(resolve(runDir, 'samples'))) refuse(file, `a link leads it to ${real}`);
  return target;
}

/** Reads and checks a confined sample grid (see the file's opening comment). */
export function readSampleImage(runDirs: readonly string[], file: string, maxBytes = SAMPLE_IMAGE_MAX_BYTES): SampleImage {
  const path = confinedSampleFile(runDirs, file);
  const stat = statSync(path);
  if (!stat.isFile()) throw new Error(`sample grid: ${path} is not a regular file`);
  if (stat.size > maxBytes) throw new Error(`sample grid: ${path} is ${stat.size} bytes, more than the ${maxBytes} a grid may have`);
  const bytes = readFileSync(path);
  // The size may have changed between stat and read (a job rewriting it): check what was read.
  if (bytes.length > maxBytes) throw new Error(`sample grid: ${path} grew past ${maxBytes} bytes while being read`);
  const size = pngSize(bytes);
  if (!size) throw new Error(`sample grid: ${path} is not a PNG image`);
  return { file: path, bytes, ...size };
}

export function sampleImageReply(image: SampleImage, asked: string): SampleImageReply {
  return {
    file: asked,
    dataUri: `data:image/png;base64,${image.bytes.toString('base64')}`,
    width: image.width,
    height: image.height,
    bytes: image.bytes.length,
  };
}

/** Copies a checked grid to where the user chose (atomically: an interrupted copy leaves no half PNG). */
export function exportSampleImage(runDirs: readonly string[], file: string, destination: string): number {
  const image = readSampleImage(runDirs, file);
  writeFileAtomic(destination, image.bytes);
  return image.bytes.length;
}
