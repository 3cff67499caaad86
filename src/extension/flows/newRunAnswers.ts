// The pure half of the "New Unlearning Run" flow and of the other guided commands: what each
// answer may be, how answers become a job config, and how remembered answers are re-read. No
// `vscode` import, so every rule here is unit-tested; newRunFlow.ts only asks the questions.
import { isOwnModel, PYTORCH_TWINS, sourceForFile } from '../../protocol/modelSources';
import {
  DATA_NORMALIZATIONS,
  type ArchitectureName,
  type ChannelNormalization,
  type DataNormalization,
  type DataSpec,
  type EvaluateJobConfig,
  type ForgetSpec,
  type MethodName,
  type ModelSpec,
  type RunConfig,
} from '../../protocol/config';
import { dataFormat, dataText } from '../../protocol/dataFormats';
import { DEFAULT_RATIO } from '../../protocol/defaults';
import {
  defaultUnlearnRecipe,
  INNER_METHOD_NAMES,
  innerMethodOf,
  innerOptions,
  innerQuestion,
  isMethodName,
  isRecommendedMethod,
  methodDescription,
  methodLabel,
  METHOD_NAMES,
  METHODS,
  methodSummary,
} from '../../protocol/methods';
import { normalizationChoice, normalizationLabel } from '../../protocol/normalizations';
import { glossed } from '../../protocol/terms';
import { isRecord } from '../../protocol/guards';
import { modelLabel } from '../../protocol/runLabels';
import { RUN_CONFIG_SCHEMA } from '../../protocol/runConfigSchema';
import { validate } from '../../protocol/schema';
import { defaultTableConfig, type TableConfig } from '../../protocol/table';
// layout.ts, not load.ts: the host needs the folder rules, not the image decoders behind the loaders.
import { describeDataClasses } from '../../store/data/layout';
import { UserError } from '../../store/errors';
import type { SaliencyQuestion } from '../../store/saliency/sameMap';
import { ratioReachesZeros, suggestedRatio, type SaliencyZeros } from '../../store/saliency/zeros';

/** Everything the New Unlearning Run flow asks, in its order. */
export interface NewRunAnswers {
  model: ModelSpec;
  data: DataSpec;
  forget: ForgetSpec;
  method: MethodName;
  /** The method a meta-method (RUM) runs on each subset; asked only for such a method (innerQuestion). */
  inner?: MethodName;
  epochs: number;
  lr: number;
  /** The saliency mask's share of weights; only SalUn (and SalUn-soft's pick list) asks for it. */
  ratio: number;
  /**
   * How the user's model's inputs were scaled in training (data.normalize); asked only for a
   * model file (the lab trains a built-in θo itself on [0, 1] pixels). Absent: 'unit'.
   */
  normalize?: DataNormalization;
}

/** Only a user's model has a preprocessing the lab must match; a built-in θo is trained on the default. */
export function asksNormalize(model: ModelSpec | undefined): boolean {
  return model !== undefined && isOwnModel(model);
}

/** A named scaling, or { mean, std } as the custom step writes it: as many finite means as stds, every std above 0. */
export function isDataNormalization(x: unknown): x is DataNormalization {
  if (typeof x === 'string') return (DATA_NORMALIZATIONS as readonly string[]).includes(x);
  if (!isRecord(x) || !Array.isArray(x.mean) || !Array.isArray(x.std) || Object.keys(x).length !== 2) return false;
  const { mean, std } = x as { mean: unknown[]; std: unknown[] };
  return (
    mean.length > 0 &&
    mean.length === std.length &&
    mean.every((m) => typeof m === 'number' && Number.isFinite(m)) &&
    std.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)
  );
}

/** The channels of the chosen data where its format fixes them (Fashion-MNIST 1, CIFAR 3); undefined where the files decide. */
export function dataChannels(data: DataSpec | undefined): number | undefined {
  return data ? dataFormat(data.kind).channels : undefined;
}

const CUSTOM_EXAMPLES: Readonly<Record<number, string>> = { 1: '(0.2860,), (0.3530,)', 3: '(0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)' };

/** An example of the custom scaling's text for `channels` (CIFAR-10's constants for 3, Fashion-MNIST's for 1). */
export function customNormalizeExample(channels: number | undefined): string {
  return CUSTOM_EXAMPLES[channels ?? 3] ?? CUSTOM_EXAMPLES[3];
}

/** The two lists of a custom scaling's text: bracketed groups "(…), (…)", else two parts split at '/' or ';'. */
function normalizeParts(text: string): string[] {
  // What a user pastes from the training code: transforms.Normalize(mean=(…), std=(…)).
  const t = text.replace(/[\w.]*normalize/gi, '').replace(/\b(mean|std)\s*=/gi, '');
  const groups = [...t.matchAll(/[[(]([^[\]()]*)[\])]/g)].map((m) => m[1]);
  if (groups.length > 0) return groups;
  return t.split(/[/;]/);
}

/**
 * Reads torchvision's Normalize(mean, std) as typed or pasted: "(0.49, 0.48, 0.45), (0.25, 0.24,
 * 0.26)", "mean=[…], std=[…]" or "0.49 0.48 0.45 / 0.25 0.24 0.26". `channels`: the data's, where
 * known (else 1 or 3 values are taken). Returns the scaling, or a message that names what is wrong.
 */
export function parseCustomNormalize(text: string, channels: number | undefined): ChannelNormalization | string {
  const example = customNormalizeExample(channels);
  const parts = normalizeParts(text);
  if (parts.length !== 2) return `Give the mean and the std as two lists, as in Normalize(mean, std): ${example} (got '${text.trim()}').`;
  const lists: Record<'mean' | 'std', number[]> = { mean: [], std: [] };
  for (const [i, key] of (['mean', 'std'] as const).entries()) {
    const tokens = parts[i].split(/[\s,]+/).filter((x) => x !== '');
    for (const [c, token] of tokens.entries()) {
      const n = Number(token);
      if (!Number.isFinite(n)) return `${key} value '${token}' (channel ${c + 1}) is not a number.`;
      if (key === 'std' && !(n > 0)) return `std value ${token} (channel ${c + 1}) must be above 0: Normalize divides by it.`;
      lists[key].push(n);
    }
  }
  const { mean, std } = lists;
  for (const key of ['mean', 'std'] as const) {
    const got = lists[key].length;
    if (channels !== undefined && got !== channels)
      return `${key} has ${got} value${got === 1 ? '' : 's'} but the data has ${channels} channel${channels === 1 ? '' : 's'}: one per channel, e.g. ${example}.`;
    if (channels === undefined && got !== 1 && got !== 3) return `${key} has ${got} values: give one per channel of your images (1 or 3), e.g. ${example}.`;
  }
  if (mean.length !== std.length) return `mean has ${mean.length} value${mean.length === 1 ? '' : 's'} but std has ${std.length}: one of each per channel.`;
  return { mean, std };
}

/** The custom step's validation: undefined when the text reads as a scaling. */
export function customNormalizeProblem(text: string, channels: number | undefined): string | undefined {
  const r = parseCustomNormalize(text, channels);
  return typeof r === 'string' ? r : undefined;
}

/** A custom scaling as the input box shows it again (what parseCustomNormalize reads). */
export function customNormalizeText(n: ChannelNormalization): string {
  const list = (xs: readonly number[]): string => `(${xs.join(', ')}${xs.length === 1 ? ',' : ''})`;
  return `${list(n.mean)}, ${list(n.std)}`;
}

/** The scaling in the summary's words: a named one by its row, the user's constants as Normalize's call. */
export function normalizeSummary(n: DataNormalization | undefined): string {
  if (typeof n === 'object') return `Normalize(${customNormalizeText(n)}): your per-channel constants`;
  return normalizationLabel(normalizationChoice(n));
}

/**
 * The prefill with data.normalize lifted out of the data answer (salun.data may carry one) into the
 * scaling answer: the data step compares data specs whole, and its items carry no scaling.
 */
export function liftNormalize(a: Partial<NewRunAnswers>): Partial<NewRunAnswers> {
  if (!a.data?.normalize) return a;
  const { normalize, ...data } = a.data;
  return { ...a, data, normalize };
}

/** The method step's items: a short description that fits beside the label, the rest on the detail line, the recommended one marked. */
export function methodPickItems(): { method: MethodName; label: string; description: string; detail: string }[] {
  return METHOD_NAMES.map((method) => {
    const recommended = isRecommendedMethod(method);
    return {
      method,
      label: recommended ? `$(star-full) ${methodLabel(method)}` : methodLabel(method),
      description: recommended ? `recommended · ${methodSummary(method)}` : methodSummary(method),
      detail: methodDescription(method),
    };
  });
}

/** The method that trains: a meta-method's inner one (RUM around SalUn trains SalUn), else the method itself. */
function trainingMethod(method: MethodName, inner?: MethodName): MethodName {
  return innerMethodOf(method, innerOptions(method, inner)) ?? method;
}

/** Methods whose mask ratio the flow asks for (RUM's is its inner method's). */
export function methodAsksRatio(method: MethodName, inner?: MethodName): boolean {
  return METHODS[trainingMethod(method, inner)].asksRatio;
}

/** One-shot methods have no epochs or rate to ask for. */
export function methodAsksRecipe(method: MethodName, inner?: MethodName): boolean {
  return !METHODS[trainingMethod(method, inner)].oneShot;
}

/** The hyper-parameters the flow prefills for a method: its documented default recipe (a meta-method's: its inner method's). */
export function hyperDefaults(method: MethodName, inner?: MethodName): { epochs: number; lr: number; ratio: number } {
  const r = defaultUnlearnRecipe(method, innerOptions(method, inner));
  return { epochs: r.epochs, lr: r.lr, ratio: DEFAULT_RATIO };
}

/** The inner-method step's items: every method a meta-method may run, the row's default first. */
export function innerPickItems(method: MethodName): { method: MethodName; label: string; description: string }[] {
  const q = innerQuestion(method);
  if (!q) return [];
  const order = [q.default, ...INNER_METHOD_NAMES.filter((m) => m !== q.default)];
  return order.map((m) => ({ method: m, label: methodLabel(m), description: m === q.default ? `default · ${methodSummary(m)}` : methodSummary(m) }));
}

/**
 * Reads a forget fraction as typed: "0.1", or a percentage "10%". Returns the fraction, or a
 * message that says what to type.
 */
export function parseFraction(text: string): number | string {
  const t = text.trim();
  const percent = t.endsWith('%');
  const body = percent ? t.slice(0, -1).trim() : t;
  const n = body === '' ? NaN : Number(body);
  const f = percent ? n / 100 : n;
  if (!Number.isFinite(f) || !(f > 0 && f < 1)) {
    return `Enter a fraction strictly between 0 and 1, such as 0.1, or a percentage such as 10% (got '${text}').`;
  }
  return f;
}

export function epochsProblem(text: string): string | undefined {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(n) && n >= 1 && n <= 1000 ? undefined : `Enter a whole number of epochs from 1 to 1000 (got '${text}').`;
}

export function lrProblem(text: string): string | undefined {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) && n > 0 && n <= 10
    ? undefined
    : `Enter a learning rate above 0 and at most 10, such as 0.005 (got '${text}').`;
}

export function ratioProblem(text: string): string | undefined {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) && n > 0 && n <= 1
    ? undefined
    : `Enter the share of weights the mask lets move, above 0 and at most 1, such as 0.5 (got '${text}').`;
}

/**
 * The class names of the chosen data for the class step and the summary: folder names of an
 * ImageFolder, CIFAR-10's batches.meta.txt, Fashion-MNIST's for the bundled subset. `names` is
 * undefined when the data does not name its classes (idx) or cannot be read; `problem` says why
 * in the latter case.
 */
export function dataClassNames(data: DataSpec | undefined, workspaceDir: string): { names?: string[]; problem?: string } {
  if (!data) return {};
  try {
    return { names: describeDataClasses(data, workspaceDir) };
  } catch (e) {
    if (e instanceof UserError) return { problem: e.message };
    throw e;
  }
}

/** The flow's answers on top of `base` (the settings' run config: backend, training recipe, seed). */
export function runConfigFromAnswers(a: NewRunAnswers, base: RunConfig): RunConfig {
  const { name: _name, ...rest } = base;
  const options = innerOptions(a.method, a.inner);
  const recipe = defaultUnlearnRecipe(a.method, options);
  return {
    ...rest,
    name: a.method,
    ...(Object.keys(options).length ? { methodOptions: { ...rest.methodOptions, ...options } } : {}),
    data: asksNormalize(a.model) && a.normalize && a.normalize !== 'unit' ? { ...a.data, normalize: a.normalize } : a.data,
    model: a.model,
    forget: a.forget.kind === 'random' ? { kind: 'random', fraction: a.forget.fraction, seed: a.forget.seed ?? base.seed } : a.forget,
    method: a.method,
    saliency: { ...base.saliency, ratio: a.ratio },
    unlearn: { ...recipe, epochs: a.epochs, lr: a.lr },
    // The comparison with Retrain is what every metric gap is measured against: always included.
    retrain: true,
  };
}

/**
 * What the explorer's Evaluate and Compute Saliency run a model file on: the last New Unlearning
 * Run's data and forget set, else the settings'; for the user's own model, the input scaling given
 * in that run too (a model evaluated on other inputs than it was trained on scores near chance).
 */
export function lastRunBase(settingsBase: RunConfig, last: Partial<NewRunAnswers>, model: ModelSpec): RunConfig {
  const data = last.data ?? settingsBase.data;
  const normalize = asksNormalize(model) && last.normalize && last.normalize !== 'unit' ? last.normalize : undefined;
  return { ...settingsBase, data: normalize ? { ...data, normalize } : data, forget: last.forget ?? settingsBase.forget };
}

/**
 * A run folder's model is listed once for evaluation, by its model.json: the model.onnx and
 * model.safetensors beside it hold the same weights.
 */
export function listedForEvaluation(path: string): boolean {
  return !/[\\/]\.salun[\\/]/.test(path) || sourceForFile(path) === 'file';
}

/** An evaluation of `model` with the data and forget set of `base`. */
export function evaluateConfigFor(model: ModelSpec, base: RunConfig, retrain: boolean): EvaluateJobConfig {
  return {
    data: base.data,
    model,
    forget: base.forget,
    train: base.train,
    retrain,
    seed: base.seed,
    backend: base.backend,
    ...(base.workers ? { workers: base.workers } : {}),
  };
}

export interface TableAnswers {
  scenario: { kind: 'random'; fraction: number } | { kind: 'class'; classIndex: number };
  seeds: number;
  architecture: ArchitectureName;
  data: DataSpec;
}

export function tableConfigFromAnswers(a: TableAnswers, base: RunConfig): TableConfig {
  const t = defaultTableConfig();
  return {
    ...t,
    scenario: a.scenario,
    seeds: Array.from({ length: a.seeds }, (_, i) => i + 1),
    model: { kind: 'builtin', architecture: a.architecture },
    data: a.data,
    saliency: { ratio: base.saliency.ratio ?? DEFAULT_RATIO },
    backend: base.backend,
    ...(base.workers ? { workers: base.workers } : {}),
  };
}

const schemaProps = RUN_CONFIG_SCHEMA.properties ?? {};

function validField<T>(value: unknown, field: 'model' | 'data' | 'forget'): T | undefined {
  const schema = schemaProps[field];
  return schema && validate(value, schema).length === 0 ? (value as T) : undefined;
}

/**
 * The answers remembered in the workspace state, field by field: whatever is missing, ill-typed or
 * from an older version is dropped, so a stale memory can only cost a prefill, never start a bad job.
 */
export function rememberedAnswers(x: unknown): Partial<NewRunAnswers> {
  if (!isRecord(x)) return {};
  const out: Partial<NewRunAnswers> = {};
  const model = validField<ModelSpec>(x.model, 'model');
  if (model) out.model = model;
  const data = validField<DataSpec>(x.data, 'data');
  if (data) out.data = data;
  const forget = validField<ForgetSpec>(x.forget, 'forget');
  if (forget) out.forget = forget;
  if (isMethodName(x.method)) out.method = x.method;
  if (out.method && isMethodName(x.inner) && Object.keys(innerOptions(out.method, x.inner)).length) out.inner = x.inner;
  if (typeof x.epochs === 'number' && epochsProblem(String(x.epochs)) === undefined) out.epochs = x.epochs;
  if (typeof x.lr === 'number' && lrProblem(String(x.lr)) === undefined) out.lr = x.lr;
  if (typeof x.ratio === 'number' && ratioProblem(String(x.ratio)) === undefined) out.ratio = x.ratio;
  if (isDataNormalization(x.normalize)) out.normalize = x.normalize;
  return out;
}

/**
 * What the settings said when the answers were remembered: a setting changed since then (the
 * panel's "Apply to next run" writes salun.saliencyRatio; salun.data is edited by hand) is newer
 * than the remembered answer, so the flow prefills the setting.
 */
export interface SettingsSeen {
  ratio?: number;
  data?: DataSpec;
}

/** The memory the flow writes: the answers and the settings they were given against. */
export function answersToRemember(a: NewRunAnswers, seen: SettingsSeen): NewRunAnswers & { settingsSeen: SettingsSeen } {
  return { ...a, settingsSeen: seen };
}

/**
 * The settings remembered with the answers (field by field, ill-typed ones dropped); undefined for
 * a memory written before settings were remembered with it.
 */
export function rememberedSettingsSeen(x: unknown): SettingsSeen | undefined {
  if (!isRecord(x) || !isRecord(x.settingsSeen)) return undefined;
  const seen = x.settingsSeen;
  const out: SettingsSeen = {};
  if (typeof seen.ratio === 'number') out.ratio = seen.ratio;
  const data = validField<DataSpec>(seen.data, 'data');
  if (data) out.data = data;
  return out;
}

/**
 * A prefill from the remembered answer and the setting now: the setting when it changed since the
 * answer was given (or nothing was remembered), the remembered answer otherwise. `then` undefined:
 * what the setting was is not known (an older memory), so the answer stands.
 */
export function preferChangedSetting<T>(remembered: T | undefined, then: { value?: T } | undefined, now: T | undefined): T | undefined {
  if (remembered === undefined) return now;
  if (now === undefined || then === undefined) return remembered;
  return JSON.stringify(then.value) === JSON.stringify(now) ? remembered : now;
}

/** The remembered answers with the settings that changed since laid over them: the flow's prefill. */
export function prefillAnswers(memory: unknown, now: SettingsSeen): Partial<NewRunAnswers> {
  const a = rememberedAnswers(memory);
  const then = rememberedSettingsSeen(memory);
  const ratio = preferChangedSetting(a.ratio, then && { value: then.ratio }, now.ratio);
  const data = preferChangedSetting(a.data, then && { value: then.data }, now.data);
  return { ...a, ...(ratio !== undefined ? { ratio } : {}), ...(data !== undefined ? { data } : {}) };
}

/** One-line descriptions of answers, for the summary step and the log. */
export function describeModel(m: ModelSpec): string {
  if (m.kind === 'builtin') return `${modelLabel(m) ?? m.architecture} (trained on the data, cached)`;
  // A checkpoint's network was the user's answer, not the file's: the summary says it back.
  return 'architecture' in m ? `${m.path} (your ${PYTORCH_TWINS[m.architecture].label} checkpoint; never modified)` : `${m.path} (your model; never modified)`;
}

export function describeData(d: DataSpec): string {
  const row = dataFormat(d.kind);
  return row.folder || row.file ? dataText(d) : `${row.label} (${row.pick.detail})`;
}

export function describeForget(f: ForgetSpec, classNames: readonly string[]): string {
  if (f.kind === 'random') return `random ${+(f.fraction * 100).toFixed(2)}% of the training set`;
  if (f.kind === 'class') return `class ${f.classIndex}${classNames[f.classIndex] ? ` (${classNames[f.classIndex]})` : ''}`;
  return `indices in ${f.file}`;
}

/** The question a summary line's "change" goes back to. */
export type NewRunQuestion = 'model' | 'data' | 'normalize' | 'forget' | 'method' | 'hyper';

export interface SummaryLine {
  text: string;
  /** A gloss under the line, where the line names something new (Retrain). */
  detail?: string;
  question: NewRunQuestion;
}

export function summaryLines(a: NewRunAnswers, classNames: readonly string[]): SummaryLine[] {
  const lines: SummaryLine[] = [
    { text: `Model: ${describeModel(a.model)}`, question: 'model' },
    { text: `Data: ${describeData(a.data)}`, question: 'data' },
  ];
  if (asksNormalize(a.model)) lines.push({ text: `Inputs: ${normalizeSummary(a.normalize)}`, question: 'normalize' });
  lines.push(
    { text: `Forget: ${describeForget(a.forget, classNames)}`, question: 'forget' },
    {
      text: `Method: ${methodLabel(a.method)}${a.inner ? ` around ${methodLabel(a.inner)}` : ''}, compared with Retrain and the original model`,
      detail: `${glossed('retrain')}: every gap is measured against it`,
      question: 'method',
    },
    {
      text: `Unlearning: ${a.epochs} epoch${a.epochs === 1 ? '' : 's'}, lr ${a.lr}${methodAsksRatio(a.method, a.inner) ? `, mask ratio ${a.ratio}` : ''}`,
      question: 'hyper',
    },
  );
  return lines;
}

/** The saliency map the summary speaks of: its zero scores, and the run folder it came from. */
export interface SaliencyFinding {
  zeros: SaliencyZeros;
  runId: string;
}

/** What the answers' saliency map depends on, for finding one already computed (store/saliency/sameMap.ts). */
export function saliencyQuestionOf(a: NewRunAnswers, base: RunConfig): SaliencyQuestion {
  const c = runConfigFromAnswers(a, base);
  return { model: c.model, data: c.data, forget: c.forget, train: c.train, seed: c.seed, ...(c.workers ? { workers: c.workers } : {}) };
}

function percent(share: number): string {
  const p = share * 100;
  return `${p >= 10 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/**
 * The summary's word on the mask before Start: whether the chosen ratio reaches into the zero
 * scores (γ = 0, the mask then filled in weight order) and the largest ratio that does not. `label`
 * fits the quick pick's line, `detail` goes under it; `ratio`: the ratio to offer, when the chosen
 * one gives γ = 0.
 */
export function saliencyNote(f: SaliencyFinding, ratio: number): { label: string; detail: string; warn: boolean; ratio?: number } {
  const z = f.zeros;
  const share = `${percent(z.zeroShare)} of saliency scores are 0`;
  const best = suggestedRatio(z);
  const from = `from the saliency map of ${f.runId}`;
  if (best === undefined)
    return { label: 'Every saliency score is 0: no ratio ranks any weight', detail: `check the model and its input scaling; ${from}`, warn: true };
  if (!ratioReachesZeros(z, ratio)) return { label: `${share}: ratio ${ratio} keeps γ > 0`, detail: `ratios up to ${best} keep γ > 0; ${from}`, warn: false };
  return {
    label: `${share}: ratio ${ratio} gives γ = 0`,
    detail: `the mask is then filled in weight order; the largest ratio with γ > 0 is ${best}; ${from}`,
    warn: true,
    ratio: best,
  };
}

/** What Start does, for the summary step: the user's own model is never trained, only Retrain is. */
export function startDescription(model: ModelSpec): string {
  return isOwnModel(model)
    ? 'trains Retrain (or takes it from the cache), then unlearns a copy of your model and evaluates'
    : 'trains Original and Retrain (or takes them from the cache), then unlearns and evaluates';
}

/** Answers given whole (a script, a test, another extension): all fields valid, or undefined. */
export function completeAnswers(x: unknown): NewRunAnswers | undefined {
  const a = rememberedAnswers(x);
  const { model, data, forget, method, inner, epochs, lr, ratio, normalize } = a;
  if (!model || !data || !forget || !method || epochs === undefined || lr === undefined) return undefined;
  return { model, data, forget, method, ...(inner ? { inner } : {}), epochs, lr, ratio: ratio ?? DEFAULT_RATIO, ...(normalize ? { normalize } : {}) };
}
