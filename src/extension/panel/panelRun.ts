// What the panel's Run Unlearning button (and its ▷ in the view title) starts: the run the user set
// up last in New Unlearning Run, again, or, when nothing complete is remembered for this workspace,
// the New Unlearning Run flow. Never a run from the settings' defaults that nobody asked for.
// No vscode import (unit-tested); panelProvider.ts reads the memory and runs the command.
import { completeAnswers, prefillAnswers, type NewRunAnswers, type SettingsSeen } from '../flows/newRunAnswers';
import { methodLabel } from '../../protocol/methods';
import { runSettingOf, settingText } from '../../protocol/runLabels';

export type PanelRunPlan = { kind: 'rerun'; answers: NewRunAnswers; summary: string } | { kind: 'flow' };

/**
 * `remembered`: the workspace state's last New Unlearning Run answers, as stored (unchecked);
 * `settingsNow`: the settings the flow would prefill from when they changed since (Apply to next
 * run writes the ratio), so the button runs exactly what the flow would offer.
 */
export function panelRunPlan(remembered: unknown, settingsNow: SettingsSeen = {}): PanelRunPlan {
  const answers = completeAnswers(prefillAnswers(remembered, settingsNow));
  if (!answers) return { kind: 'flow' };
  return { kind: 'rerun', answers, summary: `${methodLabel(answers.method)} on ${settingText(runSettingOf(answers))}` };
}
