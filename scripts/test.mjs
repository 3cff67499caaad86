// The one test command (`npm test`): the Debian packages the suites need (installed as root, else
// the command to run is printed), type check, engine/webview unit tests and the fault suite in plain
// Node (mocha), lint and format, the integration suite (whole jobs through the CLI and dispatchJob),
// the backend suites (webgpu on SwiftShader; tensorflow built offline from a wheel),
// the side panel in headless Chromium (scripts/webview-test.mjs), the extension-host suite in
// a real VS Code (code-server offline; scripts/host-test.mjs), then the packaged extension: the .vsix
// is made (scripts/package.mjs, which checks it holds what .vscodeignore selects), installed into
// code-server the way a user installs it, and the cases that matter for an installed copy run on it
// (activation, commands, the panel, a job, webgpu with the packaged Dawn, the generation demo on the
// shipped θo).
// Ends with one line `tests: N passed, N failed[, N skipped]` over all suites; exits non-zero on any
// failure. A suite that cannot run is a failure, never a pass.
//   --unit  unit + fault tests only   --integration  whole jobs (CLI, job process, dispatchJob) only
//   --peers  PyTorch/ONNX Runtime peers only   --cluster  the Ray cluster suite only   --backends  backend suites only
//   --webview  panel only   --host  host suite only
// SALUN_SKIP_NATIVE=1: do not build or test the tensorflow backend (counted as not run, said so).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostTarget } from './dawn.mjs';
import { swiftShaderEnv } from './swiftshader.mjs';
import { ensureSystemPackages } from './system-deps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = ['unit', 'integration', 'peers', 'cluster', 'backends', 'webview', 'host'].find((k) => args.includes(`--${k}`)) ?? 'all';

/** Runs a step, streaming its output as it comes (CI logs show progress) and keeping it for parsing. */
/** Each step's wall time, printed at the end (docs/development.md quotes them). */
const timings = [];

function run(cmd, cmdArgs, label, env = {}) {
  console.log(`\n=== ${label}`);
  const start = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
      process.stdout.write(b);
    });
    child.stderr.on('data', (b) => {
      out += b;
      process.stderr.write(b);
    });
    child.on('error', (e) => {
      out += String(e);
    });
    child.on('close', (code) => {
      timings.push([label, (Date.now() - start) / 1000]);
      resolvePromise({ code: code ?? 1, out });
    });
  });
}

/** The compiled test files under `dir` whose source still exists (out/ keeps a moved test's old output). */
function files(dir, suffix) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(files(p, suffix));
    else if (name.endsWith(suffix) && existsSync(join(root, relative(join(root, 'out'), p).replace(/\.js$/, '.ts')))) out.push(relative(root, p));
  }
  return out.sort();
}

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = false;
const notRun = [];

/** Adds a mocha run's counts; a run that died without a summary is broken. */
function countMocha(result, label) {
  const p = /(\d+) passing/.exec(result.out);
  const f = /(\d+) failing/.exec(result.out);
  const k = /(\d+) pending/.exec(result.out);
  passed += p ? Number(p[1]) : 0;
  failed += f ? Number(f[1]) : 0;
  skipped += k ? Number(k[1]) : 0;
  if (result.code !== 0 && !f) {
    broken = true;
    console.log(`${label} exited with code ${result.code}`);
  }
}

const mocha = join(root, 'node_modules/mocha/bin/mocha.js');
/** Mocha reads .mocharc.js (interface, reporter); SALUN_SUITE gives the suite's default timeout there. */
const suite = (name, env = {}) => ({ SALUN_SUITE: name, ...env });

if (!ensureSystemPackages()) {
  console.log('\ntests: 0 passed, 1 failed (the Debian packages the suites need are missing; see above)');
  process.exit(1);
}

const tsc = await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.', '--noEmit'], 'type check (tsc --noEmit)');
if (tsc.code !== 0) {
  broken = true;
  console.log('type check failed');
}

// Lint (typescript-eslint with type information, eslint.config.mjs) and format (Prettier,
// .prettierrc.json): each a failure of its own, so a style slip never hides behind a test count.
const lint = await run(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '--max-warnings', '0', '.'], 'lint (eslint, type-aware)');
if (lint.code !== 0) {
  failed += 1;
  console.log('lint failed: `npm run lint -- --fix` fixes some; the rest is named above');
}
const format = await run(
  process.execPath,
  [join(root, 'node_modules/prettier/bin/prettier.cjs'), '--check', '--log-level', 'warn', '**/*.ts', '**/*.mjs'],
  'format (prettier --check)',
);
if (format.code !== 0) {
  failed += 1;
  console.log('format check failed: `npm run format` formats the files named above');
}

if (only === 'all' || only === 'unit') {
  const unit = await run(process.execPath, [mocha, ...files(join(root, 'out/test/unit'), '.unit.test.js')], 'unit tests (plain Node, mocha)', suite('unit'));
  countMocha(unit, 'unit tests');
  const fault = await run(
    process.execPath,
    [mocha, ...files(join(root, 'out/test/fault'), '.fault.test.js')],
    'fault suite (kills, races, hostile files, full disk; plain Node, mocha)',
    suite('fault'),
  );
  countMocha(fault, 'fault suite');
}

// Whole jobs, minutes: the CLI run as a child process, dist/job.js forked, dispatchJob end to end.
if (only === 'all' || only === 'integration') {
  const integration = await run(
    process.execPath,
    [mocha, ...files(join(root, 'out/test/integration'), '.integration.test.js')],
    'integration suite (whole jobs: the CLI, the job process, dispatchJob; plain Node, mocha)',
    suite('integration'),
  );
  countMocha(integration, 'integration suite');
}

// The PyTorch / ONNX Runtime peers (scripts/peers.mjs: a Python 3.11 venv from the machine's
// wheels, Debian's torch 1.13, onnxruntime-node): the ONNX importer, the checkpoint readers, the
// twins and the ONNX export checked against what PyTorch and ONNX Runtime compute.
if (only === 'all' || only === 'peers') {
  const setup = await run(process.execPath, [join(root, 'scripts/peers.mjs')], 'PyTorch and ONNX Runtime peers: set up (scripts/peers.mjs, offline)');
  if (setup.code !== 0) {
    failed += 1;
    console.log('peer setup failed (above): the ONNX and PyTorch checks cannot run');
  } else {
    const peers = await run(
      process.execPath,
      [mocha, ...files(join(root, 'out/test/peers'), '.peer.test.js')],
      'ONNX and PyTorch checkpoints against PyTorch and ONNX Runtime',
      suite('peers'),
    );
    countMocha(peers, 'peer suite');
  }
}

// The Ray cluster (scripts/ray-cluster.sh: a head and a worker node on this machine, Ray from the
// machine's wheels): jobs spread over it give what they give locally. Stopped again afterwards.
if (only === 'all' || only === 'cluster') {
  const start = await run('bash', [join(root, 'scripts/ray-cluster.sh'), 'start'], 'Ray cluster: start two nodes (scripts/ray-cluster.sh, offline)');
  // Its stdout's last two lines (stderr is interleaved in `out`): the venv's python, then the address.
  const lines = start.out.trim().split('\n');
  const address = lines.findLast((l) => /^[\w.-]+:\d+$/.test(l));
  const python = lines.findLast((l) => /\/bin\/python[\d.]*$/.test(l));
  if (start.code !== 0 || !address || !python) {
    failed += 1;
    console.log('the Ray cluster did not start (above): the cluster suite cannot run');
  } else {
    const cluster = await run(
      process.execPath,
      [mocha, ...files(join(root, 'out/test/cluster'), '.cluster.test.js')],
      `audit on the Ray cluster at ${address}`,
      {
        ...suite('cluster'),
        SALUN_RAY_ADDRESS: address,
        SALUN_PYTHON: python,
        // The driver attaches to the head's raylet, not the worker's that the fault test kills.
        SALUN_RAY_NODE_IP: address.split(':')[0],
      },
    );
    countMocha(cluster, 'cluster suite');
  }
  await run('bash', [join(root, 'scripts/ray-cluster.sh'), 'stop'], 'Ray cluster: stop');
}

if (only === 'all' || only === 'backends') {
  const webgpu = await run(
    process.execPath,
    [mocha, 'out/test/backends/webgpu.backend.test.js'],
    'webgpu backend (Dawn on SwiftShader, the CPU Vulkan) against cpu and wasm',
    suite('backends', swiftShaderEnv()),
  );
  countMocha(webgpu, 'webgpu suite');
  if (process.env.SALUN_SKIP_NATIVE === '1') {
    notRun.push('tensorflow backend suite (SALUN_SKIP_NATIVE=1)');
  } else {
    const nativeDir = process.env.SALUN_TFJS_NODE_DIR || join(root, '.cache/tfjs-node');
    console.log('\n=== tensorflow backend: build @tensorflow/tfjs-node offline (scripts/build-tfjs-node.mjs)');
    const build = spawnSync(process.execPath, [join(root, 'scripts/build-tfjs-node.mjs'), '--dir', nativeDir], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) {
      failed += 1;
      console.log('tensorflow backend: the offline build failed (above); set SALUN_SKIP_NATIVE=1 to leave this suite out knowingly');
    } else {
      const tfSuite = await run(
        process.execPath,
        [mocha, '--timeout', '300000', 'out/test/backends/tensorflow.backend.test.js'],
        'tensorflow backend (tfjs-node on libtensorflow) against cpu',
        suite('backends', { SALUN_TFJS_NODE_DIR: nativeDir }),
      );
      countMocha(tfSuite, 'tensorflow suite');
    }
  }
}

if (only === 'all' || only === 'webview') {
  const web = await run(process.execPath, [join(root, 'scripts/webview-test.mjs')], 'side panel in headless Chromium (playwright-core)');
  const m = /webview: (\d+) passed, (\d+) failed/.exec(web.out);
  passed += m ? Number(m[1]) : 0;
  failed += m ? Number(m[2]) : 0;
  if (web.code !== 0 && (!m || Number(m[2]) === 0)) {
    broken = true;
    console.log(`webview test exited with code ${web.code}`);
  }
}

/** Adds a host-test.mjs run's `host: N passed, N failed`; a run that died without it is broken. */
function countHost(result, label) {
  const m = /host: (\d+) passed, (\d+) failed/.exec(result.out);
  passed += m ? Number(m[1]) : 0;
  failed += m ? Number(m[2]) : 0;
  if (result.code !== 0 && (!m || Number(m[2]) === 0)) {
    broken = true;
    console.log(`${label} exited with code ${result.code}`);
  }
}

/** The host cases that check what only an installed copy can get wrong: files the package must carry, the bundles' paths (the ONNX and checkpoint readers among them). */
const INSTALLED_CASES = "activates|registers|openPanel shows|second start|webgpu|Generation Unlearning Demo|Other people's models|Export Unlearned Model";

if (only === 'all' || only === 'host') {
  const host = await run(process.execPath, [join(root, 'scripts/host-test.mjs'), '--no-build'], 'extension-host suite (code-server + Chromium)');
  countHost(host, 'host suite');
  const vsix = join(root, 'dist', `salun-lab-${hostTarget()}.vsix`);
  const pack = await run(process.execPath, [join(root, 'scripts/package.mjs')], 'package the .vsix (scripts/package.mjs; checked against .vscodeignore)');
  if (pack.code !== 0) {
    failed += 1;
    console.log('packaging failed (above): the installed-extension cases cannot run');
  } else {
    const installed = await run(
      process.execPath,
      [join(root, 'scripts/host-test.mjs'), '--vsix', vsix, '--grep', INSTALLED_CASES],
      `the installed .vsix in code-server (${relative(root, vsix)}: ${INSTALLED_CASES})`,
    );
    countHost(installed, 'installed-extension host suite');
  }
}

console.log('\nsteps (wall seconds):');
for (const [label, seconds] of timings) console.log(`${seconds.toFixed(0).padStart(6)}  ${label}`);
for (const what of notRun) console.log(`not run: ${what}`);
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || broken || passed === 0 ? 1 : 0);
