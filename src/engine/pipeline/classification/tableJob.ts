// The comparison table (`salun table`): for each seed s, θo trained with s on D (cached), the
// forget set drawn with s, Retrain with s on Dr (cached), then every method from θo with its own
// recipe (defaultUnlearnRecipe), all measured by the same evaluator. Aggregated over seeds into the
// paper's layout with the Retrain-vs-Retrain noise floor; table.md / table.json in the out dir.
import { dataText } from '../../../protocol/dataFormats';
import { basename, dirname, join } from 'node:path';
import type { ForgetSpec, ModelSpec } from '../../../protocol/config';
import type { AuditScenario } from '../../../protocol/audit';
import type { EvaluatedModel } from '../../../protocol/results';
import { type MachineInfo, type TableConfig, type TableMissing, type TableResult } from '../../../protocol/table';
import { defaultUnlearnRecipe } from '../../../protocol/methods';
import { aggregateSeeds, methodLabel, seedTableCells, type SeedRows } from '../../metrics/seedStats';
import { markdownTable } from '../../../protocol/tableText';
import { modelsMarkdown } from '../../../store/metrics/table';
import { classifierOf } from '../../models/io';
import { appendLine, writeFileAtomic, writeJsonAtomic } from '../../../store/runs/atomic';
import { newStudyDir } from '../../../store/runs/runFolder';
import { evaluateModel } from './evaluateModel';
import { applyMethod, retrainReference } from './methodStep';
import { prepare, splitHash, startBackend, type Prepared, type PrepareConfig } from './prepare';
import type { JobContext } from '../shared/jobContext';
import { machineInfo } from '../shared/versions';

/** <workspace>/.salun/tables/<stamp>-<scenario>-<model>/, never an existing folder. */
export function defaultTableDir(workspaceDir: string, config: TableConfig, now = new Date()): string {
  const s = config.scenario;
  const label = `${s.kind === 'random' ? `random${Math.round(s.fraction * 100)}` : `class${s.classIndex}`}-${config.model.architecture}`;
  return newStudyDir(workspaceDir, 'tables', label, now);
}

/** What a study (table, grid, audit) starts with: its config written with the machine, the backend up, 'started' sent. */
export async function startStudy(
  kind: 'table' | 'grid' | 'audit',
  config: { backend: PrepareConfig['backend'] },
  ctx: JobContext,
  outDir: string,
): Promise<{ t0: number; date: string; machine: MachineInfo; backend: TableResult['backend'] }> {
  const t0 = Date.now();
  const date = new Date().toISOString();
  const machine = machineInfo();
  writeJsonAtomic(join(outDir, 'config.json'), { ...config, outDir, machine, date });
  const backend = await startBackend({ backend: config.backend } as PrepareConfig, ctx);
  ctx.emit({ type: 'started', kind, runId: basename(outDir), runDir: outDir, backend });
  return { t0, date, machine, backend };
}

/** What a study forgets and trains (a table's and a grid's; an audit's may also name rows and take the user's model). */
interface StudyFields extends Pick<TableConfig, 'data' | 'train' | 'backend' | 'trainSubset'> {
  scenario: AuditScenario;
  model: ModelSpec;
}

/** The forget set a scenario draws for a seed (the table, the grid search and the audit share it). */
export function forgetSpec(config: Pick<StudyFields, 'scenario'>, seed: number): ForgetSpec {
  const s = config.scenario;
  return s.kind === 'random'
    ? { kind: 'random', fraction: s.fraction, seed }
    : s.kind === 'class'
      ? { kind: 'class', classIndex: s.classIndex }
      : { kind: 'indices', file: s.file };
}

/** What `prepare` needs for one seed of a study (the table, the grid search and the audit share it). */
export function studyPrepareConfig(config: StudyFields, seed: number): PrepareConfig {
  return {
    data: config.data,
    model: config.model,
    forget: forgetSpec(config, seed),
    train: config.train,
    seed,
    backend: config.backend,
    trainSubset: config.trainSubset,
  };
}

export function scenarioLabel(config: Pick<StudyFields, 'scenario'>): string {
  const s = config.scenario;
  if (s.kind === 'indices') return `forgetting the rows of ${s.file}`;
  return s.kind === 'random' ? `random ${+(s.fraction * 100).toFixed(2)}% forgetting` : `class-wise forgetting (class ${s.classIndex})`;
}

/** "cnn", or the user's model file's name: how a study's folder and title name θo. */
export function studyModelLabel(model: ModelSpec): string {
  if (model.kind === 'builtin') return model.architecture;
  // A tfjs model is always model.json: its folder names it.
  const file = basename(model.path) === 'model.json' ? basename(dirname(model.path)) : basename(model.path);
  return file.replace(/\.[^.]*$/, '') || 'model';
}

/** `config` as dispatch passes it: through parseTableConfig (protocol/configKinds.ts). */
export async function runTableJob(config: TableConfig, ctx: JobContext, outDir: string): Promise<TableResult> {
  const { t0, date, machine, backend } = await startStudy('table', config, ctx, outDir);
  const seedInfo: TableSoFar['seedInfo'] = [];
  const table: TableSoFar = { config, ctx, outDir, backend, t0, runs: [], seedInfo, stop: tableStop(ctx, seedInfo) };
  for (const [si, seed] of config.seeds.entries()) {
    if (table.stop.now()) break;
    if (!(await runSeed(table, seed, si))) break;
  }
  return writeTable(table, machine, date);
}

/** A table being made: its job, and what its seeds have measured so far. */
interface TableSoFar {
  config: TableConfig;
  ctx: JobContext;
  outDir: string;
  backend: TableResult['backend'];
  t0: number;
  runs: SeedRows[];
  /** One entry per seed whose Retrain and Original are evaluated. */
  seedInfo: Omit<TableResult['seeds'][number], 'rows'>[];
  dataInfo?: TableResult['data'];
  readonly stop: TableStop;
}

interface TableStop {
  /** True once a stop was requested and the table can end (then for good). */
  now(): boolean;
  readonly stopped: boolean;
}

// Stop and Keep ends the table between models, never inside one: a method cut short would be a
// different recipe. The first seed's θo, Retrain and Original always complete (no table without
// a Retrain); after that the table stops before the next θo, Retrain or method.
function tableStop(ctx: JobContext, seedInfo: readonly unknown[]): TableStop {
  let stopped = false;
  return {
    now: (): boolean => {
      if (!stopped && ctx.stop?.aborted && seedInfo.length > 0) {
        stopped = true;
        ctx.emit({ type: 'log', level: 'info', message: 'stop requested: writing the table of the models done so far, marked partial' });
      }
      return stopped;
    },
    get stopped(): boolean {
      return stopped;
    },
  };
}

/** One seed's θo, Retrain, Original and methods; false when the table stops here. */
async function runSeed(table: TableSoFar, seed: number, si: number): Promise<boolean> {
  const { config, ctx, outDir } = table;
  const steps = config.methods.length + 2;
  const progress = { step: 0 };
  const tag = (): string => `[seed ${seed}, ${si + 1}/${config.seeds.length} · step ${Math.min(progress.step, steps)}/${steps}]`;
  const sctx: JobContext = {
    ...ctx,
    // The methods run their whole recipe (see tableStop): the stop signal is read here, between models.
    stop: undefined,
    emit: (e) => ctx.emit(e.type === 'phase' ? { ...e, label: `${tag()} ${e.label}` } : e),
  };
  progress.step = 1;
  const p = await prepare(studyPrepareConfig(config, seed), sctx, table.backend);
  if (table.stop.now()) {
    p.original.model.dispose();
    return false;
  }
  const rows: EvaluatedModel[] = [];
  const record = (row: EvaluatedModel): void => {
    rows.push(row);
    appendLine(join(outDir, 'rows.jsonl'), JSON.stringify({ seed, ...row }));
    ctx.emit({ type: 'evaluated', row });
  };
  try {
    table.dataInfo ??= { source: p.data.train.source, train: p.data.train.n, test: p.data.test.n };
    progress.step = 2;
    table.seedInfo.push(await seedReferences(table, seed, p, sctx, record));
    for (const method of config.methods) {
      if (table.stop.now()) break;
      progress.step++;
      await seedMethod(table, seed, method, p, sctx, record);
    }
  } finally {
    p.original.model.dispose();
  }
  table.runs.push({ seed, rows });
  if (table.stop.stopped) return false;
  ctx.emit({
    type: 'log',
    level: 'info',
    message: `seed ${seed} done (forget set ${splitHash(p.split)}); ${((Date.now() - table.t0) / 1000).toFixed(1)} s so far`,
  });
  return true;
}

/** Retrain first (the reference), then Original for scale. */
async function seedReferences(
  { config, ctx }: TableSoFar,
  seed: number,
  p: Prepared,
  sctx: JobContext,
  record: (row: EvaluatedModel) => void,
): Promise<TableSoFar['seedInfo'][number]> {
  const r = await retrainReference({ model: config.model, train: config.train, seed }, p, sctx);
  try {
    sctx.emit({ type: 'phase', phase: 'evaluate', label: 'Evaluating Retrain' });
    record({
      role: 'retrain',
      method: 'retrain',
      metrics: await evaluateModel(classifierOf(r.model), p, ctx.signal, ctx.emit, `retrain, seed ${seed}`),
      seconds: r.seconds,
    });
  } finally {
    r.model.dispose();
  }
  sctx.emit({ type: 'phase', phase: 'evaluate', label: 'Evaluating Original' });
  record({
    role: 'original',
    method: 'original',
    metrics: await evaluateModel(p.original, p, ctx.signal, ctx.emit, `original, seed ${seed}`),
    seconds: p.originalSeconds,
  });
  return {
    seed,
    forgetSize: p.split.forget.length,
    retainSize: p.split.retain.length,
    testSize: p.testIndices.length,
    originalFrom: p.originalFrom,
    retrainFrom: r.from,
  };
}

/** One method from θo with its own recipe; its saliency map goes under seed-<seed>/<method>/. */
async function seedMethod(
  { config, ctx, outDir }: TableSoFar,
  seed: number,
  method: TableConfig['methods'][number],
  p: Prepared,
  sctx: JobContext,
  record: (row: EvaluatedModel) => void,
): Promise<void> {
  const spec = { method, saliency: config.saliency, unlearn: defaultUnlearnRecipe(method), seed };
  const saliencyDir = { path: (...parts: string[]): string => join(outDir, `seed-${seed}`, method, ...parts) };
  const out = await applyMethod(p, spec, sctx, saliencyDir);
  try {
    sctx.emit({ type: 'phase', phase: 'evaluate', label: `Evaluating ${method}` });
    record({
      role: 'unlearned',
      method,
      metrics: await evaluateModel(out.theta, p, ctx.signal, ctx.emit, `${method}, seed ${seed}`),
      seconds: out.seconds,
    });
  } finally {
    out.theta.model.dispose();
  }
}

/** The seeds aggregated, with what a stopped table lacks; table.json and table.md in the out dir. */
function writeTable(table: TableSoFar, machine: MachineInfo, date: string): TableResult {
  const { config, runs, outDir } = table;
  const agg = aggregateSeeds(runs);
  const missing = tableMissing(config, runs);
  const planned = config.seeds.length * (config.methods.length + 2);
  const result: TableResult = {
    config,
    ...(missing.length ? { stopped: { modelsDone: planned - missing.reduce((n, m) => n + m.models.length, 0), modelsPlanned: planned, missing } } : {}),
    rows: agg.rows,
    retrainMean: agg.retrainMean,
    noiseFloor: agg.noiseFloor,
    seeds: agg.perSeed.map((s, i) => ({ ...table.seedInfo[i], rows: s.rows })),
    backend: table.backend,
    machine,
    date,
    wallSeconds: (Date.now() - table.t0) / 1000,
    outDir,
    data: table.dataInfo!,
  };
  writeJsonAtomic(join(outDir, 'table.json'), result);
  writeFileAtomic(join(outDir, 'table.md'), tableMarkdown(result));
  return result;
}

/** What a table lacks of its plan (every seed × Retrain, Original, each method), per seed, by row label. */
export function tableMissing(config: Pick<TableConfig, 'seeds' | 'methods'>, runs: readonly SeedRows[]): TableMissing[] {
  const planned: { role: EvaluatedModel['role']; method: string }[] = [
    { role: 'retrain', method: 'retrain' },
    { role: 'original', method: 'original' },
    ...config.methods.map((m) => ({ role: 'unlearned' as const, method: m })),
  ];
  const out: TableMissing[] = [];
  for (const seed of config.seeds) {
    const rows = runs.find((r) => r.seed === seed)?.rows ?? [];
    const models = planned.filter((p) => !rows.some((r) => r.role === p.role && r.method === p.method)).map((p) => methodLabel(p.role, p.method));
    if (models.length) out.push({ seed, models });
  }
  return out;
}

/** "seed 1: GA; seed 2: Retrain, Original, FT, GA" */
export function describeMissing(missing: readonly TableMissing[]): string[] {
  return missing.map((m) => `seed ${m.seed}: ${m.models.join(', ')}`);
}

/** The lines printed above and below the table (the same in table.md and on the terminal). */
export function tableHeader(t: TableResult): string[] {
  const c = t.config;
  const s0 = t.seeds[0];
  const floor = t.noiseFloor.value;
  const stop = t.stopped;
  return [
    ...(stop
      ? [
          `- **Partial table: stopped by the user** after ${stop.modelsDone} of ${stop.modelsPlanned} models; missing ${describeMissing(stop.missing).join('; ')}. Each row's mean, std and rank are over the seeds it has.`,
        ]
      : []),
    `- Scenario: ${scenarioLabel(c)}; forget ${s0?.forgetSize}, retain ${s0?.retainSize}, test ${s0?.testSize} (per seed)`,
    `- Data: ${dataText(c.data)}, ${t.data.train} train${t.data.train === c.trainSubset ? ` (class-balanced first ${c.trainSubset})` : ''} / ${t.data.test} test`,
    `- Model: ${c.model.architecture.toUpperCase()}; θo and Retrain: ${c.train.epochs} epochs, lr ${c.train.lr}, batch ${c.train.batchSize}; methods: defaultUnlearnRecipe(method); SalUn mask ratio ${c.saliency.ratio ?? '—'}`,
    `- Seeds: ${c.seeds.join(', ')} (each seed: its own θo, forget set, Retrain and method runs)`,
    `- Backend: ${t.backend.name} (${t.backend.detail}); machine: ${t.machine.cpu}, ${t.machine.cores} cores, ${t.machine.platform}; Node ${t.machine.node}, tfjs ${t.machine.tfjs}; ${t.date}; wall time ${t.wallSeconds.toFixed(1)} s`,
    floor !== undefined
      ? `- Noise floor (Avg. Gap between Retrain runs of different seeds, mean over ${t.noiseFloor.pairs.length} pair${t.noiseFloor.pairs.length > 1 ? 's' : ''}): ${floor.toFixed(2)}`
      : '- Noise floor: needs at least 2 seeds; methods are not ranked',
  ];
}

export function tableFootnote(t: TableResult): string[] {
  // Name which models came from the cache: a table can train its Retrain models on θo from an earlier one.
  const fromCache = (name: string, seeds: number[]): string[] => (seeds.length ? [`${name} of seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')}`] : []);
  const cached = [
    ...fromCache(
      'θo',
      t.seeds.filter((s) => s.originalFrom === 'cache').map((s) => s.seed),
    ),
    ...fromCache(
      'Retrain',
      t.seeds.filter((s) => s.retrainFrom === 'cache').map((s) => s.seed),
    ),
  ];
  return [
    'Avg. Gap: per seed, mean |metric − mean of the Retrain seeds| over UA, RA, TA, MIA; then mean ± std over seeds (sample std, n − 1). Smaller is closer to exact unlearning.',
    'RTE: training time for Retrain and Original, saliency + unlearning time for the methods (evaluation excluded).',
    t.noiseFloor.value !== undefined
      ? `Rank: methods whose mean Avg. Gap is within the noise floor (${t.noiseFloor.value.toFixed(2)}) of their group's best share its rank; they are not distinguishable at this number of seeds.`
      : '',
    cached.length ? `${cached.join(' and ')} came from the model cache: their RTE is the time they took when first trained.` : '',
  ].filter((l) => l !== '');
}

export function tableMarkdown(t: TableResult): string {
  const lines = [
    `# SalUn Lab comparison table: ${scenarioLabel(t.config)}, ${t.config.model.architecture.toUpperCase()}${t.stopped ? ' (partial)' : ''}`,
    '',
    ...tableHeader(t),
    '',
    markdownTable(seedTableCells(t.rows)),
    '',
    ...tableFootnote(t),
    '',
    '## Per seed',
    '',
  ];
  for (const s of t.seeds) {
    lines.push(`### Seed ${s.seed}`, '', modelsMarkdown(s.rows), '');
  }
  if (t.noiseFloor.pairs.length) {
    lines.push(
      'Retrain-vs-Retrain Avg. Gap per seed pair: ' + t.noiseFloor.pairs.map((p) => `(${p.seeds[0]}, ${p.seeds[1]}) ${p.gap.toFixed(2)}`).join('; '),
      '',
    );
  }
  return lines.join('\n');
}
