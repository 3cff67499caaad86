// The PyTorch / ONNX Runtime peers of the ONNX and PyTorch-checkpoint import, set up offline from a
// clean clone: the 3.11 venv (scripts/python-peers.sh), npm onnxruntime-node in .cache/ort-node
// (its CPU binary ships inside the package, so --ignore-scripts is enough), and the reference models
// of test/peers/models.py written by torch 2.13 and by Debian's torch 1.13 (whose folder the venv
// then completes: no onnx module there). A stamp per folder skips what the same script already wrote.
//   node scripts/peers.mjs           set up; prints one JSON line with the paths
//   node scripts/peers.mjs --force   rewrite the model folders
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ORT_VERSION = '1.31.1';
const ortDir = join(root, '.cache', 'ort-node');
const modelsDir = process.env.SALUN_PEER_MODELS || join(root, '.cache', 'peer-models');
const script = join(root, 'test', 'peers', 'models.py');
const DEBIAN_PYTHON = '/usr/bin/python3';

function fail(message) {
  console.error(`[peers] ${message}`);
  process.exit(1);
}

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.error) fail(`${what}: could not start ${cmd} (${r.error.message})`);
  if (r.status !== 0) fail(`${what} failed (exit ${r.status}): ${cmd} ${args.join(' ')}`);
  return r.stdout;
}

function pythonVenv() {
  const out = run('bash', [join(root, 'scripts', 'python-peers.sh')], 'the Python 3.11 venv (torch 2.13, torchvision, onnx, onnxruntime, safetensors)');
  return out.trim().split('\n').pop();
}

/** A tiny Relu graph, written by hand as protobuf bytes: the binary must load and run before any test relies on it. */
async function checkOrt() {
  const require = createRequire(join(ortDir, 'package.json'));
  const ort = require('onnxruntime-node');
  // onnx.helper.make_model of one Relu node (x, y: float32 [1, 4]; opset 13, IR 7), serialised.
  const model = Buffer.from(
    '0807120570656572733a3e0a0c0a0178120179220452656c75120474696e795a130a0178120e0a0c080112080a0208010a02080462130a0179120e0a0c080112080a0208010a02080442040a00100d',
    'hex',
  );
  const session = await ort.InferenceSession.create(model);
  const y = await session.run({ x: new ort.Tensor('float32', Float32Array.from([-1, 2, -3, 4]), [1, 4]) });
  const got = Array.from(y.y.data).join(',');
  if (got !== '0,2,0,4') throw new Error(`Relu of -1,2,-3,4 gave ${got}`);
}

async function ortNode() {
  const pkg = join(ortDir, 'node_modules', 'onnxruntime-node', 'package.json');
  const have = existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).version === ORT_VERSION;
  if (!have) {
    mkdirSync(ortDir, { recursive: true });
    if (!existsSync(join(ortDir, 'package.json'))) writeFileSync(join(ortDir, 'package.json'), '{"private": true}\n');
    run(
      'npm',
      ['install', '--prefix', ortDir, '--ignore-scripts', '--no-audit', '--no-fund', `onnxruntime-node@${ORT_VERSION}`],
      `npm install onnxruntime-node@${ORT_VERSION}`,
    );
  }
  try {
    await checkOrt();
  } catch (e) {
    fail(`onnxruntime-node ${ORT_VERSION} in ${ortDir} does not run a model: ${e instanceof Error ? e.message : String(e)}`);
  }
  return join(ortDir, 'node_modules', 'onnxruntime-node');
}

function stampOf(python) {
  const version = run(python, ['-c', 'import torch; print(torch.__version__)'], `torch in ${python}`).trim();
  return JSON.stringify({ script: createHash('sha256').update(readFileSync(script)).digest('hex'), torch: version });
}

function models(python, out, force, finisher) {
  const stampFile = join(out, '.stamp');
  const stamp = stampOf(python) + (finisher ? ` finished:${finisher}` : '');
  if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && existsSync(join(out, 'manifest.json'))) return false;
  rmSync(out, { recursive: true, force: true });
  run(python, [script, out], `test/peers/models.py with ${python}`);
  if (finisher) run(finisher, [script, '--finish', out], `test/peers/models.py --finish with ${finisher}`);
  writeFileSync(stampFile, stamp);
  return true;
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      readFileSync(fileURLToPath(import.meta.url), 'utf8')
        .split('\nimport ')[0]
        .replace(/^\/\/ ?/gm, ''),
    );
    return;
  }
  const force = args.includes('--force');
  const t0 = Date.now();
  const python = pythonVenv();
  const ort = await ortNode();
  if (!existsSync(DEBIAN_PYTHON)) fail(`${DEBIAN_PYTHON} not found: apt-get install python3 python3-torch (the torch 1.13 peer)`);
  spawnSync(DEBIAN_PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0 || fail(`${DEBIAN_PYTHON} has no torch: apt-get install python3-torch`);
  const torch213 = join(modelsDir, 'torch213');
  const torch113 = join(modelsDir, 'torch113');
  const wrote213 = models(python, torch213, force, null);
  const wrote113 = models(DEBIAN_PYTHON, torch113, force, python);
  console.log(
    JSON.stringify({
      python,
      debianPython: DEBIAN_PYTHON,
      ortNode: ort,
      models: { torch213, torch113 },
      wrote: { torch213: wrote213, torch113: wrote113 },
      seconds: (Date.now() - t0) / 1000,
    }),
  );
}

await main();
