// What the panel shows besides the job's event log, held by the host so that every webview it
// serves (the sidebar, the editor tab, a reloaded one) is shown the same: the saliency map the γ
// control previews, the run folders the comparison lists, and the past run whose trend replaces the
// live job's (Open in Panel). Changes go to every webview through the provider's broadcast; what a
// reloaded webview is re-sent is read from here (the provider's replay).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { JobEvent } from '../../protocol/jobMessages';
import type { ComparisonRun, HostNotificationType, RunSetupParams } from '../../protocol/webviewMessages';
import { RunsNotification, RunTrendNotification, SaliencyScoresNotification } from '../../protocol/webviewMessages';
import { isRecord } from '../../protocol/guards';
import type { ParamsOf } from '../../protocol/ipc';
import type { JobSupervisor } from '../jobs/jobSupervisor';
import { comparisonRuns, isListedRun, runSetting } from '../runs/comparisonRuns';
import { loadSaliencyScores, type SaliencyPreview } from './saliencyPreview';
import { runTrendMessage, type RunTrendMessage } from './runTrendMessage';

/** The job emits its saliency event just before writing saliency/; retry the read this long. */
const SALIENCY_READ_RETRY_MS = 250;
export const SALIENCY_READ_ATTEMPTS = 40;

/** How the state reaches the webviews: the provider sends to each of its connections. */
export interface PanelBroadcast {
  notifyAll<D extends HostNotificationType>(def: D, params: ParamsOf<D>): void;
  /** A full replay to every webview: what switches a panel's trend back to the live job's. */
  replayAll(): void;
}

type StartedEvent = Extract<JobEvent, { type: 'started' }>;

export class PanelHostState {
  private saliencyMap: SaliencyPreview | undefined;
  private saliencyRetry: ReturnType<typeof setTimeout> | undefined;
  private runList: ComparisonRun[] | undefined;
  /** The past run whose trend the panel shows instead of the live job's (Open in Panel). */
  private pastTrend: RunTrendMessage | undefined;
  /**
   * Whether the trend's source was chosen since activation (Open in Panel, a job start, the panel's
   * "Show live trends"). Until then a reloaded panel's own choice (its 'ready') is honoured.
   */
  private trendChosen = false;

  constructor(
    private readonly supervisor: JobSupervisor,
    private readonly log: vscode.LogOutputChannel,
    private readonly broadcast: PanelBroadcast,
  ) {}

  /** The saliency map the γ control previews: the latest job's, or a run folder the user picked. */
  get saliency(): SaliencyPreview | undefined {
    return this.saliencyMap;
  }

  get runs(): ComparisonRun[] | undefined {
    return this.runList;
  }

  get runTrend(): RunTrendMessage | undefined {
    return this.pastTrend;
  }

  workspaceDirs(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  /** Whether the webview may name `runDir`: only listed run folders of this workspace are read. */
  isListedRun(runDir: string): boolean {
    return isListedRun(this.workspaceDirs(), runDir);
  }

  /** The run folders of the current (or last) job, wherever it writes. */
  jobRunDirs(): string[] {
    return this.supervisor.eventLog().flatMap((e) => (e.type === 'started' ? [e.runDir] : []));
  }

  /** A new job's trend is what the user wants to watch; the replay that follows switches the panel to it. */
  jobStarted(): void {
    this.clearSaliency();
    this.pastTrend = undefined;
    this.trendChosen = true;
  }

  /** The panel has switched to the live trend already; later replays must not bring the past run back. */
  showLiveTrend(): void {
    this.pastTrend = undefined;
    this.trendChosen = true;
  }

  /** The live job's model, data and forget set, from the config.json it wrote before 'started'. */
  runSetup(): RunSetupParams | undefined {
    const started = this.started();
    if (!started) return undefined;
    const config: unknown = (() => {
      try {
        return JSON.parse(readFileSync(join(started.runDir, 'config.json'), 'utf8')) as unknown;
      } catch {
        return undefined;
      }
    })();
    const method = isRecord(config) && typeof config.method === 'string' ? config.method : undefined;
    return { runId: started.runId, ...(method ? { method } : {}), setting: runSetting(started.runDir) };
  }

  /** Lists the run folders once, for a webview's first replay; later lists come with refreshRuns. */
  ensureRuns(): void {
    if (!this.runList) this.runList = this.readRuns();
  }

  refreshRuns(): void {
    this.runList = this.readRuns();
    this.broadcast.notifyAll(RunsNotification, { runs: this.runList });
  }

  private readRuns(): ComparisonRun[] {
    try {
      return comparisonRuns(this.workspaceDirs());
    } catch (err) {
      this.log.warn(`panel: could not list run folders: ${errorText(err)}`);
      return [];
    }
  }

  /** Reads a run folder's metrics.jsonl into the trend charts; the running job's own folder shows live. */
  showRunTrend(runDir: string): void {
    this.trendChosen = true;
    const live = this.supervisor.running && this.supervisor.eventLog().some((e) => e.type === 'started' && e.runDir === runDir);
    if (live) {
      const wasPast = this.pastTrend !== undefined;
      this.pastTrend = undefined;
      // A replay is what switches the panel back to the live job.
      if (wasPast) this.broadcast.replayAll();
      return;
    }
    this.pastTrend = this.readRunTrend(runDir);
    this.broadcast.notifyAll(RunTrendNotification, this.pastTrend);
  }

  /** A reloaded panel showed this run's trend; keep showing it unless the host chose since. */
  restoreRunTrend(runDir: string): void {
    if (this.trendChosen || this.supervisor.running) return;
    if (!this.isListedRun(runDir)) {
      this.log.debug(`panel: not restoring the trend of ${runDir}: not a run folder of this workspace`);
      return;
    }
    this.pastTrend = this.readRunTrend(runDir);
  }

  private readRunTrend(runDir: string): RunTrendMessage {
    const t0 = Date.now();
    const { message, problems } = runTrendMessage(runDir);
    for (const p of problems) this.log.warn(`panel: ${p}`);
    this.log.debug(`panel: read the trend of ${message.runId} (${message.points.length} epochs) in ${Date.now() - t0} ms`);
    return message;
  }

  clearSaliency(): void {
    this.saliencyMap = undefined;
    if (this.saliencyRetry) clearTimeout(this.saliencyRetry);
    this.saliencyRetry = undefined;
  }

  /** Reads the saliency map of the current (or last) job's run folder, if its log has one. */
  loadJobSaliency(attempts: number): void {
    const started = this.started();
    if (!started || !this.supervisor.eventLog().some((e) => e.type === 'saliency')) return;
    if (this.saliencyMap?.runDir === started.runDir) return;
    if (this.saliencyRetry) clearTimeout(this.saliencyRetry);
    this.saliencyRetry = undefined;
    const attempt = (left: number): void => {
      this.saliencyRetry = undefined;
      if (this.loadSaliency(started.runDir, left <= 1)) return;
      if (left > 1) this.saliencyRetry = setTimeout(() => attempt(left - 1), SALIENCY_READ_RETRY_MS);
    };
    attempt(attempts);
  }

  /** Reads `runDir`'s saliency map and sends it; false (logged when `reportFailure`) when it has none to read. */
  loadSaliency(runDir: string, reportFailure: boolean): boolean {
    try {
      const t0 = Date.now();
      this.saliencyMap = loadSaliencyScores(runDir);
      this.log.debug(`panel: read the saliency map of ${runDir} (${this.saliencyMap.total} scores) in ${Date.now() - t0} ms`);
      this.broadcast.notifyAll(SaliencyScoresNotification, this.saliencyMap.scoresMessage());
      return true;
    } catch (err) {
      if (reportFailure) this.log.warn(`panel: no saliency map to preview in ${runDir}: ${errorText(err)}`);
      return false;
    }
  }

  private started(): StartedEvent | undefined {
    return this.supervisor.eventLog().find((e): e is StartedEvent => e.type === 'started');
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
