// A tiny stand-in for the `vscode` module, enough to load the Runs tree and the run/report commands
// in plain Node and call them as a script would: registered handlers are kept by id, dialogs answer
// "dismissed", and workspace.fs.delete really deletes (recording what it was asked to delete).
import Module from 'node:module';
import { rmSync } from 'node:fs';

class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

class EventEmitter<T> {
  private readonly listeners: ((e: T) => void)[] = [];
  readonly event = (l: (e: T) => void): { dispose(): void } => {
    this.listeners.push(l);
    return { dispose: () => undefined };
  };
  fire(e: T): void {
    for (const l of this.listeners) l(e);
  }
  dispose(): void {
    this.listeners.length = 0;
  }
}

class TreeItem {
  description?: string;
  iconPath?: unknown;
  contextValue?: string;
  resourceUri?: Uri;
  tooltip?: unknown;
  command?: unknown;
  constructor(
    readonly label: string,
    readonly collapsibleState?: number,
  ) {}
}

class ThemeIcon {
  constructor(readonly id: string) {}
}

class MarkdownString {
  constructor(readonly value = '') {}
  appendMarkdown(s: string): this {
    (this as { value: string }).value += s;
    return this;
  }
}

export interface FakeVscodeState {
  workspaceFolders: string[];
  handlers: Map<string, (...args: unknown[]) => unknown>;
  deleted: string[];
  messages: string[];
}

export const fakeState: FakeVscodeState = { workspaceFolders: [], handlers: new Map(), deleted: [], messages: [] };

const message = (text: string): Promise<undefined> => {
  fakeState.messages.push(text);
  return Promise.resolve(undefined);
};

const disposable = { dispose: (): void => undefined };

const fake = {
  Uri,
  EventEmitter,
  TreeItem,
  ThemeIcon,
  MarkdownString,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  workspace: {
    get workspaceFolders() {
      return fakeState.workspaceFolders.map((p, index) => ({ uri: Uri.file(p), name: p, index }));
    },
    getWorkspaceFolder: () => undefined,
    createFileSystemWatcher: () => ({ onDidCreate: () => disposable, onDidChange: () => disposable, onDidDelete: () => disposable, dispose: () => undefined }),
    getConfiguration: () => ({ get: <T>(_k: string, d?: T) => d }),
    isTrusted: true,
    fs: {
      delete: (uri: Uri): Promise<void> => {
        fakeState.deleted.push(uri.fsPath);
        rmSync(uri.fsPath, { recursive: true, force: true });
        return Promise.resolve();
      },
    },
  },
  window: {
    activeTextEditor: undefined,
    showInformationMessage: message,
    showWarningMessage: message,
    showErrorMessage: message,
    showSaveDialog: () => Promise.resolve(undefined),
    showQuickPick: () => Promise.resolve(undefined),
    showTextDocument: () => Promise.resolve(undefined),
  },
  commands: {
    registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
      fakeState.handlers.set(id, handler);
      return disposable;
    },
    executeCommand: () => Promise.resolve(undefined),
  },
};

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleWithLoad = Module as unknown as { _load: Loader };
let installed = false;

/** From now on `require('vscode')` gets the fake (for this process). */
export function installFakeVscode(): FakeVscodeState {
  if (!installed) {
    const load = moduleWithLoad._load;
    moduleWithLoad._load = function (request, parent, isMain) {
      return request === 'vscode' ? fake : load.call(this, request, parent, isMain);
    };
    installed = true;
  }
  return fakeState;
}
