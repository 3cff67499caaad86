// The sha256 of a file, read in chunks (a ResNet's weights are tens of MB; a user's model may be
// more): what a run records of the model it started from, and what an audit report lists of every
// file it speaks of. A file that cannot be read is a digest with the reason, never a throw: a
// report about a model whose file has gone says so beside the others.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export interface FileDigest {
  path: string;
  bytes: number;
  sha256: string;
}

export type DigestRead = FileDigest | { path: string; problem: string };

const CHUNK = 4 * 2 ** 20;

/** The file's size and sha256, or why it could not be read. */
export function fileDigest(path: string): DigestRead {
  let fd: number | undefined;
  try {
    const st = statSync(path);
    if (!st.isFile()) return { path, problem: 'not a file' };
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, st.size)));
    fd = openSync(path, 'r');
    let bytes = 0;
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) {
      hash.update(buf.subarray(0, n));
      bytes += n;
    }
    return { path, bytes, sha256: hash.digest('hex') };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { path, problem: err.code === 'ENOENT' ? 'missing' : err.message };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function isFileDigest<D extends DigestRead>(d: D): d is D & FileDigest {
  return 'sha256' in d;
}
