// `salun gen-demo`'s config: the default generation config (forget class 7, Sneaker, of the bundled
// Fashion-MNIST, pooled to 14×14) with θo read from the weights shipped in models/gen-demo/
// (made by `salun gen-train`), checked against the SHA-256 its meta.json records. A missing or
// damaged θo is said before anything starts: training it instead takes hours on a CPU, so only a
// caller that asked for that (the editor after a confirm, `salun gen-demo --train-original`) gets
// the config that trains it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultGenerationConfig, type GenerationConfig } from '../protocol/generationConfig';
import type { BackendChoice } from '../protocol/config';
import { FASHION_MNIST_CLASSES } from './data/idxLayout';
import { isRecord } from '../protocol/guards';
import { parseGenerationMethods, type GenerationMethodName } from '../protocol/genMethods';

export const GEN_DEMO_MODEL = join('models', 'gen-demo');

/** The shipped θo's files, all read (meta.json for the SHA-256 and recipe); .vscodeignore ships these (packageContents.unit.test.ts). */
export const GEN_DEMO_FILES = ['model.json', 'weights.bin', 'meta.json'] as const;

/** What training θo instead costs: the default recipe's 5,000 Adam steps (measured with native TensorFlow; wasm's ETA as a user saw it). */
export const GEN_DEMO_TRAINING_TIME = '5,000 training steps, about 1 h 45 min on 2 CPU cores with wasm (17 min with native TensorFlow)';

/** The package's root: the nearest folder above this code with a package.json (the extension, or the checkout for out/ and dist/). */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return join(__dirname, '..');
  }
}

/** Where the shipped θo belongs (models/gen-demo at the package root), present or not. */
export function genDemoModelDir(): string {
  return join(packageRoot(), GEN_DEMO_MODEL);
}

export type ShippedOriginal =
  | { ok: true; dir: string; sha256: string; meta: Record<string, unknown> }
  /** `problem` names the file at fault and what is wrong with it. */
  | { ok: false; file: string; problem: string };

function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Whether the shipped θo in `dir` is whole: its three files present and weights.bin matching the SHA-256 meta.json records. */
export function shippedOriginal(dir: string = genDemoModelDir()): ShippedOriginal {
  const missing = GEN_DEMO_FILES.map((f) => join(dir, f)).find((f) => !existsSync(f));
  if (missing) return { ok: false, file: missing, problem: `${missing} is missing` };
  const metaFile = join(dir, 'meta.json');
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8'));
  } catch (e) {
    return { ok: false, file: metaFile, problem: `${metaFile} cannot be read (${(e as Error).message})` };
  }
  if (!isRecord(meta) || typeof meta.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(meta.sha256))
    return { ok: false, file: metaFile, problem: `${metaFile} records no SHA-256 of weights.bin` };
  const weights = join(dir, 'weights.bin');
  const actual = sha256Of(weights);
  if (actual !== meta.sha256)
    return { ok: false, file: weights, problem: `${weights} is damaged: its SHA-256 is ${actual}, not the ${meta.sha256} meta.json records` };
  return { ok: true, dir, sha256: meta.sha256, meta };
}

/** The demo's config on the shipped θo; throws, naming the file, when it is missing or damaged (see shippedOriginal). */
export function genDemoConfig(shipped: ShippedOriginal = shippedOriginal()): GenerationConfig {
  if (!shipped.ok) throw new Error(`The generation demo's θo cannot be used: ${shipped.problem}.`);
  const config = defaultGenerationConfig();
  config.name = 'gen-demo';
  const { meta } = shipped;
  // The shipped weights are θo only for the recipe they were trained with: the config says so.
  if (isRecord(meta.unet) && Array.isArray(meta.unet.widths)) config.unet = meta.unet as GenerationConfig['unet'];
  if (isRecord(meta.train)) config.train = meta.train as GenerationConfig['train'];
  return { ...config, original: { kind: 'file', path: join(shipped.dir, 'model.json'), sha256: shipped.sha256 } };
}

/** The demo's config training θo in the job (cached in the workspace afterwards): only when the user chose that. */
export function genDemoTrainingConfig(): GenerationConfig {
  return { ...defaultGenerationConfig(), name: 'gen-demo' };
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

/** The demo's config forgetting `forgetClass` with `recipe`, on `backend`; `base` the shipped θo's (genDemoConfig) unless given. */
export function genDemoRecipeConfig(
  forgetClass: number,
  recipe: GenDemoRecipe,
  backend: BackendChoice,
  base: GenerationConfig = genDemoConfig(),
  methods: readonly GenerationMethodName[] = base.methods,
): GenerationConfig {
  return { ...GEN_DEMO_RECIPES[recipe].apply(base), forgetClass, backend, methods: [...methods] };
}

export interface GenDemoArgs {
  forgetClass: number;
  recipe: GenDemoRecipe;
  /** Rows of the method table with a generation facet; every one when left out. */
  methods?: GenerationMethodName[];
}

/** `{ forgetClass, recipe?, methods? }` from a script (recipe: quick, methods: all when left out); undefined when `x` is not one; throws naming `who` and what is wrong. */
export function parseGenDemoArgs(x: unknown, who: string): GenDemoArgs | undefined {
  if (!isRecord(x) || !('forgetClass' in x)) return undefined;
  const c = x.forgetClass;
  if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= FASHION_MNIST_CLASSES.length)
    throw new Error(`${who}: forgetClass must be a class index from 0 to ${FASHION_MNIST_CLASSES.length - 1}, got ${JSON.stringify(c)}.`);
  const recipe = x.recipe ?? 'quick';
  if (!isGenDemoRecipe(recipe)) throw new Error(`${who}: recipe must be one of ${Object.keys(GEN_DEMO_RECIPES).join(', ')}, got ${JSON.stringify(recipe)}.`);
  return { forgetClass: c, recipe, ...(x.methods !== undefined ? { methods: parseGenerationMethods(x.methods, who) } : {}) };
}
