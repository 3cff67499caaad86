// The audit on a Ray cluster (scripts/ray-cluster.sh: a head and a worker node on this machine):
// every model a task on whichever node Ray picks, the figures then computed from the models they
// wrote. The same audit run locally gives the same figures, exactly (seeded, one backend), also
// when the worker node is killed after the first model (Ray retries its tasks on the head); an
// unreachable address is an error naming it. SALUN_RAY_ADDRESS and SALUN_PYTHON name the cluster
// and the Python that has Ray (scripts/test.mjs --cluster sets both).
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AuditResult } from '../../src/protocol/audit';
import { tinyIdxFolder } from '../support/tinyRuns';

const root = resolve(__dirname, '..', '..', '..');
const address = process.env.SALUN_RAY_ADDRESS ?? '';
const python = process.env.SALUN_PYTHON ?? '';

function salun(args: string[], cwd: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'salun.js'), ...args], { cwd, encoding: 'utf8', timeout: 600_000 });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

const figures = (r: AuditResult): unknown =>
  r.rows.map((x) => [x.method, x.forgetQuality, x.finalScore, x.ua, x.ra, x.ta, x.attack.auc, x.attack.tprAt1Fpr, x.relearn?.steps, x.relearn?.endAccuracy]);

describe('salun audit --ray', function () {
  this.timeout(900_000);
  before(function () {
    assert.ok(address && python, 'SALUN_RAY_ADDRESS and SALUN_PYTHON must name a running cluster (scripts/test.mjs --cluster starts one)');
  });

  const ws = mkdtempSync(join(tmpdir(), 'salun-ray-audit-'));
  const data = tinyIdxFolder(300, 100);
  const audit = [
    'audit',
    '--data',
    `idx:${data}`,
    '--model',
    'mlp',
    '--train-epochs',
    '2',
    '--backend',
    'cpu',
    '--models',
    '3',
    '--methods',
    'rl,salun',
    '--relearn-steps',
    '5',
  ];
  const localFigures = (): unknown => figures(JSON.parse(readFileSync(join(ws, 'local', 'audit.json'), 'utf8')) as AuditResult);

  it('gives the local audit’s figures, every model a task on the cluster', () => {
    const local = salun([...audit, '--quiet', '--out', join(ws, 'local')], ws);
    assert.equal(local.status, 0, local.stderr);
    const onRay = salun([...audit, '--quiet', '--out', join(ws, 'ray'), '--ray', address, '--python', python], ws);
    assert.equal(onRay.status, 0, onRay.stderr);
    const a = JSON.parse(readFileSync(join(ws, 'local', 'audit.json'), 'utf8')) as AuditResult;
    const b = JSON.parse(readFileSync(join(ws, 'ray', 'audit.json'), 'utf8')) as AuditResult;
    assert.deepEqual(figures(b), figures(a));
    assert.equal(b.resumed, 3 * 3, 'the audit read back every model the tasks wrote (Retrain, RL, SalUn × 3)');
    assert.equal(a.resumed, 0);
  });

  it('loses nothing when the worker node dies after the first model: Ray runs its tasks again on the head', async () => {
    const out = join(ws, 'ray-fault');
    const child = spawn(process.execPath, [join(root, 'bin', 'salun.js'), ...audit, '--out', out, '--ray', address, '--python', python], { cwd: ws });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!killed && /ray: \S+ finished on node/.test(stderr)) {
        killed = true;
        const k = spawnSync('bash', [join(root, 'scripts', 'ray-cluster.sh'), 'kill-worker'], { encoding: 'utf8' });
        assert.match(k.stderr, /killed the worker node's raylet/, k.stderr);
      }
    });
    const code = await new Promise<number>((done) => child.on('close', (c) => done(c ?? 1)));
    assert.ok(killed, `no model finished before the end: ${stderr.slice(-2000)}`);
    assert.equal(code, 0, stderr.slice(-3000));
    assert.deepEqual(figures(JSON.parse(readFileSync(join(out, 'audit.json'), 'utf8')) as AuditResult), localFigures());
    assert.deepEqual(
      readdirSync(join(out, 'models'))
        .filter((f) => /^(retrain|rl|salun)-\d\.json$/.test(f))
        .sort(),
      ['retrain', 'rl', 'salun'].flatMap((k) => [1, 2, 3].map((i) => `${k}-${i}.json`)),
    );
  });

  after(() => {
    spawnSync('bash', [join(root, 'scripts', 'ray-cluster.sh'), 'add-worker'], { encoding: 'utf8' });
  });

  it('names an address it cannot reach', () => {
    const r = salun(['audit', '--models', '3', '--ray', '127.0.0.1:1', '--python', python, '--quiet'], ws);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot reach the Ray cluster at 127\.0\.0\.1:1/);
  });
});
