// The audit report of real runs (MLP, 300 images, cpu): a run records the sha256 of the files θo
// came from — the cache entry for a built-in network, the user's model.json and its weights for
// their own model — the report finds them unchanged, and says so when one changes afterwards.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exportAuditReport } from '../../src/store/runs/auditReportExport';
import { runJob, tinyIdxFolder, tinyRunConfig } from '../support/tinyRuns';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('audit report of real runs', function () {
  this.timeout(300_000);

  it("records θo's cache entry and the user's own model files, and the report checks them", async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-auditreport-run-'));
    const base = { ...tinyRunConfig(tinyIdxFolder(300, 100), 'mlp', 'cpu'), retrain: false };
    const first = await runJob(base, ws);
    const report = (await exportAuditReport(first.result.runDir)).report;
    const entries = readdirSync(join(ws, '.salun', 'cache', 'models'));
    assert.equal(entries.length, 1, entries.join(', '));
    const entry = join(ws, '.salun', 'cache', 'models', entries[0]);
    assert.deepEqual(
      report.modelBefore.files.map((f) => [f.path, f.atRun.sha256, f.now]),
      ['model.json', 'weights.bin'].map((f) => [join(entry, f), sha(readFileSync(join(entry, f))), 'unchanged']),
    );
    assert.ok(report.modelAfter.files.some((f) => f.path.endsWith('model.onnx')));

    // The first run's θu as the user's own tfjs model: θo is now their model.json and its weights.
    const own = join(ws, 'mine');
    cpSync(join(first.result.runDir, 'model'), own, { recursive: true });
    const second = await runJob({ ...base, model: { kind: 'file', path: 'mine/model.json' } }, ws);
    const written = await exportAuditReport(second.result.runDir);
    const sums = readFileSync(join(written.dir, 'SHA256SUMS'), 'utf8');
    const r2 = written.report;
    assert.deepEqual(
      r2.modelBefore.files.map((f) => [f.path, f.now]),
      [
        [join(own, 'model.json'), 'unchanged'],
        [join(own, 'weights.bin'), 'unchanged'],
      ],
    );
    for (const line of sums.trim().split('\n')) {
      const [hash, file] = line.split('  ');
      assert.equal(sha(readFileSync(resolve(second.result.runDir, 'audit-report', file))), hash, line);
    }
    // The user retrains their model after the deletion: the report no longer vouches for it.
    const w = readFileSync(join(own, 'weights.bin'));
    w[0] ^= 1;
    writeFileSync(join(own, 'weights.bin'), w);
    const r3 = (await exportAuditReport(second.result.runDir)).report;
    assert.deepEqual(
      r3.modelBefore.files.map((f) => f.now),
      ['unchanged', 'changed'],
    );
  });
});
