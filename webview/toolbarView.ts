// The panel's toolbar and the line under it that says what Run Unlearning would start next (the
// host answers NextRunRequest with the last New Unlearning Run). Buttons are enabled by whether a
// job runs; the line is hidden while one runs, where it would read as that job's caption.
import type { NextRunReply, PanelAction } from '../src/protocol/webviewMessages';
import { NextRunRequest, PanelActionCommand } from '../src/protocol/webviewMessages';
import type { PanelChannel } from './channel';
import type { SectionContext, SectionPart } from './section';
import { el } from './dom';

interface ButtonSpec {
  action: PanelAction;
  label: string;
  secondary?: boolean;
}

const BUTTONS: ButtonSpec[] = [
  { action: 'computeSaliency', label: 'Compute Saliency Map' },
  // Labelled from the host's answer (NextRunRequest): the last New Unlearning Run, or the flow.
  { action: 'runUnlearning', label: 'New Unlearning Run…' },
  { action: 'cancelJob', label: 'Cancel', secondary: true },
  { action: 'showLog', label: 'Show Log', secondary: true },
];

function actionButton(channel: PanelChannel, action: PanelAction, label: string, attrs: Record<string, string | boolean | undefined>): HTMLElement {
  const button = el('vscode-button', { 'data-action': action, ...attrs }, label);
  button.addEventListener('click', () => {
    if (!button.hasAttribute('disabled')) channel.command(PanelActionCommand, { action });
  });
  return button;
}

function showNextRun(button: HTMLElement | undefined, line: HTMLElement, reply: NextRunReply): void {
  if (!button) return;
  button.textContent = reply.configured ? 'Run Unlearning' : 'New Unlearning Run…';
  button.title =
    reply.configured && reply.summary
      ? `Runs the last New Unlearning Run again: ${reply.summary}`
      : 'No run set up yet in this workspace: opens New Unlearning Run (model, data, forget set, method)';
  line.textContent = reply.configured && reply.summary ? `Run Unlearning runs: ${reply.summary}` : 'Run Unlearning sets up a run first (New Unlearning Run).';
}

export function toolbarSection(ctx: SectionContext): SectionPart<'jobRunning'> {
  const buttons = new Map<PanelAction, HTMLElement>(
    BUTTONS.map((spec) => [spec.action, actionButton(ctx.channel, spec.action, spec.label, { secondary: spec.secondary })]),
  );
  const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'SalUn actions' }, ...buttons.values());
  if (ctx.placement === 'sidebar') {
    const title = 'Open this panel full size in an editor tab';
    toolbar.appendChild(actionButton(ctx.channel, 'openChartsInEditor', 'Open Charts in Editor', { secondary: true, title }));
  }
  const nextRunLine = el('div', { class: 'next-run muted small', id: 'next-run' });
  /** Asks the host what Run Unlearning would start, and labels the button with it. */
  const askNextRun = (): void => {
    ctx.channel.request(NextRunRequest, {}).then(
      (reply) => showNextRun(buttons.get('runUnlearning'), nextRunLine, reply),
      () => {
        // No answer (an older host, or none yet): the button keeps its safe meaning, the flow.
      },
    );
  };
  askNextRun();
  return {
    elements: [toolbar, nextRunLine],
    render: (state, prev) => {
      // A job that ends may have been set up anew (the flow remembers its answers when it starts one).
      if (prev && prev.jobRunning !== state.jobRunning) askNextRun();
      for (const [action, button] of buttons) {
        const enabled = action === 'showLog' || (action === 'cancelJob' ? state.jobRunning : !state.jobRunning);
        button.toggleAttribute('disabled', !enabled);
        button.setAttribute('aria-disabled', String(!enabled));
      }
      nextRunLine.hidden = state.jobRunning;
    },
  };
}
