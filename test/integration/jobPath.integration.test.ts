// One job path for every client (panel, CLI, config files in the editor): every job kind, grid included,
// through the one dispatch; one validator per kind; the shipped JSON schema equal to what the build
// writes, with nothing required; the CLI's parseArgs forms and --version.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dispatchJob } from '../../src/engine/pipeline/dispatch';
import { CONFIG_FILE_SCHEMA_PATH, configFileSchema, configFileSchemaText } from '../../src/protocol/configFileSchema';
import { CONFIG_PARSERS, configFileStart } from '../../src/protocol/configKinds';
import { defaultRunConfig } from '../../src/protocol/defaults';
import { CONFIG_ERROR_HINT, jobErrorText, toJobError } from '../../src/protocol/jobError';
import { JOB_KINDS, type JobCommand, type JobEvent, type JobKind } from '../../src/protocol/jobMessages';
import { ConfigError, parseRunConfig } from '../../src/protocol/runConfigSchema';
import { validate, type Schema } from '../../src/protocol/schema';
import { tinyIdxFolder } from '../support/tinyRuns';
import { tinyGenerationConfig } from '../support/generationJobFixtures';
import type { GenerationTableResult } from '../../src/protocol/genTable';
import type { GenerationGridResult } from '../../src/protocol/genGrid';

const root = resolve(__dirname, '..', '..', '..');
const cli = join(root, 'bin', 'salun.js');

type StartCommand = Extract<JobCommand, { type: 'start' }>;

const recipe = { epochs: 1, lr: 0.05, schedule: 'constant' as const, momentum: 0.9, weightDecay: 0.0005, batchSize: 64 };

/** A config of each kind at the smallest size: the MLP, one epoch, 300 training images, the cpu backend. */
function tinyCommand(kind: JobKind, data: string, workspaceDir: string): StartCommand {
  const dataSpec = { kind: 'idx' as const, dir: data };
  const model = { kind: 'builtin' as const, architecture: 'mlp' as const };
  const common = { data: dataSpec, model, train: recipe, seed: 1, backend: 'cpu' as const };
  const forget = { kind: 'random' as const, fraction: 0.1, seed: 1 };
  switch (kind) {
    case 'run':
      return {
        type: 'start',
        kind,
        workspaceDir,
        config: { ...defaultRunConfig(), ...common, forget, method: 'rl', unlearn: { ...recipe, lr: 0.01 }, retrain: false },
      };
    case 'saliency':
      return { type: 'start', kind, workspaceDir, config: { ...common, forget, saliency: { ratio: 0.5 } } };
    case 'evaluate':
      return { type: 'start', kind, workspaceDir, config: { ...common, forget, retrain: false } };
    case 'table':
      return {
        type: 'start',
        kind,
        workspaceDir,
        outDir: join(workspaceDir, 'table'),
        config: {
          data: dataSpec,
          model,
          train: recipe,
          backend: 'cpu',
          scenario: { kind: 'random', fraction: 0.1 },
          seeds: [1],
          methods: ['ft'],
          saliency: { ratio: 0.5 },
        },
      };
    case 'grid':
      return {
        type: 'start',
        kind,
        workspaceDir,
        outDir: join(workspaceDir, 'grid'),
        config: { ...common, method: 'ft', scenario: { kind: 'random', fraction: 0.1 }, axes: [{ param: 'lr', values: [0.005, 0.02] }] },
      };
    case 'generation':
      return { type: 'start', kind, workspaceDir, config: tinyGenerationConfig(data) };
    case 'gen-table': {
      const { seed: _seed, ...base } = tinyGenerationConfig(data, { methods: ['rl'] });
      return { type: 'start', kind, workspaceDir, outDir: join(workspaceDir, 'gen-table'), config: { ...base, seeds: [1, 2] } };
    }
    case 'gen-grid': {
      const { methods: _methods, ...base } = tinyGenerationConfig(data);
      const axes = [{ param: 'lr' as const, values: [1e-4, 1e-3] }];
      return { type: 'start', kind, workspaceDir, outDir: join(workspaceDir, 'gen-grid'), config: { ...base, method: 'rl', axes } };
    }
    case 'audit':
      return {
        type: 'start',
        kind,
        workspaceDir,
        outDir: join(workspaceDir, 'audit'),
        config: {
          ...common,
          scenario: { kind: 'random', fraction: 0.1 },
          models: 3,
          methods: ['ft'],
          saliency: { ratio: 0.5 },
          relearn: { share: 0.2, lr: 0.05, batchSize: 8, maxSteps: 5 },
        },
      };
  }
}

async function dispatch(command: StartCommand): Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  await dispatchJob(command, (e) => events.push(e), new AbortController().signal);
  return events;
}

describe('one job path: every kind through dispatchJob', function () {
  this.timeout(180_000);
  let data: string;
  before(() => {
    data = tinyIdxFolder(300, 100);
  });

  for (const kind of JOB_KINDS) {
    it(`${kind}: starts, streams 'started' with its kind, ends 'finished' with its folder written`, async () => {
      const ws = mkdtempSync(join(tmpdir(), `salun-path-${kind}-`));
      const events = await dispatch(tinyCommand(kind, data, ws));
      const last = events[events.length - 1];
      assert.equal(last.type, 'finished', JSON.stringify(last));
      assert.equal(events.filter((e) => e.type === 'finished' || e.type === 'failed' || e.type === 'cancelled').length, 1);
      const started = events.find((e) => e.type === 'started');
      assert.ok(started?.type === 'started' && started.kind === kind, `started: ${JSON.stringify(started)}`);
      if (last.type !== 'finished') return;
      assert.ok(existsSync(last.result.runDir), last.result.runDir);
      if (kind === 'grid') {
        const g = JSON.parse(readFileSync(join(ws, 'grid', 'grid.json'), 'utf8')) as { points: { label: string }[] };
        assert.deepEqual(
          g.points.map((p) => p.label),
          ['lr=0.005', 'lr=0.02'],
        );
        assert.equal(last.result.report, join(ws, 'grid', 'grid.md'));
        // Retrain and each point were streamed as 'evaluated', as the panel shows a table's rows.
        assert.deepEqual(
          events.flatMap((e) => (e.type === 'evaluated' ? [e.row.method] : [])),
          ['retrain', 'ft (lr=0.005)', 'ft (lr=0.02)'],
        );
      }
      if (kind === 'table') assert.ok(existsSync(join(ws, 'table', 'table.json')));
      if (kind === 'gen-table') {
        const t = JSON.parse(readFileSync(join(ws, 'gen-table', 'table.json'), 'utf8')) as GenerationTableResult;
        assert.deepEqual(
          t.seeds.map((s) => s.seed),
          [1, 2],
        );
        // Each seed's job wrote its own run folder; the table's rows are the mean over their rows.
        for (const s of t.seeds) assert.ok(existsSync(join(ws, '.salun', 'runs', s.runId, 'generation-metrics.json')), s.runId);
        assert.deepEqual(
          t.rows.map((r) => [r.method, r.ua.n]),
          [
            ['original', 2],
            ['rl', 2],
          ],
        );
        const rl = t.seeds.map((s) => s.rows.find((r) => r.method === 'rl')?.ua ?? Number.NaN);
        assert.ok(Math.abs(t.rows[1].ua.mean - (rl[0] + rl[1]) / 2) < 1e-9);
        assert.equal(events.filter((e) => e.type === 'started').length, 1, "the seeds' own starts are not the table's");
      }
      if (kind === 'gen-grid') {
        const g = JSON.parse(readFileSync(join(ws, 'gen-grid', 'grid.json'), 'utf8')) as GenerationGridResult;
        assert.deepEqual(
          g.points.map((p) => p.label),
          ['lr=0.0001', 'lr=0.001'],
        );
        // Each point ran the method alone from θo, with its rate, in its own run folder.
        for (const p of g.points) {
          const cfg = JSON.parse(readFileSync(join(ws, '.salun', 'runs', p.runId, 'config.json'), 'utf8')) as { methods: string[]; unlearn: { lr: number } };
          assert.deepEqual([cfg.methods, cfg.unlearn.lr], [['rl'], p.point.lr]);
          assert.deepEqual(
            p.rows.map((r) => r.method),
            ['original', 'rl'],
          );
        }
        assert.match(readFileSync(join(ws, 'gen-grid', 'grid.md'), 'utf8'), /\| RL lr=0\.001 \|/);
      }
    });

    it(`${kind}: an invalid config fails with its problems listed and the config hint, before any work`, async () => {
      const bad = tinyCommand(kind, data, mkdtempSync(join(tmpdir(), `salun-path-bad-${kind}-`)));
      const events = await dispatch({ ...bad, config: { ...bad.config, backend: 'abacus' } } as unknown as StartCommand);
      assert.equal(events.length, 1, JSON.stringify(events));
      const last = events[0];
      assert.ok(last.type === 'failed' && /backend must be one of/.test(last.error.message) && last.error.hint === CONFIG_ERROR_HINT, JSON.stringify(last));
    });
  }
});

describe('one validator per config kind', () => {
  it('every kind has a parser that fills defaults and rejects an unknown key by name', () => {
    // A saliency job's config has no defaults of its own: the extension and the CLI send it whole.
    const minimal: Record<JobKind, unknown> = {
      run: {},
      saliency: pick(defaultRunConfig()),
      evaluate: {},
      table: {},
      grid: { method: 'rl' },
      generation: {},
      'gen-table': { seeds: [1] },
      'gen-grid': { method: 'rl' },
      audit: {},
    };
    for (const kind of JOB_KINDS) {
      const filled = CONFIG_PARSERS[kind](minimal[kind]) as unknown as Record<string, unknown>;
      assert.ok(filled.backend === 'auto', `${kind}: ${JSON.stringify(filled)}`);
      assert.throws(
        () => CONFIG_PARSERS[kind]({ ...(minimal[kind] as object), colour: 'blue' }),
        (e: Error) => e instanceof ConfigError && /colour is not a known setting/.test(e.message),
        kind,
      );
    }
  });

  it('a config file (Run This Config) is a generation job when it says "task": "generation", else a run; a run folder\'s record is dropped', () => {
    const gen = configFileStart({ task: 'generation', forgetClass: 3, kind: 'generation', versions: {} }, 'g.salun.json', '/ws');
    assert.equal(gen.kind, 'generation');
    assert.equal(gen.kind === 'generation' && gen.config.forgetClass, 3);
    const run = configFileStart({ method: 'rl', kind: 'run', resolved: {} }, 'r.salun.json', '/ws');
    assert.equal(run.kind, 'run');
    assert.equal(run.kind === 'run' && run.config.method, 'rl');
    assert.throws(
      () => configFileStart({ task: 'generation', forgetClass: 12 }, 'g.salun.json', '/ws'),
      (e: Error) => e instanceof ConfigError && /g\.salun\.json/.test(e.message) && /forgetClass/.test(e.message),
    );
  });

  it("a grid takes its method's default axes; table and grid take the architecture's training recipe", () => {
    const g = CONFIG_PARSERS.grid({ method: 'salun', model: { kind: 'builtin', architecture: 'mlp' } });
    assert.deepEqual(
      g.axes.map((a) => a.param),
      ['lr', 'ratio'],
    );
    assert.equal(g.train.epochs, 40);
    assert.equal(CONFIG_PARSERS.table({}).train.epochs, 12);
  });
});

function pick(c: unknown): Record<string, unknown> {
  const { data, model, forget, saliency, train, seed, backend } = c as Record<string, unknown>;
  return { data, model, forget, saliency, train, seed, backend };
}

describe('one error-to-message function', () => {
  it('config errors, user errors with hints, system errors and bugs each get their hint', () => {
    assert.equal(toJobError(new ConfigError(['config.x is bad'], 'f.json')).hint, CONFIG_ERROR_HINT);
    const user = Object.assign(new Error('the data folder has no test set'), { name: 'UserError', hint: 'add test/', file: '/d' });
    assert.deepEqual(toJobError(user), { message: 'the data folder has no test set', hint: 'add test/', file: '/d' });
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/w/x' });
    assert.match(toJobError(full).hint ?? '', /disk is full/);
    assert.equal(toJobError(full).file, '/w/x');
    assert.match(toJobError(new TypeError('x is undefined')).hint ?? '', /looks like a bug/);
    assert.equal(jobErrorText({ message: 'm', hint: 'h', file: '/f' }), 'm\n  file: /f\n  h');
    assert.equal(jobErrorText({ message: 'cannot read /f', file: '/f' }), 'cannot read /f');
  });
});

describe('the config file schema (schemas/salun-config.schema.json)', () => {
  it('the file in the package is the one the build writes from the run config schema', () => {
    assert.equal(readFileSync(join(root, CONFIG_FILE_SCHEMA_PATH), 'utf8'), configFileSchemaText());
  });

  it('requires no top-level field, and gives every field of the default config its default and a description', () => {
    const file = configFileSchema() as { $schema: string; else: Schema };
    assert.match(file.$schema, /json-schema\.org/);
    const s = file.else;
    assert.equal(s.required, undefined);
    const defaults = defaultRunConfig() as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(defaults)) {
      const p = s.properties?.[key];
      assert.ok(p, `${key} missing`);
      assert.deepEqual(p.default, value, key);
      assert.ok(p.description, `${key} has no description`);
    }
    // Recipes are merged field by field, so none of their fields is required either.
    assert.equal(s.properties?.train.required, undefined);
  });

  it('{ "method": "rl" } validates against the file, and parses to a full run config', () => {
    // The run's branch (the file's else: no "task": "generation").
    const onDisk = (JSON.parse(readFileSync(join(root, CONFIG_FILE_SCHEMA_PATH), 'utf8')) as { else: Schema }).else;
    assert.deepEqual(validate({ method: 'rl' }, onDisk), []);
    assert.deepEqual(validate({ $schema: './schemas/salun-config.schema.json', method: 'rl', train: { epochs: 3 }, forget: { fraction: 0.2 } }, onDisk), []);
    assert.equal(parseRunConfig({ method: 'rl' }).method, 'rl');
    // The file still catches what the job would reject.
    assert.match(validate({ method: 'magic' }, onDisk).join('\n'), /config\.method must be one of/);
    assert.match(validate({ forget: { kind: 'class' } }, onDisk).join('\n'), /classIndex is required/);
  });

  it('a "task": "generation" file is checked against the generation branch', () => {
    const file = JSON.parse(readFileSync(join(root, CONFIG_FILE_SCHEMA_PATH), 'utf8')) as { if: Schema; then: Schema };
    assert.deepEqual(validate({ task: 'generation' }, file.if), []);
    assert.deepEqual(validate({ task: 'generation', forgetClass: 3, unlearn: { iterations: 50 } }, file.then), []);
    assert.match(validate({ task: 'generation', methods: ['fmn'] }, file.then).join('\n'), /config\.methods\[0\] must be one of/);
  });
});

describe('salun CLI arguments (node:util parseArgs)', function () {
  this.timeout(120_000);
  const run = (...args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

  it("--version prints package.json's version", () => {
    const r = run('--version');
    assert.equal(r.status, 0);
    assert.equal(String(r.stdout).trim(), (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('takes --name value and --name=value alike, and names an unknown option', () => {
    for (const form of [['--backend=abacus'], ['--backend', 'abacus']]) {
      const r = run('run', 'x.json', ...form);
      assert.equal(r.status, 2);
      assert.match(String(r.stderr), /--backend must be one of .*got 'abacus'/);
    }
    for (const form of [['--fraction=1.5'], ['--fraction', '1.5']]) {
      const r = run('table', ...form);
      assert.equal(r.status, 2);
      assert.match(String(r.stderr), /scenario\.fraction must be < 1 \(got 1\.5\)/);
    }
    const u = run('grid', '--method=rl', '--colour=blue');
    assert.equal(u.status, 2);
    assert.match(String(u.stderr), /Unknown option '--colour'/);
  });

  it('salun schema prints the shipped schema; salun run takes a *.salun.json, --backend=cpu included', () => {
    assert.deepEqual(JSON.parse(String(run('schema').stdout)), configFileSchema());
    const ws = mkdtempSync(join(tmpdir(), 'salun-cli-file-'));
    const data = tinyIdxFolder(300, 100);
    const file = join(ws, 'tiny.salun.json');
    writeFileSync(
      file,
      JSON.stringify({
        method: 'rl',
        data: { kind: 'idx', dir: data },
        model: { architecture: 'mlp' },
        train: { epochs: 1 },
        unlearn: { epochs: 1 },
        retrain: false,
      }),
    );
    const r = run('run', file, '--workspace', ws, '--backend=cpu', '--quiet', '--json');
    assert.equal(r.status, 0, String(r.stderr));
    const result = JSON.parse(String(r.stdout)) as { backend: { name: string }; runDir: string; rows: { method: string }[] };
    assert.equal(result.backend.name, 'cpu');
    assert.ok(
      result.rows.some((x) => x.method === 'rl'),
      JSON.stringify(result.rows),
    );
    assert.ok(existsSync(join(result.runDir, 'report.md')));
  });
});
