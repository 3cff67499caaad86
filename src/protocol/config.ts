// The run configuration: everything needed to re-run a job. Shared by the CLI, the job process,
// the extension host and the webview, so it lives here and nowhere else.

import type { BackendChoice, BackendName } from './backends';
import { DATA_FORMAT_NAMES, type DataFormatFields, type DataFormatName } from './dataFormats';
import type { MethodName, MethodOptions } from './methods';

export type { BackendChoice, BackendName };
// The methods' names, options and defaults are rows of the method table (methods.ts).
export type { MethodName, MethodOptions, ResolvedMethodOptions } from './methods';
export { DEFAULT_METHOD_OPTIONS, METHOD_NAMES } from './methods';

/**
 * How pixel values are scaled before a model sees them: 'unit' [0, 1] (the default, what built-in
 * models are trained on), 'centered' [-1, 1], 'standardize' (per channel, (x − mean) / std of the
 * training set, as torchvision's Normalize). A user's model trained with other preprocessing scores
 * near chance on 'unit' data; the run warns when the fit looks wrong (pipeline/classification/fitCheck.ts).
 */
export type NamedNormalization = 'unit' | 'centered' | 'standardize';

/** torchvision's Normalize(mean, std) with the user's own constants, one per channel, after scaling to [0, 1]. */
export interface ChannelNormalization {
  mean: number[];
  std: number[];
}

export type DataNormalization = NamedNormalization | ChannelNormalization;

export const DATA_NORMALIZATIONS: readonly NamedNormalization[] = ['unit', 'centered', 'standardize'];

/**
 * Where the training/test images come from, and how their pixels are scaled (`normalize`, default
 * 'unit'): one member per row of the data format table (dataFormats.ts), with that row's fields.
 */
export type DataSpec = { [K in DataFormatName]: { kind: K } & DataFormatFields[K] & DataCommonFields }[DataFormatName];

/** What every data format's spec may add. */
export interface DataCommonFields {
  normalize?: DataNormalization;
  /**
   * Training rows kept out of θo, Retrain and unlearning (seeded), the unseen reference of the
   * Retrain-free verdict and salun-auto; absent or 0: the test set is (engine/data/heldOut.ts says why).
   */
  heldOut?: number;
}

export type DataKind = DataSpec['kind'];

/** The data spec of one format. */
export type DataSpecOf<K extends DataKind> = Extract<DataSpec, { kind: K }>;

/** The data specs that name a folder. */
export type FolderDataSpec = Extract<DataSpec, { dir: string }>;

export const DATA_KINDS: readonly DataKind[] = DATA_FORMAT_NAMES;

/** The original model θo: one row of src/protocol/modelSources.ts. */
export type ModelSpec =
  | { kind: 'builtin'; architecture: ArchitectureName }
  | { kind: 'file'; path: string }
  | { kind: 'onnx'; path: string }
  | { kind: 'pytorch'; path: string; architecture: ArchitectureName };

/** The model specs that read a file of the user's. */
export type OwnModelSpec = Exclude<ModelSpec, { kind: 'builtin' }>;

/**
 * Built-in classifiers (src/engine/models/architectures.ts). cnn and mlp are small and fast for
 * Fashion-MNIST-sized data; resnet18 and vgg16-bn are the SalUn authors' CIFAR-10 networks
 * (11.2 M and 15.3 M weights), for the paper's own setting; resnet18-torchvision is
 * torchvision.models.resnet18 (ImageNet stem), the network PyTorch users most often bring.
 */
export type ArchitectureName = 'cnn' | 'mlp' | 'resnet18' | 'vgg16-bn' | 'resnet18-torchvision';

export const ARCHITECTURE_NAMES: readonly ArchitectureName[] = ['cnn', 'mlp', 'resnet18', 'vgg16-bn', 'resnet18-torchvision'];

export function isArchitectureName(value: unknown): value is ArchitectureName {
  return typeof value === 'string' && (ARCHITECTURE_NAMES as readonly string[]).includes(value);
}

export type ForgetSpec =
  /** A seeded random fraction of the training set, drawn across all classes. */
  | { kind: 'random'; fraction: number; seed?: number }
  /** Every training sample of one class (also removed from the test set for TA). */
  | { kind: 'class'; classIndex: number }
  /** A deletion request: a JSON array, or one integer per line, of training-set indices. */
  | { kind: 'indices'; file: string };

export interface OptimizerRecipe {
  epochs: number;
  lr: number;
  /** Learning-rate schedule over the epochs; 'cosine' (default) decays to 0 by the last epoch. */
  schedule?: 'cosine' | 'constant';
  momentum: number;
  weightDecay: number;
  batchSize: number;
}

/** The unlearning step's recipe, and whether a method's automatic recipe chooses its rate and stop epoch. */
export interface UnlearnRecipe extends OptimizerRecipe {
  /**
   * Run the method's automatic recipe (its row with `autoOf`; SalUn → SalUn-auto): `lr` becomes the
   * centre of the rates searched and `epochs` each rate's length, judged without Retrain. Default false.
   */
  auto?: boolean;
}

export interface SaliencyConfig {
  /** Fraction of all trainable weights, ranked globally by |g|, that is salient. */
  ratio?: number;
  /** An explicit threshold: weights with |g| ≥ gamma are salient. Wins over ratio when set. */
  gamma?: number;
}

export interface RunConfig {
  name?: string;
  data: DataSpec;
  model: ModelSpec;
  forget: ForgetSpec;
  method: MethodName;
  /**
   * Run the method inside the saliency mask ("saliency + X"): gradients are masked and non-salient
   * weights restored to θo exactly after every step. SalUn is always masked. Default false.
   */
  masked?: boolean;
  /** Per-method hyper-parameters (see MethodOptions); defaults in the method table (methods.ts). */
  methodOptions?: MethodOptions;
  saliency: SaliencyConfig;
  /** Recipe for the original model and for Retrain (the same recipe, as the paper compares). */
  train: OptimizerRecipe;
  /** Recipe for the unlearning step itself. */
  unlearn: UnlearnRecipe;
  /** Train a Retrain reference on Dr (the gold standard every metric gap is measured against). */
  retrain: boolean;
  seed: number;
  backend: BackendChoice;
  /** Data-parallel training threads (see WORKERS_NOTE); default 1. */
  workers?: number;
}

/**
 * `workers` > 1: every training pass (θo, Retrain, the iterative methods; not IU's one-shot step,
 * saliency or evaluation) splits each batch into that many shards whose gradients worker threads
 * compute, on the wasm and cpu backends (the native ones already use every core inside each op).
 * Without batch norm the weights are one thread's up to float summation order; with it each shard
 * normalises with its own statistics (as PyTorch DDP without SyncBatchNorm), so results differ
 * slightly, and cached θo / Retrain models are keyed by the worker count when it is above 1.
 */
/** The most worker threads a config may ask for. */
export const MAX_WORKERS = 64;

export const WORKERS_NOTE =
  'Data-parallel training threads: each batch is split into this many shards whose gradients worker threads compute (wasm and cpu backends). Without batch norm the result equals 1 worker up to float summation order; with batch norm each shard normalises with its own statistics, so results differ slightly. Default 1.';

/** A saliency-only job: compute the map and its per-layer statistics, no unlearning. */
export interface SaliencyJobConfig {
  data: DataSpec;
  model: ModelSpec;
  forget: ForgetSpec;
  saliency: SaliencyConfig;
  train: OptimizerRecipe;
  seed: number;
  backend: BackendChoice;
  /** Threads for training θo when it is not cached (see RunConfig.workers). */
  workers?: number;
}

/**
 * Evaluates one model (a model.json, or a built-in θo) on the data and forget set: UA, RA, TA, MIA.
 * With `retrain`, a Retrain reference (the model's architecture, fresh weights, on Dr; cached) is
 * trained too, so the model's gap to exact unlearning is reported.
 */
export interface EvaluateJobConfig {
  data: DataSpec;
  model: ModelSpec;
  forget: ForgetSpec;
  /** Recipe of Retrain (and of θo when the model is built-in). */
  train: OptimizerRecipe;
  retrain: boolean;
  seed: number;
  backend: BackendChoice;
  /** Threads for training θo and Retrain when they are not cached (see RunConfig.workers). */
  workers?: number;
}
