// `salun gen-demo`'s config: the default generation config (forget class 7, Sneaker, of the bundled
// Fashion-MNIST, pooled to 14×14) with θo read from the weights shipped in models/gen-demo/
// (made by `salun gen-train`), checked against the SHA-256 its meta.json records. Without the
// folder the demo trains θo itself (and caches it).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultGenerationConfig, type GenerationConfig } from '../protocol/generationConfig';
import type { BackendChoice } from '../protocol/config';
import { FASHION_MNIST_CLASSES } from './data/idxLayout';
import { isRecord } from '../protocol/guards';

export const GEN_DEMO_MODEL = join('models', 'gen-demo');

/** The shipped θo's folder beside the bundles (dist/*.js) or the transpiled files (out/src/…/*.js); undefined when absent. */
export function genDemoModelDir(): string | undefined {
  const candidates = [
    join(__dirname, '..', GEN_DEMO_MODEL),
    join(__dirname, '..', '..', '..', GEN_DEMO_MODEL),
    join(__dirname, '..', '..', '..', '..', GEN_DEMO_MODEL),
  ];
  return candidates.find((d) => existsSync(join(d, 'model.json')) && existsSync(join(d, 'meta.json')));
}

export function genDemoConfig(): GenerationConfig {
  const config = defaultGenerationConfig();
  config.name = 'gen-demo';
  const dir = genDemoModelDir();
  if (!dir) return config;
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as unknown;
  const sha256 = isRecord(meta) && typeof meta.sha256 === 'string' ? meta.sha256 : undefined;
  // The shipped weights are θo only for the recipe they were trained with: the config says so.
  if (isRecord(meta) && isRecord(meta.unet) && Array.isArray(meta.unet.widths)) config.unet = meta.unet as GenerationConfig['unet'];
  if (isRecord(meta) && isRecord(meta.train)) config.train = meta.train as GenerationConfig['train'];
  return { ...config, original: { kind: 'file', path: join(dir, 'model.json'), ...(sha256 ? { sha256 } : {}) } };
}

/**
 * The demo's recipes, one row each: what the editor's *Generation Unlearning Demo* offers. Times
 * are the ones measured for the whole demo (θo read, the judge trained, SalUn, ESD and RL, sampling)
 * on this project's 2-core Xeon (docs/results.md).
 */
export const GEN_DEMO_RECIPES = {
  quick: {
    label: 'Quick',
    detail: '300 steps of batch 32 per method, c′ a random other class, 20 samples per class (11 min measured on wasm, 2 CPU cores)',
    apply: (c: GenerationConfig): GenerationConfig => c,
  },
  authors: {
    label: 'The authors’ recipe',
    detail:
      '1,000 steps of batch 128 per method, c′ = c + 1, 100 samples per class (24 min measured on native TensorFlow with 2 CPU cores; slower on wasm, not measured)',
    apply: (c: GenerationConfig): GenerationConfig => ({
      ...c,
      unlearn: { ...c.unlearn, iterations: 1000, batchSize: 128, otherClass: 'next' },
      sampling: { ...c.sampling, samplesPerClass: 100 },
    }),
  },
} as const satisfies Record<string, { label: string; detail: string; apply: (c: GenerationConfig) => GenerationConfig }>;

export type GenDemoRecipe = keyof typeof GEN_DEMO_RECIPES;

export function isGenDemoRecipe(x: unknown): x is GenDemoRecipe {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(GEN_DEMO_RECIPES, x);
}

/** The demo's config forgetting `forgetClass` with `recipe`, on `backend`. */
export function genDemoRecipeConfig(forgetClass: number, recipe: GenDemoRecipe, backend: BackendChoice): GenerationConfig {
  return { ...GEN_DEMO_RECIPES[recipe].apply(genDemoConfig()), forgetClass, backend };
}

export interface GenDemoArgs {
  forgetClass: number;
  recipe: GenDemoRecipe;
}

/** `{ forgetClass, recipe? }` from a script (recipe: quick when left out); undefined when `x` is not one; throws naming `who` and what is wrong. */
export function parseGenDemoArgs(x: unknown, who: string): GenDemoArgs | undefined {
  if (!isRecord(x) || !('forgetClass' in x)) return undefined;
  const c = x.forgetClass;
  if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= FASHION_MNIST_CLASSES.length)
    throw new Error(`${who}: forgetClass must be a class index from 0 to ${FASHION_MNIST_CLASSES.length - 1}, got ${JSON.stringify(c)}.`);
  const recipe = x.recipe ?? 'quick';
  if (!isGenDemoRecipe(recipe)) throw new Error(`${who}: recipe must be one of ${Object.keys(GEN_DEMO_RECIPES).join(', ')}, got ${JSON.stringify(recipe)}.`);
  return { forgetClass: c, recipe };
}
