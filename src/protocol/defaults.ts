// Default configurations. The demo, the CLI and the extension's settings all start from these.
import type { OptimizerRecipe, RunConfig, SaliencyJobConfig } from './config';

/** Trains the small CNN on the bundled 10k subset to ≈100% train accuracy (memorisation, as in the paper). */
export const DEFAULT_TRAIN: OptimizerRecipe = { epochs: 12, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, batchSize: 128 };

/** SalUn on the default data: a few epochs, as the authors' scripts (they use ~10 on CIFAR-10). */
export const DEFAULT_UNLEARN: OptimizerRecipe = { epochs: 5, lr: 0.02, momentum: 0.9, weightDecay: 5e-4, batchSize: 128 };

export const DEFAULT_RATIO = 0.5;

export function defaultRunConfig(): RunConfig {
  return {
    name: 'demo',
    data: { kind: 'default' },
    model: { kind: 'builtin', architecture: 'cnn' },
    forget: { kind: 'random', fraction: 0.1, seed: 1 },
    method: 'salun',
    saliency: { ratio: DEFAULT_RATIO },
    train: { ...DEFAULT_TRAIN },
    unlearn: { ...DEFAULT_UNLEARN },
    retrain: true,
    seed: 1,
    backend: 'auto',
  };
}

export function defaultSaliencyJobConfig(): SaliencyJobConfig {
  const c = defaultRunConfig();
  return { data: c.data, model: c.model, forget: c.forget, saliency: c.saliency, train: c.train, seed: c.seed, backend: c.backend };
}
