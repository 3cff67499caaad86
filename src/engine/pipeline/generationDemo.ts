// `salun gen-demo`'s config: the default generation config (forget class 7, Sneaker, of the bundled
// Fashion-MNIST, pooled to 14×14) with θo read from the weights shipped in models/gen-demo/
// (made by `salun gen-train`), checked against the SHA-256 its meta.json records. Without the
// folder the demo trains θo itself (and caches it).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultGenerationConfig, type GenerationConfig } from '../../protocol/generationConfig';
import { isRecord } from '../../protocol/guards';

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
