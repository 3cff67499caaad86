// `salun`: the engine headless, for the README's demo, CI, benchmarks and remote GPU boxes.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BackendChoice } from '../protocol/config';
import { defaultRunConfig } from '../protocol/defaults';
import type { JobEvent } from '../protocol/jobMessages';
import { ConfigError, parseRunConfig, RUN_CONFIG_SCHEMA, withoutRunRecord } from '../protocol/runConfigSchema';
import { backendLines } from '../protocol/backendSummary';
import { dispatchJob } from '../engine/pipeline/dispatch';
import { plainTable } from '../engine/metrics/table';
import { abortOnCtrlC, ArgReader, backendArg, backendUsage, fail, nativeDirArg, WORKERS_USAGE, workersArg } from './common';
import { dataCommand } from './dataCommand';
import { gridCommand } from './gridCommand';
import { TerminalProgress } from './progressBar';
import { runsCommand } from './runsCommand';
import { tableCommand } from './tableCommand';

const USAGE = `salun — machine unlearning with weight saliency (SalUn) and baselines

Usage:
  salun demo [options]             SalUn on the bundled Fashion-MNIST subset (10% random forgetting),
                                   against Original and Retrain; prints the comparison table
  salun run <config.json> [opts]   a full run from a config file (missing fields take the defaults);
                                   a run folder's config.json re-runs that run
  salun saliency <config.json>     the saliency map and mask only
  salun table [table options]      the paper's comparison table (Retrain, Original, every method;
                                   mean ± std over seeds, noise floor); see \`salun table --help\`
  salun grid --method <m> [opts]   a small grid search of one method's hyper-parameters on the
                                   Avg. Gap to Retrain; see \`salun grid --help\`
  salun runs [--json]              the workspace's run folders: state (interrupted when the process
                                   is gone), method, Avg. Gap, and what could not be read
  salun data <folder> [--files]    what a data folder holds (format, classes, sizes); --files lists
                                   which file each training index is
  salun schema                     print the config's JSON schema
  salun defaults                   print the default config

Options:
  --workspace <dir>   where .salun/runs and the model cache go (default: current directory)
${backendUsage('overrides the config')}
${WORKERS_USAGE}
  --json              print the result as JSON instead of a table
  --quiet             no progress output
  -h, --help

Ctrl-C stops at the next batch (the run folder is marked cancelled); a second Ctrl-C, SIGTERM or
SIGHUP exit at once, the run folder marked interrupted.`;

interface Options { workspace: string; backend?: BackendChoice; workers?: number; json: boolean; quiet: boolean; positional: string[] }

function parseArgs(argv: string[]): Options {
  const o: Options = { workspace: process.cwd(), json: false, quiet: false, positional: [] };
  const args = new ArgReader(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const flag = a;
    const value = (): string => args.valueOf(flag);
    if (a === '--workspace') o.workspace = resolve(value());
    else if (a === '--backend') o.backend = backendArg(a, value());
    else if (a === '--native-dir') nativeDirArg(value());
    else if (a === '--workers') o.workers = workersArg(a, value());
    else if (a === '--json') o.json = true;
    else if (a === '--quiet') o.quiet = true;
    else if (a === '-h' || a === '--help') { console.log(USAGE); process.exit(0); }
    else if (a.startsWith('-')) fail(`unknown option ${a}`);
    else o.positional.push(a);
  }
  return o;
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
  if (command === 'grid') { await gridCommand(rest); return; }
  if (command === 'data') { dataCommand(rest); return; }
  if (command === 'runs') { runsCommand(rest); return; }
  const o = parseArgs(rest);
  if (command === 'schema') { console.log(JSON.stringify(RUN_CONFIG_SCHEMA, null, 2)); return; }
  if (command === 'defaults') { console.log(JSON.stringify(defaultRunConfig(), null, 2)); return; }
  if (!['demo', 'run', 'saliency'].includes(command)) fail(`unknown command '${command}'\n\n${USAGE}`);

  let config = (command === 'demo' ? defaultRunConfig() : withoutRunRecord(readConfig(o.positional[0]))) as Record<string, unknown>;
  if (o.backend) config = { ...config, backend: o.backend };
  if (o.workers) config = { ...config, workers: o.workers };
  if (command === 'saliency') config = { ...defaultRunConfig(), ...config };
  const kind = command === 'saliency' ? 'saliency' as const : 'run' as const;
  if (kind === 'saliency') {
    const { data, model, forget, saliency, train, seed, backend, workers } = config;
    config = { data, model, forget, saliency, train, seed, backend, ...(workers !== undefined ? { workers } : {}) };
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
  console.log(`\n${backendLines(result.backend).join('\n')}`);
  console.log(`run folder: ${result.runDir}`);
  console.log(`wall time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((e: unknown) => fail(e instanceof Error ? e.stack ?? e.message : String(e), 1));
