// Maps the user's `salun.*` settings onto the protocol's job configurations. Pure (no `vscode`
// import) so the mapping and its validation are unit-testable; the host reads the values.
import { isAbsolute, resolve } from 'node:path';
import type { BackendChoice, DataNormalization, DataSpec, ForgetSpec, ModelSpec, RunConfig, SaliencyJobConfig } from '../../protocol/config';
import { DATA_KINDS, DATA_NORMALIZATIONS } from '../../protocol/config';
import { FILE_FORMAT_NAMES, FOLDER_FORMAT_NAMES, isFileFormatName } from '../../protocol/dataFormats';
import { defaultRunConfig } from '../../protocol/defaults';
import { BACKEND_CHOICES } from '../../protocol/backends';
import { fileModelSpec } from '../../protocol/modelSources';
import { isDataNormalization } from '../flows/newRunAnswers';

export { BACKEND_CHOICES };

/** The `salun.*` settings as read from the configuration; every field may be missing or ill-typed. */
export interface SalunSettings {
  backend?: unknown;
  saliencyRatio?: unknown;
  forgetFraction?: unknown;
  forgetClass?: unknown;
  modelPath?: unknown;
  data?: unknown;
  unlearnEpochs?: unknown;
  unlearnLr?: unknown;
  workers?: unknown;
}

export const SETTING_KEYS: readonly (keyof SalunSettings)[] = [
  'backend',
  'saliencyRatio',
  'forgetFraction',
  'forgetClass',
  'modelPath',
  'data',
  'unlearnEpochs',
  'unlearnLr',
  'workers',
];

/** A setting the user must fix; the message names it as it appears in the Settings editor. */
export class SettingsError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = 'SettingsError';
  }
}

interface Overlay {
  backend: BackendChoice;
  ratio: number;
  forget: ForgetSpec;
  model: ModelSpec;
  data: DataSpec;
  unlearnEpochs: number;
  unlearnLr: number;
  workers: number;
}

function readOverlay(s: SalunSettings, workspaceDir: string): Overlay {
  const base = defaultRunConfig();

  const backend = s.backend ?? base.backend;
  if (typeof backend !== 'string' || !(BACKEND_CHOICES as readonly string[]).includes(backend)) {
    throw new SettingsError('salun.backend', `salun.backend must be one of ${BACKEND_CHOICES.join(', ')}.`);
  }

  const ratio = s.saliencyRatio ?? base.saliency.ratio;
  if (typeof ratio !== 'number' || !(ratio >= 0.01 && ratio <= 1)) {
    throw new SettingsError('salun.saliencyRatio', 'salun.saliencyRatio must be a number between 0.01 and 1.');
  }

  let forget: ForgetSpec;
  const forgetClass = s.forgetClass;
  if (forgetClass !== undefined && forgetClass !== null && forgetClass !== '') {
    if (typeof forgetClass !== 'number' || !Number.isInteger(forgetClass) || forgetClass < 0) {
      throw new SettingsError('salun.forgetClass', 'salun.forgetClass must be a class index (an integer ≥ 0), or empty for random forgetting.');
    }
    forget = { kind: 'class', classIndex: forgetClass };
  } else {
    const baseForget = base.forget;
    const fraction = s.forgetFraction ?? (baseForget.kind === 'random' ? baseForget.fraction : 0.1);
    if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
      throw new SettingsError('salun.forgetFraction', 'salun.forgetFraction must be a number between 0 and 1 (exclusive).');
    }
    forget = { kind: 'random', fraction, seed: baseForget.kind === 'random' ? baseForget.seed : base.seed };
  }

  let model: ModelSpec = base.model;
  const modelPath = s.modelPath;
  if (modelPath !== undefined && modelPath !== null) {
    if (typeof modelPath !== 'string') throw new SettingsError('salun.modelPath', 'salun.modelPath must be a path to a model.json or .onnx file.');
    const trimmed = modelPath.trim();
    if (trimmed.length > 0) {
      // Relative paths are relative to the workspace folder, so a checked-in setting works anywhere.
      const spec = fileModelSpec(isAbsolute(trimmed) ? trimmed : resolve(workspaceDir, trimmed));
      if (!spec)
        throw new SettingsError(
          'salun.modelPath',
          `salun.modelPath ${trimmed} is a PyTorch checkpoint, which does not say its network: use SalUn: New Unlearning Run (it asks the architecture), or a config file with "architecture".`,
        );
      model = spec;
    }
  }

  const data = dataFromSetting(s.data, workspaceDir) ?? base.data;

  const unlearnEpochs = s.unlearnEpochs ?? base.unlearn.epochs;
  if (typeof unlearnEpochs !== 'number' || !Number.isInteger(unlearnEpochs) || unlearnEpochs < 1 || unlearnEpochs > 1000) {
    throw new SettingsError('salun.unlearnEpochs', 'salun.unlearnEpochs must be a whole number from 1 to 1000.');
  }
  const unlearnLr = s.unlearnLr ?? base.unlearn.lr;
  if (typeof unlearnLr !== 'number' || !(unlearnLr > 0 && unlearnLr <= 10)) {
    throw new SettingsError('salun.unlearnLr', 'salun.unlearnLr must be a number above 0 and at most 10.');
  }

  const workers = s.workers ?? 1;
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new SettingsError('salun.workers', 'salun.workers must be a whole number from 1 to 64.');
  }

  return { backend: backend as BackendChoice, ratio, forget, model, data, unlearnEpochs, unlearnLr, workers };
}

const DATA_SETTING_HELP = `salun.data must be { "kind": "default" }, { "kind": ${FOLDER_FORMAT_NAMES.map((n) => `"${n}"`).join(' | ')}, "folder": "<path>" } or { "kind": ${FILE_FORMAT_NAMES.map((n) => `"${n}"`).join(' | ')}, "file": "<path>" }, the path absolute or relative to the workspace folder, and an optional "normalize" (${DATA_NORMALIZATIONS.map((n) => `"${n}"`).join(' | ')} | { "mean": [...], "std": [...] }).`;

/**
 * salun.data ({ kind, folder }) as a DataSpec, the folder resolved against the workspace like
 * salun.modelPath; undefined when unset. Throws SettingsError on a bad value.
 */
export function dataFromSetting(value: unknown, workspaceDir: string): DataSpec | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new SettingsError('salun.data', DATA_SETTING_HELP);
  const { kind, folder, file, normalize } = value as { kind?: unknown; folder?: unknown; file?: unknown; normalize?: unknown };
  if (normalize !== undefined && !isDataNormalization(normalize)) {
    throw new SettingsError(
      'salun.data',
      `salun.data.normalize ${JSON.stringify(normalize)} is not one of ${DATA_NORMALIZATIONS.join(', ')}, nor { "mean": [...], "std": [...] } with one finite mean and one std above 0 per channel.`,
    );
  }
  // 'unit' is the default: left out, so a spec from the setting equals one without it.
  const scaling = normalize !== undefined && normalize !== 'unit' ? { normalize: normalize as DataNormalization } : {};
  if (kind === undefined || kind === 'default') return { kind: 'default', ...scaling };
  if (typeof kind !== 'string' || !(DATA_KINDS as readonly string[]).includes(kind)) {
    throw new SettingsError('salun.data', `salun.data.kind ${JSON.stringify(kind)} is not one of ${DATA_KINDS.join(', ')}. ${DATA_SETTING_HELP}`);
  }
  if (isFileFormatName(kind)) {
    if (typeof file !== 'string' || file.trim() === '') {
      throw new SettingsError('salun.data', `salun.data.kind is ${kind}, which reads a file: set salun.data.file. ${DATA_SETTING_HELP}`);
    }
    return { kind, file: isAbsolute(file.trim()) ? file.trim() : resolve(workspaceDir, file.trim()), ...scaling };
  }
  if (typeof folder !== 'string' || folder.trim() === '') {
    throw new SettingsError('salun.data', `salun.data.kind is ${kind}, which reads a folder: set salun.data.folder. ${DATA_SETTING_HELP}`);
  }
  const dir = isAbsolute(folder.trim()) ? folder.trim() : resolve(workspaceDir, folder.trim());
  return { kind: kind as Extract<DataSpec, { dir: string }>['kind'], dir, ...scaling };
}

/** defaultRunConfig() overlaid with the user's settings. Throws SettingsError on a bad value. */
export function runConfigFromSettings(settings: SalunSettings, workspaceDir: string): RunConfig {
  const o = readOverlay(settings, workspaceDir);
  const config = defaultRunConfig();
  return {
    ...config,
    backend: o.backend,
    saliency: { ...config.saliency, ratio: o.ratio },
    forget: o.forget,
    model: o.model,
    data: o.data,
    unlearn: { ...config.unlearn, epochs: o.unlearnEpochs, lr: o.unlearnLr },
    // Only when asked for: a config without `workers` is the 1-thread default, as the CLI writes it.
    ...(o.workers > 1 ? { workers: o.workers } : {}),
  };
}

/** What a saliency job of `config` needs: the map at θo depends on nothing of the unlearning. */
export function saliencyPartOf(config: RunConfig): SaliencyJobConfig {
  const { data, model, forget, saliency, train, seed, backend, workers } = config;
  return { data, model, forget, saliency, train, seed, backend, ...(workers !== undefined ? { workers } : {}) };
}

/** The saliency part of the run config the settings give. Throws SettingsError on a bad value. */
export function saliencyConfigFromSettings(settings: SalunSettings, workspaceDir: string): SaliencyJobConfig {
  return saliencyPartOf(runConfigFromSettings(settings, workspaceDir));
}
