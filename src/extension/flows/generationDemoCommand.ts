// SalUn: Generation Unlearning Demo — `salun gen-demo` from the editor: forget one class of the
// bundled Fashion-MNIST in the shipped class-conditional DDPM with SalUn, ESD and RL. Two steps (the
// class, the recipe), then the same job path as every other job; the panel draws the grids as they
// come. Scripts and tests pass `{ forgetClass, recipe }` to start without asking. The demo's θo
// ships with the extension; when it is missing or damaged the user is told which file and offered
// the fix (reinstall) or hours of training, never sent into that training unawares; a script's start
// then fails with the same words.
import * as vscode from 'vscode';
import type { JobOutcome } from '../api';
import { FASHION_MNIST_CLASSES } from '../../store/data/idxLayout';
import type { GenerationConfig } from '../../protocol/generationConfig';
import {
  GEN_DEMO_RECIPES,
  GEN_DEMO_TRAINING_TIME,
  genDemoConfig,
  genDemoRecipeConfig,
  genDemoTrainingConfig,
  parseGenDemoArgs,
  shippedOriginal,
  type ShippedOriginal,
  type GenDemoArgs,
  type GenDemoRecipe,
} from '../../store/generationDemo';
import { launchJob, readSettings, type CommandDeps } from '../jobs/commands';
import { runConfigFromSettings } from '../jobs/jobConfigs';
import { BACK, pickStep } from './quickSteps';

const TITLE = 'Generation Unlearning Demo';
const EXTENSION_ID = 'salun-lab.salun-lab';
const TRAIN = 'Train θo First';
const SHOW = 'Show SalUn Lab in Extensions';

/** What is wrong with the shipped θo, in words for a user of the installed extension. */
export function missingOriginalMessage(problem: string): string {
  return `The Generation Unlearning Demo starts from a trained diffusion model (θo) that SalUn Lab ships, and ${problem}. Reinstall SalUn Lab to restore it.`;
}

/**
 * The config the demo starts from: the shipped θo's, or, when it is missing or damaged and the user
 * chose so in a modal, the one that trains θo first; undefined when the user declined.
 */
export async function demoBaseConfig(scripted: boolean, shipped: ShippedOriginal = shippedOriginal()): Promise<GenerationConfig | undefined> {
  if (shipped.ok) return genDemoConfig(shipped);
  const message = missingOriginalMessage(shipped.problem);
  if (scripted) throw new Error(`salun.runGenerationDemo: ${message}`);
  const choice = await vscode.window.showWarningMessage(
    message,
    { modal: true, detail: `Or train θo here first: ${GEN_DEMO_TRAINING_TIME}, then the demo itself; kept in this workspace for later runs.` },
    SHOW,
    TRAIN,
  );
  if (choice === SHOW) void vscode.commands.executeCommand('workbench.extensions.action.showExtensionsWithIds', [EXTENSION_ID]);
  return choice === TRAIN ? genDemoTrainingConfig() : undefined;
}

interface Item<T> extends vscode.QuickPickItem {
  value: T;
}

/** The two steps; undefined when the user pressed Escape. */
async function ask(): Promise<GenDemoArgs | undefined> {
  const classes: Item<number>[] = FASHION_MNIST_CLASSES.map((name, i) => ({
    label: name,
    description: `class ${i}${i === 7 ? ' · the paper-style default' : ''}`,
    value: i,
  }));
  const recipes = (Object.keys(GEN_DEMO_RECIPES) as GenDemoRecipe[]).map((key): Item<GenDemoRecipe> => ({
    label: GEN_DEMO_RECIPES[key].label,
    detail: GEN_DEMO_RECIPES[key].detail,
    value: key,
  }));
  let forgetClass: number | undefined;
  for (;;) {
    if (forgetClass === undefined) {
      const picked = await pickStep({
        title: TITLE,
        step: 1,
        totalSteps: 2,
        placeholder: 'Which class should the diffusion model forget?',
        items: classes,
        active: classes[7],
      });
      if (picked === undefined || picked === BACK) return undefined;
      forgetClass = picked.value;
    }
    const recipe = await pickStep({
      title: TITLE,
      step: 2,
      totalSteps: 2,
      placeholder: 'Which recipe? (SalUn, ESD and RL each run it)',
      items: recipes,
      active: recipes[0],
    });
    if (recipe === undefined) return undefined;
    if (recipe === BACK) {
      forgetClass = undefined;
      continue;
    }
    return { forgetClass, recipe: recipe.value };
  }
}

export async function runGenerationDemo(deps: CommandDeps, arg?: unknown): Promise<JobOutcome | undefined> {
  const given = parseGenDemoArgs(arg, 'salun.runGenerationDemo');
  return launchJob(deps, 'generation', async (workspaceDir, folder) => {
    // The backend comes from salun.backend, checked before any question.
    const { backend } = runConfigFromSettings(readSettings(folder), workspaceDir);
    // Before the questions: a user told after two picks that the model is missing has answered for nothing.
    const base = await demoBaseConfig(given !== undefined);
    if (!base) return undefined;
    const answers = given ?? (await ask());
    if (!answers) return undefined;
    return { type: 'start', kind: 'generation', config: genDemoRecipeConfig(answers.forgetClass, answers.recipe, backend, base), workspaceDir };
  });
}
