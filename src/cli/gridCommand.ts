// `salun grid`: a small grid search of one method's hyper-parameters on the Avg. Gap to Retrain.
import { join } from 'node:path';
import { METHOD_NAMES, type MethodName } from '../protocol/config';
import { DEFAULT_GRIDS, GRID_PARAMS, parseGridSpec, type GridConfig } from '../protocol/grid';
import { plainCells } from '../engine/metrics/seedStats';
import { defaultGridDir, gridCells, gridHeader, gridProblems, runGridJob } from '../engine/pipeline/gridJob';
import { scenarioLabel } from '../engine/pipeline/tableJob';
import { withTrainingPool } from '../engine/train/parallel';
import { abortOnCtrlC, ArgReader, fail, numberArg, runStudyJob } from './common';
import { TerminalProgress } from './progressBar';
import { STUDY_USAGE, StudyArgs } from './studyArgs';
import { evaluatedLine } from './tableCommand';

const GRID_USAGE = `salun grid — tune one method's hyper-parameters on the Avg. Gap to Retrain

θo and Retrain for one seed (from the model cache when a table or an earlier grid trained them),
then the method at every grid point from the same θo. Prints the points sorted by Avg. Gap (★ best)
and writes grid.md, grid.json and points.jsonl. One seed: compare differences with the noise floor
that \`salun table\` prints before trusting them.

Usage:
  salun grid --method <m> [options]

Options:
  --method <m>        ${METHOD_NAMES.join(' | ')}
  --grid <spec>       axes as name=v1,v2;name=v1,… (default: the method's grid, below); names:
                      ${GRID_PARAMS.join(', ')}
  --masked            run the method inside SalUn's saliency mask (the ratio axis then applies)
  --seed <s>          the seed of θo, the forget set and Retrain (default 1)
  --out <dir>         output folder (default <workspace>/.salun/grids/<stamp>-<method>-<scenario>-<model>/)
${STUDY_USAGE}

Default grids:
${METHOD_NAMES.map((m) => `  ${m.padEnd(11)} ${DEFAULT_GRIDS[m].map((a) => `${a.param}=${a.values.join(',')}`).join('; ')}`).join('\n')}`;

function parseGridArgs(argv: string[]): { config: GridConfig; workspace: string; out?: string; json: boolean; quiet: boolean } {
  const study = new StudyArgs();
  let method: MethodName | undefined;
  let spec: string | undefined;
  let masked = false;
  let seed = 1;
  const args = new ArgReader(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const flag = a;
    const value = (): string => args.valueOf(flag);
    if (study.take(a, value)) continue;
    if (a === '--method') {
      const v = value().toLowerCase();
      if (!(METHOD_NAMES as readonly string[]).includes(v)) fail(`unknown method '${v}' (known: ${METHOD_NAMES.join(', ')})`);
      method = v as MethodName;
    } else if (a === '--grid') spec = value();
    else if (a === '--masked') masked = true;
    else if (a === '--seed') seed = numberArg(a, value());
    else if (a === '-h' || a === '--help') { console.log(GRID_USAGE); process.exit(0); }
    else fail(`unknown grid option ${a}\n\n${GRID_USAGE}`);
  }
  if (!method) fail(`give the method to tune: --method <${METHOD_NAMES.join('|')}>`);
  let axes;
  try {
    axes = spec !== undefined ? parseGridSpec(spec) : DEFAULT_GRIDS[method];
  } catch (e) {
    fail(`--grid: ${(e as Error).message}`);
  }
  const s = study.options();
  const config: GridConfig = { method, masked: masked || undefined, scenario: s.scenario, seed, data: s.data, trainSubset: s.trainSubset, model: s.model, train: s.train, axes, backend: s.backend, ...(s.workers ? { workers: s.workers } : {}) };
  const problems = gridProblems(config);
  if (problems.length) fail(`invalid grid options:\n  - ${problems.join('\n  - ')}`, 2);
  return { config, workspace: s.workspace, out: s.out, json: s.json, quiet: s.quiet };
}

export async function gridCommand(argv: string[]): Promise<void> {
  const o = parseGridArgs(argv);
  const outDir = o.out ?? defaultGridDir(o.workspace, o.config);
  const abort = abortOnCtrlC();
  const progress = new TerminalProgress(o.quiet);
  if (!o.quiet) process.stderr.write(`grid: ${o.config.method}, ${scenarioLabel(o.config)}, seed ${o.config.seed}, ${o.config.axes.map((a) => `${a.param}=${a.values.join(',')}`).join('; ')}\nout: ${outDir}\n`);
  const emit = evaluatedLine(progress, o.quiet);
  const result = await runStudyJob(() => withTrainingPool(o.config.workers, (level, message) => emit({ type: 'log', level, message }),
    (training) => runGridJob(o.config, { workspaceDir: o.workspace, signal: abort.signal, emit, training }, outDir)),
  () => progress.clear(), join(outDir, 'points.jsonl'), 'points');
  if (o.json) { console.log(JSON.stringify(result, null, 2)); return; }
  console.log(`\nSalUn Lab grid search: ${o.config.method}, ${scenarioLabel(o.config)}`);
  console.log(gridHeader(result).join('\n'));
  console.log(`\n${plainCells(gridCells(result))}\n`);
  console.log(`written: ${outDir}/grid.md, grid.json`);
}
