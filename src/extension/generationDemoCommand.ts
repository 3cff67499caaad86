// SalUn: Generation Unlearning Demo — `salun gen-demo` from the editor: forget one class of the
// bundled Fashion-MNIST in the shipped class-conditional DDPM with SalUn, ESD and RL. Two steps (the
// class, the recipe), then the same job path as every other job; the panel draws the grids as they
// come. Scripts and tests pass `{ forgetClass, recipe }` to start without asking.
import * as vscode from 'vscode';
import type { JobOutcome } from './api';
import { FASHION_MNIST_CLASSES } from '../store/data/idxLayout';
import { GEN_DEMO_RECIPES, genDemoRecipeConfig, parseGenDemoArgs, type GenDemoArgs, type GenDemoRecipe } from '../store/generationDemo';
import { launchJob, readSettings, type CommandDeps } from './commands';
import { runConfigFromSettings } from './jobConfigs';
import { BACK, pickStep } from './quickSteps';

const TITLE = 'Generation Unlearning Demo';

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
    const answers = given ?? (await ask());
    if (!answers) return undefined;
    return { type: 'start', kind: 'generation', config: genDemoRecipeConfig(answers.forgetClass, answers.recipe, backend), workspaceDir };
  });
}
