// Short names of what a run was set up with (its model, data and forget set), read from a config
// record as written to config.json. One wording for the panel's job line, its run lists, the
// comparison's group labels and report titles. Tolerant: a field it cannot read has no label.
import { isOwnModel } from './modelSources';
import { isFiniteNumber, isRecord, isString } from './guards';

/** What the panel and the comparison say about a run's setting; each part absent when unknown. */
export interface RunSetting {
  /** "built-in CNN", or the model file's last two path segments ("my-model/model.json"). */
  model?: string;
  /** "bundled Fashion-MNIST", "idx data/fmnist", … */
  data?: string;
  /** "random 10% (seed 1)", "class 7", "indices forget.json". */
  forget?: string;
}

const ARCHITECTURE_NAMES: Record<string, string> = {
  cnn: 'CNN',
  mlp: 'MLP',
  resnet18: 'ResNet-18',
  'vgg16-bn': 'VGG-16-BN',
  'resnet18-torchvision': 'ResNet-18 (torchvision)',
};

/** The last `n` segments of a path written on any platform. */
function tail(path: string, n: number): string {
  return path
    .split(/[\\/]+/)
    .filter(Boolean)
    .slice(-n)
    .join('/');
}

export function modelLabel(model: unknown): string | undefined {
  if (!isRecord(model)) return undefined;
  if (model.kind === 'builtin' && isString(model.architecture)) return `built-in ${ARCHITECTURE_NAMES[model.architecture] ?? model.architecture}`;
  if (isOwnModel({ kind: String(model.kind) }) && isString(model.path)) return tail(model.path, 2);
  return undefined;
}

export function dataLabel(data: unknown): string | undefined {
  if (!isRecord(data)) return undefined;
  if (data.kind === 'default') return 'bundled Fashion-MNIST';
  if (isString(data.kind) && isString(data.dir)) return `${data.kind} ${tail(data.dir, 2)}`;
  return undefined;
}

export function forgetLabel(forget: unknown): string | undefined {
  if (!isRecord(forget)) return undefined;
  if (forget.kind === 'random' && isFiniteNumber(forget.fraction)) {
    return `random ${+(forget.fraction * 100).toFixed(2)}%${isFiniteNumber(forget.seed) ? ` (seed ${forget.seed})` : ''}`;
  }
  if (forget.kind === 'class' && isFiniteNumber(forget.classIndex)) return `class ${forget.classIndex}`;
  if (forget.kind === 'indices' && isString(forget.file)) return `indices ${tail(forget.file, 1)}`;
  return undefined;
}

/** A config record's setting (config.json, or a RunConfig). */
export function runSettingOf(config: unknown): RunSetting {
  if (!isRecord(config)) return {};
  const model = modelLabel(config.model);
  const data = dataLabel(config.data);
  const forget = forgetLabel(config.forget);
  return { ...(model ? { model } : {}), ...(data ? { data } : {}), ...(forget ? { forget } : {}) };
}

/** "built-in CNN · bundled Fashion-MNIST · forget random 10% (seed 1)"; '' when nothing is known. */
export function settingText(s: RunSetting): string {
  return [s.model, s.data, s.forget ? `forget ${s.forget}` : undefined].filter(Boolean).join(' · ');
}

export function isRunSetting(x: unknown): x is RunSetting {
  return isRecord(x) && [x.model, x.data, x.forget].every((v) => v === undefined || isString(v));
}
