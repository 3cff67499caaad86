// What a data set holds, read from file and folder names only (no pixels), for any format: the
// checks of the New Run flow's folder pickers, the class names of its class step, the format of a
// folder named on the command line, `salun data`'s summary and the model cache's data key. Each
// format's own rules are its layout in the registry; this file only dispatches. Kept apart from
// the loaders so that the extension host can use it without bundling the image decoders.
import { resolve } from 'node:path';
import type { DataSpec, FolderDataSpec } from '../../protocol/config';
import {
  FILE_FORMAT_NAMES,
  FOLDER_FORMAT_NAMES,
  isFileFormatName,
  folderFormatsNeed,
  isDataFormatName,
  isFolderFormatName,
  type DataFormatName,
  type FileFormatName,
  type FolderFormatName,
} from '../../protocol/dataFormats';
import { UserError } from '../errors';
import { isDir, isFile } from './folders';
import type { DataLayout, DataSummary, FileLayout, FolderLayout } from './formatLayout';
import { DATA_LAYOUTS } from './registry';

// TypeScript does not correlate DATA_LAYOUTS[spec.kind] with spec over a union of kinds; for one
// kind they agree by the registry's `satisfies DataLayouts`.
function layoutOf(spec: DataSpec): DataLayout<DataSpec> {
  return DATA_LAYOUTS[spec.kind] as DataLayout<DataSpec>;
}

function folderLayout(kind: FolderFormatName): FolderLayout<FolderDataSpec> {
  return DATA_LAYOUTS[kind];
}

function fileLayout(kind: FileFormatName): FileLayout<Extract<DataSpec, { file: string }>> {
  return DATA_LAYOUTS[kind];
}

/** What is wrong with a file as data of `kind`, in one sentence, or undefined when it holds what the format needs. */
export function dataFileProblem(kind: FileFormatName, file: string): string | undefined {
  try {
    fileLayout(kind).check(file);
    return undefined;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return `${e.message}${e.hint ? ` ${e.hint}` : ''}`;
  }
}

/** Which one-file format a file holds, by its name, in the table's order. */
export function detectDataFileKind(file: string): FileFormatName | undefined {
  const abs = resolve(file);
  if (!isFile(abs)) return undefined;
  return FILE_FORMAT_NAMES.find((kind) => fileLayout(kind).detect(abs));
}

/** The folder of a data spec, resolved against the workspace. */
export function dataSpecDir(spec: FolderDataSpec, workspaceDir: string): string {
  return resolve(workspaceDir, spec.dir);
}

/**
 * The class names of the data, cheaply (folder names, batches.meta.txt; no pixels), for the class
 * step of the New Run flow and the summaries. undefined when the format does not name its classes
 * (idx). Throws a UserError when the folder does not hold that format.
 */
export function describeDataClasses(spec: DataSpec, workspaceDir: string): string[] | undefined {
  return layoutOf(spec).classNames(spec, workspaceDir);
}

/**
 * What is wrong with a folder as data of `kind`, in one sentence, or undefined when its layout
 * is right (the files themselves are read only by the job). For the New Run flow's folder pickers.
 */
export function dataFolderProblem(kind: FolderFormatName, dir: string): string | undefined {
  try {
    folderLayout(kind).check(dir);
    return undefined;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return `${e.message}${e.hint ? ` ${e.hint}` : ''}`;
  }
}

/** Which format a folder holds, from its file names, trying the formats in the table's order. */
export function detectDataKind(dir: string): FolderFormatName | undefined {
  const abs = resolve(dir);
  if (!isDir(abs)) return undefined;
  return FOLDER_FORMAT_NAMES.find((kind) => folderLayout(kind).detect(abs));
}

/** What identifies the data in the model cache's key: its files' names, sizes and times (JSON, to be hashed). */
export function dataIdentity(spec: DataSpec, workspaceDir: string): unknown {
  return layoutOf(spec).fingerprint(spec, workspaceDir);
}

/** `salun data`: the format, folder, classes and sizes; with `withFiles`, which file each training index is. */
export function dataSummary(spec: DataSpec, workspaceDir: string, withFiles: boolean): DataSummary & { kind: DataFormatName } {
  return { kind: spec.kind, ...layoutOf(spec).summary(spec, workspaceDir, withFiles) };
}

/**
 * A data set as the command line names it (`label` is the flag or argument, for the message): a
 * format without a folder by its name ("default"), `<format>:<folder>`, or a folder whose format
 * its files tell. `problem` when none of these fits.
 */
export function dataSpecFromArgument(v: string, label: string): { spec: DataSpec } | { problem: string } {
  if (isDataFormatName(v) && !isFolderFormatName(v) && !isFileFormatName(v)) return { spec: { kind: v } };
  const colon = v.indexOf(':');
  const named = v.slice(0, colon);
  if (colon > 0 && isFolderFormatName(named)) return { spec: { kind: named, dir: resolve(v.slice(colon + 1)) } };
  if (colon > 0 && isFileFormatName(named)) return { spec: { kind: named, file: resolve(v.slice(colon + 1)) } };
  const kind = detectDataKind(v);
  if (kind) return { spec: { kind, dir: resolve(v) } };
  const fileKind = detectDataFileKind(v);
  if (fileKind) return { spec: { kind: fileKind, file: resolve(v) } };
  const example = FOLDER_FORMAT_NAMES[FOLDER_FORMAT_NAMES.length - 1];
  return {
    problem: `${label} ${v} is not a data folder this tool recognises: it needs ${folderFormatsNeed()}. Name the format to see what is missing, e.g. ${label} ${example}:${v}`,
  };
}
