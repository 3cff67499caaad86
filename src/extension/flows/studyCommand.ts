// What the editor's study commands share (Run Grid Search, Audit Unlearning): the job is launched
// through the supervisor with a config that is either given (`{ config }` from scripts and tests)
// or asked, checked by its kind's parser before a process starts (the problem named in an error
// message), and the job's report (grid.md, audit.md) opens when it ends.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { JobOutcome } from '../api';
import { jobErrorText, toJobError } from '../../protocol/jobError';
import type { StartCommand, StartOf } from '../../protocol/jobMessages';
import { launchJob, readSettings, type CommandDeps } from '../jobs/commands';
import { runConfigFromSettings } from '../jobs/jobConfigs';
import { BACK, pickStep } from './quickSteps';

/** The settings a study takes from the editor: where it runs. */
export type StudyBase = ReturnType<typeof runConfigFromSettings>;

function givenConfig(arg: unknown): unknown {
  return arg !== null && typeof arg === 'object' && 'config' in arg ? arg.config : undefined;
}

export async function runStudyCommand<K extends 'grid' | 'audit'>(
  deps: CommandDeps,
  kind: K,
  arg: unknown,
  ask: (base: StudyBase) => Promise<unknown>,
  parse: (config: unknown) => StartOf<K>['config'],
): Promise<JobOutcome | undefined> {
  const outcome = await launchJob(deps, kind, async (workspaceDir, folder) => {
    const base = runConfigFromSettings(readSettings(folder), workspaceDir);
    const config = givenConfig(arg) ?? (await ask(base));
    if (config === undefined) return undefined;
    try {
      // StartOf<K> for a K the caller fixes: TypeScript cannot narrow the union by a generic kind.
      const command: StartOf<'grid' | 'audit'> = { type: 'start', kind, config: parse(config), workspaceDir };
      return command as StartCommand;
    } catch (e) {
      const text = jobErrorText(toJobError(e));
      deps.log.error(`${kind}: ${text}`);
      void vscode.window.showErrorMessage(`SalUn: ${text}`);
      return undefined;
    }
  });
  const report = outcome?.result?.report;
  if (report && existsSync(report)) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(report));
  return outcome;
}

/** A study flow's pick item: a value, or a browse action that finds one (a folder picker). */
export interface StudyItem<T> extends vscode.QuickPickItem {
  value?: T;
  choose?: () => Promise<T | undefined>;
}

/** The flow's one-answer step: the picked value, BACK or undefined (Escape); a browse that finds nothing asks again. */
export function studyStep(title: string, totalSteps: number) {
  return async <T>(n: number, placeholder: string, items: StudyItem<T>[], active?: StudyItem<T>): Promise<T | typeof BACK | undefined> => {
    for (;;) {
      const picked = await pickStep({ title, step: n, totalSteps, placeholder, items, ...(active ? { active } : {}) });
      if (picked === BACK || picked === undefined) return picked;
      const value = picked.value ?? (await picked.choose?.());
      if (value !== undefined) return value;
    }
  };
}
