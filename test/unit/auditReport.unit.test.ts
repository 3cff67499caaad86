// The audit report of fabricated run folders: what it says of the request and the model before and
// after (θo's files as the run recorded them against what is there now: unchanged, changed,
// missing), the audit it finds (only one of the same θo and forget set, with the method), the
// folder it writes (every SHA256SUMS line checks; never over someone's files; an earlier report is
// replaced) and `salun audit-report`'s arguments.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../../src/store/errors';
import { buildAuditReport } from '../../src/store/runs/auditReport';
import { auditReportMarkdown } from '../../src/store/runs/auditReportMarkdown';
import { exportAuditReport } from '../../src/store/runs/auditReportExport';
import { auditReportCli } from '../../src/cli/auditReportCommand';

const sha = (b: string | Uint8Array): string => createHash('sha256').update(b).digest('hex');
const recipe = { epochs: 5, lr: 0.005, schedule: 'constant', momentum: 0.9, weightDecay: 0.0005, batchSize: 128 };
const train = { epochs: 12, lr: 0.05, schedule: 'cosine', momentum: 0.9, weightDecay: 0.0005, batchSize: 128 };

interface Fabricated {
  ws: string;
  dir: string;
  theta: string[];
}

/** A workspace with θo in a cache entry and one finished run whose config.json recorded θo's files. */
function fabricate(o: { state?: string; recordFiles?: boolean } = {}): Fabricated {
  const ws = mkdtempSync(join(tmpdir(), 'salun-auditreport-'));
  const entry = join(ws, '.salun', 'cache', 'models', 'abc');
  mkdirSync(entry, { recursive: true });
  const theta = [join(entry, 'model.json'), join(entry, 'weights.bin')];
  writeFileSync(theta[0], '{"modelTopology":{}}');
  writeFileSync(theta[1], new Uint8Array([1, 2, 3, 4]));
  const dir = join(ws, '.salun', 'runs', '20261207-120000-salun');
  mkdirSync(join(dir, 'model'), { recursive: true });
  writeFileSync(join(dir, 'model', 'model.onnx'), new Uint8Array([9, 9, 9]));
  writeFileSync(join(dir, 'model', 'weights.bin'), new Uint8Array([5, 6, 7, 8]));
  const originalFiles = theta.map((p) => ({ path: p, bytes: readFileSync(p).length, sha256: sha(readFileSync(p)) }));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      kind: 'run',
      method: 'salun',
      data: { kind: 'default' },
      model: { kind: 'builtin', architecture: 'cnn' },
      forget: { kind: 'random', fraction: 0.1, seed: 1 },
      saliency: { ratio: 0.5 },
      train,
      unlearn: recipe,
      seed: 1,
      resolved: {
        dataFingerprint: 'd1',
        forgetHash: 'f1',
        forgetSize: 100,
        retainSize: 900,
        originalModel: 'cache',
        ...(o.recordFiles === false ? {} : { originalFiles }),
        machine: { cpu: 'Test CPU', cores: 2 },
      },
      versions: { salunLab: '0.1.0', tfjs: '4.22.0' },
    }),
  );
  writeFileSync(join(dir, 'status.json'), JSON.stringify({ state: o.state ?? 'finished', startedAt: '2026-12-07T12:00:00Z', endedAt: '2026-12-07T12:01:00Z' }));
  const metrics = (UA: number) => ({ UA, RA: 99, TA: 86, MIA: 15 });
  writeFileSync(
    join(dir, 'report.json'),
    JSON.stringify({
      rows: [
        { role: 'retrain', method: 'retrain', metrics: metrics(11), avgGap: 0, seconds: 40 },
        { role: 'original', method: 'original', metrics: metrics(0.6), avgGap: 2.6, seconds: 50 },
        { role: 'unlearned', method: 'salun', metrics: metrics(8), avgGap: 0.75, seconds: 30 },
      ],
    }),
  );
  return { ws, dir, theta };
}

/** An audit folder under the workspace: `rows` with the challenge's figures, the θo and forget set named by the fields. */
function plantAudit(ws: string, name: string, o: { forgetHash?: string; models?: number; recipe?: object; method?: string; date?: string } = {}): string {
  const dir = join(ws, '.salun', 'audits', name);
  mkdirSync(dir, { recursive: true });
  const row = (method: string, f: number) => ({
    method,
    label: method,
    forgetQuality: f,
    finalScore: f / 2,
    ua: 8,
    ra: 93,
    ta: 85,
    attack: { auc: 0.9, tprAt1Fpr: 5 },
    seconds: 1,
    epsilonAtCap: 0,
  });
  writeFileSync(
    join(dir, 'audit.json'),
    JSON.stringify({
      config: { seed: 1, models: o.models ?? 8, model: { kind: 'builtin', architecture: 'cnn' }, train, saliency: { ratio: 0.5 } },
      epsilonLimit: 2,
      rows: [row('original', 0), { ...row(o.method ?? 'salun', 0.04), ...(o.recipe ? { recipe: o.recipe } : {}) }],
      forgetHash: o.forgetHash ?? 'f1',
      dataFingerprint: 'd1',
      date: o.date ?? '2026-12-07T13:00:00Z',
    }),
  );
  return dir;
}

function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof UserError, `not a UserError: ${String(e)}`);
    return e;
  }
  return assert.fail('did not throw');
}

async function userErrorOf(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UserError, `not a UserError: ${String(e)}`);
    return e;
  }
  return assert.fail('did not throw');
}

describe('audit report: what it says of a run', () => {
  it('names the request, θo as recorded and now, θu with the sha256 of each file, method, evidence and environment', () => {
    const { dir, theta } = fabricate();
    const r = buildAuditReport(dir, new Date('2026-12-08T00:00:00Z'));
    assert.equal(r.format, 'salun-audit-report');
    assert.deepEqual(
      [r.request.forgetSet, r.request.size, r.request.retainSize, r.request.fingerprint, r.request.dataFingerprint],
      ['random 10% (seed 1)', 100, 900, 'f1', 'd1'],
    );
    assert.deepEqual(
      r.modelBefore.files.map((f) => [f.path, f.now, f.atRun.sha256]),
      theta.map((p) => [p, 'unchanged', sha(readFileSync(p))]),
    );
    assert.deepEqual(
      r.modelAfter.files.map((f) => [f.path, 'sha256' in f ? f.sha256 : f.problem]),
      ['model.onnx', 'weights.bin'].map((f) => [join(dir, 'model', f), sha(readFileSync(join(dir, 'model', f)))]),
    );
    assert.deepEqual(r.method.unlearn, recipe);
    assert.equal(r.evidence.rows.length, 3);
    assert.deepEqual(r.environment.machine, { cpu: 'Test CPU', cores: 2 });
    assert.deepEqual(r.manifest.map((m) => m.role).slice(0, 4), ['model before (θo)', 'model before (θo)', 'model after (θu)', 'model after (θu)']);
    assert.ok(
      r.evidence.notes.some((n) => /No audit of this θo/.test(n)),
      'no audit: it says how to get one',
    );
  });

  it('says when θo changed or went after the run, with the sha256 now', () => {
    const { dir, theta } = fabricate();
    writeFileSync(theta[1], new Uint8Array([1, 2, 3, 5]));
    rmSync(theta[0]);
    const r = buildAuditReport(dir);
    assert.deepEqual(
      r.modelBefore.files.map((f) => [f.now, f.sha256Now]),
      [
        ['missing', undefined],
        ['changed', sha(new Uint8Array([1, 2, 3, 5]))],
      ],
    );
    const md = auditReportMarkdown(r);
    assert.match(md, /\*\*missing now\*\*/);
    assert.match(md, /\*\*changed since the run\*\*/);
  });

  it('says a run that recorded no θo files recorded none (it does not guess them)', () => {
    const { dir } = fabricate({ recordFiles: false });
    const r = buildAuditReport(dir);
    assert.deepEqual(r.modelBefore.files, []);
    assert.match(r.modelBefore.note ?? '', /did not record θo's files/);
  });

  it('refuses a run that did not end with its model', () => {
    assert.match(userError(() => buildAuditReport(fabricate({ state: 'running' }).dir)).message, /is running/);
    assert.match(userError(() => buildAuditReport(fabricate({ state: 'failed' }).dir)).message, /is failed/);
    const { dir } = fabricate();
    rmSync(join(dir, 'model'), { recursive: true });
    assert.match(userError(() => buildAuditReport(dir)).message, /has no model folder/);
  });
});

describe('audit report: the audit it cites', () => {
  it("takes only an audit of the same forget set with the run's method, the largest N first, and says whether it ran this recipe", () => {
    const { ws, dir } = fabricate();
    plantAudit(ws, 'other-forget-set', { forgetHash: 'f2', models: 64 });
    plantAudit(ws, 'other-method', { method: 'rl', models: 64 });
    plantAudit(ws, 'small', { models: 4, recipe });
    const big = plantAudit(ws, 'big', { models: 16 });
    mkdirSync(join(ws, '.salun', 'audits', 'torn'));
    writeFileSync(join(ws, '.salun', 'audits', 'torn', 'audit.json'), '{"rows": [');
    const r = buildAuditReport(dir);
    assert.equal(r.evidence.audit?.dir, big);
    assert.equal(r.evidence.audit?.models, 16);
    assert.equal(r.evidence.audit?.forgetQuality, 0.04);
    assert.equal(r.evidence.audit?.recipeMatches, false, 'an audit row without a recipe is not claimed to match');
    assert.ok(r.evidence.notes.some((n) => /default recipe/.test(n)));
    assert.ok(
      r.problems.some((p) => p.includes('torn') || p.startsWith('audit.json')),
      r.problems.join('; '),
    );
    rmSync(big, { recursive: true });
    const again = buildAuditReport(dir);
    assert.equal(again.evidence.audit?.models, 4);
    assert.equal(again.evidence.audit?.recipeMatches, true);
    assert.match(auditReportMarkdown(again), /F = 0\.040.*N = 4|N = 4.*F = 0\.040/);
  });
});

describe('audit report: the folder it writes', () => {
  it('writes audit.json, audit.md and SHA256SUMS whose every line checks', async () => {
    const { dir } = fabricate();
    const out = await exportAuditReport(dir);
    assert.equal(out.dir, join(dir, 'audit-report'));
    assert.deepEqual(readdirSync(out.dir).sort(), ['SHA256SUMS', 'audit.json', 'audit.md']);
    const lines = readFileSync(join(out.dir, 'SHA256SUMS'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 2 + 2 + 3 + 2, 'θo ×2, θu ×2, config/status/report.json, the report ×2');
    for (const line of lines) {
      const [hash, file] = line.split('  ');
      assert.equal(sha(readFileSync(resolve(out.dir, file))), hash, line);
    }
    assert.equal((JSON.parse(readFileSync(join(out.dir, 'audit.json'), 'utf8')) as { format: string }).format, 'salun-audit-report');
  });

  it('replaces an earlier report, but never a folder of other files; nothing inside model/', async () => {
    const { ws, dir } = fabricate();
    await exportAuditReport(dir);
    const first = readFileSync(join(dir, 'audit-report', 'audit.json'), 'utf8');
    await exportAuditReport(dir, undefined, new Date('2027-01-01T00:00:00Z'));
    assert.notEqual(readFileSync(join(dir, 'audit-report', 'audit.json'), 'utf8'), first);
    const theirs = join(ws, 'notes');
    mkdirSync(theirs);
    writeFileSync(join(theirs, 'todo.txt'), 'mine');
    assert.match((await userErrorOf(exportAuditReport(dir, theirs))).message, /never replaced/);
    assert.deepEqual(readdirSync(theirs), ['todo.txt']);
    assert.match((await userErrorOf(exportAuditReport(dir, join(dir, 'model', 'r')))).message, /inside the run's model folder/);
    assert.ok(!existsSync(join(dir, 'model', 'r')));
    const elsewhere = join(ws, 'reports', 'a');
    await exportAuditReport(dir, elsewhere);
    const sums = readFileSync(join(elsewhere, 'SHA256SUMS'), 'utf8');
    for (const line of sums.trim().split('\n')) assert.ok(existsSync(resolve(elsewhere, line.split('  ')[1])), line);
    assert.ok(existsSync(dirname(elsewhere)));
  });
});

describe('salun audit-report', () => {
  it('writes the report of a run named by id, and says which audit it cites', async () => {
    const { ws } = fabricate();
    plantAudit(ws, 'a', { recipe });
    const r = await auditReportCli(['20261207-120000-salun', '--workspace', ws]);
    assert.match(r.text, /Audit report of 20261207-120000-salun/);
    assert.match(r.text, /with the audit in .*N = 8/);
    const json = await auditReportCli(['20261207-120000-salun', '--workspace', ws, '--json']);
    assert.equal((JSON.parse(json.text) as { run: { id: string } }).run.id, '20261207-120000-salun');
  });

  it('names the bad input', async () => {
    const { ws } = fabricate();
    assert.match((await userErrorOf(auditReportCli([], ws))).message, /give the run/);
    assert.match((await userErrorOf(auditReportCli(['a', 'b'], ws))).message, /takes one run, got 2/);
    assert.match((await userErrorOf(auditReportCli(['nope'], ws))).message, /no run 'nope'/);
    assert.match((await userErrorOf(auditReportCli(['--bogus'], ws))).message, /salun audit-report:/);
    assert.match((await auditReportCli(['--help'], ws)).text, /sha256sum -c SHA256SUMS/);
  });
});
