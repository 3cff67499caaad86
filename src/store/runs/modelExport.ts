// Export Unlearned Model: a run's unlearned model (its model/ folder) copied out in the format the
// user's stack loads. One table of formats; what a run has is read from its files and checked
// before anything is written (model.json is data from disk: its weight paths must stay inside
// model/). Every copy is atomic — a temp name beside the target, then a rename — so a failure
// leaves the target as it was. A single file replaces a file of the same name (the save dialog has
// asked; cp does the same); a tfjs export is a folder, built under a temp name and renamed into
// place, and it goes only where no folder or an empty one is: replacing a folder would delete files
// of the user's that no export put there.
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { errnoHint } from '../../protocol/jobError';
import { isRecord, isString } from '../../protocol/guards';
import { jobKindFacts } from '../../protocol/jobMessages';
import type { ModelSourceName } from '../../protocol/modelSources';
import { UserError } from '../errors';
import { makeDirs } from './atomic';
import { readRunJson } from './runShapes';

export interface ModelExportRow {
  /** What the pick list and the CLI call the format. */
  label: string;
  /** The run's file(s) it copies, as a user reads them. */
  files: string;
  /** How a user loads what was written. */
  loadWith: string;
  /** The file (or, for tfjs, the folder) the export is named by default: `<runId><suffix>`. */
  suffix: string;
  /** True when the export is a folder. */
  folder: boolean;
}

export const MODEL_EXPORT_FORMATS = {
  onnx: {
    label: 'ONNX',
    files: 'model.onnx',
    loadWith: 'onnxruntime.InferenceSession("model.onnx")',
    suffix: '.onnx',
    folder: false,
  },
  safetensors: {
    label: 'safetensors (PyTorch state_dict)',
    files: 'model.safetensors',
    loadWith: 'net.load_state_dict(safetensors.torch.load_file("model.safetensors"))',
    suffix: '.safetensors',
    folder: false,
  },
  tfjs: {
    label: 'TensorFlow.js LayersModel',
    files: 'model.json and its weight files',
    loadWith: 'tf.loadLayersModel("file://…/model.json")',
    suffix: '-tfjs',
    folder: true,
  },
} as const satisfies Record<string, ModelExportRow>;

export type ModelExportFormat = keyof typeof MODEL_EXPORT_FORMATS;

export const MODEL_EXPORT_FORMAT_NAMES = Object.keys(MODEL_EXPORT_FORMATS) as ModelExportFormat[];

export function isModelExportFormat(x: unknown): x is ModelExportFormat {
  return isString(x) && Object.hasOwn(MODEL_EXPORT_FORMATS, x);
}

/** A format the run has: the files an export copies, relative to model/ (model.json first for tfjs). */
export interface ExportableModel {
  format: ModelExportFormat;
  files: string[];
  bytes: number;
}

/** A format the run does not have (or has broken): why, and what to do. */
export interface MissingModel {
  format: ModelExportFormat;
  why: string;
  hint: string;
}

export interface RunModelFormats {
  runDir: string;
  modelDir: string;
  available: ExportableModel[];
  missing: MissingModel[];
}

export interface ModelExportResult {
  format: ModelExportFormat;
  /** The file, or for tfjs the folder, that was written. */
  out: string;
  /** Every file written, absolute. */
  files: string[];
  bytes: number;
}

/** How an export copies one file; a test replaces it to fail halfway. */
export type CopyFile = (from: string, to: string) => void;

const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;
/** The model source whose runs write no safetensors (and ONNX only for the layers the exporter covers): a tfjs LayersModel. */
const TFJS_SOURCE: ModelSourceName = 'file';
const RERUN = 'Re-run it (Runs view: Re-run, or salun run <run folder>/config.json) to get the model in every format.';

/** The run's model/ folder has a model of the run's own (not a generation run's model/<method>/). */
export function runHasModel(runDir: string): boolean {
  const dir = join(runDir, 'model');
  return ['model.json', 'model.onnx', 'model.safetensors'].some((f) => existsSync(join(dir, f)));
}

/** A run's config.json or status.json, undefined when absent or unreadable (the reason does not change the export's answer). */
function readJsonOrUndefined(path: string): unknown {
  return readRunJson(path, []);
}

/** The kind of model the run started from (config.json's model.kind), if it says. */
function sourceKind(runDir: string): string | undefined {
  const config = readJsonOrUndefined(join(runDir, 'config.json'));
  return isRecord(config) && isRecord(config.model) && isString(config.model.kind) ? config.model.kind : undefined;
}

/** Why a run wrote no file of `format`: the run log said so at the time; config.json still tells. */
function absentReason(format: ModelExportFormat, source: string | undefined): Omit<MissingModel, 'format'> {
  const file = MODEL_EXPORT_FORMATS[format].files;
  if (format === 'safetensors' && source === TFJS_SOURCE)
    return {
      why: 'the run started from a tfjs model (model.json), which has no PyTorch twin to name its weights by, so the run wrote no model.safetensors',
      hint: 'Export ONNX instead, or start the run from a PyTorch checkpoint or an ONNX model exported from PyTorch.',
    };
  if (format === 'onnx' && source === TFJS_SOURCE)
    return {
      why: "the run could not write this tfjs model's graph as ONNX (a layer ONNX export does not cover; its report.md names it), so there is no model.onnx",
      hint: 'Export tfjs instead, or start the run from an ONNX model (torch.onnx.export) or a PyTorch checkpoint.',
    };
  if (format === 'tfjs') return { why: 'model/model.json is missing', hint: RERUN };
  return { why: `the run wrote no ${file} (runs made before SalUn Lab 0.2 write only the tfjs model)`, hint: RERUN };
}

/** Why a run has no model/ at all: the kind of run, or how it ended. */
function noModelReason(runDir: string): UserError {
  const config = readJsonOrUndefined(join(runDir, 'config.json'));
  const status = readJsonOrUndefined(join(runDir, 'status.json'));
  const kind = isRecord(config) ? config.kind : undefined;
  const state = isRecord(status) && isString(status.state) ? status.state : undefined;
  const id = basename(runDir);
  const noModel = jobKindFacts(kind)?.noModel;
  if (noModel) return new UserError(`run ${id} ${noModel.why}`, noModel.hint, runDir);
  if (state && state !== 'finished' && state !== 'stopped')
    return new UserError(
      `run ${id} has no model: it is ${state}, and a run writes its model when it ends`,
      state === 'running' ? 'Wait for it to finish, or use Stop and Keep.' : RERUN,
      runDir,
    );
  return new UserError(`run ${id} has no model folder (${join(runDir, 'model')})`, RERUN, runDir);
}

/** `rel` (a path from a manifest) as a plain relative path inside `root`, or the reason it is not. */
function insideProblem(root: string, rel: unknown): string | undefined {
  if (!isString(rel) || rel.length === 0) return `its weightsManifest lists ${JSON.stringify(rel)}, which is not a file name`;
  if (isAbsolute(rel)) return `its weightsManifest lists the absolute path ${rel}; only files beside model.json are exported`;
  const r = relative(root, resolve(root, rel));
  if (r === '' || r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r)) return `its weightsManifest lists ${rel}, which is outside the model folder`;
  const file = join(root, r);
  if (!existsSync(file)) return `its weightsManifest lists ${rel}, which is missing`;
  const real = relative(realpathSync(root), realpathSync(file));
  if (real === '' || real.startsWith(`..${sep}`) || real === '..' || isAbsolute(real))
    return `its weightsManifest lists ${rel}, a link that leads outside the model folder`;
  if (!statSync(file).isFile()) return `its weightsManifest lists ${rel}, which is not a file`;
  return undefined;
}

/** model.json and its weight files, relative to `modelDir`, or the problem that keeps them from being exported. */
function tfjsFiles(modelDir: string): string[] | string {
  const path = join(modelDir, 'model.json');
  if (statSync(path).size > MAX_MODEL_JSON_BYTES) return `model.json is over ${MAX_MODEL_JSON_BYTES / 1024 / 1024} MB, not a model.json SalUn Lab writes`;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return `model.json is not valid JSON (${(e as Error).message})`;
  }
  if (!isRecord(json) || !isRecord(json.modelTopology) || !Array.isArray(json.weightsManifest))
    return 'model.json is not a tfjs LayersModel (no modelTopology and weightsManifest)';
  const files: string[] = [];
  for (const group of json.weightsManifest) {
    const paths: unknown = isRecord(group) ? group.paths : undefined;
    if (!Array.isArray(paths)) return 'model.json: a weightsManifest entry has no paths';
    for (const p of paths) {
      const problem = insideProblem(modelDir, p);
      if (problem) return `model.json: ${problem}`;
      const rel = relative(modelDir, resolve(modelDir, p as string));
      if (!files.includes(rel)) files.push(rel);
    }
  }
  return ['model.json', ...files];
}

/** A safetensors file starts with its header's length (8 bytes, little-endian) and a JSON object that fits in the file. */
function safetensorsProblem(path: string): string | undefined {
  const size = statSync(path).size;
  if (size < 10) return `model.safetensors is ${size} bytes, too short to be a safetensors file`;
  const head = Buffer.alloc(9);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 9, 0);
  } finally {
    closeSync(fd);
  }
  const n = head.readBigUInt64LE(0);
  if (n < 2n || n > BigInt(size - 8) || head[8] !== 0x7b) return 'model.safetensors has no valid safetensors header (it may be truncated)';
  return undefined;
}

function singleFile(modelDir: string, name: string): string[] | string {
  const path = join(modelDir, name);
  if (!lstatSync(path).isFile()) return `${name} is not a regular file`;
  if (statSync(path).size === 0) return `${name} is empty`;
  if (name === 'model.safetensors') return safetensorsProblem(path) ?? [name];
  return [name];
}

function formatFiles(modelDir: string, format: ModelExportFormat): string[] | string {
  return format === 'tfjs' ? tfjsFiles(modelDir) : singleFile(modelDir, MODEL_EXPORT_FORMATS[format].files);
}

/**
 * Which formats a run folder's model/ holds, each checked (files there, model.json parsed, its
 * weight paths inside the folder), and for the others why not. Throws a UserError when the run has
 * no model at all (a saliency run, a failed one, a generation run), saying why.
 */
export function runModelFormats(runDir: string): RunModelFormats {
  const modelDir = join(resolve(runDir), 'model');
  if (!existsSync(modelDir) || !statSync(modelDir).isDirectory() || !runHasModel(runDir)) throw noModelReason(resolve(runDir));
  const source = sourceKind(runDir);
  const available: ExportableModel[] = [];
  const missing: MissingModel[] = [];
  for (const format of MODEL_EXPORT_FORMAT_NAMES) {
    const main = format === 'tfjs' ? 'model.json' : MODEL_EXPORT_FORMATS[format].files;
    if (!existsSync(join(modelDir, main))) {
      missing.push({ format, ...absentReason(format, source) });
      continue;
    }
    const files = formatFiles(modelDir, format);
    if (typeof files === 'string') missing.push({ format, why: files, hint: `The run's ${MODEL_EXPORT_FORMATS[format].files} is damaged. ${RERUN}` });
    else available.push({ format, files, bytes: files.reduce((s, f) => s + statSync(join(modelDir, f)).size, 0) });
  }
  return { runDir: resolve(runDir), modelDir, available, missing };
}

/** The format's files, or a UserError that says why the run does not have it and what to do. */
export function exportableModel(formats: RunModelFormats, format: ModelExportFormat): ExportableModel {
  const found = formats.available.find((a) => a.format === format);
  if (found) return found;
  const m = formats.missing.find((x) => x.format === format);
  const others = formats.available.map((a) => a.format);
  const also = others.length ? ` This run has: ${others.join(', ')}.` : '';
  return fail(
    `run ${basename(formats.runDir)} has no ${MODEL_EXPORT_FORMATS[format].label} model: ${m?.why ?? 'not found'}`,
    `${m?.hint ?? RERUN}${also}`,
    formats.modelDir,
  );
}

function fail(message: string, hint: string, file?: string): never {
  throw new UserError(message, hint, file);
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const plainCopy: CopyFile = (from, to) => {
  copyFileSync(from, to);
  fsyncFile(to);
};

function writeError(out: string, e: unknown): UserError {
  if (e instanceof UserError) return e;
  const err = e as NodeJS.ErrnoException;
  return new UserError(`Cannot write ${out}: ${err.message}`, errnoHint(err.code) ?? 'Choose another place to export to.', out);
}

/** Refuses targets that would lose data or write into the run itself, before anything is written. */
function checkTarget(modelDir: string, format: ModelExportFormat, out: string): void {
  const r = relative(modelDir, out);
  if (r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r)))
    fail(`${out} is inside the run's own model folder`, 'Export to a place outside the run folder, e.g. the workspace folder.', out);
  if (!existsSync(out)) return;
  const st = statSync(out);
  if (MODEL_EXPORT_FORMATS[format].folder) {
    if (!st.isDirectory())
      fail(`${out} is a file; a tfjs export is a folder (model.json and its weight files)`, 'Give the path of a new or empty folder.', out);
    if (readdirSync(out).length > 0)
      fail(
        `${out} is a folder that already holds files; a tfjs export never replaces them`,
        'Give the path of a new or empty folder (nothing was written).',
        out,
      );
  } else if (st.isDirectory()) {
    fail(
      `${out} is a folder; ${MODEL_EXPORT_FORMATS[format].label} is exported as one file`,
      `Give a file name, e.g. ${join(out, `model${MODEL_EXPORT_FORMATS[format].suffix}`)}.`,
      out,
    );
  }
}

/** Cleanup after a failure: its own failure (a parent that is a file) must not hide the first one. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing was created there
  }
}

function exportFile(modelDir: string, file: string, out: string, copy: CopyFile): string[] {
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  try {
    makeDirs(dirname(out));
    copy(join(modelDir, file), tmp);
    renameSync(tmp, out);
  } catch (e) {
    removeQuietly(tmp);
    throw writeError(out, e);
  }
  return [out];
}

function exportFolder(modelDir: string, files: readonly string[], out: string, copy: CopyFile): string[] {
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  try {
    makeDirs(dirname(out));
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    for (const f of files) {
      mkdirSync(dirname(join(tmp, f)), { recursive: true });
      copy(join(modelDir, f), join(tmp, f));
    }
    // checkTarget let through only a missing or an empty folder; an empty one gives way.
    if (existsSync(out)) rmdirSync(out);
    renameSync(tmp, out);
  } catch (e) {
    removeQuietly(tmp);
    throw writeError(out, e);
  }
  return files.map((f) => join(out, f));
}

/**
 * Copies the run's model in `format` to `outPath` (a file; for tfjs a new or empty folder) and
 * returns what it wrote. Nothing is written when the run lacks the format, a file is damaged or the
 * target would replace a folder's files; a failure while copying leaves no partial output.
 */
export function exportRunModel(runDir: string, format: ModelExportFormat, outPath: string, copy: CopyFile = plainCopy): ModelExportResult {
  const formats = runModelFormats(runDir);
  const model = exportableModel(formats, format);
  const out = resolve(outPath);
  checkTarget(formats.modelDir, format, out);
  const files = MODEL_EXPORT_FORMATS[format].folder
    ? exportFolder(formats.modelDir, model.files, out, copy)
    : exportFile(formats.modelDir, model.files[0], out, copy);
  return { format, out, files, bytes: model.bytes };
}

/** `<dir>/<runId>.onnx`, `<dir>/<runId>-tfjs`: where an export goes by default. */
export function defaultExportPath(dir: string, runId: string, format: ModelExportFormat): string {
  return join(dir, `${runId}${MODEL_EXPORT_FORMATS[format].suffix}`);
}
