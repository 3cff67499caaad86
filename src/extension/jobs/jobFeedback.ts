// What the user sees of a job outside the panel's own content: one progress, shown where VS Code
// puts it (a spinning status-bar item with the whole job's percentage, and the SalUn view's
// progress bar), a short notification when the job starts and one when it ends (with the report
// and the run in the panel). No long-lived notification: Cancel and Stop and Keep are in the view's
// title bar, the status bar's tooltip and the panel.
import * as vscode from 'vscode';
import type { JobOutcome } from '../api';
import { canStopAndKeep, type JobSupervisor } from './jobSupervisor';
import type { JobEvent, JobKind } from '../../protocol/jobMessages';
import { backendFacts } from '../../protocol/backendSummary';
import { backendDetailLines, backendLogLine } from './backendLogLine';
import type { BackendInfo } from '../../protocol/results';
import { COMMAND_IDS, PANEL_VIEW_ID } from '../commandIds';
import { JobStatus, type JobProgressView } from './jobProgress';
import { overallPercent, overallText } from '../../protocol/jobProgress';

const JOB_TITLES: Record<JobKind, string> = {
  run: 'SalUn: Unlearning Run',
  saliency: 'SalUn: Saliency Map',
  evaluate: 'SalUn: Evaluation',
  table: 'SalUn: Comparison Table',
  grid: 'SalUn: Grid Search',
  generation: 'SalUn: Generation Unlearning',
  'gen-table': 'SalUn: Generation Table',
  'gen-grid': 'SalUn: Generation Grid Search',
  audit: 'SalUn: Unlearning Audit',
};

export class JobFeedback implements vscode.Disposable {
  private readonly statusItem: vscode.StatusBarItem;
  private backend: BackendInfo | undefined;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly supervisor: JobSupervisor,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.statusItem = vscode.window.createStatusBarItem('salun.job', vscode.StatusBarAlignment.Left, 10);
    this.statusItem.name = 'SalUn Job';
    this.statusItem.command = COMMAND_IDS.showLog;
    this.subscription = supervisor.subscribe({
      onJobStarted: (kind) => this.showProgress(kind),
      onJobEnded: (outcome) => this.showOutcome(outcome),
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.statusItem.dispose();
  }

  private showProgress(kind: JobKind): void {
    const title = JOB_TITLES[kind];
    const progress = new JobStatus();
    this.backend = undefined;
    this.setStatus(title, { label: 'Starting', overall: { fraction: 0 }, detail: '' });
    this.statusItem.show();
    void vscode.window.showInformationMessage(`${title} started. Its progress is in the status bar and the SalUn view.`, 'Show SalUn View').then((choice) => {
      if (choice) void vscode.commands.executeCommand(COMMAND_IDS.openPanel);
    });

    // Subscribe now, not inside withProgress's callback (which runs later): no event is missed.
    let reporter: ((view: JobProgressView) => void) | undefined;
    let latest: JobProgressView | undefined;
    let endProgress: (() => void) | undefined;
    let ended = false;
    const sub = this.supervisor.subscribe({
      onEvent: (event) => {
        if (event.type === 'started') this.showBackend(event.backend);
        const view = progress.update(event);
        if (!view) return;
        latest = view;
        this.setStatus(title, view);
        reporter?.(view);
      },
      onJobEnded: () => {
        ended = true;
        sub.dispose();
        endProgress?.();
      },
    });

    // The view's own progress bar (and the activity bar's badge): the same whole-job figure the job sent.
    void vscode.window.withProgress(
      { location: { viewId: PANEL_VIEW_ID }, title },
      (bar) =>
        new Promise<void>((resolve) => {
          endProgress = resolve;
          if (ended) {
            resolve();
            return;
          }
          let reported = 0;
          reporter = (view): void => {
            const percent = view.overall === undefined ? reported : overallPercent(view.overall);
            bar.report({ message: view.label, increment: Math.max(0, percent - reported) });
            reported = Math.max(reported, percent);
          };
          if (latest) reporter(latest);
        }),
    );
  }

  /** The job's backend stays in the status bar and its tooltip for the whole job, and goes to the log. */
  private showBackend(backend: BackendInfo): void {
    this.backend = backend;
    this.log.info(backendLogLine(backend));
    for (const line of backendDetailLines(backend)) this.log.debug(line);
  }

  private setStatus(title: string, view: JobProgressView): void {
    const { label, detail } = view;
    this.statusItem.text = statusText(view, this.backend?.name);
    const percent = view.overall === undefined ? undefined : overallPercent(view.overall);
    const whole = view.overall === undefined ? '' : `${escapeMarkdown(overallText(view.overall))}. `;
    const tooltip = new vscode.MarkdownString(
      `**${title}**\n\n${whole}${escapeMarkdown(label)}${detail ? ` — ${escapeMarkdown(detail)}` : ''}\n\n` +
        (this.backend ? `${backendTooltip(this.backend)}\n\n` : '') +
        `[Show Log](command:${COMMAND_IDS.showLog}) · ${this.supervisor.runningKind && canStopAndKeep(this.supervisor.runningKind) ? `[Stop and Keep](command:${COMMAND_IDS.stopAndKeep}) · ` : ''}` +
        `[Cancel](command:${COMMAND_IDS.cancelJob}) · [Show SalUn View](command:${COMMAND_IDS.openPanel})`,
    );
    tooltip.isTrusted = { enabledCommands: [COMMAND_IDS.showLog, COMMAND_IDS.stopAndKeep, COMMAND_IDS.cancelJob, COMMAND_IDS.openPanel] };
    this.statusItem.tooltip = tooltip;
    this.statusItem.accessibilityInformation = {
      label: `${title}: ${label}${percent === undefined ? '' : `, ${percent} percent`}${this.backend ? `, on ${this.backend.name}` : ''}. Click to show the log.`,
    };
  }

  private showOutcome(outcome: JobOutcome): void {
    this.statusItem.hide();
    const final = outcome.events[outcome.events.length - 1];
    const kind = this.supervisor.kind;
    // Notifications are not awaited: a command's promise settles with the job, not with the user.
    if (outcome.status === 'failed') {
      const error = final?.type === 'failed' ? final.error : { message: 'The job failed.' };
      this.log.error(`Job failed: ${error.message}${error.hint ? ` (${error.hint})` : ''}${error.file ? ` [${error.file}]` : ''}`);
      const text = [`SalUn job failed: ${error.message}`, error.hint, error.file ? `File: ${error.file}` : undefined]
        .filter((part): part is string => Boolean(part))
        .join(' ');
      const actions = error.file ? ['Show Log', 'Open File'] : ['Show Log'];
      void vscode.window.showErrorMessage(text, ...actions).then((choice) => {
        if (choice === 'Show Log') this.log.show(true);
        if (choice === 'Open File' && error.file) void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(error.file));
      });
    } else if (outcome.status === 'cancelled') {
      this.log.info('Job cancelled.');
      void vscode.window.showInformationMessage('SalUn job cancelled.');
    } else {
      FINISHED_NOTICES[kind ?? 'saliency'](this.log, outcome);
    }
  }
}

type Notice = (log: vscode.LogOutputChannel, outcome: JobOutcome) => void;

/** A finished job that wrote a folder of its own (a table, a grid): where, and a button to reveal it. */
function folderNotice(how: (partial: NonNullable<JobOutcome['result']>['partial']) => string): Notice {
  return (log, outcome) => {
    if (!outcome.result) return log.info('Job finished.');
    const dir = outcome.result.runDir;
    const what = how(outcome.result.partial);
    log.info(`SalUn ${what} written: ${dir}`);
    void vscode.window.showInformationMessage(`SalUn ${what} written to ${dir}`, 'Reveal Folder').then((choice) => {
      if (choice === 'Reveal Folder') void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(dir));
    });
  };
}

/** A finished job with a run folder and a report: its id, and buttons to its report and the panel. */
function runNotice(what: string): Notice {
  return (log, outcome) => {
    if (!outcome.result) return log.info(`${what} finished.`);
    const { runDir, runId, stopped, report } = outcome.result;
    const how = stopped ? `stopped after epoch ${stopped.epoch} of ${stopped.of}; that model and its metrics are kept` : 'finished';
    log.info(`${what} ${runId} ${how}: ${runDir}`);
    const actions = report ? ['Open Report', 'Open in SalUn View'] : ['Open in SalUn View'];
    void vscode.window.showInformationMessage(`${what} ${runId} ${how}.`, ...actions).then((choice) => {
      if (choice === 'Open Report' && report) void vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(report));
      if (choice === 'Open in SalUn View') void vscode.commands.executeCommand(COMMAND_IDS.openRunInPanel, runDir);
    });
  };
}

const saliencyNotice: Notice = (log, outcome) => {
  const saliency = outcome.result?.saliency ?? findSaliency(outcome.events);
  const share =
    saliency && saliency.totalWeights > 0 ? ` ${((100 * saliency.salientWeights) / saliency.totalWeights).toFixed(1)}% of weights are salient.` : '';
  log.info(`Saliency job finished.${share}`);
  void vscode.window.showInformationMessage(`SalUn saliency map computed.${share}`, 'Show SalUn View').then((choice) => {
    if (choice === 'Show SalUn View') void vscode.commands.executeCommand(COMMAND_IDS.openPanel);
  });
};

/** What the end of a finished job of each kind says; keyed by every kind, so a new one needs its notice. */
const FINISHED_NOTICES: { readonly [K in JobKind]: Notice } = {
  run: runNotice('SalUn run'),
  evaluate: runNotice('SalUn evaluation'),
  generation: runNotice('SalUn generation unlearning'),
  saliency: saliencyNotice,
  table: folderNotice((partial) =>
    partial
      ? `comparison stopped after ${partial.done} of ${partial.of} models; the partial table (missing ${partial.missing.join('; ')}) was`
      : 'comparison table',
  ),
  grid: folderNotice(() => 'grid search'),
  'gen-table': folderNotice(() => 'generation table'),
  'gen-grid': folderNotice(() => 'generation grid search'),
  audit: folderNotice(() => 'unlearning audit'),
};

/** The status bar item's text: the whole job's percentage as the job sent it (the panel shows the same number). */
export function statusText(view: Pick<JobProgressView, 'overall'>, backendName?: string): string {
  const on = backendName ? ` · ${backendName}` : '';
  return view.overall === undefined ? `$(sync~spin) SalUn${on}` : `$(sync~spin) SalUn ${overallPercent(view.overall)}%${on}`;
}

function findSaliency(events: readonly JobEvent[]): Extract<JobEvent, { type: 'saliency' }>['summary'] | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'saliency') return e.summary;
  }
  return undefined;
}

/** The tooltip's backend part: the backend, the GPU adapter, and why auto passed the others by. */
function backendTooltip(backend: BackendInfo): string {
  const f = backendFacts(backend);
  return [
    `Backend: **${escapeMarkdown(f.title)}** — ${escapeMarkdown(f.choice)}`,
    ...(f.adapter ? [`GPU adapter: ${escapeMarkdown(f.adapter)}`] : []),
    ...f.skipped.map((s) => `Skipped ${escapeMarkdown(s)}`),
  ].join('\n\n');
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
