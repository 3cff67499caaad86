// How the panel names a run folder (webview/format.ts): relative to the workspace when it is one of
// the workspace's runs (the walkthrough showed a developer's absolute path), whole otherwise.
import { strict as assert } from 'node:assert';
import { runFolderLabel } from '../../webview/format';

describe('the panel’s run folder label', () => {
  it('shows a workspace run as .salun/runs/<id>, the full path in the tooltip', () => {
    assert.deepEqual(runFolderLabel('/work/main/.salun/runs/20261126-003323-salun'), {
      text: '.salun/runs/20261126-003323-salun',
      title: '/work/main/.salun/runs/20261126-003323-salun',
    });
    assert.equal(runFolderLabel('/home/u/p/.salun/runs/20261126-003323-salun/').text, '.salun/runs/20261126-003323-salun');
  });

  it('writes a Windows path with forward slashes, as the workspace-relative path reads everywhere', () => {
    assert.equal(runFolderLabel('C:\\Users\\u\\proj\\.salun\\runs\\20261126-003323-salun').text, '.salun/runs/20261126-003323-salun');
  });

  it('shows any other folder whole (a CLI --out, a folder inside a run)', () => {
    for (const dir of ['/tmp/out/20261126-003323-salun', '/w/.salun/runs/x/saliency', '/w/my.salun/runs/x']) assert.equal(runFolderLabel(dir).text, dir);
  });
});
