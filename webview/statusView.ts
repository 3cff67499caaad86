// The job's status block: what runs (kind, run id, setting, backend, phase), the whole job's
// progress as the job sent it, and how it ended with the warnings it logged. Shown once a job has
// run or runs; the empty block in its place says what the panel is for.
import { backendFacts } from '../src/protocol/backendSummary';
import { JOB_KIND_LABELS, PHASE_LABELS } from '../src/protocol/jobMessages';
import { settingText } from '../src/protocol/runLabels';
import { methodDisplayName } from '../src/protocol/comparisonFormat';
import { overallPercent } from '../src/protocol/jobProgress';
import type { PanelState, ProgressView } from './panelState';
import { progressLine } from './panelState';
import type { SectionPart } from './section';
import { el, replaceChildren } from './dom';
import { runFolderLabel } from './format';

type StatusReads =
  | 'kind'
  | 'runId'
  | 'runDir'
  | 'backend'
  | 'phase'
  | 'phaseLabel'
  | 'jobRunning'
  | 'eventCount'
  | 'setup'
  | 'progress'
  | 'outcome'
  | 'warnings'
  | 'resultWarnings';
type StatusState = Pick<PanelState, StatusReads>;

export function emptySection(): SectionPart<'eventCount' | 'jobRunning'> {
  const empty = el(
    'section',
    { class: 'empty' },
    el('p', {}, 'No job has run in this window yet; earlier runs are in the Runs view.'),
    el('p', {}, 'Compute a saliency map to see which weights SalUn lets move, or run unlearning to compare SalUn against Retrain on UA, RA, TA and MIA.'),
    el('p', { class: 'muted' }, 'Settings: salun.saliencyRatio, salun.forgetFraction, salun.forgetClass, salun.modelPath, salun.backend.'),
  );
  return {
    elements: [empty],
    render: (state) => {
      empty.hidden = state.eventCount > 0 || state.jobRunning;
    },
  };
}

export function statusSection(): SectionPart<StatusReads> {
  const statusLine = el('div', { class: 'status-line', role: 'status', 'aria-live': 'polite' });
  const progressFill = el('span', { class: 'bar-fill' });
  const progressTrack = el(
    'div',
    { class: 'progress bar-track', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-label': 'Job progress' },
    progressFill,
  );
  const progressText = el('div', { class: 'progress-text muted' });
  const outcome = el('div', { class: 'outcome' });
  const status = el('section', { class: 'status', 'aria-label': 'Job status' }, statusLine, progressTrack, progressText, outcome);
  return {
    elements: [status],
    render: (state) => {
      status.hidden = state.eventCount === 0 && !state.jobRunning;
      renderStatusLine(statusLine, state);
      const progress = state.jobRunning ? state.progress : undefined;
      // Without the whole job's figure (a log recorded before jobs sent it) there is no bar to fill.
      progressTrack.hidden = !progress?.overall;
      progressText.hidden = !progress;
      if (progress) drawProgress(progressTrack, progressFill, progressText, progress);
      renderOutcome(outcome, state);
    },
  };
}

function renderStatusLine(statusLine: HTMLElement, state: StatusState): void {
  const parts: string[] = [];
  if (state.kind) parts.push(JOB_KIND_LABELS[state.kind].replace(/^./, (c) => c.toUpperCase()));
  if (state.runId) parts.push(state.runId);
  const backend = state.backend;
  const phase = state.phase ? state.phaseLabel || PHASE_LABELS[state.phase] : state.jobRunning ? 'Starting…' : undefined;
  const line: (HTMLElement | string)[] = [];
  if (parts.length) line.push(el('div', { class: 'job-title' }, parts.join(' · ')));
  const setup = state.setup && state.setup.runId === state.runId ? state.setup : undefined;
  const setting = setup ? settingText(setup.setting) : '';
  if (setup && setting) {
    line.push(el('div', { class: 'job-setting', id: 'job-setting' }, setup.method ? `${methodDisplayName(setup.method)} · ${setting}` : setting));
  }
  if (backend) {
    const facts = backendFacts(backend);
    // Which backend is one line; why (and what was skipped) is there on request.
    line.push(
      el(
        'details',
        { class: 'backend', title: backend.reason },
        el('summary', {}, 'Backend: ', el('strong', {}, backend.name), backend.detail ? ` (${backend.detail})` : ''),
        el('div', { class: 'muted' }, facts.choice),
        facts.adapter ? el('div', { class: 'muted backend-adapter' }, `GPU adapter: ${facts.adapter}`) : undefined,
        facts.skipped.length ? el('ul', { class: 'muted backend-skipped' }, ...facts.skipped.map((s) => el('li', {}, `skipped ${s}`))) : undefined,
      ),
    );
  }
  if (phase && state.jobRunning) line.push(el('div', { class: 'phase' }, phase));
  // Rebuilt only when it says something new: an open Backend <details> stays open through progress.
  const key = JSON.stringify([parts, backend, phase, state.jobRunning, setup]);
  if (statusLine.dataset.key !== key) {
    statusLine.dataset.key = key;
    replaceChildren(statusLine, ...line);
  }
}

/** The whole job's figure as the job sent it: the status bar shows the same number (progressLine). */
function drawProgress(track: HTMLElement, fill: HTMLElement, text: HTMLElement, progress: ProgressView): void {
  if (progress.overall) {
    const pct = overallPercent(progress.overall);
    fill.style.width = `${pct}%`;
    track.setAttribute('aria-valuenow', String(pct));
  }
  text.textContent = progressLine(progress);
}

function renderOutcome(into: HTMLElement, state: StatusState): void {
  const outcome = state.outcome;
  const warnings = [
    ...state.warnings.map((w) => el('li', { class: `log-${w.level}` }, w.message)),
    ...state.resultWarnings.filter((w) => !state.warnings.some((l) => l.message === w)).map((w) => el('li', { class: 'log-warn result-warning' }, w)),
  ];
  const warningList = warnings.length ? el('ul', { class: 'warnings', 'aria-label': 'Job warnings' }, ...warnings) : undefined;
  if (!outcome || state.jobRunning) {
    replaceChildren(into, warningList);
  } else if (outcome.status === 'failed') {
    replaceChildren(
      into,
      el(
        'div',
        { class: 'error', role: 'alert' },
        el('strong', {}, 'Failed: '),
        outcome.error.message,
        outcome.error.hint ? el('div', {}, outcome.error.hint) : undefined,
        outcome.error.file ? el('div', { class: 'mono' }, outcome.error.file) : undefined,
      ),
      warningList,
    );
  } else if (outcome.status === 'cancelled') {
    replaceChildren(into, el('div', { class: 'muted' }, 'Cancelled.'), warningList);
  } else {
    replaceChildren(into, el('div', { class: 'done' }, 'Finished.', state.runDir ? runFolder(state.runDir) : undefined), warningList);
  }
}

function runFolder(runDir: string): HTMLElement {
  const { text, title } = runFolderLabel(runDir);
  return el('div', { class: 'mono muted run-folder', title }, text);
}
