// `salun`: the engine headless, for the README's demo, CI, benchmarks and remote GPU boxes.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BackendChoice } from '../protocol/config';
import { defaultRunConfig } from '../protocol/defaults';
import type { JobEvent } from '../protocol/jobMessages';
import { ConfigError, parseRunConfig, RUN_CONFIG_SCHEMA, withoutRunRecord } from '../protocol/runConfigSchema';
import { dispatchJob } from '../engine/pipeline/dispatch';
import { plainTable } from '../engine/metrics/table';
import { TerminalProgress } from './progressBar';
import { METHOD_NAMES, type MethodName } from '../protocol/config';
import { DEFAULT_RATIO, DEFAULT_TRAIN } from '../protocol/defaults';
import { defaultTableConfig, TABLE_METHOD_ORDER, tableConfigProblems, type TableConfig } from '../protocol/table';
import { defaultTableDir, runTableJob, tableFootnote, tableHeader, scenarioLabel } from '../engine/pipeline/tableJob';
import { plainCells, seedTableCells } from '../engine/metrics/seedStats';
import { CancelledError } from '../engine/errors';
import { toJobError } from '../engine/pipeline/guard';

const USAGE = `salun — machine unlearning with weight saliency (SalUn) and baselines

Usage:
  salun demo [options]             SalUn on the bundled Fashion-MNIST subset (10% random forgetting),
                                   against Original and Retrain; prints the comparison table
  salun run <config.json> [opts]   a full run from a config file (missing fields take the defaults);
                                   a run folder's config.json re-runs that run
  salun saliency <config.json>     the saliency map and mask only
  salun table [table options]      the paper's comparison table (Retrain, Original, every method;
                                   mean ± std over seeds, noise floor); see \`salun table --help\`
  salun schema                     print the config's JSON schema
  salun defaults                   print the default config

Options:
  --workspace <dir>   where .salun/runs and the model cache go (default: current directory)
  --backend <name>    auto | tensorflow-gpu | tensorflow | wasm | cpu (overrides the config)
  --json              print the result as JSON instead of a table
  --quiet             no progress output
  -h, --help

Ctrl-C stops at the next batch (the run folder is marked cancelled); a second Ctrl-C exits at once.`;

const TABLE_USAGE = `salun table — the paper's comparison table for your data and model

For each seed s: θo trained with seed s on D (cached in <workspace>/.salun/cache), the forget set
drawn with s, Retrain with s on Dr (cached), then every method from θo with its own recipe, all
evaluated alike. Prints UA, RA, TA, MIA, Avg. Gap and RTE as mean ± std over the seeds (gaps against
the mean of the Retrain seeds), the noise floor (Avg. Gap between Retrain runs of different seeds),
and ranks that only separate methods whose gaps differ by more than that floor.

Usage:
  salun table [options]

Options:
  --scenario <s>      random | class (default random)
  --fraction <f>      random: share of the training set to forget (default 0.1)
  --class <c>         class: the class index to forget (default 0)
  --seeds <N>         seeds 1…N (default 3); or a list, e.g. --seeds 1,5,9
  --methods <list>    comma-separated, in table order (default all: ${TABLE_METHOD_ORDER.join(',')});
                      Retrain and Original are always in the table ('retrain' in the list is ignored)
  --data <d>          default (the bundled 10k/2k Fashion-MNIST subset) or a folder with the four
                      idx files, e.g. /usr/share/datasets/fashion-mnist (the full 60k/10k set)
  --train-subset <K>  use only the class-balanced first K training samples
  --model <m>         cnn | mlp (default cnn)
  --train-epochs <E>  epochs of θo and Retrain (default ${DEFAULT_TRAIN.epochs})
  --ratio <r>         SalUn's saliency ratio (default ${DEFAULT_RATIO})
  --workspace <dir>   where .salun/cache and .salun/tables go (default: current directory)
  --backend <name>    auto | tensorflow-gpu | tensorflow | wasm | cpu (default auto)
  --out <dir>         output folder (default <workspace>/.salun/tables/<stamp>-<scenario>-<model>/)
  --json              print table.json instead of the table
  --quiet             no progress output

Writes table.md, table.json (with the config, backend, machine, versions, date and every per-seed
row), config.json and rows.jsonl (one line per evaluated model, kept when the table is cancelled).
Ctrl-C stops at the next batch; a second Ctrl-C exits at once.`;

/** Walks argv once; `valueOf(flag)` takes the word after a flag or fails naming the flag. */
class ArgReader {
  private at = 0;
  constructor(private readonly argv: string[]) {}
  next(): string | undefined {
    return this.argv[this.at++];
  }
  valueOf(flag: string): string {
    const v = this.argv[this.at++];
    if (v === undefined) fail(`${flag} needs a value`);
    return v;
  }
}

interface Options { workspace: string; backend?: BackendChoice; json: boolean; quiet: boolean; positional: string[] }

function parseArgs(argv: string[]): Options {
  const o: Options = { workspace: process.cwd(), json: false, quiet: false, positional: [] };
  const args = new ArgReader(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const flag = a;
    const value = (): string => args.valueOf(flag);
    if (a === '--workspace') o.workspace = resolve(value());
    else if (a === '--backend') o.backend = value() as BackendChoice;
    else if (a === '--json') o.json = true;
    else if (a === '--quiet') o.quiet = true;
    else if (a === '-h' || a === '--help') { console.log(USAGE); process.exit(0); }
    else if (a.startsWith('-')) fail(`unknown option ${a}`);
    else o.positional.push(a);
  }
  return o;
}

/** First Ctrl-C: stop at the next batch (the run folder says cancelled); second: exit at once. */
function abortOnCtrlC(): AbortController {
  const abort = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write('\nstopping at the next batch (Ctrl-C again to exit now)…\n');
    abort.abort();
  });
  return abort;
}

function fail(message: string, code = 2): never {
  process.stderr.write(`salun: ${message}\n`);
  process.exit(code);
}

function readConfig(path: string | undefined): unknown {
  if (!path) fail('give a config file: salun run <config.json> (see `salun defaults`)');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    return fail(`cannot read ${path}: ${(e as Error).message}`);
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === '-h' || command === '--help') { console.log(USAGE); return; }
  if (command === 'table') { await tableCommand(rest); return; }
  const o = parseArgs(rest);
  if (command === 'schema') { console.log(JSON.stringify(RUN_CONFIG_SCHEMA, null, 2)); return; }
  if (command === 'defaults') { console.log(JSON.stringify(defaultRunConfig(), null, 2)); return; }
  if (!['demo', 'run', 'saliency'].includes(command)) fail(`unknown command '${command}'\n\n${USAGE}`);

  let config = (command === 'demo' ? defaultRunConfig() : withoutRunRecord(readConfig(o.positional[0]))) as Record<string, unknown>;
  if (o.backend) config = { ...config, backend: o.backend };
  if (command === 'saliency') config = { ...defaultRunConfig(), ...config };
  const kind = command === 'saliency' ? 'saliency' as const : 'run' as const;
  if (kind === 'saliency') {
    const { data, model, forget, saliency, train, seed, backend } = config;
    config = { data, model, forget, saliency, train, seed, backend };
  }

  try {
    // Validated here too, so that the message names the file the user wrote.
    parseRunConfig(config, command === 'demo' ? 'the demo config' : o.positional[0]);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 1);
    throw e;
  }

  const abort = abortOnCtrlC();

  const progress = new TerminalProgress(o.quiet);
  let final: JobEvent | undefined;
  const t0 = Date.now();
  const result = await dispatchJob({ type: 'start', kind, config: config as never, workspaceDir: o.workspace }, (e) => {
    progress.handle(e);
    if (e.type === 'finished' || e.type === 'failed' || e.type === 'cancelled') final = e;
  }, abort.signal);
  progress.clear();
  if (final?.type === 'failed') {
    const { message, hint, file } = final.error;
    fail(`${message}${file && !message.includes(file) ? `\n  file: ${file}` : ''}${hint ? `\n  ${hint}` : ''}`, 1);
  }
  if (final?.type === 'cancelled' || !result) fail('cancelled', 130);
  if (o.json) { console.log(JSON.stringify(result, null, 2)); return; }
  if (result.rows.length) console.log(`\n${plainTable(result.rows)}\n`);
  if (result.saliency) {
    const s = result.saliency;
    console.log(`Saliency: ratio ${s.ratio.toFixed(3)}, γ = ${s.gamma.toExponential(3)}, ${s.salientWeights} of ${s.totalWeights} weights salient`);
    for (const l of s.layers) console.log(`  ${l.name.padEnd(24)} ${String(l.count).padStart(8)} weights  ${(100 * l.salientFraction).toFixed(1).padStart(5)}% salient`);
  }
  console.log(`\nbackend: ${result.backend.name} (${result.backend.detail})`);
  console.log(`run folder: ${result.runDir}`);
  console.log(`wall time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

interface TableOptions { config: TableConfig; workspace: string; out?: string; json: boolean; quiet: boolean }

function parseTableArgs(argv: string[]): TableOptions {
  const config = defaultTableConfig();
  const o: TableOptions = { config, workspace: process.cwd(), json: false, quiet: false };
  let scenario: 'random' | 'class' = 'random';
  let fraction = 0.1;
  let classIndex = 0;
  const num = (a: string, v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) fail(`${a} needs a number, got '${v}'`);
    return n;
  };
  const args = new ArgReader(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const flag = a;
    const value = (): string => args.valueOf(flag);
    if (a === '--scenario') {
      const v = value();
      if (v !== 'random' && v !== 'class') fail(`--scenario must be random or class, got '${v}'`);
      scenario = v;
    } else if (a === '--fraction') fraction = num(a, value());
    else if (a === '--class') { classIndex = num(a, value()); scenario = 'class'; }
    else if (a === '--seeds') {
      const v = value();
      config.seeds = v.includes(',') ? v.split(',').map((x) => num(a, x)) : Array.from({ length: num(a, v) }, (_, k) => k + 1);
    } else if (a === '--methods') {
      const list = value().split(',').map((m) => m.trim().toLowerCase()).filter((m) => m && m !== 'retrain' && m !== 'original');
      const bad = list.filter((m) => !(METHOD_NAMES as readonly string[]).includes(m));
      if (bad.length) fail(`unknown method${bad.length > 1 ? 's' : ''} ${bad.join(', ')} (known: retrain, ${TABLE_METHOD_ORDER.join(', ')})`);
      config.methods = [...new Set(list)] as MethodName[];
    } else if (a === '--data') {
      const v = value();
      config.data = v === 'default' ? { kind: 'default' } : { kind: 'idx', dir: resolve(v) };
    } else if (a === '--train-subset') config.trainSubset = num(a, value());
    else if (a === '--model') {
      const v = value();
      if (v !== 'cnn' && v !== 'mlp') fail(`--model must be cnn or mlp, got '${v}'`);
      config.model = { kind: 'builtin', architecture: v };
    } else if (a === '--train-epochs') config.train = { ...config.train, epochs: num(a, value()) };
    else if (a === '--ratio') config.saliency = { ratio: num(a, value()) };
    else if (a === '--workspace') o.workspace = resolve(value());
    else if (a === '--backend') config.backend = value() as BackendChoice;
    else if (a === '--out') o.out = resolve(value());
    else if (a === '--json') o.json = true;
    else if (a === '--quiet') o.quiet = true;
    else if (a === '-h' || a === '--help') { console.log(TABLE_USAGE); process.exit(0); }
    else fail(`unknown table option ${a}\n\n${TABLE_USAGE}`);
  }
  config.scenario = scenario === 'random' ? { kind: 'random', fraction } : { kind: 'class', classIndex };
  const problems = tableConfigProblems(config);
  if (!(Number.isInteger(config.train.epochs) && config.train.epochs >= 1)) problems.push('--train-epochs must be a positive integer');
  const r = config.saliency.ratio;
  if (r !== undefined && !(r > 0 && r <= 1)) problems.push('--ratio must be in (0, 1]');
  if (problems.length) fail(`invalid table options:\n  - ${problems.join('\n  - ')}`, 2);
  return o;
}

async function tableCommand(argv: string[]): Promise<void> {
  const o = parseTableArgs(argv);
  const outDir = o.out ?? defaultTableDir(o.workspace, o.config);
  const abort = abortOnCtrlC();
  const progress = new TerminalProgress(o.quiet);
  if (!o.quiet) process.stderr.write(`table: ${scenarioLabel(o.config)}, ${o.config.model.architecture}, seeds ${o.config.seeds.join(', ')}, methods ${o.config.methods.join(', ')}\nout: ${outDir}\n`);
  let result;
  try {
    result = await runTableJob(o.config, { workspaceDir: o.workspace, signal: abort.signal, emit: (e) => {
      progress.handle(e);
      if (e.type === 'evaluated' && !o.quiet) {
        progress.clear();
        const m = e.row.metrics;
        process.stderr.write(`  = ${e.row.method}: UA ${m.UA.toFixed(2)}  RA ${m.RA.toFixed(2)}  TA ${m.TA.toFixed(2)}  MIA ${m.MIA.toFixed(2)}  (${e.row.seconds.toFixed(1)} s)\n`);
      }
    } }, outDir);
  } catch (e) {
    progress.clear();
    if (e instanceof CancelledError) fail(`cancelled; rows finished so far (if any) are in ${join(outDir, 'rows.jsonl')}`, 130);
    const { message, hint, file } = toJobError(e);
    if (e instanceof Error && e.stack && process.env.SALUN_VERBOSE) process.stderr.write(`${e.stack}\n`);
    fail(`${message}${file && !message.includes(file) ? `\n  file: ${file}` : ''}${hint ? `\n  ${hint}` : ''}`, 1);
  }
  progress.clear();
  if (o.json) { console.log(JSON.stringify(result, null, 2)); return; }
  console.log(`\nSalUn Lab comparison table: ${scenarioLabel(result.config)}, ${result.config.model.architecture.toUpperCase()}`);
  console.log(tableHeader(result).join('\n'));
  console.log(`\n${plainCells(seedTableCells(result.rows))}\n`);
  console.log(tableFootnote(result).join('\n'));
  console.log(`\nwritten: ${outDir}/table.md, table.json`);
}

main().catch((e: unknown) => fail(e instanceof Error ? e.stack ?? e.message : String(e), 1));
