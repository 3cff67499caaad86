// A workspace where `.salun/…` cannot be created (read-only, no permission, gone, a file in the
// way) is told so in words with what to do, never with Node's bare "ENOENT: …, mkdir …". The
// tests run as root here, where chmod does not block writes: the file-system cases use a file in
// the way and a link to nowhere, and the permission wordings are checked on the message function.
import { strict as assert } from 'node:assert';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { folderCreateError, folderCreateWords, writeJsonAtomic } from '../../src/store/runs/atomic';
import { RunFolder } from '../../src/store/runs/runFolder';
import { UserError } from '../../src/store/errors';

function thrown(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    return e;
  }
  assert.fail('expected an error');
}

describe('creating .salun folders in a workspace that cannot take them', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'salun-folders-'));

  it('a file where the workspace should be: the run says a file is in the way', () => {
    const file = join(tmp, 'not-a-folder');
    writeFileSync(file, 'x');
    const e = thrown(() => RunFolder.create(file, 'r'));
    assert.equal(e.message, `Cannot create the folder ${join(file, '.salun', 'runs')}: a file is in the way where a folder should be (ENOTDIR).`);
    assert.match(e.hint ?? '', /A file is where a folder should be.*move it away/);
  });

  it('a workspace that is a link to nowhere: the run says it does not exist, not "mkdir ENOENT"', () => {
    const link = join(tmp, 'gone');
    symlinkSync(join(tmp, 'no', 'such', 'place'), link);
    const e = thrown(() => RunFolder.create(link, 'r'));
    assert.match(e.message, /^Cannot create the folder .*\.salun\/runs: the workspace folder does not exist or is not on this disk/);
    assert.doesNotMatch(e.message, /no such file or directory, mkdir/);
    assert.match(e.hint ?? '', /Open a workspace folder that exists/);
  });

  it('tables, grids and the cache (written through writeJsonAtomic) get the same wording', () => {
    const file = join(tmp, 'blocked');
    writeFileSync(file, 'x');
    const e = thrown(() => writeJsonAtomic(join(file, '.salun', 'tables', 't', 'config.json'), {}));
    assert.match(e.message, /^Cannot create the folder .*tables\/t: a file is in the way/);
  });

  it('read-only and permission errors name the cause and the fix', () => {
    const rofs = folderCreateError('/ws/.salun/runs', Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' }));
    assert.equal(rofs.message, 'Cannot create the folder /ws/.salun/runs: the file system is read-only (EROFS).');
    // The hint every file error gives for EROFS (the fault suite's read-only cache case reads it).
    assert.match(rofs.hint ?? '', /read-only: use a workspace on a writable disk/);
    for (const code of ['EACCES', 'EPERM']) {
      const w = folderCreateWords(code);
      assert.match(w.why, /read-only for this user/);
      assert.match(w.hint ?? '', /Permission denied: make the folder writable/);
    }
    assert.match(folderCreateWords('ENOSPC').hint ?? '', /disk is full/);
  });
});
