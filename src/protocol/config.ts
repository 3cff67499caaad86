// The run configuration: everything needed to re-run a job. Shared by the CLI, the job process,
// the extension host and the webview, so it lives here and nowhere else.

import type { BackendChoice, BackendName } from './backends';

export type { BackendChoice, BackendName };

/** Where the training/test images come from. */
export type DataSpec =
  | { kind: 'default' }
  /** A folder with the four MNIST-format idx files (train-images-idx3-ubyte[.gz], …). */
  | { kind: 'idx'; dir: string }
  /** CIFAR-10's binary version: data_batch_1.bin … data_batch_5.bin (train) and test_batch.bin. */
  | { kind: 'cifar10'; dir: string }
  /**
   * torchvision-style ImageFolder: dir/train/<class>/<image> and dir/test/<class>/<image> (or val/),
   * PNG or JPEG; labels by the sorted training class folders. Images of another size than `size`
   * (default: the first training image's) are resized bilinearly.
   */
  | { kind: 'imagefolder'; dir: string; size?: { height: number; width: number } };

export type DataKind = DataSpec['kind'];

export const DATA_KINDS: readonly DataKind[] = ['default', 'idx', 'cifar10', 'imagefolder'];

/** The original model θo: trained by us from a built-in architecture, or a user's tfjs LayersModel. */
export type ModelSpec =
  | { kind: 'builtin'; architecture: ArchitectureName }
  | { kind: 'file'; path: string };

/**
 * Built-in classifiers (src/engine/models/architectures.ts). cnn and mlp are small and fast for
 * Fashion-MNIST-sized data; resnet18 and vgg16-bn are the SalUn authors' CIFAR-10 networks
 * (11.2 M and 15.3 M weights), for the paper's own setting.
 */
export type ArchitectureName = 'cnn' | 'mlp' | 'resnet18' | 'vgg16-bn';

export const ARCHITECTURE_NAMES: readonly ArchitectureName[] = ['cnn', 'mlp', 'resnet18', 'vgg16-bn'];

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

/**
 * salun: RL inside the saliency mask. rl: random labels on Df + CE on Dr. ft: CE on Dr. ga: gradient
 * ascent on Df. l1: FT + linearly decaying ℓ1 penalty. bs: boundary shrink. be: boundary expanding.
 * iu: influence unlearning (WoodFisher). salun-soft: RL with a soft-threshold (proximal) pull to θo.
 */
export type MethodName = 'salun' | 'rl' | 'ft' | 'ga' | 'l1' | 'bs' | 'be' | 'iu' | 'salun-soft';

export const METHOD_NAMES: readonly MethodName[] = ['salun', 'rl', 'ft', 'ga', 'l1', 'bs', 'be', 'iu', 'salun-soft'];

/** Per-method hyper-parameters; anything left out takes its value from DEFAULT_METHOD_OPTIONS. */
export interface MethodOptions {
  /** ℓ1-sparse: penalty α_t·‖θ‖₁ with α_t = alpha·(1 − (t−1)/epochs) at epoch t (1-based). */
  l1?: { alpha?: number };
  /** Boundary shrink: L∞ bound of the one-step FGSM on θo, in pixel units ([0,1] images). */
  bs?: { epsilon?: number };
  /** Boundary expanding: standard deviation of the shadow unit's initial kernel column (bias starts at 0). */
  be?: { shadowInitStd?: number };
  /**
   * Influence unlearning: θ += alpha·(λI + F̂)⁻¹v with F̂ the WoodFisher estimate from
   * `fisherSamples` per-sample retain gradients and λ = `damping`.
   */
  iu?: { alpha?: number; damping?: number; fisherSamples?: number };
  /** SalUn-soft: after each step θ ← θo + soft(θ − θo, lambda·lr), the proximal step of lambda·‖θ − θo‖₁. */
  salunSoft?: { lambda?: number };
}

export interface ResolvedMethodOptions {
  l1: { alpha: number };
  bs: { epsilon: number };
  be: { shadowInitStd: number };
  iu: { alpha: number; damping: number; fisherSamples: number };
  salunSoft: { lambda: number };
}

/**
 * Defaults and why:
 * - l1.alpha 5e-4: the ℓ1-sparse authors' value (Jia et al., NeurIPS 2023; Unlearn-Sparse scripts).
 * - bs.epsilon 0.1: hard-coded in the authors' boundary-shrink code (on [0,1] pixels).
 * - be.shadowInitStd 0.01: "small", so the shadow logit starts near 0 and θo's predictions are unchanged at step 0.
 * - iu.damping 1: the authors' WoodFisher recursion starts from H₀⁻¹ = I. iu.fisherSamples 256 per-sample
 *   retain gradients (authors: ≈1000 on a GPU; the gradients are held in memory, 256 × P floats).
 *   iu.alpha 20: α = 1 would be the plain Newton step, but with λ = 1 dominating F̂ it barely moves
 *   (default protocol, seed 1: Avg. Gap 5.9 vs Original's 6.0); a sweep gave 10 → 4.6, 20 → 2.5,
 *   50 → 12.5 (RA collapses), 200 → 62.6. One seed and one scenario: tune it with the grid.
 * - salunSoft.lambda 0.01: about the size of a per-weight cross-entropy gradient, so small updates are
 *   pulled back to θo while the large, forget-driven ones survive. Tune it with the grid.
 */
export const DEFAULT_METHOD_OPTIONS: ResolvedMethodOptions = {
  l1: { alpha: 5e-4 },
  bs: { epsilon: 0.1 },
  be: { shadowInitStd: 0.01 },
  iu: { alpha: 20, damping: 1, fisherSamples: 256 },
  salunSoft: { lambda: 0.01 },
};

export interface OptimizerRecipe {
  epochs: number;
  lr: number;
  /** Learning-rate schedule over the epochs; 'cosine' (default) decays to 0 by the last epoch. */
  schedule?: 'cosine' | 'constant';
  momentum: number;
  weightDecay: number;
  batchSize: number;
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
  /** Per-method hyper-parameters (see MethodOptions); defaults in DEFAULT_METHOD_OPTIONS. */
  methodOptions?: MethodOptions;
  saliency: SaliencyConfig;
  /** Recipe for the original model and for Retrain (the same recipe, as the paper compares). */
  train: OptimizerRecipe;
  /** Recipe for the unlearning step itself. */
  unlearn: OptimizerRecipe;
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

export const WORKERS_NOTE = 'Data-parallel training threads: each batch is split into this many shards whose gradients worker threads compute (wasm and cpu backends). Without batch norm the result equals 1 worker up to float summation order; with batch norm each shard normalises with its own statistics, so results differ slightly. Default 1.';

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
