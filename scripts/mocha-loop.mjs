// The developer's loop: `npm run test:unit -- --grep <re>` (or a file: `-- test/unit/grid.unit.test.ts`)
// transpiles src/, test/, webview/ and bench/ into out/ (esbuild, file by file, about two seconds:
// no bundles, no wasm or Dawn copies, no schema), then runs mocha with .mocharc.js and the
// arguments given. No type check (`npm run typecheck`), no lint: `node scripts/test.mjs --unit` is
// the whole check. The tests that run the bundles (bin/salun.js, dist/job.js, dist/trainWorker.js)
// see the last `npm run build`; the loop says when dist/ is older than the sources.
//   --suite <name>     another suite of .mocharc.js (integration, fault, peers, backends); default unit
//   --transpile-only   out/ only, no mocha (the pre-launch task of .vscode/launch.json's test configurations)
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function tsFiles(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((name) => {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) return tsFiles(join(dir, name));
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [relative(root, p)] : [];
  });
}

function jsFiles(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((name) => (statSync(join(abs, name)).isDirectory() ? jsFiles(join(dir, name)) : [join(dir, name)]));
}

function newest(files) {
  return Math.max(0, ...files.map((f) => statSync(join(root, f)).mtimeMs));
}

/** `test/unit/x.unit.test.ts` names the file mocha runs, `out/test/unit/x.unit.test.js`. */
function mochaArg(arg) {
  return /^test\/.*\.test\.ts$/.test(arg) ? join('out', arg.replace(/\.ts$/, '.js')) : arg;
}

const args = process.argv.slice(2);
const suiteAt = args.indexOf('--suite');
const suite = suiteAt >= 0 ? args.splice(suiteAt, 2)[1] : process.env.SALUN_SUITE || 'unit';
const transpileOnly = args.includes('--transpile-only');

const sources = ['src', 'test', 'webview', 'bench'].flatMap(tsFiles);
// The same transpile as scripts/build.mjs's out/ step, SALUN_VERSION included (a dev build's).
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
await esbuild.build({
  entryPoints: sources,
  outdir: 'out',
  outbase: '.',
  bundle: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
  define: { SALUN_VERSION: JSON.stringify(`${version}+dev`) },
});

// A moved or deleted test leaves its old output in out/, which the suite's glob would still run.
for (const old of jsFiles('out/test').filter((f) => /\.test\.js$/.test(f) && !existsSync(join(root, f.replace(/^out\//, '').replace(/\.js$/, '.ts'))))) {
  rmSync(join(root, old));
  rmSync(join(root, `${old}.map`), { force: true });
}

const bundle = join(root, 'dist', 'cli.js');
const srcTime = newest(sources.filter((f) => f.startsWith('src/') || f.startsWith('webview/')));
if (!existsSync(bundle) || statSync(bundle).mtimeMs < srcTime) {
  console.log('note: dist/ is older than src/ (or missing): tests that run the bundles see the last `npm run build`');
}

if (transpileOnly) process.exit(0);

const mocha = join(root, 'node_modules/mocha/bin/mocha.js');
const result = spawnSync(process.execPath, [mocha, ...args.map(mochaArg)], { cwd: root, stdio: 'inherit', env: { ...process.env, SALUN_SUITE: suite } });
process.exit(result.status ?? 1);
