// What the user sees of a job outside the panel: a cancellable progress notification, a spinning
// status-bar item, and one notification when the job ends (an error with the log, or where the
// run was written).
import * as vscode from 'vscode';
import type { JobOutcome } from './api';
import { canStopAndKeep, type JobSupervisor } from './jobSupervisor';
import { PHASE_LABELS, type JobEvent, type JobKind, type JobPhase } from '../protocol/jobMessages';
import { backendFacts, backendLines } from '../protocol/backendSummary';
import type { BackendInfo } from '../protocol/results';
import { COMMAND_IDS } from './commandIds';

/** The phases each kind of job goes through, in order: the notification's bar spans them. */
const EXPECTED_PHASES: Record<JobKind, readonly JobPhase[]> = {
  run: ['load', 'train-original', 'retrain', 'saliency', 'unlearn', 'evaluate', 'write'],
  saliency: ['load', 'train-original', 'saliency', 'write'],
  evaluate: ['load', 'train-original', 'retrain', 'evaluate', 'write'],
  // Every seed goes through these again; the bar only ever moves forward, so it shows the first seed.
  table: ['load', 'train-original', 'retrain', 'evaluate', 'saliency', 'unlearn'],
  // Every point goes through saliency (masked methods) and unlearn again, after one θo and Retrain.
  grid: ['load', 'train-original', 'retrain', 'evaluate', 'saliency', 'unlearn'],
};

const JOB_TITLES: Record<JobKind, string> = {
  run: 'SalUn: Run Unlearning',
  saliency: 'SalUn: Compute Saliency Map',
  evaluate: 'SalUn: Evaluate Model',
  table: 'SalUn: Comparison Table',
  grid: 'SalUn: Grid Search',
};


export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

interface ProgressView {
  label: string;
  /** 0..1 over the whole job, monotone. */
  overall: number;
  detail: string;
}

/** Folds events into what the notification and status bar show. */
class ProgressTracker {
  private label = 'Starting';
  private phase: JobPhase | undefined;
  private overall = 0;
  private detail = '';

  constructor(private readonly kind: JobKind) {}

  update(event: JobEvent): ProgressView | undefined {
    if (event.type === 'started') {
      this.label = `Backend: ${event.backend.name}`;
      this.detail = '';
    } else if (event.type === 'phase') {
      this.phase = event.phase;
      this.label = event.label || PHASE_LABELS[event.phase];
      this.detail = '';
      this.advance(event.phase, 0);
    } else if (event.type === 'progress') {
      if (event.phase !== this.phase) {
        this.phase = event.phase;
        this.label = PHASE_LABELS[event.phase];
      }
      const fraction = event.total > 0 ? Math.min(1, Math.max(0, event.done / event.total)) : 0;
      this.advance(event.phase, fraction);
      const parts = [`${Math.round(fraction * 100)}%`];
      if (event.epoch !== undefined) parts.push(`epoch ${event.epoch}`);
      if (event.etaSeconds !== undefined && Number.isFinite(event.etaSeconds)) parts.push(`ETA ${formatDuration(event.etaSeconds)}`);
      this.detail = parts.join(' · ');
    } else {
      return undefined;
    }
    return { label: this.label, overall: this.overall, detail: this.detail };
  }

  private advance(phase: JobPhase, fraction: number): void {
    const phases = EXPECTED_PHASES[this.kind];
    const index = phases.indexOf(phase);
    if (index < 0) return;
    this.overall = Math.max(this.overall, (index + fraction) / phases.length);
  }
}

export class JobFeedback implements vscode.Disposable {
  private readonly statusItem: vscode.StatusBarItem;
  private backend: BackendInfo | undefined;
  private readonly subscription: { dispose(): void };

  constructor(private readonly supervisor: JobSupervisor, private readonly log: vscode.LogOutputChannel) {
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
    const tracker = new ProgressTracker(kind);
    this.backend = undefined;
    this.setStatus(title, 'Starting', '');
    this.statusItem.show();

    // Subscribe now, not inside withProgress's callback (which runs later): no event is missed.
    let latest: ProgressView | undefined;
    let reporter: ((view: ProgressView) => void) | undefined;
    let endProgress: (() => void) | undefined;
    let ended = false;
    const sub = this.supervisor.subscribe({
      onEvent: (event) => {
        if (event.type === 'started') this.showBackend(event.backend);
        const view = tracker.update(event);
        if (!view) return;
        latest = view;
        this.setStatus(title, view.label, view.detail, Math.round(view.overall * 100));
        reporter?.(view);
      },
      onJobEnded: () => {
        ended = true;
        sub.dispose();
        endProgress?.();
      },
    });

    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) => new Promise<void>((resolve) => {
        let reported = 0;
        const cancelSub = token.onCancellationRequested(() => {
          this.log.info('Cancel requested from the progress notification.');
          this.supervisor.cancel();
        });
        endProgress = (): void => {
          cancelSub.dispose();
          resolve();
        };
        if (ended) {
          endProgress();
          return;
        }
        reporter = (view): void => {
          const percent = Math.round(view.overall * 100);
          const increment = Math.max(0, percent - reported);
          reported += increment;
          progress.report({ message: view.detail ? `${view.label} — ${view.detail}` : view.label, increment });
        };
        if (latest) reporter(latest);
      }),
    );
  }

  /** The job's backend stays in the status bar and its tooltip for the whole job, and goes to the log. */
  private showBackend(backend: BackendInfo): void {
    this.backend = backend;
    for (const line of backendLines(backend)) this.log.info(line);
  }

  private setStatus(title: string, label: string, detail: string, percent?: number): void {
    const on = this.backend ? ` · ${this.backend.name}` : '';
    this.statusItem.text = percent === undefined ? `$(sync~spin) SalUn${on}` : `$(sync~spin) SalUn ${percent}%${on}`;
    const tooltip = new vscode.MarkdownString(
      `**${title}**\n\n${escapeMarkdown(label)}${detail ? ` — ${escapeMarkdown(detail)}` : ''}\n\n` +
      (this.backend ? `${backendTooltip(this.backend)}\n\n` : '') +
      `[Show Log](command:${COMMAND_IDS.showLog}) · ${this.supervisor.runningKind && canStopAndKeep(this.supervisor.runningKind) ? `[Stop and Keep](command:${COMMAND_IDS.stopAndKeep}) · ` : ''}` +
      `[Cancel](command:${COMMAND_IDS.cancelJob}) · [Open Panel](command:${COMMAND_IDS.openPanel})`,
    );
    tooltip.isTrusted = { enabledCommands: [COMMAND_IDS.showLog, COMMAND_IDS.stopAndKeep, COMMAND_IDS.cancelJob, COMMAND_IDS.openPanel] };
    this.statusItem.tooltip = tooltip;
    this.statusItem.accessibilityInformation = { label: `${title}: ${label}${percent === undefined ? '' : `, ${percent} percent`}${this.backend ? `, on ${this.backend.name}` : ''}. Click to show the log.` };
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
        .filter((part): part is string => Boolean(part)).join(' ');
      const actions = error.file ? ['Show Log', 'Open File'] : ['Show Log'];
      void vscode.window.showErrorMessage(text, ...actions).then((choice) => {
        if (choice === 'Show Log') this.log.show(true);
        if (choice === 'Open File' && error.file) void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(error.file));
      });
    } else if (outcome.status === 'cancelled') {
      this.log.info('Job cancelled.');
      void vscode.window.showInformationMessage('SalUn job cancelled.');
    } else if ((kind === 'table' || kind === 'grid') && outcome.result) {
      const dir = outcome.result.runDir;
      const partial = outcome.result.partial;
      const how = kind === 'grid' ? 'grid search' : partial ? `comparison stopped after ${partial.done} of ${partial.of} models; the partial table (missing ${partial.missing.join('; ')}) was` : 'comparison table';
      this.log.info(`SalUn ${how} written: ${dir}`);
      void vscode.window.showInformationMessage(`SalUn ${how} written to ${dir}`, 'Reveal Folder').then((choice) => {
        if (choice === 'Reveal Folder') void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(dir));
      });
    } else if ((kind === 'run' || kind === 'evaluate') && outcome.result) {
      const { runDir, runId, stopped } = outcome.result;
      const what = kind === 'evaluate' ? 'SalUn evaluation' : 'SalUn run';
      const how = stopped ? `stopped after epoch ${stopped.epoch} of ${stopped.of}; that model and its metrics are kept` : 'finished';
      this.log.info(`${what} ${runId} ${how}: ${runDir}`);
      void vscode.window.showInformationMessage(`${what} ${runId} ${how}. Results are in ${runDir}`, 'Reveal Run Folder', 'Open Panel')
        .then((choice) => {
          if (choice === 'Reveal Run Folder') void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(runDir));
          if (choice === 'Open Panel') void vscode.commands.executeCommand(COMMAND_IDS.openPanel);
        });
    } else {
      const saliency = outcome.result?.saliency ?? findSaliency(outcome.events);
      const share = saliency && saliency.totalWeights > 0
        ? ` ${(100 * saliency.salientWeights / saliency.totalWeights).toFixed(1)}% of weights are salient.`
        : '';
      this.log.info(`Saliency job finished.${share}`);
      void vscode.window.showInformationMessage(`SalUn saliency map computed.${share}`, 'Open Panel').then((choice) => {
        if (choice === 'Open Panel') void vscode.commands.executeCommand(COMMAND_IDS.openPanel);
      });
    }
  }
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
