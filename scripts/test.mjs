// The one test command (`npm test`): type check, engine/webview unit tests in plain Node (mocha),
// the side panel in headless Chromium (scripts/webview-test.mjs), then the extension-host suite in
// a real VS Code (code-server offline; scripts/host-test.mjs).
// Ends with one line `tests: N passed, N failed` over all suites; exits non-zero on any failure.
//   --unit   unit tests only        --webview   panel browser test only        --host   host suite only
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.includes('--unit') ? 'unit' : args.includes('--webview') ? 'webview' : args.includes('--host') ? 'host' : 'all';

/** Runs a step, streaming its output as it comes (CI logs show progress) and keeping it for parsing. */
function run(cmd, cmdArgs, label) {
  console.log(`\n=== ${label}`);
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => { out += b; process.stdout.write(b); });
    child.stderr.on('data', (b) => { out += b; process.stderr.write(b); });
    child.on('error', (e) => { out += String(e); });
    child.on('close', (code) => resolvePromise({ code: code ?? 1, out }));
  });
}

function files(dir, suffix) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(files(p, suffix));
    else if (name.endsWith(suffix)) out.push(relative(root, p));
  }
  return out.sort();
}

let passed = 0;
let failed = 0;
let broken = false;

const tsc = await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.', '--noEmit'], 'type check (tsc --noEmit)');
if (tsc.code !== 0) { broken = true; console.log('type check failed'); }

if (only === 'all' || only === 'unit') {
  const unit = await run(process.execPath, [join(root, 'node_modules/mocha/bin/mocha.js'), '--timeout', '120000', ...files(join(root, 'out/test/unit'), '.unit.test.js')], 'unit tests (plain Node, mocha)');
  const p = /(\d+) passing/.exec(unit.out);
  const f = /(\d+) failing/.exec(unit.out);
  passed += p ? Number(p[1]) : 0;
  failed += f ? Number(f[1]) : 0;
  if (unit.code !== 0 && !f) broken = true;
}

if (only === 'all' || only === 'webview') {
  const web = await run(process.execPath, [join(root, 'scripts/webview-test.mjs')], 'side panel in headless Chromium (playwright-core)');
  const m = /webview: (\d+) passed, (\d+) failed/.exec(web.out);
  passed += m ? Number(m[1]) : 0;
  failed += m ? Number(m[2]) : 0;
  if (web.code !== 0 && (!m || Number(m[2]) === 0)) { broken = true; console.log(`webview test exited with code ${web.code}`); }
}

if (only === 'all' || only === 'host') {
  const host = await run(process.execPath, [join(root, 'scripts/host-test.mjs'), '--no-build'], 'extension-host suite (code-server + Chromium)');
  const m = /host: (\d+) passed, (\d+) failed/.exec(host.out);
  passed += m ? Number(m[1]) : 0;
  failed += m ? Number(m[2]) : 0;
  if (host.code !== 0 && (!m || Number(m[2]) === 0)) { broken = true; console.log(`host suite exited with code ${host.code}`); }
}

console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || broken || passed === 0 ? 1 : 0);
