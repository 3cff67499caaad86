// `salun table`: the paper's comparison table for the user's data and model.
import { join } from 'node:path';
import { METHOD_NAMES, type MethodName } from '../protocol/config';
import { DEFAULT_RATIO } from '../protocol/defaults';
import { defaultTableConfig, TABLE_METHOD_ORDER, tableConfigProblems, type TableConfig } from '../protocol/table';
import { plainCells, seedTableCells } from '../engine/metrics/seedStats';
import { defaultTableDir, runTableJob, scenarioLabel, tableFootnote, tableHeader } from '../engine/pipeline/tableJob';
import { withTrainingPool } from '../engine/train/parallel';
import { abortOnCtrlC, ArgReader, fail, numberArg, runStudyJob } from './common';
import { TerminalProgress } from './progressBar';
import { STUDY_USAGE, StudyArgs, type StudyOptions } from './studyArgs';
import type { JobEvent } from '../protocol/jobMessages';

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

/** Prints one line per evaluated model above the progress bar. */
export function evaluatedLine(progress: TerminalProgress, quiet: boolean): (e: JobEvent) => void {
  return (e) => {
    progress.handle(e);
    if (e.type === 'evaluated' && !quiet) {
      progress.clear();
      const m = e.row.metrics;
      process.stderr.write(`  = ${e.row.method}: UA ${m.UA.toFixed(2)}  RA ${m.RA.toFixed(2)}  TA ${m.TA.toFixed(2)}  MIA ${m.MIA.toFixed(2)}${e.row.avgGap !== undefined ? `  gap ${e.row.avgGap.toFixed(2)}` : ''}  (${e.row.seconds.toFixed(1)} s)\n`);
    }
  };
}

function parseTableArgs(argv: string[]): { config: TableConfig; study: StudyOptions } {
  const config = defaultTableConfig();
  const study = new StudyArgs();
  const args = new ArgReader(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const flag = a;
    const value = (): string => args.valueOf(flag);
    if (study.take(a, value)) continue;
    if (a === '--seeds') {
      const v = value();
      config.seeds = v.includes(',') ? v.split(',').map((x) => numberArg(a, x)) : Array.from({ length: numberArg(a, v) }, (_, k) => k + 1);
    } else if (a === '--methods') {
      const list = value().split(',').map((m) => m.trim().toLowerCase()).filter((m) => m && m !== 'retrain' && m !== 'original');
      const bad = list.filter((m) => !(METHOD_NAMES as readonly string[]).includes(m));
      if (bad.length) fail(`unknown method${bad.length > 1 ? 's' : ''} ${bad.join(', ')} (known: retrain, ${TABLE_METHOD_ORDER.join(', ')})`);
      config.methods = [...new Set(list)] as MethodName[];
    } else if (a === '--ratio') config.saliency = { ratio: numberArg(a, value()) };
    else if (a === '-h' || a === '--help') { console.log(TABLE_USAGE); process.exit(0); }
    else fail(`unknown table option ${a}\n\n${TABLE_USAGE}`);
  }
  const s = study.options();
  Object.assign(config, { scenario: s.scenario, data: s.data, trainSubset: s.trainSubset, model: s.model, train: s.train, backend: s.backend }, s.workers ? { workers: s.workers } : {});
  const problems = tableConfigProblems(config);
  const r = config.saliency.ratio;
  if (r !== undefined && !(r > 0 && r <= 1)) problems.push('--ratio must be in (0, 1]');
  if (problems.length) fail(`invalid table options:\n  - ${problems.join('\n  - ')}`, 2);
  return { config, study: s };
}

export async function tableCommand(argv: string[]): Promise<void> {
  const { config, study: o } = parseTableArgs(argv);
  const outDir = o.out ?? defaultTableDir(o.workspace, config);
  const abort = abortOnCtrlC();
  const progress = new TerminalProgress(o.quiet);
  if (!o.quiet) process.stderr.write(`table: ${scenarioLabel(config)}, ${config.model.architecture}, seeds ${config.seeds.join(', ')}, methods ${config.methods.join(', ')}\nout: ${outDir}\n`);
  const emit = evaluatedLine(progress, o.quiet);
  const result = await runStudyJob(() => withTrainingPool(config.workers, (level, message) => emit({ type: 'log', level, message }),
    (training) => runTableJob(config, { workspaceDir: o.workspace, signal: abort.signal, emit, training }, outDir)),
  () => progress.clear(), join(outDir, 'rows.jsonl'), 'rows');
  if (o.json) { console.log(JSON.stringify(result, null, 2)); return; }
  console.log(`\nSalUn Lab comparison table: ${scenarioLabel(result.config)}, ${result.config.model.architecture.toUpperCase()}`);
  console.log(tableHeader(result).join('\n'));
  console.log(`\n${plainCells(seedTableCells(result.rows))}\n`);
  console.log(tableFootnote(result).join('\n'));
  console.log(`\nwritten: ${outDir}/table.md, table.json`);
}
