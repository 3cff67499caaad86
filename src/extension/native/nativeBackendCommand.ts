// "SalUn: Install Native TensorFlow Backend": asks which package (CPU or CUDA), installs it with the
// user's npm into the folder jobs load native backends from (salun.nativeModulesDir, default the
// extension's storage), with a cancellable progress notification and npm's output in the SalUn log.
import { mkdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { BACKENDS } from '../../protocol/backends';
import { COMMAND_IDS, CONFIG_SECTION } from '../commandIds';
import { nativeChoices, nativeModulesDir, npmFailureMessage, npmInstallArgs, runNpm, type NativeBackendName, type NpmResult } from './nativeInstall';

export const NATIVE_DIR_SETTING = 'nativeModulesDir';

export interface NativeBackendDeps {
  log: vscode.LogOutputChannel;
  context: vscode.ExtensionContext;
}

/** The folder the job supervisor passes to every job (SALUN_TFJS_NODE_DIR). */
export function configuredNativeModulesDir(context: vscode.ExtensionContext): string {
  const setting = vscode.workspace.getConfiguration(CONFIG_SECTION).get<string>(NATIVE_DIR_SETTING, '');
  return nativeModulesDir(setting, context.globalStorageUri.fsPath);
}

/** The tfjs version the engine is bundled with (package.json pins it): the native package must be the same. */
function engineTfjsVersion(context: vscode.ExtensionContext): string {
  const pkg = context.extension.packageJSON as { dependencies?: Record<string, string> };
  const version = pkg.dependencies?.['@tensorflow/tfjs'];
  if (!version) throw new Error("this installation's package.json names no @tensorflow/tfjs version; reinstall the extension");
  return version;
}

export function registerNativeBackendCommand(deps: NativeBackendDeps): vscode.Disposable {
  return vscode.commands.registerCommand(COMMAND_IDS.installNativeBackend, (backend?: unknown) => installNativeBackend(deps, backend));
}

/** Resolves with the npm result, or undefined when the user closed the pick. */
async function installNativeBackend(deps: NativeBackendDeps, preset?: unknown): Promise<NpmResult | undefined> {
  const choices = nativeChoices();
  const given = choices.find((c) => c.backend === preset);
  const picked =
    given ??
    (await vscode.window.showQuickPick(choices, {
      title: 'SalUn: Install Native TensorFlow Backend',
      placeHolder: 'Which native TensorFlow package to install with npm',
    }));
  if (!picked) return undefined;
  const dir = configuredNativeModulesDir(deps.context);
  const version = engineTfjsVersion(deps.context);
  const args = npmInstallArgs(picked.backend, version, dir);
  const { log } = deps;
  log.info(`native: npm ${args.join(' ')}`);
  log.show(true);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    void vscode.window.showErrorMessage(
      `SalUn: cannot create ${dir}: ${e instanceof Error ? e.message : String(e)}. Set salun.${NATIVE_DIR_SETTING} to a folder you can write.`,
    );
    return { status: 'failed', code: null, signal: null, lastLines: [] };
  }
  const pkg = BACKENDS[picked.backend].package;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Installing ${pkg}@${version}`, cancellable: true },
    (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      progress.report({ message: 'npm install (downloads libtensorflow; a few minutes)' });
      return runNpm({ args, signal: abort.signal, onLine: (line) => log.info(`[npm] ${line}`) });
    },
  );
  reportResult(deps, result, picked.backend, dir);
  return result;
}

function reportResult(deps: NativeBackendDeps, result: NpmResult, backend: NativeBackendName, dir: string): void {
  const { log } = deps;
  if (result.status === 'installed') {
    log.info(`native: ${BACKENDS[backend].package} installed in ${dir}`);
    void vscode.window
      .showInformationMessage(
        `SalUn: ${BACKENDS[backend].package} is installed in ${dir}. Jobs with the backend auto or ${backend} use it from the next job on.`,
        `Use ${backend}`,
        'Show Log',
      )
      .then((choice) => {
        if (choice === 'Show Log') log.show();
        else if (choice) void vscode.workspace.getConfiguration(CONFIG_SECTION).update('backend', backend, vscode.ConfigurationTarget.Global);
      });
    return;
  }
  if (result.status === 'cancelled') {
    log.warn('native: install cancelled');
    void vscode.window.showInformationMessage(
      `SalUn: the install of ${BACKENDS[backend].package} was cancelled; ${dir} may hold a partial install (run the command again to finish it).`,
    );
    return;
  }
  const message = npmFailureMessage(result, backend, dir);
  log.error(`native: ${message}`);
  void vscode.window.showErrorMessage(`SalUn: ${message}`, 'Show Log').then((choice) => {
    if (choice) log.show();
  });
}
