// Installing @tensorflow/tfjs-node[-gpu] into a folder with the user's own npm, without VS Code
// (the command in nativeBackendCommand.ts is the glue; this part is tested in plain Node).
// Why the user's npm and a folder of their own: the .vsix is packaged without dependencies, and
// tfjs-node is a native addon whose install script downloads libtensorflow for the machine it runs
// on, so it cannot ship inside a platform package the way Dawn does.
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { BACKENDS, NATIVE_BACKEND_NAMES, type BackendRow, type NativeBackendName } from '../../protocol/backends';

export type { NativeBackendName };

export interface NativeChoice {
  backend: NativeBackendName;
  label: string;
  detail: string;
}

const install = (b: NativeBackendName): NonNullable<BackendRow['install']> => BACKENDS[b].install;

/**
 * What the install command offers: each native row with a build for this platform (tfjs-node-gpu:
 * Linux and Windows x64 only), the CPU one first (the table's order is auto's, GPU first).
 */
export function nativeChoices(platform: string = process.platform, arch: string = process.arch): NativeChoice[] {
  return [...NATIVE_BACKEND_NAMES]
    .reverse()
    .filter((b) => install(b).builds?.includes(`${platform}-${arch}`) ?? true)
    .map((b) => ({ backend: b, label: `${install(b).choice}: ${BACKENDS[b].package}`, detail: install(b).detail }));
}

/**
 * The folder jobs load the native packages from: the setting when given (`~` is the home folder, a
 * relative path is taken from the home folder), else SALUN_TFJS_NODE_DIR of the editor's own
 * environment, else `native` in the extension's global storage.
 */
export function nativeModulesDir(setting: string | undefined, globalStorageDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = setting?.trim();
  if (given) {
    const expanded = given === '~' ? homedir() : given.startsWith('~/') || given.startsWith('~\\') ? join(homedir(), given.slice(2)) : given;
    return isAbsolute(expanded) ? resolve(expanded) : resolve(homedir(), expanded);
  }
  if (env.SALUN_TFJS_NODE_DIR) return resolve(env.SALUN_TFJS_NODE_DIR);
  return join(globalStorageDir, 'native');
}

/** `npm install` of the one package, into `dir`/node_modules, touching no package.json of the user's. */
export function npmInstallArgs(backend: NativeBackendName, version: string, dir: string): string[] {
  return ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', dir, `${BACKENDS[backend].package}@${version}`];
}

export type NpmResult =
  | { status: 'installed' }
  | { status: 'no-npm'; message: string }
  | { status: 'failed'; code: number | null; signal: NodeJS.Signals | null; lastLines: string[] }
  | { status: 'cancelled' };

export interface NpmRun {
  /** The npm command (default `npm`; `npm.cmd` on Windows). */
  npm?: string;
  args: string[];
  onLine(line: string): void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** Runs npm, streaming its output by line; settles once, however it ends. */
export function runNpm(run: NpmRun): Promise<NpmResult> {
  const npm = run.npm ?? (process.platform === 'win32' ? 'npm.cmd' : 'npm');
  return new Promise((settle) => {
    const lastLines: string[] = [];
    const onLine = (line: string): void => {
      lastLines.push(line);
      if (lastLines.length > 20) lastLines.shift();
      run.onLine(line);
    };
    // npm.cmd is a batch file: Node runs those only through a shell.
    const child = spawn(npm, run.args, { env: run.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], shell: npm.endsWith('.cmd') });
    let done = false;
    const finish = (r: NpmResult): void => {
      if (done) return;
      done = true;
      run.signal?.removeEventListener('abort', abort);
      settle(r);
    };
    const abort = (): void => {
      child.kill('SIGTERM');
    };
    run.signal?.addEventListener('abort', abort);
    if (run.signal?.aborted) abort();
    splitLines(child.stdout, onLine);
    splitLines(child.stderr, onLine);
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(
        e.code === 'ENOENT'
          ? { status: 'no-npm', message: `${npm} was not found on PATH` }
          : { status: 'failed', code: null, signal: null, lastLines: [...lastLines, e.message] },
      );
    });
    child.on('close', (code, signal) => {
      if (run.signal?.aborted) finish({ status: 'cancelled' });
      else if (code === 0) finish({ status: 'installed' });
      else finish({ status: 'failed', code, signal, lastLines });
    });
  });
}

function splitLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) onLine(l);
  });
  stream.on('end', () => {
    if (pending.trim()) onLine(pending);
  });
}

/** What went wrong and what to do, for the notification (the whole output is in the log). */
export function npmFailureMessage(result: Exclude<NpmResult, { status: 'installed' | 'cancelled' }>, backend: NativeBackendName, dir: string): string {
  const pkg = BACKENDS[backend].package;
  if (result.status === 'no-npm') {
    return `Could not install ${pkg}: ${result.message}. Install Node.js (which brings npm) and make sure VS Code sees it on PATH, then run the command again.`;
  }
  const how = result.signal ? `npm was killed by ${result.signal}` : `npm exited with code ${result.code ?? '?'}`;
  const download = result.lastLines.some((l) => /libtensorflow|storage\.googleapis|ENOTFOUND|ETIMEDOUT|ECONNREFUSED|EAI_AGAIN|getaddrinfo|network/i.test(l));
  return (
    `Could not install ${pkg} into ${dir} (${how}${download ? ', while downloading' : ''}). Its install downloads libtensorflow from storage.googleapis.com, so it needs internet access` +
    " (a proxy through npm's https-proxy setting works). Offline machines: run the same npm command (the first `native: npm …` line of the SalUn log) on a machine of the same platform with internet access," +
    ' with another folder after --prefix, then copy that folder here and point the salun.nativeModulesDir setting at it. The npm output is in the SalUn log.'
  );
}
