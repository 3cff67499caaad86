// Builds @tensorflow/tfjs-node 4.22.0 without its libtensorflow download, against TensorFlow's own C
// library from a TensorFlow wheel on disk (tensorflow_cpu 2.x: libtensorflow_cc.so.2 exports the C
// API, libtensorflow_framework.so.2 beside it, the C headers under tensorflow/include/).
//
//   node scripts/build-tfjs-node.mjs [--dir <folder>] [--wheel <file.whl>] [--force]
//
// Result: <folder>/node_modules/@tensorflow/tfjs-node with lib/napi-v8/tfjs_binding.node, which
// finds the libraries through the rpath its binding.gyp sets ($ORIGIN/../../deps/lib), so the
// folder can be moved as a whole. The engine loads it from there (SALUN_TFJS_NODE_DIR=<folder>).
// Defaults: --dir $SALUN_TFJS_NODE_DIR or .cache/tfjs-node; --wheel $SALUN_TF_WHEEL or the newest
// tensorflow_cpu-*.whl / tensorflow-*.whl in /opt/pypi/files. Needs npm (the registry or its
// cache, for the package's JavaScript), python3, make and a C++ compiler. Idempotent: a folder
// whose addon already loads is left alone unless --force.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '4.22.0';
const PACKAGE = '@tensorflow/tfjs-node';
const WHEEL_DIRS = ['/opt/pypi/files'];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

class BuildError extends Error {}

function parseArgs(argv) {
  const args = { dir: process.env.SALUN_TFJS_NODE_DIR || join(root, '.cache/tfjs-node'), wheel: process.env.SALUN_TF_WHEEL || '', force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') args.force = true;
    else if (a === '--dir' || a === '--wheel') {
      if (!argv[i + 1]) throw new BuildError(`${a} needs a value`);
      args[a.slice(2)] = argv[++i];
    } else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/build-tfjs-node.mjs [--dir <folder>] [--wheel <tensorflow wheel>] [--force]');
      process.exit(0);
    } else throw new BuildError(`unknown argument ${a} (try --help)`);
  }
  args.dir = resolve(args.dir);
  return args;
}

function run(cmd, cmdArgs, options = {}) {
  const r = spawnSync(cmd, cmdArgs, { stdio: options.capture ? 'pipe' : 'inherit', encoding: 'utf8', ...options });
  if (r.error) throw new BuildError(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = options.capture ? `\n${(r.stderr || r.stdout || '').trim().split('\n').slice(-15).join('\n')}` : '';
    throw new BuildError(`${cmd} ${cmdArgs.join(' ')} failed with exit code ${r.status}${tail}`);
  }
  return r.stdout ?? '';
}

function has(cmd, flag = '--version') {
  const r = spawnSync(cmd, [flag], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

/** The newest TensorFlow CPU wheel for this Python-independent use (any cp tag: only its .so files are used). */
function findWheel(given) {
  if (given) {
    if (!existsSync(given)) throw new BuildError(`the TensorFlow wheel ${given} does not exist`);
    return resolve(given);
  }
  const found = [];
  for (const d of WHEEL_DIRS) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (/^tensorflow(_cpu)?-2\.\d+\.\d+-.*linux.*x86_64\.whl$/.test(f)) found.push(join(d, f));
  }
  if (!found.length) {
    throw new BuildError(
      `no TensorFlow wheel (tensorflow_cpu-2.*-linux_x86_64.whl) in ${WHEEL_DIRS.join(', ')}; ` +
        'pass one with --wheel <file> or SALUN_TF_WHEEL (pip download tensorflow-cpu --no-deps fetches one)',
    );
  }
  const version = (f) =>
    f
      .match(/-(2\.\d+\.\d+)-/)[1]
      .split('.')
      .map(Number);
  found.sort((a, b) => {
    const [x, y] = [version(a), version(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
  return found[found.length - 1];
}

/** node-gyp downloads Node's headers unless told where they are; there is no internet here. */
function nodeHeadersDir() {
  for (const prefix of [resolve(dirname(process.execPath), '..'), '/usr', '/usr/local']) {
    if (existsSync(join(prefix, 'include/node/node_api.h')) && existsSync(join(prefix, 'include/node/common.gypi'))) return prefix;
  }
  return undefined;
}

function checkTools() {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new BuildError(`this script builds for linux-x64 only (this is ${process.platform}-${process.arch})`);
  const missing = [];
  if (!has('c++') && !has('g++')) missing.push('a C++ compiler (g++)');
  if (!has('make')) missing.push('make');
  if (!has('python3')) missing.push('python3');
  if (missing.length) throw new BuildError(`missing ${missing.join(', ')}: install them (Debian: apt-get install build-essential python3)`);
}

function packageDir(dir) {
  return join(dir, 'node_modules', PACKAGE);
}

function bindingPath(dir) {
  return join(packageDir(dir), `lib/napi-v${process.versions.napi >= 8 ? 8 : process.versions.napi}/tfjs_binding.node`);
}

/** Loads the addon in a fresh process (a failed dlopen must not take this one down); the TF version or undefined. */
function loadableVersion(dir) {
  const p = bindingPath(dir);
  if (!existsSync(p)) return undefined;
  const r = spawnSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(p)}).TF_Version)`], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  return r.status === 0 && r.stdout ? r.stdout : undefined;
}

function installPackage(dir) {
  const pj = join(packageDir(dir), 'package.json');
  if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).version === VERSION) return;
  mkdirSync(dir, { recursive: true });
  const holder = join(dir, 'package.json');
  if (!existsSync(holder))
    writeFileSync(holder, JSON.stringify({ name: 'salun-tfjs-node', private: true, description: 'Built by scripts/build-tfjs-node.mjs' }, null, 2) + '\n');
  // --ignore-scripts: its install script would download libtensorflow 2.9.1 from Google's storage.
  console.log(`[tfjs-node] npm install ${PACKAGE}@${VERSION} --ignore-scripts into ${dir}`);
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--save-exact', `${PACKAGE}@${VERSION}`], { cwd: dir });
}

// Copies the two libraries and the C headers the binding includes (followed transitively, so the
// 13k-file include tree is not unpacked) out of the wheel, and gives the libraries the names the
// binding links (-ltensorflow -ltensorflow_framework) and install.js looks for (2.9.1: no download).
const STAGE_PY = String.raw`
import os, re, sys, zipfile
wheel, deps = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(wheel)
names = set(z.namelist())
def extract(member, dest):
    info = z.getinfo(member)
    if os.path.exists(dest) and os.path.getsize(dest) == info.file_size:
        return
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with z.open(info) as src, open(dest + '.part', 'wb') as out:
        while True:
            chunk = src.read(1 << 22)
            if not chunk: break
            out.write(chunk)
    os.replace(dest + '.part', dest)
lib = os.path.join(deps, 'lib')
for so in ('libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'):
    m = 'tensorflow/' + so
    if m not in names: sys.exit('the wheel has no ' + m + ' (is it a TensorFlow 2.x Linux wheel?)')
    extract(m, os.path.join(lib, so))
for link, target in (('libtensorflow.so', 'libtensorflow_cc.so.2'), ('libtensorflow.so.2.9.1', 'libtensorflow_cc.so.2'),
                     ('libtensorflow_framework.so', 'libtensorflow_framework.so.2'), ('libtensorflow_framework.so.2.9.1', 'libtensorflow_framework.so.2')):
    p = os.path.join(lib, link)
    if os.path.lexists(p): os.remove(p)
    os.symlink(target, p)
prefix = 'tensorflow/include/'
todo = ['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h', 'tensorflow/c/tf_datatype.h', 'tensorflow/c/tf_status.h',
        'tensorflow/c/tf_tensor.h', 'tensorflow/core/platform/ctstring_internal.h']
seen = set()
inc = re.compile(rb'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
while todo:
    h = todo.pop()
    if h in seen or prefix + h not in names: continue
    seen.add(h)
    extract(prefix + h, os.path.join(deps, 'include', h))
    todo.extend(m.decode() for m in inc.findall(z.read(prefix + h)))
missing = [h for h in ('tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h') if h not in seen]
if missing: sys.exit('the wheel has no ' + ', '.join(missing))
print('[tfjs-node] staged 2 libraries and %d headers into %s' % (len(seen), deps))
`;

function stageDeps(dir, wheel) {
  console.log(`[tfjs-node] staging libtensorflow from ${wheel}`);
  run('python3', ['-c', STAGE_PY, wheel, join(packageDir(dir), 'deps')]);
}

function buildAddon(dir) {
  const nodedir = nodeHeadersDir();
  if (!nodedir)
    throw new BuildError(
      "Node's C headers (include/node/node_api.h) were not found beside this node; install them (Debian: nodejs-dev / libnode-dev) or set npm_config_nodedir",
    );
  console.log(`[tfjs-node] compiling the addon (node headers: ${nodedir}/include/node)`);
  // npm rebuild runs the package's install script: deps/lib/libtensorflow.so.2.9.1 exists, so it
  // skips the download and runs node-pre-gyp, which builds from source when told to.
  run('npm', ['rebuild', PACKAGE, '--foreground-scripts'], {
    cwd: dir,
    env: { ...process.env, npm_config_build_from_source: 'true', npm_config_nodedir: nodedir, JOBS: process.env.JOBS || '2' },
  });
}

function main() {
  const started = Date.now();
  const args = parseArgs(process.argv.slice(2));
  const before = args.force ? undefined : loadableVersion(args.dir);
  if (before) {
    console.log(`[tfjs-node] already built: ${packageDir(args.dir)} (libtensorflow ${before}); --force rebuilds`);
    return;
  }
  checkTools();
  const wheel = findWheel(args.wheel);
  installPackage(args.dir);
  stageDeps(args.dir, wheel);
  buildAddon(args.dir);
  const version = loadableVersion(args.dir);
  if (!version) throw new BuildError(`the addon was built but does not load: node -e "require('${bindingPath(args.dir)}')" shows why`);
  console.log(`[tfjs-node] built ${packageDir(args.dir)} (libtensorflow ${version}) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`[tfjs-node] use it with SALUN_TFJS_NODE_DIR=${args.dir}`);
}

try {
  main();
} catch (e) {
  if (!(e instanceof BuildError)) throw e;
  console.error(`[tfjs-node] ${e.message}`);
  process.exit(1);
}
