// "SalUn: New Unlearning Run": model (for a PyTorch checkpoint, its architecture in the same step)
// → data → (for a model file) its input scaling, named or the user's own mean/std → forget set →
// method → hyper-parameters → confirm. Each step shows "n/N" (N = 5, or 6 with the scaling step),
// Back returns to the previous one, Escape anywhere cancels with nothing started or remembered. The
// summary says, before Start, whether the mask ratio reaches into zero saliency scores, from a map
// already computed or one the user asks for there. The rules are in newRunAnswers.ts.
import {
  fileAsksArchitecture,
  fileModelSpec,
  isOwnModel,
  MODEL_FILE_DIALOG_EXTENSIONS,
  MODEL_FILE_GLOB,
  modelFileNouns,
  PYTORCH_TWIN_NAMES,
  PYTORCH_TWINS,
} from '../../protocol/modelSources';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import {
  isArchitectureName,
  type ArchitectureName,
  type DataNormalization,
  type DataSpec,
  type ForgetSpec,
  type MethodName,
  type ModelSpec,
  type OwnModelSpec,
} from '../../protocol/config';
import { DEFAULT_METHOD, innerQuestion, methodLabel } from '../../protocol/methods';
import { TERMS } from '../../protocol/terms';
import { NORMALIZATION_CHOICES, NORMALIZE_QUESTION, normalizationLabel } from '../../protocol/normalizations';
import {
  DATA_FORMAT_NAMES,
  dataFormat,
  FILE_FORMAT_NAMES,
  FOLDER_FORMAT_NAMES,
  isFileFormatName,
  isFolderFormatName,
  type FileFormatName,
  type FolderFormatName,
} from '../../protocol/dataFormats';
import { FASHION_MNIST_CLASSES } from '../../store/data/idxLayout';
import { dataFileProblem, dataFolderProblem } from '../../store/data/layout';
import {
  asksNormalize,
  customNormalizeExample,
  customNormalizeProblem,
  customNormalizeText,
  dataChannels,
  parseCustomNormalize,
  dataClassNames,
  liftNormalize,
  methodPickItems,
  saliencyNote,
  type NewRunQuestion,
  type SaliencyFinding,
  epochsProblem,
  hyperDefaults,
  innerPickItems,
  lrProblem,
  answersToRemember,
  methodAsksRatio,
  startDescription,
  methodAsksRecipe,
  parseFraction,
  prefillAnswers,
  ratioProblem,
  summaryLines,
  type NewRunAnswers,
  type SettingsSeen,
} from './newRunAnswers';
import { BACK, inputStep, pickStep, runSteps, type Back, type StepPosition } from './quickSteps';

const TITLE = 'SalUn: New Unlearning Run';
/** The method step's title glosses Retrain, which every method is compared with, where it is first named. */
const METHOD_TITLE = `Each method is compared with Retrain, ${TERMS.retrain.gloss}`;
/** The steps' order in runSteps; a summary line's "change" jumps to its question's step. */
const QUESTIONS: readonly NewRunQuestion[] = ['model', 'data', 'normalize', 'forget', 'method', 'hyper'];
/** workspaceState key of the last answers, prefilled next time. */
export const NEW_RUN_MEMORY_KEY = 'salun.newRun.lastAnswers';
/** workspaceState key of the architecture last chosen for each checkpoint file (path → name). */
export const ARCHITECTURE_MEMORY_KEY = 'salun.newRun.architectures';

interface Choice<T> extends vscode.QuickPickItem {
  value?: T;
  /** Runs instead of taking `value`: a dialog; undefined means "ask again". */
  choose?: () => Promise<T | undefined>;
}

const separator = <T>(label: string): Choice<T> => ({ label, kind: vscode.QuickPickItemKind.Separator });

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Two items give the same answer (a model by its path): how a rebuilt list finds the highlighted one again. */
function sameAnswer<T>(a: Choice<T>, b: Choice<T>): boolean {
  return a.value !== undefined && b.value !== undefined ? sameJson(a.value, b.value) : a.label === b.label;
}

/** Shows a pick step; resolves the chosen value, BACK, or undefined for Escape. Re-asks when a dialog is dismissed. */
async function choose<T>(
  step: number,
  placeholder: string,
  items: Choice<T>[],
  current: T | undefined,
  title: string,
  total: number,
  later?: { found: Thenable<unknown>; items: () => Choice<T>[] },
): Promise<T | Back | undefined> {
  for (;;) {
    const shown = later ? later.items() : items;
    const active = current === undefined ? undefined : shown.find((i) => i.value !== undefined && sameJson(i.value, current));
    const picked = await pickStep({ title, step, totalSteps: total, placeholder, items: shown, active, later, same: sameAnswer });
    if (picked === BACK || picked === undefined) return picked;
    if (picked.choose) {
      const v = await picked.choose();
      if (v !== undefined) return v;
      continue;
    }
    if (picked.value !== undefined) return picked.value;
  }
}

function relativeLabel(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, true);
}

function rememberedArchitectures(memory: vscode.Memento): Record<string, ArchitectureName> {
  const x = memory.get<unknown>(ARCHITECTURE_MEMORY_KEY);
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return {};
  return Object.fromEntries(Object.entries(x).filter((e): e is [string, ArchitectureName] => isArchitectureName(e[1])));
}

/** Keeps the architecture of a checkpoint the user ran, so that the next question on the same file highlights it. */
export async function rememberArchitecture(memory: vscode.Memento, model: ModelSpec): Promise<void> {
  if (!('path' in model) || !('architecture' in model) || !fileAsksArchitecture(model.path)) return;
  // The newest first, a bounded list: a workspace's memory must not grow with every file ever tried.
  const kept = Object.entries(rememberedArchitectures(memory)).filter(([p]) => p !== model.path);
  await memory.update(ARCHITECTURE_MEMORY_KEY, Object.fromEntries([[model.path, model.architecture], ...kept.slice(0, 49)]));
}

/** The architecture `model` gives the file at `path` (the current answer is that checkpoint), if any. */
function architectureOf(model: ModelSpec | undefined, path: string): ArchitectureName | undefined {
  return model && 'path' in model && 'architecture' in model && model.path === path ? model.architecture : undefined;
}

/** The architecture last chosen for a checkpoint file (this flow or the explorer's), if any. */
export function rememberedArchitecture(memory: vscode.Memento, path: string): ArchitectureName | undefined {
  return rememberedArchitectures(memory)[path];
}

/** The architecture question's items: each network whose PyTorch twin SalUn knows, with the module it is. */
export function architectureChoices(): Choice<ArchitectureName>[] {
  return PYTORCH_TWIN_NAMES.map((architecture) => ({
    label: `$(circuit-board) ${PYTORCH_TWINS[architecture].label}`,
    detail: PYTORCH_TWINS[architecture].torch,
    value: architecture,
  }));
}

/**
 * Which network a checkpoint's state_dict is of (the file does not say): one pick of the known
 * PyTorch twins, the last choice for this file highlighted. Undefined on Escape or Back.
 */
export async function askArchitecture(memory: vscode.Memento, path: string, at: StepPosition, current?: ArchitectureName): Promise<OwnModelSpec | undefined> {
  const items = architectureChoices();
  const highlight = current ?? rememberedArchitecture(memory, path);
  const picked = await pickStep({
    ...at,
    title: `${at.title}: ${basename(path)}`,
    placeholder: 'Which network is this checkpoint of?',
    items,
    active: items.find((i) => i.value === highlight),
  });
  if (picked === BACK || picked === undefined || picked.value === undefined) return undefined;
  return fileModelSpec(path, picked.value);
}

/** A model file's spec, asking the architecture first where the file's row needs it. */
export function modelSpecOfFile(memory: vscode.Memento, path: string, at: StepPosition, current?: ModelSpec): Promise<OwnModelSpec | undefined> {
  if (!fileAsksArchitecture(path)) return Promise.resolve(fileModelSpec(path));
  return askArchitecture(memory, path, at, architectureOf(current, path));
}

async function browseModelFile(memory: vscode.Memento, at: StepPosition): Promise<ModelSpec | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: `Choose your model: ${modelFileNouns()}`,
    canSelectMany: false,
    openLabel: 'Use this model',
    filters: { 'Model files': [...MODEL_FILE_DIALOG_EXTENSIONS] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0] ? modelSpecOfFile(memory, picked[0].fsPath, at) : undefined;
}

/** A folder of a folder format, its layout (names only, no pixels) checked before it is taken; a folder that fails is refused, naming what is missing. */
async function browseDataFolder(kind: FolderFormatName): Promise<DataSpec | undefined> {
  const title = dataFormat(kind).folder?.dialogTitle;
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Use this folder',
  });
  const dir = picked?.[0]?.fsPath;
  if (!dir) return undefined;
  const problem = dataFolderProblem(kind, dir);
  if (problem) {
    void vscode.window.showErrorMessage(`SalUn: ${problem} Choose another folder.`);
    return undefined;
  }
  return { kind, dir };
}

/** A file of a one-file format (.npz), its arrays' names checked before it is taken. */
async function browseDataFile(kind: FileFormatName): Promise<DataSpec | undefined> {
  const row = dataFormat(kind).file;
  const picked = await vscode.window.showOpenDialog({
    title: row?.dialogTitle,
    canSelectFolders: false,
    canSelectFiles: true,
    canSelectMany: false,
    openLabel: 'Use this file',
    filters: row ? { [row.filterName]: [row.extension.replace(/^\./, '')] } : undefined,
  });
  const file = picked?.[0]?.fsPath;
  if (!file) return undefined;
  const problem = dataFileProblem(kind, file);
  if (problem) {
    void vscode.window.showErrorMessage(`SalUn: ${problem} Choose another file.`);
    return undefined;
  }
  return { kind, file };
}

function workspaceDir(): string {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
}

export function builtinModelChoices(): Choice<ModelSpec>[] {
  const builtin = (architecture: ArchitectureName, label: string, detail: string): Choice<ModelSpec> => ({
    label,
    description: detail,
    value: { kind: 'builtin', architecture },
  });
  return [
    builtin('cnn', '$(circuit-board) Built-in CNN', 'conv-bn-relu, 156k weights; trained on the data first (cached)'),
    builtin('mlp', '$(circuit-board) Built-in MLP', 'small and fast; trained on the data first (cached)'),
    builtin('resnet18', '$(circuit-board) Built-in ResNet-18', "the paper's CIFAR-10 network, 11.2M weights; needs a GPU backend to train in reasonable time"),
    builtin('vgg16-bn', '$(circuit-board) Built-in VGG-16-BN', "the paper's CIFAR-10 VGG, 15.3M weights, images of at least 16×16; needs a GPU backend"),
    builtin(
      'resnet18-torchvision',
      '$(circuit-board) Built-in ResNet-18 (torchvision)',
      'torchvision.models.resnet18 (7×7 stem and max-pool), 11.2M weights; needs a GPU backend',
    ),
  ];
}

/** A model file's item: a checkpoint asks its architecture when taken, highlighted as the one remembered for it. */
function modelFileChoice(memory: vscode.Memento, path: string, at: StepPosition, current: ModelSpec | undefined): Choice<ModelSpec> {
  const label = `$(file) ${relativeLabel(vscode.Uri.file(path))}`;
  if (!fileAsksArchitecture(path)) return { label, description: 'your model; never modified', value: fileModelSpec(path) };
  const known = architectureOf(current, path) ?? rememberedArchitecture(memory, path);
  return {
    label,
    description: known ? `your checkpoint of ${PYTORCH_TWINS[known].label}; never modified` : 'your checkpoint; its network is asked next',
    // A value for the highlight to find the remembered answer again; taking the item still asks (the file may be another network now).
    value: known ? fileModelSpec(path, known) : undefined,
    choose: () => modelSpecOfFile(memory, path, at, current),
  };
}

/**
 * The model step's items: the built-ins and Browse at once, the workspace's model files (every row
 * of the model-source table with a file) when the search has found them (a large workspace must
 * not keep the flow from showing).
 */
function modelChoices(
  memory: vscode.Memento,
  current: ModelSpec | undefined,
  at: StepPosition,
): { now: Choice<ModelSpec>[]; found: Thenable<unknown>; all: () => Choice<ModelSpec>[] } {
  const browse: Choice<ModelSpec>[] = [
    separator(''),
    { label: `$(folder-opened) Choose a model file (${modelFileNouns()})…`, choose: () => browseModelFile(memory, at) },
  ];
  const files: string[] = [];
  if (current && isOwnModel(current) && 'path' in current && existsSync(current.path)) files.push(current.path);
  const items = (): Choice<ModelSpec>[] => {
    const list = builtinModelChoices();
    if (files.length) {
      list.push(separator('model files in the workspace'));
      for (const path of files) list.push(modelFileChoice(memory, path, at, current));
    }
    return [...list, ...browse];
  };
  const found = vscode.workspace.findFiles(MODEL_FILE_GLOB, '**/{node_modules,.salun,.git}/**', 50).then((uris) => {
    for (const u of uris) if (!files.includes(u.fsPath)) files.push(u.fsPath);
  });
  return { now: items(), found, all: items };
}

/** The data step's items: the formats without a folder, the current folder, then a Browse per folder format (the table's order). */
export function dataChoices(current: DataSpec | undefined): Choice<DataSpec>[] {
  const items: Choice<DataSpec>[] = DATA_FORMAT_NAMES.flatMap((kind): Choice<DataSpec>[] => {
    const { pick } = dataFormat(kind);
    return isFolderFormatName(kind) || isFileFormatName(kind) ? [] : [{ label: `$(package) ${pick.label}`, description: pick.detail, value: { kind } }];
  });
  if (current && 'dir' in current) items.push({ label: `$(database) ${current.dir}`, description: dataFormat(current.kind).label, value: current });
  if (current && 'file' in current) items.push({ label: `$(database) ${current.file}`, description: dataFormat(current.kind).label, value: current });
  items.push(
    separator(''),
    ...FOLDER_FORMAT_NAMES.map((kind): Choice<DataSpec> => {
      const { pick } = dataFormat(kind);
      return { label: `$(folder-opened) ${pick.label}`, description: pick.detail, choose: () => browseDataFolder(kind) };
    }),
    ...FILE_FORMAT_NAMES.map((kind): Choice<DataSpec> => {
      const { pick } = dataFormat(kind);
      return { label: `$(file) ${pick.label}`, description: pick.detail, choose: () => browseDataFile(kind) };
    }),
  );
  return items;
}

/**
 * The class step's items. `names`: the data's class names; true for the bundled subset (the table
 * flow asks for the class before the data); false or undefined when the data does not name its
 * classes, where Fashion-MNIST's names are shown as a hint next to the index.
 */
export function classChoices(names: boolean | readonly string[] | undefined): Choice<number>[] {
  if (Array.isArray(names)) return (names as readonly string[]).map((name, i) => ({ label: `${i}`, description: name, value: i }));
  return FASHION_MNIST_CLASSES.map((name, i) => ({
    label: `${i}`,
    description: names === true ? name : `Fashion-MNIST's ${name}; your data's class ${i}`,
    value: i,
  }));
}

async function forgetStep(step: number, total: number, a: Partial<NewRunAnswers>): Promise<ForgetSpec | Back | undefined> {
  type Kind = 'random' | 'class' | 'indices';
  for (;;) {
    const current = a.forget?.kind;
    const kind = await choose<Kind>(
      step,
      'What should the model forget?',
      [
        { label: '$(symbol-numeric) A random share of the training set', description: 'seeded, across all classes', value: 'random' },
        { label: '$(symbol-class) One class', description: 'every training sample of it; also left out of TA', value: 'class' },
        { label: '$(list-ordered) Training-set indices from a file', description: 'a JSON array or one index per line', value: 'indices' },
      ],
      current,
      TITLE,
      total,
    );
    if (kind === BACK || kind === undefined) return kind;
    if (kind === 'random') {
      const prev = a.forget?.kind === 'random' ? a.forget.fraction : 0.1;
      const text = await inputStep({
        title: TITLE,
        step,
        totalSteps: total,
        value: `${+(prev * 100).toFixed(4)}%`,
        prompt: 'Share of the training set to forget: a fraction (0.1) or a percentage (10%), strictly between 0 and 1',
        validate: (t) => {
          const f = parseFraction(t);
          return typeof f === 'string' ? f : undefined;
        },
      });
      if (text === undefined) return undefined;
      if (text === BACK) continue;
      const fraction = parseFraction(text);
      if (typeof fraction === 'number') return { kind: 'random', fraction, seed: a.forget?.kind === 'random' ? a.forget.seed : undefined };
      continue;
    }
    if (kind === 'class') {
      const { names, problem } = dataClassNames(a.data, workspaceDir());
      if (problem) void vscode.window.showWarningMessage(`SalUn: the class names of the chosen data are unknown: ${problem}`);
      const c = await choose<number>(
        step,
        'Which class should the model forget?',
        classChoices(names ?? (a.data !== undefined && !('dir' in a.data))),
        a.forget?.kind === 'class' ? a.forget.classIndex : undefined,
        TITLE,
        total,
      );
      if (c === undefined) return undefined;
      if (c === BACK) continue;
      return { kind: 'class', classIndex: c };
    }
    const picked = await vscode.window.showOpenDialog({
      title: 'Choose a file of training-set indices to forget',
      canSelectMany: false,
      openLabel: 'Forget these samples',
      filters: { 'Index list': ['json', 'txt', 'csv'], 'All files': ['*'] },
    });
    if (picked?.[0]) return { kind: 'indices', file: picked[0].fsPath };
  }
}

const NO_INNER = Symbol('no inner method');

/** A meta-method's second question (RUM: which method on each subset); NO_INNER for any other method, at once. */
async function innerStep(
  step: number,
  total: number,
  method: MethodName,
  was: MethodName | undefined,
): Promise<MethodName | typeof NO_INNER | Back | undefined> {
  const q = innerQuestion(method);
  if (!q) return NO_INNER;
  const items = innerPickItems(method).map((i): Choice<MethodName> => ({ label: i.label, description: i.description, value: i.method }));
  const which = q.runs > 1 ? `on each of its ${q.runs} subsets of the forget set` : 'inside it';
  return choose(step, `Which method does ${methodLabel(method)} run ${which}?`, items, was ?? q.default, `${TITLE}: ${methodLabel(method)}`, total);
}

async function hyperStep(
  step: number,
  total: number,
  a: Partial<NewRunAnswers>,
  method: MethodName,
  settingRatio: number | undefined,
): Promise<Pick<NewRunAnswers, 'epochs' | 'lr' | 'ratio'> | Back | undefined> {
  const d = hyperDefaults(method, a.inner);
  // A remembered value is kept only for the method it was chosen for; another method starts from its own recipe.
  const same = a.method === method;
  const values = { epochs: same ? (a.epochs ?? d.epochs) : d.epochs, lr: same ? (a.lr ?? d.lr) : d.lr, ratio: a.ratio ?? d.ratio };
  const fields: { key: keyof typeof values; prompt: string; validate: (t: string) => string | undefined; skip?: boolean }[] = [
    {
      key: 'epochs',
      prompt: `Unlearning epochs (${methodLabel(method)}'s default: ${d.epochs})`,
      validate: epochsProblem,
      skip: !methodAsksRecipe(method, a.inner),
    },
    {
      key: 'lr',
      prompt: `Learning rate of the unlearning step (${methodLabel(method)}'s default: ${d.lr})`,
      validate: lrProblem,
      skip: !methodAsksRecipe(method, a.inner),
    },
    {
      key: 'ratio',
      validate: ratioProblem,
      skip: !methodAsksRatio(method, a.inner),
      prompt: `Saliency mask ratio: the share of weights, ranked by |g|, that may move (${settingRatio !== undefined ? `salun.saliencyRatio: ${settingRatio}` : `default ${d.ratio}`})`,
    },
  ];
  const asked = fields.filter((f) => !f.skip);
  for (let i = 0; i < asked.length;) {
    const f = asked[i];
    const text = await inputStep({
      title: `${TITLE}: ${methodLabel(method)}`,
      step,
      totalSteps: total,
      value: String(values[f.key]),
      prompt: f.prompt,
      validate: f.validate,
    });
    if (text === undefined) return undefined;
    if (text === BACK) {
      if (i === 0) return BACK;
      i--;
      continue;
    }
    values[f.key] = Number(text);
    i++;
  }
  return values;
}

/**
 * The scaling step's items: what the user wrote in their training code, and what the lab then does;
 * last, the user's own Normalize(mean, std) constants, typed in a box (`custom`: asks them).
 */
export function normalizeChoices(current?: DataNormalization, custom?: () => Promise<DataNormalization | undefined>): Choice<DataNormalization>[] {
  const named = NORMALIZATION_CHOICES.map((c): Choice<DataNormalization> => ({ label: normalizationLabel(c), detail: c.detail, value: c.value }));
  const own = typeof current === 'object' ? current : undefined;
  return [
    ...named,
    {
      label: 'Custom mean/std…',
      description: own ? `Normalize(${customNormalizeText(own)})` : undefined,
      detail: 'Normalize(mean, std) with the constants of your training code, one per channel',
      // The value lets the highlight find the remembered constants; Enter opens the box to change them.
      value: own,
      choose: custom,
    },
  ];
}

/** The custom scaling's box: per-channel mean and std, checked as typed. Undefined on Escape or Back (the list shows again). */
async function customNormalizeStep(
  at: StepPosition,
  data: DataSpec | undefined,
  current: DataNormalization | undefined,
): Promise<DataNormalization | undefined> {
  const channels = dataChannels(data);
  const text = await inputStep({
    ...at,
    value: typeof current === 'object' ? customNormalizeText(current) : '',
    placeholder: customNormalizeExample(channels),
    prompt: `Your Normalize(mean, std): the mean list, then the std list, one value per channel${channels ? ` (the data has ${channels})` : ''}, on pixels in [0, 1]`,
    validate: (t) => customNormalizeProblem(t, channels),
  });
  if (text === undefined || text === BACK) return undefined;
  const n = parseCustomNormalize(text, channels);
  return typeof n === 'string' ? undefined : n;
}

/**
 * Another task's flow the model step offers below the classifiers (a class-conditional diffusion
 * model): picking it ends this flow with nothing remembered and calls `take`, which starts that one.
 */
export interface NewRunHandoff {
  label: string;
  description: string;
  detail?: string;
  take(): void;
}

const HANDOFF = Symbol('handoff');
type Handoff = typeof HANDOFF;

/** The model step's items with the other task's entry last, under its own separator. */
function withHandoff(items: Choice<ModelSpec>[], handoff: NewRunHandoff | undefined): Choice<ModelSpec | Handoff>[] {
  if (!handoff) return items;
  return [...items, separator('another task'), { label: handoff.label, description: handoff.description, detail: handoff.detail, value: HANDOFF }];
}

/** What the summary may do about the saliency map: find one already computed, or compute one (a saliency job). */
export interface SaliencyCheck {
  /** A map of the same model, data and forget set already in a run folder. */
  cached(a: NewRunAnswers): SaliencyFinding | undefined;
  /** Runs a saliency job (progress and Cancel as any job); undefined when it did not finish. Only offered for a model file. */
  compute?(a: NewRunAnswers): Promise<SaliencyFinding | undefined>;
}

type SummaryAction = { kind: 'start' } | { kind: 'change'; question: NewRunQuestion } | { kind: 'check' } | { kind: 'ratio'; ratio: number };

/**
 * The summary step's items: Start, the word on the mask when there is one (or the offer to check
 * it), then a "change" line per answer. A check runs before Start would: the highlight is on it.
 */
function summaryItems(
  answers: NewRunAnswers,
  found: SaliencyFinding | undefined,
  canCheck: boolean,
): { items: Choice<SummaryAction>[]; active: SummaryAction } {
  const start: Choice<SummaryAction> = { label: '$(play) Start', description: startDescription(answers.model), value: { kind: 'start' } };
  const items: Choice<SummaryAction>[] = [start];
  let active: SummaryAction = start.value!;
  if (methodAsksRatio(answers.method, answers.inner) && found) {
    const note = saliencyNote(found, answers.ratio);
    items.push({
      label: `${note.warn ? '$(warning)' : '$(pass)'} ${note.label}`,
      description: 'change the ratio',
      detail: note.detail,
      value: { kind: 'change', question: 'hyper' },
    });
    if (note.ratio !== undefined)
      items.push({ label: `$(wand) Use ratio ${note.ratio}`, description: 'the largest with γ > 0', value: { kind: 'ratio', ratio: note.ratio } });
  } else if (methodAsksRatio(answers.method, answers.inner) && canCheck) {
    const check: Choice<SummaryAction> = {
      label: '$(pulse) Check the saliency scores first',
      description: 'does this ratio leave γ > 0?',
      detail: 'one gradient pass over the data to forget at your model, run as a saliency job (Cancel Job stops it)',
      value: { kind: 'check' },
    };
    items.unshift(check);
    active = check.value!;
  }
  items.push(
    separator('Change…'),
    ...summaryLines(answers, dataClassNames(answers.data, workspaceDir()).names ?? []).map((line): Choice<SummaryAction> => ({
      label: line.text,
      description: 'change',
      detail: line.detail,
      value: { kind: 'change', question: line.question },
    })),
  );
  return { items, active };
}

/** A saliency map computed in this flow: kept while the answers it depends on stay the same. */
interface ComputedMap {
  found: { key: string; found: SaliencyFinding } | undefined;
}

function saliencyKeyOf(x: NewRunAnswers): string {
  return JSON.stringify([x.model, x.data, x.normalize, x.forget]);
}

/** The last step: Start, change an answer (its step's index), take the suggested ratio, or check the mask and ask again. */
async function summaryStep(
  answers: NewRunAnswers,
  at: { step: number; totalSteps: number },
  saliency: SaliencyCheck | undefined,
  computed: ComputedMap,
): Promise<'next' | 'back' | 'cancel' | number> {
  for (;;) {
    const mine = computed.found && computed.found.key === saliencyKeyOf(answers) ? computed.found.found : undefined;
    const found = mine ?? (methodAsksRatio(answers.method, answers.inner) ? saliency?.cached(answers) : undefined);
    const canCheck = saliency?.compute !== undefined && answers.model.kind !== 'builtin';
    const { items, active } = summaryItems(answers, found, canCheck);
    const r = await choose<SummaryAction>(at.step, 'Start this unlearning run?', items, active, `${TITLE}: summary`, at.totalSteps);
    if (r === undefined) return 'cancel';
    if (r === BACK) return 'back';
    if (r.kind === 'start') return 'next';
    if (r.kind === 'change') return QUESTIONS.indexOf(r.question);
    if (r.kind === 'ratio') {
      answers.ratio = r.ratio;
      continue;
    }
    const result = await saliency?.compute?.(answers);
    if (result) computed.found = { key: saliencyKeyOf(answers), found: result };
  }
}

/** The first step: a built-in, a model file, or (with `handoff`) another task's flow. */
async function modelStep(
  memory: vscode.Memento,
  a: Partial<NewRunAnswers>,
  at: StepPosition,
  handoff: NewRunHandoff | undefined,
): Promise<'next' | 'back' | 'cancel'> {
  const models = modelChoices(memory, a.model, at);
  const m = await choose<ModelSpec | Handoff>(
    at.step,
    'Which model should forget? (a file is never modified)',
    withHandoff(models.now, handoff),
    a.model,
    TITLE,
    at.totalSteps,
    { found: models.found, items: () => withHandoff(models.all(), handoff) },
  );
  if (m === undefined) return 'cancel';
  if (m === BACK) return 'back';
  if (m === HANDOFF) {
    handoff?.take();
    return 'cancel';
  }
  a.model = m;
  return 'next';
}

/**
 * Asks every question; resolves the answers, or undefined when the user cancelled. `prefill` (e.g.
 * a model.json from the explorer) wins over the remembered answers; `settings` (salun.saliencyRatio,
 * salun.data) win over them where they changed since the answers were given. `saliency`: what the
 * summary may say about the mask (nothing without it).
 */
export async function askNewRun(
  memory: vscode.Memento,
  prefill: Partial<NewRunAnswers> = {},
  settings: SettingsSeen = {},
  saliency?: SaliencyCheck,
  handoff?: NewRunHandoff,
): Promise<NewRunAnswers | undefined> {
  const a: Partial<NewRunAnswers> = liftNormalize({ ...prefillAnswers(memory.get<unknown>(NEW_RUN_MEMORY_KEY), settings), ...prefill });
  // The step numbers shown: the scaling step counts only for a model file.
  const total = (): number => (asksNormalize(a.model) ? 6 : 5);
  const shown = (q: NewRunQuestion): number => {
    const at = QUESTIONS.indexOf(q) + 1;
    return !asksNormalize(a.model) && at > 2 ? at - 1 : at;
  };
  const remembered: ComputedMap = { found: undefined };
  // A model chosen before the flow (the explorer's "Run Unlearning on this model") skips its step; Back still reaches it.
  const done = await runSteps(
    [
      () => modelStep(memory, a, { title: TITLE, step: shown('model'), totalSteps: total() }, handoff),
      async () => {
        const d = await choose(shown('data'), 'Which data was the model trained on?', dataChoices(a.data), a.data, TITLE, total());
        if (d === undefined) return 'cancel';
        if (d === BACK) return 'back';
        a.data = d;
        return 'next';
      },
      async () => {
        // A built-in θo is trained here on [0, 1] pixels, so only a model file has a scaling to match.
        if (!asksNormalize(a.model)) return 'skip';
        const at = { title: TITLE, step: shown('normalize'), totalSteps: total() };
        const items = normalizeChoices(a.normalize, () => customNormalizeStep(at, a.data, a.normalize));
        const n = await choose(shown('normalize'), NORMALIZE_QUESTION, items, a.normalize ?? 'unit', TITLE, total());
        if (n === undefined) return 'cancel';
        if (n === BACK) return 'back';
        a.normalize = n;
        return 'next';
      },
      async () => {
        const f = await forgetStep(shown('forget'), total(), a);
        if (f === undefined) return 'cancel';
        if (f === BACK) return 'back';
        a.forget = f;
        return 'next';
      },
      async () => {
        const items = methodPickItems().map((i): Choice<MethodName> => ({ label: i.label, description: i.description, detail: i.detail, value: i.method }));
        for (;;) {
          const m = await choose(shown('method'), 'Which unlearning method?', items, a.method ?? DEFAULT_METHOD, METHOD_TITLE, total());
          if (m === undefined) return 'cancel';
          if (m === BACK) return 'back';
          const inner = await innerStep(shown('method'), total(), m, a.method === m ? a.inner : undefined);
          if (inner === undefined) return 'cancel';
          if (inner === BACK) continue;
          a.method = m;
          if (inner === NO_INNER) delete a.inner;
          else a.inner = inner;
          return 'next';
        }
      },
      async () => {
        const h = await hyperStep(shown('hyper'), total(), a, a.method ?? DEFAULT_METHOD, settings.ratio);
        if (h === undefined) return 'cancel';
        if (h === BACK) return 'back';
        Object.assign(a, h);
        return 'next';
      },
      () => summaryStep(a as NewRunAnswers, { step: shown('hyper'), totalSteps: total() }, saliency, remembered),
    ],
    prefill.model ? 1 : 0,
  );
  if (!done) return undefined;
  const answers = a as NewRunAnswers;
  await memory.update(NEW_RUN_MEMORY_KEY, answersToRemember(answers, settings));
  await rememberArchitecture(memory, answers.model);
  return answers;
}
