// A small multi-step quick-input kit: each step is one quick pick or input box showing "n/N", with
// a Back button from the second step on. A step resolves with its answer, with BACK, or with
// undefined when the user pressed Escape (the whole flow is then cancelled, nothing started).
import * as vscode from 'vscode';

export const BACK = Symbol('back');
export type Back = typeof BACK;

export interface StepPosition {
  title: string;
  step: number;
  totalSteps: number;
}

export interface PickStep<T extends vscode.QuickPickItem> extends StepPosition {
  items: readonly T[];
  placeholder?: string;
  active?: T;
  /**
   * Items that take a while to find (a workspace search): the step shows at once, busy, and
   * `later(found)` gives the full list to show once they are in.
   */
  later?: { found: Thenable<unknown>; items: () => readonly T[] };
  /**
   * Whether two items stand for the same answer. The rebuilt list holds new objects, so the item
   * that was highlighted (the remembered answer, or where the user moved) is found again by this,
   * not by identity; without it VS Code highlights the first item and Enter takes that instead.
   */
  same?: (a: T, b: T) => boolean;
}

/** The item of `items` that stands for `previous` (by `same`, else by identity), if any. */
export function sameItemIn<T>(items: readonly T[], previous: T | undefined, same?: (a: T, b: T) => boolean): T | undefined {
  if (previous === undefined) return undefined;
  return items.find((item) => item === previous || (same !== undefined && same(item, previous)));
}

export function pickStep<T extends vscode.QuickPickItem>(o: PickStep<T>): Promise<T | Back | undefined> {
  const qp = vscode.window.createQuickPick<T>();
  qp.title = o.title;
  qp.step = o.step;
  qp.totalSteps = o.totalSteps;
  qp.placeholder = o.placeholder;
  qp.items = o.items;
  if (o.active) qp.activeItems = [o.active];
  qp.matchOnDescription = true;
  qp.ignoreFocusOut = true;
  qp.buttons = o.step > 1 ? [vscode.QuickInputButtons.Back] : [];
  if (o.later) {
    qp.busy = true;
    let shown = true;
    qp.onDidHide(() => {
      shown = false;
    });
    const refill = (): void => {
      if (!shown) return;
      qp.busy = false;
      const previous = qp.activeItems[0] ?? o.active;
      qp.items = o.later!.items();
      const again = sameItemIn(qp.items, previous, o.same);
      if (again) qp.activeItems = [again];
    };
    o.later.found.then(refill, refill);
  }
  return settle(qp, (done) => [
    qp.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) done(BACK);
    }),
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (item) done(item);
    }),
  ]);
}

export interface PickManyStep<T extends vscode.QuickPickItem> extends StepPosition {
  items: readonly T[];
  placeholder: string;
  /** Ticked when the step shows (the remembered or default answer). */
  selected: readonly T[];
  /** Said in the placeholder when Enter is pressed with nothing ticked; the step stays. */
  noneChosen: string;
}

/** A step that ticks one or more items; resolves them (never none), BACK, or undefined for Escape. */
export function pickManyStep<T extends vscode.QuickPickItem>(o: PickManyStep<T>): Promise<readonly T[] | Back | undefined> {
  const qp = vscode.window.createQuickPick<T>();
  qp.title = o.title;
  qp.step = o.step;
  qp.totalSteps = o.totalSteps;
  qp.placeholder = o.placeholder;
  qp.canSelectMany = true;
  qp.items = o.items;
  qp.selectedItems = o.selected;
  qp.matchOnDescription = true;
  qp.ignoreFocusOut = true;
  qp.buttons = o.step > 1 ? [vscode.QuickInputButtons.Back] : [];
  return settle(qp, (done) => [
    qp.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) done(BACK);
    }),
    qp.onDidAccept(() => {
      if (qp.selectedItems.length > 0) done([...qp.selectedItems]);
      else qp.placeholder = o.noneChosen;
    }),
  ]);
}

export interface InputStep extends StepPosition {
  value: string;
  prompt: string;
  placeholder?: string;
  /** A message saying what to type, or undefined when the text is acceptable. */
  validate(text: string): string | undefined;
}

export function inputStep(o: InputStep): Promise<string | Back | undefined> {
  const box = vscode.window.createInputBox();
  box.title = o.title;
  box.step = o.step;
  box.totalSteps = o.totalSteps;
  box.value = o.value;
  box.prompt = o.prompt;
  box.placeholder = o.placeholder;
  box.ignoreFocusOut = true;
  box.buttons = o.step > 1 ? [vscode.QuickInputButtons.Back] : [];
  return settle(box, (done) => [
    box.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) done(BACK);
    }),
    box.onDidChangeValue((text) => {
      box.validationMessage = text === '' ? undefined : o.validate(text);
    }),
    box.onDidAccept(() => {
      const problem = o.validate(box.value);
      box.validationMessage = problem;
      if (!problem) done(box.value.trim());
    }),
  ]);
}

/** Shows `input`, resolves once: with an answer, BACK, or undefined when it is hidden (Escape). */
function settle<R>(input: vscode.QuickInput, wire: (done: (r: R | Back) => void) => vscode.Disposable[]): Promise<R | Back | undefined> {
  return new Promise((resolve) => {
    let finished = false;
    const subs: vscode.Disposable[] = [];
    const finish = (r: R | Back | undefined): void => {
      if (finished) return;
      finished = true;
      for (const s of subs) s.dispose();
      input.dispose();
      resolve(r);
    };
    subs.push(
      ...wire((r) => finish(r)),
      input.onDidHide(() => finish(undefined)),
    );
    input.show();
  });
}

/**
 * Runs steps in order; a step returns 'next', 'back', a step index to jump to, 'cancel', or 'skip'
 * (it does not apply now: the flow moves on the way it came, so Back passes over it too).
 * Resolves true when the last step said 'next' (or was skipped going forward), false when the user cancelled.
 */
export async function runSteps(steps: readonly (() => Promise<'next' | 'back' | 'cancel' | 'skip' | number>)[], first = 0): Promise<boolean> {
  let i = first;
  let forward = true;
  while (i < steps.length) {
    const r = await steps[i]();
    if (r === 'cancel') return false;
    if (r === 'skip') {
      // Skipped going back at the first step: nothing before it, so the flow goes on forward.
      if (!forward && i === 0) forward = true;
      i = forward ? i + 1 : i - 1;
      continue;
    }
    forward = r !== 'back';
    if (r === 'back') i = Math.max(0, i - 1);
    else if (r === 'next') i++;
    else i = Math.max(0, Math.min(steps.length - 1, r));
  }
  return true;
}
