// Where θo comes from, one row per source, like the method and data-format tables: trained here
// from a built-in architecture, a tfjs LayersModel, an ONNX graph, or a PyTorch checkpoint of a
// network whose twin SalUn knows. The schema, the labels, the reports and the job's progress plan
// read this table; how each is loaded, re-initialised for Retrain and written out is the engine's
// (src/engine/models/sources.ts), checked at compile time to cover every row.
import type { Schema } from './schema';

export interface ModelSourceRow {
  /** "your ONNX model" — how summaries name the source. */
  label: string;
  /** The schema's description of the kind. */
  description: string;
  /** True when θo is the user's (never modified, never retrained here): heldOut cannot apply. */
  own: boolean;
  /** File endings the New Run flow and the explorer offer for this source. */
  extensions: readonly string[];
  /** Config fields beyond kind, with their schema (path and, for PyTorch, the architecture). */
  fields: Readonly<Record<string, Schema>>;
  required: readonly string[];
}

const PATH = (what: string): Schema => ({ type: 'string', minLength: 1, description: `${what} (relative to the workspace, or absolute)` });

export const MODEL_SOURCES = {
  builtin: {
    label: 'built-in architecture',
    description: 'A built-in architecture, trained by SalUn on the data (cached)',
    own: false,
    extensions: [],
    fields: {},
    required: ['architecture'],
  },
  file: {
    label: 'your tfjs model',
    description: 'Your own trained tfjs LayersModel',
    own: true,
    extensions: ['model.json'],
    fields: { path: PATH('A tfjs LayersModel model.json') },
    required: ['path'],
  },
  onnx: {
    label: 'your ONNX model',
    description: 'Your own classifier as an ONNX graph (torch.onnx.export); trained as it is, written back with the unlearned weights',
    own: true,
    extensions: ['.onnx'],
    fields: { path: PATH('A .onnx file (with its .onnx.data beside it, if any)') },
    required: ['path'],
  },
  pytorch: {
    label: 'your PyTorch checkpoint',
    description: "Your own PyTorch state_dict (.pth, .pt or .safetensors) of a network SalUn knows ('architecture')",
    own: true,
    extensions: ['.pth', '.pt', '.safetensors'],
    fields: { path: PATH('A state_dict saved with torch.save or safetensors') },
    required: ['path', 'architecture'],
  },
} as const satisfies Record<string, ModelSourceRow>;

export type ModelSourceName = keyof typeof MODEL_SOURCES;

export const MODEL_SOURCE_NAMES = Object.keys(MODEL_SOURCES) as ModelSourceName[];

export function modelSource(kind: ModelSourceName): ModelSourceRow {
  return MODEL_SOURCES[kind];
}

/** The user's own model (any source but a built-in trained here). */
export function isOwnModel(spec: { kind: string }): boolean {
  return Object.hasOwn(MODEL_SOURCES, spec.kind) && MODEL_SOURCES[spec.kind as ModelSourceName].own;
}

/** The source a file's name suggests, for the New Run flow and `salun run --model`. */
export function sourceForFile(path: string): ModelSourceName | undefined {
  const lower = path.toLowerCase();
  return MODEL_SOURCE_NAMES.find((k) => MODEL_SOURCES[k].extensions.some((e) => lower.endsWith(e)));
}

/** "your ONNX model x/model.onnx", "the built-in resnet18": a model spec in one phrase. */
export function modelText(spec: { kind: ModelSourceName; path?: string; architecture?: string }): string {
  if (spec.kind === 'builtin') return `the built-in ${spec.architecture ?? ''}`.trim();
  const arch = spec.kind === 'pytorch' && spec.architecture ? ` (${spec.architecture})` : '';
  return `${modelSource(spec.kind).label} ${spec.path ?? ''}${arch}`.trim();
}

/** The spec of a model file the user picked: an .onnx graph, else a tfjs model.json (a checkpoint needs its architecture asked). */
export function specForFile(path: string): { kind: 'onnx'; path: string } | { kind: 'file'; path: string } {
  return sourceForFile(path) === 'onnx' ? { kind: 'onnx', path } : { kind: 'file', path };
}

/** The glob the New Run flow searches the workspace with for models of these sources. */
export const MODEL_FILE_GLOB = '**/{model.json,*.onnx}';
