// Where θo comes from, one row per source, like the method and data-format tables: trained here
// from a built-in architecture, a tfjs LayersModel, an ONNX graph, or a PyTorch checkpoint of a
// network whose twin SalUn knows. The schema, the labels, the reports and the job's progress plan
// read this table; how each is loaded, re-initialised for Retrain and written out is the engine's
// (src/engine/models/sources.ts), checked at compile time to cover every row.
import type { ArchitectureName, OwnModelSpec } from './config';
import type { Schema } from './schema';

export interface ModelSourceRow {
  /** "your ONNX model" — how summaries name the source. */
  label: string;
  /** The schema's description of the kind. */
  description: string;
  /** True when θo is the user's (never modified, never retrained here): heldOut cannot apply. */
  own: boolean;
  /** File endings the New Run flow and the explorer offer for this source (a whole name where it has no dot first: model.json). */
  extensions: readonly string[];
  /** A file of this source as the open dialog and the Browse item name it: "an ONNX graph (.onnx)". */
  fileNoun?: string;
  /** The file holds weights only, not which network they fill: the flow asks the architecture (a PyTorch twin, PYTORCH_TWINS). */
  asksArchitecture: boolean;
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
    asksArchitecture: false,
    fields: {},
    required: ['architecture'],
  },
  file: {
    label: 'your tfjs model',
    description: 'Your own trained tfjs LayersModel',
    own: true,
    extensions: ['model.json'],
    fileNoun: 'a TensorFlow.js LayersModel (model.json)',
    asksArchitecture: false,
    fields: { path: PATH('A tfjs LayersModel model.json') },
    required: ['path'],
  },
  onnx: {
    label: 'your ONNX model',
    description: 'Your own classifier as an ONNX graph (torch.onnx.export); trained as it is, written back with the unlearned weights',
    own: true,
    extensions: ['.onnx'],
    fileNoun: 'an ONNX graph (.onnx)',
    asksArchitecture: false,
    fields: { path: PATH('A .onnx file (with its .onnx.data beside it, if any)') },
    required: ['path'],
  },
  pytorch: {
    label: 'your PyTorch checkpoint',
    description: "Your own PyTorch state_dict (.pth, .pt or .safetensors) of a network SalUn knows ('architecture')",
    own: true,
    extensions: ['.pth', '.pt', '.safetensors'],
    fileNoun: 'a PyTorch checkpoint (.pth, .pt, .safetensors)',
    asksArchitecture: true,
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

/** The spec of a model file the user picked: an .onnx graph, else a tfjs model.json (a checkpoint needs its architecture asked: fileModelSpec). */
export function specForFile(path: string): { kind: 'onnx'; path: string } | { kind: 'file'; path: string } {
  return sourceForFile(path) === 'onnx' ? { kind: 'onnx', path } : { kind: 'file', path };
}

/** Whether a model file's spec needs the architecture asked first (a state_dict says nothing of its network). */
export function fileAsksArchitecture(path: string): boolean {
  const kind = sourceForFile(path);
  return kind !== undefined && MODEL_SOURCES[kind].asksArchitecture;
}

/**
 * The spec of any model file, by the row its name matches (a tfjs model.json when none does);
 * undefined when the row asks the architecture and none is given.
 */
export function fileModelSpec(path: string, architecture?: ArchitectureName): OwnModelSpec | undefined {
  const kind = sourceForFile(path) ?? 'file';
  if (!MODEL_SOURCES[kind].asksArchitecture) return { kind, path } as OwnModelSpec;
  return architecture ? ({ kind, path, architecture } as OwnModelSpec) : undefined;
}

/** The glob pattern of one file ending: '.onnx' → '*.onnx', a whole name as it is. */
function endingGlob(ending: string): string {
  return ending.startsWith('.') ? `*${ending}` : ending;
}

/** Every file ending of the table's model files, in its order. */
export const MODEL_FILE_ENDINGS: readonly string[] = MODEL_SOURCE_NAMES.flatMap((k) => MODEL_SOURCES[k].extensions);

/** The glob the New Run flow searches the workspace with for models of these sources. */
export const MODEL_FILE_GLOB = `**/{${MODEL_FILE_ENDINGS.map(endingGlob).join(',')}}`;

/** The open dialog's filter of model files: extensions without their dot ('model.json' → 'json'). */
export const MODEL_FILE_DIALOG_EXTENSIONS: readonly string[] = [...new Set(MODEL_FILE_ENDINGS.map((e) => e.slice(e.lastIndexOf('.') + 1)))];

/** "an ONNX graph (.onnx), a PyTorch checkpoint (…) or a TensorFlow.js LayersModel (model.json)": what a model file may be, for a dialog. */
export function modelFileNouns(): string {
  const nouns = MODEL_SOURCE_NAMES.flatMap((k): string[] => {
    const noun = modelSource(k).fileNoun;
    return noun ? [noun] : [];
  });
  return nouns.length > 1 ? `${nouns.slice(0, -1).join(', ')} or ${nouns[nouns.length - 1]}` : (nouns[0] ?? '');
}

/** What a PyTorch user knows an architecture by: its name here and the PyTorch module it is. */
export interface PytorchTwinText {
  label: string;
  /** The PyTorch module whose state_dict fills it. */
  torch: string;
}

/**
 * The built-in architectures whose PyTorch twin SalUn knows (src/engine/models/torchTwins.ts maps
 * their state_dict keys), as the New Run flow's architecture question lists them for a checkpoint.
 */
export const PYTORCH_TWINS = {
  'resnet18-torchvision': { label: 'ResNet-18 (torchvision)', torch: 'torchvision.models.resnet18(num_classes=…)' },
  resnet18: { label: 'ResNet-18 (CIFAR)', torch: "the SalUn authors' ResNet-18 (models/ResNet.py: 3×3 stem, no max-pool)" },
  'vgg16-bn': { label: 'VGG-16-BN', torch: "the SalUn authors' VGG-16-BN (models/VGG.py: classifier 2048 → 256 → 256 → classes)" },
  cnn: { label: 'CNN', torch: '3 × Conv2d(3×3, stride 2) + BatchNorm2d (16, 32, 64) → Linear(…, 128) → Linear(128, classes)' },
  mlp: { label: 'MLP', torch: 'Linear(C·H·W, 256) → Linear(256, 128) → Linear(128, classes)' },
} as const satisfies Record<ArchitectureName, PytorchTwinText>;

/** The architectures a checkpoint may be, in the order the flow lists them. */
export const PYTORCH_TWIN_NAMES = Object.keys(PYTORCH_TWINS) as ArchitectureName[];
