// `salun`: the engine headless, for the README's demo, CI, benchmarks and remote GPU boxes. Every
// job command (demo, run, saliency, evaluate, table, grid, gen-demo) builds the start command the panel
// sends and goes through the same dispatch (jobCommand.ts).
import { version } from '../../package.json';
import { configFileSchema } from '../protocol/configFileSchema';
import { defaultRunConfig } from '../protocol/defaults';
import { backendUsage, fail, WORKERS_USAGE } from './common';
import { configCommand, type ConfigCommandName } from './configCommand';
import { dataCommand } from './dataCommand';
import { exportCommand } from './exportCommand';
import { genDemoCommand, genTrainCommand } from './genCommand';
import { gridCommand } from './gridCommand';
import { runsCommand } from './runsCommand';
import { tableCommand } from './tableCommand';
import { auditCommand } from './auditCommand';
import { auditReportCommand } from './auditReportCommand';

const USAGE = `salun — machine unlearning with weight saliency (SalUn) and baselines

Usage:
  salun demo [options]             SalUn on the bundled Fashion-MNIST subset (10% random forgetting),
                                   against Original and Retrain; prints the comparison table
  salun run <config> [options]     a full run from a config file (e.g. my.salun.json; missing fields
                                   take the defaults); a run folder's config.json re-runs that run
  salun saliency <config>          the saliency map and mask only
  salun evaluate <config>          UA, RA, TA, MIA of a model (config: data, model, forget, retrain)
  salun table [table options]      the paper's comparison table (Retrain, Original, every method;
                                   mean ± std over seeds, noise floor); see \`salun table --help\`
  salun grid --method <m> [opts]   a small grid search of one method's hyper-parameters on the
                                   Avg. Gap to Retrain; see \`salun grid --help\`
  salun audit [audit options]      evidence that a method forgot: the unlearning challenge's
                                   forgetting quality F and final score from N Retrain models and N
                                   runs per method, a per-example attack, a relearning test; see
                                   \`salun audit --help\`
  salun audit-report <run> [--out <dir>]
                                   what a reviewer files about one run: the request, sha256 of the
                                   model before and after, method, evidence, environment, manifest
                                   (audit.json, audit.md, SHA256SUMS); see \`salun audit-report --help\`
  salun gen-demo [options]         generation unlearning on the bundled Fashion-MNIST (14×14): forget
                                   class 7 in a class-conditional DDPM with SalUn, ESD and RL; UA,
                                   retained accuracy and FID-classifier; sample grids as PNG; see
                                   \`salun gen-demo --help\` (a config with "task": "generation" runs
                                   with \`salun run\`)
  salun gen-train [options]        train the gen-demo's θo once (the shipped weights are made so)
  salun runs [--json]              the workspace's run folders: state (interrupted when the process
                                   is gone), method, Avg. Gap (generation: each model's UA and
                                   retained accuracy), and what could not be read
  salun export <run> --format <f> --out <path>
                                   a run's unlearned model out of its run folder: onnx, safetensors
                                   (PyTorch) or tfjs; see \`salun export --help\`
  salun data <folder> [--files]    what a data folder holds (format, classes, sizes); --files lists
                                   which file each training index is
  salun schema                     print the config file's JSON schema (every field optional)
  salun defaults                   print the default config
  salun --version                  print the version

Options (--name value and --name=value both work):
  --workspace <dir>   where .salun/runs and the model cache go (default: current directory)
${backendUsage('overrides the config')}
${WORKERS_USAGE}
  --json              print the result as JSON instead of a table
  --quiet             no progress output
  -h, --help

Ctrl-C stops at the next batch (the run folder is marked cancelled); a second Ctrl-C, SIGTERM or
SIGHUP exit at once, the run folder marked interrupted.`;

const CONFIG_COMMANDS: readonly ConfigCommandName[] = ['demo', 'run', 'saliency', 'evaluate'];

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === '-h' || command === '--help') {
    console.log(USAGE);
    return;
  }
  if (command === '--version' || command === '-v') {
    console.log(version);
    return;
  }
  if (command === 'table') {
    await tableCommand(rest);
    return;
  }
  if (command === 'audit') {
    await auditCommand(rest);
    return;
  }
  if (command === 'audit-report') {
    await auditReportCommand(rest);
    return;
  }
  if (command === 'grid') {
    await gridCommand(rest);
    return;
  }
  if (command === 'gen-demo') {
    await genDemoCommand(rest);
    return;
  }
  if (command === 'gen-train') {
    await genTrainCommand(rest);
    return;
  }
  if (command === 'data') {
    dataCommand(rest);
    return;
  }
  if (command === 'runs') {
    runsCommand(rest);
    return;
  }
  if (command === 'export') {
    exportCommand(rest);
    return;
  }
  if (command === 'schema') {
    console.log(JSON.stringify(configFileSchema(), null, 2));
    return;
  }
  if (command === 'defaults') {
    console.log(JSON.stringify(defaultRunConfig(), null, 2));
    return;
  }
  const name = CONFIG_COMMANDS.find((c) => c === command);
  if (!name) fail(`unknown command '${command}'\n\n${USAGE}`);
  await configCommand(name, rest, USAGE);
}

main().catch((e: unknown) => fail(e instanceof Error ? (e.stack ?? e.message) : String(e), 1));
