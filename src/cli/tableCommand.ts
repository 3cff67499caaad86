// `salun table`: the paper's comparison table for the user's data and model.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RATIO } from '../protocol/defaults';
import { defaultTableConfig, TABLE_METHOD_ORDER, type TableConfig, type TableResult } from '../protocol/table';
import { seedTableCells } from '../engine/metrics/seedStats';
import { plainTable } from '../protocol/tableText';
import { defaultTableDir, scenarioLabel, tableFootnote, tableHeader } from '../engine/pipeline/classification/tableJob';
import { numberArg, readArgs, seedsArg } from './common';
import { runJobCommand, validateOrFail, type StartCommand } from './jobCommand';
import { methodsArg, STUDY_OPTIONS, STUDY_USAGE, studyConfigFields, studyOptions, type StudyOptions } from './studyArgs';

const TABLE_USAGE = `salun table — the paper's comparison table for your data and model

For each seed s: θo trained with seed s on D (cached in <workspace>/.salun/cache), the forget set
drawn with s, Retrain with s on Dr (cached), then every method from θo with its own recipe, all
evaluated alike. Prints UA, RA, TA, MIA, Avg. Gap and RTE as mean ± std over the seeds (gaps against
the mean of the Retrain seeds), the noise floor (Avg. Gap between Retrain runs of different seeds),
and ranks that only separate methods whose gaps differ by more than that floor.

Usage:
  salun table [options]

Options:
  --seeds <N>         seeds 1…N (default 3); or a list, e.g. --seeds 1,5,9
  --methods <list>    comma-separated, in table order (default all: ${TABLE_METHOD_ORDER.join(',')});
                      Retrain and Original are always in the table ('retrain' in the list is ignored)
  --ratio <r>         SalUn's saliency ratio (default ${DEFAULT_RATIO})
  --out <dir>         output folder (default <workspace>/.salun/tables/<stamp>-<scenario>-<model>/)
${STUDY_USAGE}

Writes table.md, table.json (with the config, backend, machine, versions, date and every per-seed
row), config.json and rows.jsonl (one line per evaluated model, kept when the table is cancelled).
Ctrl-C stops at the next batch; a second Ctrl-C exits at once.`;

const TABLE_OPTIONS = { ...STUDY_OPTIONS, seeds: { type: 'string' }, methods: { type: 'string' }, ratio: { type: 'string' } } as const;

function parseTableArgs(argv: string[]): { config: TableConfig; study: StudyOptions } {
  const { values: v } = readArgs(argv, TABLE_OPTIONS, TABLE_USAGE);
  const study = studyOptions(v);
  const d = defaultTableConfig();
  const config: TableConfig = {
    ...d,
    ...studyConfigFields(study),
    ...(v.seeds !== undefined ? { seeds: seedsArg(v.seeds) } : {}),
    ...(v.methods !== undefined ? { methods: methodsArg(v.methods) } : {}),
    ...(v.ratio !== undefined ? { saliency: { ratio: numberArg('--ratio', v.ratio) } } : {}),
  };
  return { config, study };
}

export async function tableCommand(argv: string[]): Promise<void> {
  const { config, study: o } = parseTableArgs(argv);
  const command: StartCommand = { type: 'start', kind: 'table', config, workspaceDir: o.workspace };
  validateOrFail(command, 'the table config', 2);
  const outDir = o.out ?? defaultTableDir(o.workspace, config);
  if (!o.quiet)
    process.stderr.write(
      `table: ${scenarioLabel(config)}, ${config.model.architecture}, seeds ${config.seeds.join(', ')}, methods ${config.methods.join(', ')}\nout: ${outDir}\n`,
    );
  await runJobCommand(
    { ...command, outDir },
    {
      quiet: o.quiet,
      source: 'the table config',
      configExitCode: 2,
      evaluatedLines: true,
      whenCancelled: `rows finished so far (if any) are in ${join(outDir, 'rows.jsonl')}`,
    },
  );
  const result = JSON.parse(readFileSync(join(outDir, 'table.json'), 'utf8')) as TableResult;
  if (o.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  console.log(`\nSalUn Lab comparison table: ${scenarioLabel(result.config)}, ${result.config.model.architecture.toUpperCase()}`);
  console.log(tableHeader(result).join('\n'));
  console.log(`\n${plainTable(seedTableCells(result.rows))}\n`);
  console.log(tableFootnote(result).join('\n'));
  console.log(`\nwritten: ${outDir}/table.md, table.json`);
}
