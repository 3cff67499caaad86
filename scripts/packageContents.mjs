// What the .vsix carries, from ONE list: the `!` re-includes of .vscodeignore. vsce reads that file
// to pick the package's files, so it is the list that counts; scripts/package.mjs stages exactly the
// files it keeps (a second list in the staging script once left models/gen-demo/ out of the package
// while .vscodeignore kept it, and the installed demo trained θo for two hours), and
// test/unit/packageContents.unit.test.ts checks every file the installed extension reads against it.
// After packaging, package.mjs compares the .vsix's entries with this selection, so a pattern vsce
// reads differently from the matcher here fails the package instead of shipping without the file.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const IGNORE_FILE = '.vscodeignore';

/**
 * The build writes dist/ into the staging folder itself (scripts/build.mjs --outdir): patterns under
 * it name build outputs, never files copied from the checkout.
 */
export const BUILD_DIR = 'dist';

/** .vscodeignore's patterns: `include` (the `!` lines, without the `!`) and `exclude`, comments and blanks dropped. */
export function packagePatterns(root) {
  const lines = readFileSync(join(root, IGNORE_FILE), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const include = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
  const exclude = lines.filter((l) => !l.startsWith('!'));
  for (const p of include) {
    // The matcher below is the subset of minimatch these patterns need; anything else would be read
    // one way here and another way by vsce, so it is refused rather than guessed.
    if (/[{}[\]]/.test(p) || p.startsWith('/')) throw new Error(`${IGNORE_FILE}: '!${p}' uses syntax the package script does not read; use a path, * or **`);
    if (/[*?]/.test(p.split('/')[0])) throw new Error(`${IGNORE_FILE}: '!${p}' must start with the folder or file it keeps (the staging walks only those)`);
  }
  return { include, exclude };
}

/** A .vscodeignore pattern as a RegExp over a forward-slashed path relative to the package root. */
export function patternRegExp(pattern) {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether vsce puts `path` (relative, forward slashes) into the package: excluded unless a `!` pattern keeps it. */
export function isPackaged(path, patterns) {
  const hit = (list) => list.some((p) => patternRegExp(p).test(path));
  return !hit(patterns.exclude) || hit(patterns.include);
}

function walk(root, rel) {
  const abs = join(root, rel);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs)
    .sort()
    .flatMap((name) => walk(root, `${rel}/${name}`));
}

/**
 * The checkout's files the package carries: every file under the top-level names the `!` patterns
 * start with that the patterns keep, dist/ left out (the build makes it). Sorted, forward slashes.
 */
export function stagedSourceFiles(root, patterns = packagePatterns(root)) {
  const tops = [...new Set(patterns.include.map((p) => p.split('/')[0]))].filter((t) => t !== BUILD_DIR).sort();
  return tops.flatMap((t) => walk(root, t)).filter((f) => isPackaged(f, patterns));
}

/** The file names in a zip (a .vsix), from its central directory. */
export function zipEntries(file) {
  const buf = readFileSync(file);
  // End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_558); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: a broken central directory`);
    const nameLength = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extra + comment;
  }
  return names;
}
