// `salun grid`: a small grid search of one method's hyper-parameters on the Avg. Gap to Retrain.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METHOD_NAMES, type MethodName } from '../protocol/config';
import { DEFAULT_GRIDS, GRID_PARAMS, parseGridSpec, type GridConfig, type GridResult } from '../protocol/grid';
import { plainTable } from '../protocol/tableText';
import { defaultGridDir, gridCells, gridHeader } from '../engine/pipeline/classification/gridJob';
import { scenarioLabel } from '../engine/pipeline/classification/tableJob';
import { fail, numberArg, readArgs } from './common';
import { runJobCommand, validateOrFail, type StartCommand } from './jobCommand';
import { STUDY_OPTIONS, STUDY_USAGE, studyConfigFields, studyOptions, type StudyOptions } from './studyArgs';

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

const GRID_OPTIONS = { ...STUDY_OPTIONS, method: { type: 'string' }, grid: { type: 'string' }, masked: { type: 'boolean' }, seed: { type: 'string' } } as const;

function parseGridArgs(argv: string[]): { config: GridConfig; study: StudyOptions } {
  const { values: v } = readArgs(argv, GRID_OPTIONS, GRID_USAGE);
  if (v.method === undefined) fail(`give the method to tune: --method <${METHOD_NAMES.join('|')}>`);
  const method = v.method.toLowerCase();
  if (!(METHOD_NAMES as readonly string[]).includes(method)) fail(`unknown method '${method}' (known: ${METHOD_NAMES.join(', ')})`);
  let axes;
  try {
    axes = v.grid !== undefined ? parseGridSpec(v.grid) : DEFAULT_GRIDS[method as MethodName];
  } catch (e) {
    fail(`--grid: ${(e as Error).message}`);
  }
  const study = studyOptions(v);
  const config: GridConfig = {
    method: method as MethodName,
    ...(v.masked ? { masked: true } : {}),
    ...studyConfigFields(study),
    seed: v.seed !== undefined ? numberArg('--seed', v.seed) : 1,
    axes,
  };
  return { config, study };
}

export async function gridCommand(argv: string[]): Promise<void> {
  const { config, study: o } = parseGridArgs(argv);
  const command: StartCommand = { type: 'start', kind: 'grid', config, workspaceDir: o.workspace };
  validateOrFail(command, 'the grid config', 2);
  const outDir = o.out ?? defaultGridDir(o.workspace, config);
  if (!o.quiet)
    process.stderr.write(
      `grid: ${config.method}, ${scenarioLabel(config)}, seed ${config.seed}, ${config.axes.map((a) => `${a.param}=${a.values.join(',')}`).join('; ')}\nout: ${outDir}\n`,
    );
  await runJobCommand(
    { ...command, outDir },
    {
      quiet: o.quiet,
      source: 'the grid config',
      configExitCode: 2,
      evaluatedLines: true,
      whenCancelled: `points finished so far (if any) are in ${join(outDir, 'points.jsonl')}`,
    },
  );
  const result = JSON.parse(readFileSync(join(outDir, 'grid.json'), 'utf8')) as GridResult;
  if (o.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  console.log(`\nSalUn Lab grid search: ${config.method}, ${scenarioLabel(config)}`);
  console.log(gridHeader(result).join('\n'));
  console.log(`\n${plainTable(gridCells(result))}\n`);
  console.log(`written: ${outDir}/grid.md, grid.json`);
}
