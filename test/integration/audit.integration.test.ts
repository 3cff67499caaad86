// The audit end to end on tiny data (MLP, 300 images, cpu): the figures it reports are there and
// consistent, θo's forgetting quality is the lowest, and a second run of the same audit reads every
// model back instead of training it, recomputing only a model file that was damaged in between.
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispatchJob } from '../../src/engine/pipeline/dispatch';
import type { AuditConfig, AuditResult } from '../../src/protocol/audit';
import { defaultAuditConfig } from '../../src/protocol/audit';
import type { JobEvent } from '../../src/protocol/jobMessages';
import { tinyIdxFolder, tinyRunConfig } from '../support/tinyRuns';
import { defaultAuditDir } from '../../src/engine/pipeline/classification/auditJob';
import { defaultUnlearnRecipe } from '../../src/protocol/methods';

const recipe = { epochs: 2, lr: 0.05, schedule: 'constant' as const, momentum: 0.9, weightDecay: 0.0005, batchSize: 64 };

async function audit(config: AuditConfig, workspaceDir: string, outDir: string): Promise<{ result: AuditResult; events: JobEvent[] }> {
  const events: JobEvent[] = [];
  await dispatchJob({ type: 'start', kind: 'audit', config, workspaceDir, outDir }, (e) => events.push(e), new AbortController().signal);
  const last = events[events.length - 1];
  assert.equal(last.type, 'finished', JSON.stringify(last));
  return { result: JSON.parse(readFileSync(join(outDir, 'audit.json'), 'utf8')) as AuditResult, events };
}

describe('salun audit', function () {
  this.timeout(300_000);

  it('reports F, the final score, the attack and the relearning test per model kind; θo lowest; a second run resumes', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-audit-'));
    const outDir = join(ws, 'audit');
    const config: AuditConfig = {
      ...defaultAuditConfig(),
      data: { kind: 'idx', dir: tinyIdxFolder(300, 100) },
      model: { kind: 'builtin', architecture: 'mlp' },
      train: recipe,
      models: 4,
      methods: ['rl'],
      backend: 'cpu',
      relearn: { share: 0.2, lr: 0.05, batchSize: 8, maxSteps: 10 },
    };
    const first = await audit(config, ws, outDir);
    const r = first.result;
    assert.deepEqual(
      r.rows.map((x) => x.method),
      ['original', 'rl'],
    );
    assert.equal(r.epsilonLimit, Math.ceil(Math.log(3)));
    const [original, rl] = r.rows;
    assert.equal(original.forgetQuality, 0, 'N copies of θo: ε at the cap on every example');
    assert.equal(original.epsilonAtCap, r.forgetSize);
    assert.ok(rl.forgetQuality >= original.forgetQuality);
    for (const row of r.rows) {
      assert.ok(row.finalScore <= row.forgetQuality * 1.5 + 1e-9 && row.attack.auc >= 0 && row.attack.auc <= 1, JSON.stringify(row));
      assert.ok(row.relearn && row.relearn.target === original.relearn?.target, JSON.stringify(row.relearn));
    }
    assert.ok(r.retrain.relearn, 'Retrain has its relearning test');
    assert.equal(r.resumed, 0);
    assert.match(readFileSync(join(outDir, 'audit.md'), 'utf8'), /Attack AUC/);
    // Damage one model file: the second run recomputes it alone and reads the other seven back.
    writeFileSync(join(outDir, 'models', 'rl-3.json'), '{"split": "x"');
    const second = await audit(config, ws, outDir);
    assert.equal(second.result.resumed, 2 * config.models - 1);
    assert.ok(second.events.some((e) => e.type === 'log' && e.level === 'warn' && /rl-3\.json is damaged/.test(e.message)));
    assert.equal(second.result.rows[1].forgetQuality, rl.forgetQuality, 'the same seeds give the same figures');
    assert.equal(second.result.rows[1].attack.auc, rl.attack.auc);
  });

  it("audits the user's own model on the rows a deletion request names, at the run config's recipe", async () => {
    const ws = mkdtempSync(join(tmpdir(), 'salun-audit-own-'));
    const data = { kind: 'idx' as const, dir: tinyIdxFolder(300, 100) };
    // θo: a tfjs model the user brings (trained here once, then only its files are used).
    const trained = await dispatchJob(
      { type: 'start', kind: 'run', config: { ...tinyRunConfig(data.dir, 'mlp', 'cpu'), retrain: false }, workspaceDir: ws },
      () => undefined,
      new AbortController().signal,
    );
    assert.ok(trained, 'θo was made');
    cpSync(join(trained.runDir, 'model'), join(ws, 'mine'), { recursive: true });
    writeFileSync(join(ws, 'request.json'), JSON.stringify(Array.from({ length: 30 }, (_, i) => i * 10)));
    const unlearn = { ...recipe, epochs: 1, lr: 0.02, schedule: 'constant' as const };
    const config: AuditConfig = {
      ...defaultAuditConfig(),
      scenario: { kind: 'indices', file: 'request.json' },
      data,
      model: { kind: 'file', path: 'mine/model.json' },
      train: recipe,
      models: 3,
      methods: ['rl', 'salun'],
      backend: 'cpu',
      relearn: { share: 0.2, lr: 0.05, batchSize: 8, maxSteps: 5 },
      runRecipe: { method: 'salun', unlearn },
    };
    const outDir = defaultAuditDir(ws, config);
    assert.match(outDir, /indices-mine-[0-9a-f]{12}$/);
    const { result } = await audit(config, ws, outDir);
    assert.equal(result.forgetSize, 30);
    assert.deepEqual(
      result.rows.map((r) => [r.method, r.recipe]),
      [
        ['original', undefined],
        ['rl', defaultUnlearnRecipe('rl')],
        ['salun', unlearn],
      ],
    );
    assert.equal(result.rows[0].forgetQuality, 0);
    assert.match(readFileSync(join(outDir, 'audit.md'), 'utf8'), /your tfjs model mine\/model\.json.*SalUn at the run config's recipe/);
  });
});
