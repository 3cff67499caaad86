// The run configuration: everything needed to re-run a job. Shared by the CLI, the job process,
// the extension host and the webview, so it lives here and nowhere else.

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;

/** Where the training/test images come from. */
export type DataSpec =
  | { kind: 'default' }
  /** A folder with the four MNIST-format idx files (train-images-idx3-ubyte[.gz], …). */
  | { kind: 'idx'; dir: string };

/** The original model θo: trained by us from a built-in architecture, or a user's tfjs LayersModel. */
export type ModelSpec =
  | { kind: 'builtin'; architecture: ArchitectureName }
  | { kind: 'file'; path: string };

export type ArchitectureName = 'cnn' | 'mlp';

export type ForgetSpec =
  /** A seeded random fraction of the training set, drawn across all classes. */
  | { kind: 'random'; fraction: number; seed?: number }
  /** Every training sample of one class (also removed from the test set for TA). */
  | { kind: 'class'; classIndex: number }
  /** A deletion request: a JSON array, or one integer per line, of training-set indices. */
  | { kind: 'indices'; file: string };

export type MethodName = 'salun' | 'rl' | 'ft' | 'ga';

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
  saliency: SaliencyConfig;
  /** Recipe for the original model and for Retrain (the same recipe, as the paper compares). */
  train: OptimizerRecipe;
  /** Recipe for the unlearning step itself. */
  unlearn: OptimizerRecipe;
  /** Train a Retrain reference on Dr (the gold standard every metric gap is measured against). */
  retrain: boolean;
  seed: number;
  backend: BackendChoice;
}

/** A saliency-only job: compute the map and its per-layer statistics, no unlearning. */
export interface SaliencyJobConfig {
  data: DataSpec;
  model: ModelSpec;
  forget: ForgetSpec;
  saliency: SaliencyConfig;
  train: OptimizerRecipe;
  seed: number;
  backend: BackendChoice;
}
