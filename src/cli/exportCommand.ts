// `salun export`: a run's unlearned model copied out of its run folder in the format the user's
// stack loads — the same store function as the editor's Export Unlearned Model (modelExport.ts).
// exportCli throws UserErrors (unit-tested); exportCommand prints and exits.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { jobErrorText, toJobError } from '../protocol/jobError';
import { UserError } from '../store/errors';
import { runsRoot } from '../store/runs/runFolder';
import {
  exportRunModel,
  isModelExportFormat,
  MODEL_EXPORT_FORMAT_NAMES,
  MODEL_EXPORT_FORMATS,
  runModelFormats,
  type ModelExportResult,
} from '../store/runs/modelExport';
import { fail } from './common';

const formatLines = MODEL_EXPORT_FORMAT_NAMES.map(
  (f) => `    ${f.padEnd(12)}${MODEL_EXPORT_FORMATS[f].files}; load with ${MODEL_EXPORT_FORMATS[f].loadWith}`,
).join('\n');

export const EXPORT_USAGE = `salun export — a run's unlearned model, out of its run folder, in the format you load

Usage:
  salun export <run-id|run-dir> --format ${MODEL_EXPORT_FORMAT_NAMES.join('|')} --out <path> [--workspace <dir>] [--json]

  <run-id|run-dir>    a run folder's name under <workspace>/.salun/runs (salun runs lists them), or its path
  --format <f>        which of the run's model files:
${formatLines}
  --out <path>        the file to write (an existing file is replaced); for tfjs, a new or empty folder
  --workspace <dir>   the workspace holding .salun/runs (default: current directory)
  --json              print what was written as JSON: { format, out, files, bytes }

Without --format it lists the formats the run has. Nothing is written when the run lacks the
format; a failed copy leaves no partial file or folder.`;

export interface ExportCliResult {
  /** What to print. */
  text: string;
  result?: ModelExportResult;
}

const OPTIONS = {
  format: { type: 'string' },
  out: { type: 'string' },
  workspace: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The run folder a CLI argument names: a path to one, or a run id under the workspace's .salun/runs. */
export function runDirOf(arg: string, workspace: string, cwd: string): string {
  const asPath = isAbsolute(arg) ? arg : resolve(cwd, arg);
  if ((arg.includes('/') || arg.includes('\\') || isAbsolute(arg)) && existsSync(asPath)) {
    if (!statSync(asPath).isDirectory())
      throw new UserError(`${arg} is a file, not a run folder`, 'Give a run id (salun runs lists them) or the path of a run folder.', asPath);
    return asPath;
  }
  const byId = join(runsRoot(workspace), arg);
  if (existsSync(byId) && statSync(byId).isDirectory()) return byId;
  if (existsSync(asPath) && statSync(asPath).isDirectory()) return asPath;
  throw new UserError(
    `no run '${arg}' in ${runsRoot(workspace)}`,
    'salun runs lists the run ids; give one of them, the path of a run folder, or --workspace <dir>.',
    byId,
  );
}

function formatsText(runDir: string): string {
  const f = runModelFormats(runDir);
  const lines = [`${runDir}/model has:`];
  for (const a of f.available)
    lines.push(`  ${a.format.padEnd(12)}${a.files.join(', ')} (${a.bytes} bytes); load with ${MODEL_EXPORT_FORMATS[a.format].loadWith}`);
  for (const m of f.missing) lines.push(`  no ${m.format}: ${m.why}`);
  lines.push('', `salun export ${runDir} --format <${f.available.map((a) => a.format).join('|')}> --out <path>`);
  return lines.join('\n');
}

/** Reads the arguments and exports; every bad input is a UserError that names it. */
export function exportCli(argv: string[], cwd = process.cwd()): ExportCliResult {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserError(`salun export: ${(e as Error).message}`, 'salun export --help shows the usage.');
  }
  const { values, positionals } = parsed;
  if (values.help) return { text: EXPORT_USAGE };
  if (positionals.length !== 1)
    throw new UserError(
      positionals.length ? `salun export takes one run, got ${positionals.length}: ${positionals.join(' ')}` : 'salun export: give the run (its id or folder)',
      'salun runs lists the run ids; salun export --help shows the usage.',
    );
  const workspace = values.workspace !== undefined ? resolve(cwd, values.workspace) : cwd;
  const runDir = runDirOf(positionals[0], workspace, cwd);
  if (values.format === undefined) return { text: formatsText(runDir) };
  if (!isModelExportFormat(values.format))
    throw new UserError(
      `--format must be one of ${MODEL_EXPORT_FORMAT_NAMES.join(', ')}, got '${values.format}'`,
      'salun export <run> without --format lists what the run has.',
    );
  if (values.out === undefined || values.out === '')
    throw new UserError(
      'salun export: give --out, the file (for tfjs the folder) to write',
      `e.g. --out ${positionals[0].replace(/.*[\\/]/, '')}${MODEL_EXPORT_FORMATS[values.format].suffix}`,
    );
  const result = exportRunModel(runDir, values.format, resolve(cwd, values.out));
  const text = values.json
    ? JSON.stringify(result, null, 2)
    : `${MODEL_EXPORT_FORMATS[result.format].label}: ${result.files.join(', ')} (${result.bytes} bytes)`;
  return { text, result };
}

export function exportCommand(argv: string[]): void {
  try {
    console.log(exportCli(argv).text);
  } catch (e) {
    if (e instanceof UserError) fail(jobErrorText(toJobError(e)), 1);
    throw e;
  }
}
