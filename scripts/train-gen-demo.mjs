// Trains the generation demo's θo (a class-conditional DDPM on the bundled Fashion-MNIST, 2×2
// average-pooled to 14×14) with the demo config's recipe and writes models/gen-demo/ (model.json,
// weights.bin, meta.json). Run once after `npm run build`; the demo reads the folder and checks
// weights.bin against the SHA-256 in meta.json.
//   SALUN_TFJS_NODE_DIR=.cache/tfjs-node node scripts/train-gen-demo.mjs [--backend tensorflow] [--iterations N]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { trainGenDemoModel } = require(join(root, 'out/src/cli/genTrain.js'));
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
await trainGenDemoModel({ outDir: join(root, 'models', 'gen-demo'), backend: arg('backend', 'auto'), iterations: arg('iterations', undefined) });
