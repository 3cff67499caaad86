// `salun gen-demo`: forget class 7 of the bundled Fashion-MNIST in a class-conditional DDPM with
// SalUn-gen, ESD and RL-gen, through the same dispatch as every job; prints the table, the grids,
// the run folder, the backend and the wall time. `salun gen-train` makes the demo's shipped θo.
// A `task: "generation"` config file goes through `salun run` (configCommand.ts) to the same printer.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { backendLines } from '../protocol/backendSummary';
import { FID_CLASSIFIER_NOTE, generationTableCells } from '../protocol/generationTable';
import { isOtherClassRule, OTHER_CLASS_RULES } from '../protocol/generationConfig';
import { GENERATION_METHOD_NAMES, generationMethodsText, parseGenerationMethods, type GenerationMethodName } from '../protocol/genMethods';
import { isRecord } from '../protocol/guards';
import type { GenerationMetricsRow, RunResult } from '../protocol/results';
import { plainTable } from '../protocol/tableText';
import { GEN_DEMO_MODEL, GEN_DEMO_TRAINING_TIME, genDemoConfig, genDemoTrainingConfig, shippedOriginal } from '../store/generationDemo';
import { backendArg, fail, JOB_OPTIONS, nativeDirArg, numberArg, readArgs, seedsArg } from './common';
import { generationSeedTableCells, type GenerationTableResult } from '../protocol/genTable';
import type { GenerationConfig } from '../protocol/generationConfig';
import { defaultGenerationTableDir } from '../engine/pipeline/generation/table';
import { defaultGenerationGridDir } from '../engine/pipeline/generation/gridSearch';
import {
  defaultGenGridAxes,
  GEN_GRID_PARAMS,
  genGridCells,
  parseGenerationGridConfig,
  parseGenGridSpec,
  type GenerationGridConfig,
  type GenerationGridResult,
} from '../protocol/genGrid';
import { trainGenDemoModel } from './genTrain';
import { runJobCommand, type StartCommand } from './jobCommand';

export const GEN_DEMO_USAGE = `salun gen-demo [options] — forget class 7 (Sneaker) of the bundled Fashion-MNIST (2×2-pooled to
14×14) in a class-conditional DDPM: θo, ${generationMethodsText()}; UA, the retained classes' accuracy and
FID-classifier from a Fashion-MNIST classifier; sample grids as PNG in the run folder

Options:
  --retrain           also train Retrain (a DDPM on the other classes; as long as θo's training, cached)
  --train-original    when the shipped θo (${GEN_DEMO_MODEL}/) is missing or damaged, train it in this run
                      (5,000 steps: hours on a CPU; cached) instead of stopping with an error
  --seeds <N>         a table over seeds 1…N (or a list, e.g. 1,5,9): the demo once per seed, each in its own
                      run folder, then every model as mean ± std in <workspace>/.salun/tables/<stamp>-gen-…/
  --tune <method>     a grid search of one method instead: the demo at every point of its grid, each in its own
                      run folder, one table of the points in <workspace>/.salun/grids/<stamp>-gen-…/
  --grid <spec>       the grid of --tune as name=v1,v2;name=… (names: ${GEN_GRID_PARAMS.join(', ')}); default:
${GENERATION_METHOD_NAMES.map(
  (m) =>
    `                        ${m}: ${defaultGenGridAxes(m)
      .map((a) => `${a.param}=${a.values.join(',')}`)
      .join(';')}`,
).join('\n')}
  --methods <list>    the methods to run, comma-separated (default: all, ${GENERATION_METHOD_NAMES.join(',')})
  --iterations <N>    unlearning steps per method (default: the demo config's)
  --batch-size <N>    images per forget and per retain batch of the unlearning (default 32; the authors': 128)
  --samples <N>       images generated per class for UA, accuracy and FID-classifier (default 20)
  --other-class <r>   SalUn's and RL's c′: random (a uniform other class per image, default) or next
                      ((c + 1) mod K for every image, as the authors' code)
  --workspace <dir>   where .salun/runs and the model cache go (default: current directory)
  --backend <name>    the config's backend (default auto)
  --native-dir <dir>  the folder holding node_modules/@tensorflow/tfjs-node (env SALUN_TFJS_NODE_DIR)
  --json              the result as JSON
  --quiet             no progress output`;

export const GEN_TRAIN_USAGE = `salun gen-train [options] — train the generation demo's θo and write it (model.json, weights.bin,
meta.json with the SHA-256, steps, seconds and backend) to ${GEN_DEMO_MODEL}/ or --out

Options:
  --out <dir>         where to write it (default: ./${GEN_DEMO_MODEL})
  --iterations <N>    Adam steps (default: the demo config's)
  --backend <name>    (default auto)
  --native-dir <dir>  the folder holding node_modules/@tensorflow/tfjs-node`;

/** The rows the job wrote to generation-metrics.json (the events carried them too). */
function readRows(runDir: string): { rows: GenerationMetricsRow[]; judgeTestAccuracy?: number } {
  const value = JSON.parse(readFileSync(join(runDir, 'generation-metrics.json'), 'utf8')) as unknown;
  if (!isRecord(value) || !Array.isArray(value.rows)) return { rows: [] };
  return { rows: value.rows as GenerationMetricsRow[], ...(typeof value.judgeTestAccuracy === 'number' ? { judgeTestAccuracy: value.judgeTestAccuracy } : {}) };
}

/** The table, the note, the grids, the folder, the backend and the wall time. */
export function printGenerationResult(result: RunResult, t0: number, json: boolean): void {
  const { rows, judgeTestAccuracy } = readRows(result.runDir);
  if (json) {
    console.log(JSON.stringify({ ...result, generation: rows, judgeTestAccuracy }, null, 2));
    return;
  }
  console.log(`\n${plainTable(generationTableCells(rows))}\n`);
  const judge = judgeTestAccuracy !== undefined ? ` The judge classifier is ${judgeTestAccuracy.toFixed(1)}% accurate on the real test images.` : '';
  console.log(`UA and accuracies in %.${judge} ${FID_CLASSIFIER_NOTE}\n`);
  console.log(`grids: ${rows.map((r) => join(result.runDir, 'samples', `${r.method}.png`)).join('\n       ')}`);
  console.log(`\n${backendLines(result.backend).join('\n')}`);
  console.log(`run folder: ${result.runDir}`);
  console.log(`wall time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function methodsArg(text: string): GenerationMethodName[] {
  try {
    return parseGenerationMethods(text, '--methods');
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}

export async function genDemoCommand(argv: string[]): Promise<void> {
  const options = {
    ...JOB_OPTIONS,
    retrain: { type: 'boolean' },
    'train-original': { type: 'boolean' },
    iterations: { type: 'string' },
    'batch-size': { type: 'string' },
    samples: { type: 'string' },
    'other-class': { type: 'string' },
    methods: { type: 'string' },
    seeds: { type: 'string' },
    tune: { type: 'string' },
    grid: { type: 'string' },
  } as const;
  const { values: v } = readArgs(argv, options, GEN_DEMO_USAGE);
  if (v['native-dir'] !== undefined) nativeDirArg(v['native-dir']);
  if (v.workers !== undefined) fail('gen-demo has no --workers: generation jobs train on one thread');
  const shipped = shippedOriginal();
  if (!shipped.ok && !v['train-original'])
    fail(
      `the generation demo's θo cannot be used: ${shipped.problem}.\n` +
        `  \`salun gen-train --out ${dirname(shipped.file)}\` makes it (${GEN_DEMO_TRAINING_TIME}), or --train-original trains it in this run (cached in the workspace afterwards).`,
    );
  const config = shipped.ok ? genDemoConfig(shipped) : genDemoTrainingConfig();
  if (v.backend !== undefined) config.backend = backendArg('--backend', v.backend);
  if (v.retrain) config.retrain = true;
  if (v.methods !== undefined) config.methods = methodsArg(v.methods);
  if (v.iterations !== undefined) config.unlearn = { ...config.unlearn, iterations: numberArg('--iterations', v.iterations) };
  if (v['batch-size'] !== undefined) config.unlearn = { ...config.unlearn, batchSize: numberArg('--batch-size', v['batch-size']) };
  if (v.samples !== undefined) config.sampling = { ...config.sampling, samplesPerClass: numberArg('--samples', v.samples) };
  const other = v['other-class'];
  if (other !== undefined) {
    if (!isOtherClassRule(other)) fail(`--other-class must be ${OTHER_CLASS_RULES.join(' or ')}, got '${other}'`);
    config.unlearn = { ...config.unlearn, otherClass: other };
  }
  if (!shipped.ok && !v.quiet)
    process.stderr.write(`${shipped.problem}: --train-original, so θo is trained first (${GEN_DEMO_TRAINING_TIME}; cached afterwards)\n`);
  const workspaceDir = v.workspace !== undefined ? resolve(v.workspace) : process.cwd();
  const t0 = Date.now();
  if (v.tune !== undefined) return gridSearch(config, v.tune, v.grid, workspaceDir, { quiet: v.quiet === true, json: v.json === true });
  if (v.grid !== undefined) fail('--grid is the grid of --tune <method>: give the method to tune');
  if (v.seeds !== undefined) return seedTable(config, seedsArg(v.seeds), workspaceDir, { quiet: v.quiet === true, json: v.json === true });
  const result = await runJobCommand(
    { type: 'start', kind: 'generation', config, workspaceDir },
    { quiet: v.quiet === true, source: 'the gen-demo config', configExitCode: 2 },
  );
  printGenerationResult(result, t0, v.json === true);
}

/** A gen-table or gen-grid job, then its `<name>.json` as JSON or as `lines`, the backend, the files and the wall time. */
async function runStepsJob<R extends { backend: RunResult['backend'] }>(
  command: Extract<StartCommand, { kind: 'gen-table' | 'gen-grid' }> & { outDir: string },
  name: 'table' | 'grid',
  o: { quiet: boolean; json: boolean },
  lines: (result: R) => string[],
): Promise<void> {
  const t0 = Date.now();
  const md = join(command.outDir, `${name}.md`);
  await runJobCommand(command, { quiet: o.quiet, source: 'the gen-demo config', configExitCode: 2, whenCancelled: `the steps finished so far are in ${md}` });
  const result = JSON.parse(readFileSync(join(command.outDir, `${name}.json`), 'utf8')) as R;
  if (o.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  console.log(`\n${lines(result).join('\n\n')}\n`);
  console.log(backendLines(result.backend).join('\n'));
  console.log(`written: ${md}, ${name}.json`);
  console.log(`wall time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** `gen-demo --tune`: the generation grid job, then its table. */
async function gridSearch(
  config: GenerationConfig,
  method: string,
  spec: string | undefined,
  workspaceDir: string,
  o: { quiet: boolean; json: boolean },
): Promise<void> {
  const { methods: _methods, ...base } = config;
  let axes;
  try {
    axes = spec !== undefined ? parseGenGridSpec(spec) : undefined;
  } catch (e) {
    fail(`--grid: ${(e as Error).message}`);
  }
  const grid = { ...base, method, ...(axes ? { axes } : {}) };
  let parsed: GenerationGridConfig;
  try {
    parsed = parseGenerationGridConfig(grid, '--tune/--grid');
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  const outDir = defaultGenerationGridDir(workspaceDir, parsed);
  await runStepsJob<GenerationGridResult>({ type: 'start', kind: 'gen-grid', config: parsed, workspaceDir, outDir }, 'grid', o, (result) => [
    plainTable(genGridCells(result)),
    `UA and accuracies in %. No point is marked best (see grid.md). ${FID_CLASSIFIER_NOTE}`,
  ]);
}

/** `gen-demo --seeds`: the generation table job, then its table. */
async function seedTable(config: GenerationConfig, seeds: number[], workspaceDir: string, o: { quiet: boolean; json: boolean }): Promise<void> {
  const { seed: _seed, ...base } = config;
  const table = { ...base, seeds };
  const outDir = defaultGenerationTableDir(workspaceDir, table);
  await runStepsJob<GenerationTableResult>({ type: 'start', kind: 'gen-table', config: table, workspaceDir, outDir }, 'table', o, (result) => [
    plainTable(generationSeedTableCells(result.rows)),
    `UA and accuracies in %, mean ± std over seeds ${seeds.join(', ')}. ${FID_CLASSIFIER_NOTE}`,
    `run folders: ${result.seeds.map((s) => s.runId).join(', ')}`,
  ]);
}

export async function genTrainCommand(argv: string[]): Promise<void> {
  const options = {
    out: { type: 'string' },
    iterations: { type: 'string' },
    backend: { type: 'string' },
    'native-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const;
  const { values: v } = readArgs(argv, options, GEN_TRAIN_USAGE);
  if (v['native-dir'] !== undefined) nativeDirArg(v['native-dir']);
  await trainGenDemoModel({
    outDir: resolve(v.out ?? GEN_DEMO_MODEL),
    backend: v.backend !== undefined ? backendArg('--backend', v.backend) : 'auto',
    ...(v.iterations !== undefined ? { iterations: numberArg('--iterations', v.iterations) } : {}),
  });
}
