// The one stand-in for the `vscode` module, for every suite that loads extension code in plain Node:
// the New Unlearning Run flow, the job feedback (status bar, progress, notifications), the Runs tree
// and the run/report commands called as a script would. Quick inputs behave as VS Code's do where
// it matters here: setting `items` moves the highlight to the first item, and Enter takes the
// highlighted item. A test answers each quick input through `fakeHost.answer`; dialogs answer
// "dismissed"; workspace.fs.delete really deletes (and records what it was asked to delete).
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

type Listener<T> = (e: T) => void;

class Emitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (l: Listener<T>): { dispose(): void } => {
    this.listeners.push(l);
    return {
      dispose: () => {
        this.listeners = this.listeners.filter((x) => x !== l);
      },
    };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

class MarkdownString {
  isTrusted?: unknown;
  constructor(readonly value = '') {}
  appendMarkdown(s: string): this {
    (this as { value: string }).value += s;
    return this;
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

const SEPARATOR = -1;
const BACK_BUTTON = { id: 'back' };

export interface FakeItem {
  label: string;
  kind?: number;
}

/** One quick pick or input box as a test sees it. */
export class FakeQuickInput {
  title?: string;
  step?: number;
  totalSteps?: number;
  placeholder?: string;
  prompt?: string;
  value = '';
  busy = false;
  validationMessage?: string;
  buttons: unknown[] = [];
  matchOnDescription = false;
  ignoreFocusOut = false;
  canSelectMany = false;
  selectedItems: FakeItem[] = [];
  activeItems: FakeItem[] = [];
  private itemList: FakeItem[] = [];
  readonly accept = new Emitter<void>();
  readonly hide = new Emitter<void>();
  readonly button = new Emitter<unknown>();
  readonly changeValue = new Emitter<string>();
  readonly onDidAccept = this.accept.event;
  readonly onDidHide = this.hide.event;
  readonly onDidTriggerButton = this.button.event;
  readonly onDidChangeValue = this.changeValue.event;

  constructor(readonly type: 'pick' | 'input') {}

  get items(): FakeItem[] {
    return this.itemList;
  }

  /** As in VS Code: new items move the highlight to the first selectable one. */
  set items(items: FakeItem[]) {
    this.itemList = items;
    const first = items.find((i) => i.kind !== SEPARATOR);
    this.activeItems = first ? [first] : [];
  }

  show(): void {
    fakeHost.shown.push(this);
    const answer = fakeHost.answer;
    setTimeout(() => answer(this), fakeHost.answerDelayMs);
  }

  dispose(): void {
    /* nothing to free */
  }

  /** Enter: the highlighted item, or the typed value. */
  pressEnter(): void {
    this.accept.fire();
  }

  pressEscape(): void {
    this.hide.fire();
  }

  pressBack(): void {
    this.button.fire(BACK_BUTTON);
  }
}

export interface Notification {
  level: 'info' | 'warning' | 'error';
  text: string;
  actions: string[];
}

export interface ProgressRun {
  options: { location: unknown; title?: string; cancellable?: boolean };
  reports: { message?: string; increment?: number }[];
  ended: boolean;
}

export class FakeStatusBarItem {
  text = '';
  tooltip: unknown;
  name?: string;
  command?: string;
  accessibilityInformation?: { label: string };
  visible = false;
  readonly texts: string[] = [];
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {
    this.visible = false;
  }
}

interface FakeHostState {
  shown: FakeQuickInput[];
  /** Answers each quick input shown (default: Enter). */
  answer: (input: FakeQuickInput) => void;
  answerDelayMs: number;
  /** What workspace.findFiles finds, and after how long. */
  foundFiles: string[];
  findDelayMs: number;
  workspaceFolders: string[];
  settings: Record<string, unknown>;
  notifications: Notification[];
  /** The action each notification "clicks" (by its text); undefined: dismissed. */
  click: (n: Notification) => string | undefined;
  progress: ProgressRun[];
  statusItems: FakeStatusBarItem[];
  executed: { command: string; args: unknown[] }[];
  handlers: Map<string, (...args: unknown[]) => unknown>;
  isTrusted: boolean;
  /** What workspace.fs.delete was asked to delete, in order. */
  deleted: string[];
}

export const fakeHost: FakeHostState = {
  shown: [],
  answer: (i) => i.pressEnter(),
  answerDelayMs: 5,
  foundFiles: [],
  findDelayMs: 20,
  workspaceFolders: [],
  settings: {},
  notifications: [],
  click: () => undefined,
  progress: [],
  statusItems: [],
  executed: [],
  handlers: new Map(),
  isTrusted: true,
  deleted: [],
};

/** Back to a clean state between tests. */
export function resetFakeHost(): void {
  Object.assign(fakeHost, {
    shown: [],
    answer: (i: FakeQuickInput) => i.pressEnter(),
    answerDelayMs: 5,
    foundFiles: [],
    findDelayMs: 20,
    workspaceFolders: [],
    settings: {},
    notifications: [],
    click: () => undefined,
    progress: [],
    statusItems: [],
    executed: [],
    isTrusted: true,
    deleted: [],
  });
  fakeHost.handlers.clear();
}

const notify =
  (level: Notification['level']) =>
  (text: string, ...rest: unknown[]): Promise<string | undefined> => {
    const actions = rest.filter((r): r is string => typeof r === 'string');
    const n: Notification = { level, text, actions };
    fakeHost.notifications.push(n);
    return Promise.resolve(fakeHost.click(n));
  };

const disposable = { dispose: (): void => undefined };

const fake = {
  Uri,
  MarkdownString,
  EventEmitter: Emitter,
  TreeItem,
  ThemeIcon,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  QuickPickItemKind: { Separator: SEPARATOR, Default: 0 },
  QuickInputButtons: { Back: BACK_BUTTON },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  workspace: {
    get workspaceFolders() {
      return fakeHost.workspaceFolders.map((p, index) => ({ uri: Uri.file(p), name: p, index }));
    },
    get isTrusted() {
      return fakeHost.isTrusted;
    },
    getWorkspaceFolder: () => undefined,
    createFileSystemWatcher: () => ({ onDidCreate: () => disposable, onDidChange: () => disposable, onDidDelete: () => disposable, dispose: () => undefined }),
    fs: {
      delete: (uri: Uri): Promise<void> => {
        fakeHost.deleted.push(uri.fsPath);
        rmSync(uri.fsPath, { recursive: true, force: true });
        return Promise.resolve();
      },
    },
    asRelativePath: (u: Uri | string) => (typeof u === 'string' ? u : u.fsPath),
    findFiles: () => new Promise<Uri[]>((resolve) => setTimeout(() => resolve(fakeHost.foundFiles.map((f) => Uri.file(f))), fakeHost.findDelayMs)),
    getConfiguration: (section?: string) => ({
      get: <T>(key: string, d?: T): T | undefined => {
        const full = section ? `${section}.${key}` : key;
        return full in fakeHost.settings ? (fakeHost.settings[full] as T) : d;
      },
    }),
  },
  window: {
    activeTextEditor: undefined,
    createQuickPick: () => new FakeQuickInput('pick'),
    createInputBox: () => new FakeQuickInput('input'),
    showInformationMessage: notify('info'),
    showWarningMessage: notify('warning'),
    showErrorMessage: notify('error'),
    showOpenDialog: () => Promise.resolve(undefined),
    showSaveDialog: () => Promise.resolve(undefined),
    showQuickPick: () => Promise.resolve(undefined),
    showTextDocument: () => Promise.resolve(undefined),
    createStatusBarItem: () => {
      const item = new FakeStatusBarItem();
      fakeHost.statusItems.push(item);
      return item;
    },
    withProgress: <R>(
      options: ProgressRun['options'],
      task: (p: { report(v: { message?: string; increment?: number }): void }, token: unknown) => Thenable<R>,
    ): Thenable<R> => {
      const run: ProgressRun = { options, reports: [], ended: false };
      fakeHost.progress.push(run);
      const token = { isCancellationRequested: false, onCancellationRequested: () => disposable };
      const result = Promise.resolve(task({ report: (v) => run.reports.push(v) }, token));
      void result.finally(() => {
        run.ended = true;
      });
      return result;
    },
  },
  commands: {
    registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
      fakeHost.handlers.set(id, handler);
      return disposable;
    },
    executeCommand: (command: string, ...args: unknown[]): Promise<undefined> => {
      fakeHost.executed.push({ command, args });
      return Promise.resolve(undefined);
    },
  },
};

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleWithLoad = Module as unknown as { _load: Loader };
let installed = false;

/** From now on `require('vscode')` gets this fake (for this process). Call before importing extension code. */
export function installFakeVscodeHost(): FakeHostState {
  if (!installed) {
    const load = moduleWithLoad._load;
    moduleWithLoad._load = function (request, parent, isMain) {
      return request === 'vscode' ? fake : load.call(this, request, parent, isMain);
    };
    installed = true;
  }
  return fakeHost;
}
