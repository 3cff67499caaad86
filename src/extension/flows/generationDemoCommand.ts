// SalUn: Generation Unlearning Demo — `salun gen-demo` from the editor: forget one class of the
// bundled Fashion-MNIST in the shipped class-conditional DDPM with the methods of the method table
// that have a generation facet (SalUn-gen, ESD, RL-gen). Three steps (the class, the methods, the
// recipe), then the same job path as every other job; the panel draws the grids as they come.
// Scripts and tests pass `{ forgetClass, recipe, methods? }` to start without asking. The demo's θo
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
import { BACK, pickManyStep, pickStep, runSteps } from './quickSteps';
import type { NewRunHandoff } from './newRunFlow';
import { GENERATION_METHOD_NAMES, generationFacet, generationMethodsText, type GenerationMethodName } from '../../protocol/genMethods';
import { methodLabel, METHODS } from '../../protocol/methods';

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

const STEPS = 3;

const classItems = (): Item<number>[] =>
  FASHION_MNIST_CLASSES.map((name, i) => ({ label: name, description: `class ${i}${i === 7 ? ' · the paper-style default' : ''}`, value: i }));

/** The method step's items: every row of the method table with a generation facet, in the job's order. */
export function generationMethodItems(): Item<GenerationMethodName>[] {
  return GENERATION_METHOD_NAMES.map((m) => ({
    label: methodLabel(m),
    description: `${generationFacet(m).usesMask ? 'inside the saliency mask · ' : ''}${generationFacet(m).paper ?? METHODS[m].paper}`,
    detail: generationFacet(m).description,
    value: m,
  }));
}

type StepEnd = 'next' | 'back' | 'cancel';

/** One pick step of the flow: Escape cancels, Back goes back, a pick is kept by `take`. */
async function pickOne<T>(step: number, placeholder: string, items: Item<T>[], active: Item<T> | undefined, take: (v: T) => void): Promise<StepEnd> {
  const picked = await pickStep({ title: TITLE, step, totalSteps: STEPS, placeholder, items, active });
  if (picked === undefined) return 'cancel';
  if (picked === BACK) return 'back';
  take(picked.value);
  return 'next';
}

function recipeItems(): Item<GenDemoRecipe>[] {
  return (Object.keys(GEN_DEMO_RECIPES) as GenDemoRecipe[]).map((key) => ({
    label: GEN_DEMO_RECIPES[key].label,
    detail: GEN_DEMO_RECIPES[key].detail,
    value: key,
  }));
}

/** The three steps (class, methods, recipe) on runSteps: Back between them keeps the answers; undefined when the user pressed Escape. */
export async function askGenerationDemo(): Promise<GenDemoArgs | undefined> {
  const a: { forgetClass: number; methods: GenerationMethodName[]; recipe: GenDemoRecipe } = {
    forgetClass: 7,
    methods: [...GENERATION_METHOD_NAMES],
    recipe: 'quick',
  };
  const done = await runSteps([
    () => {
      const items = classItems();
      return pickOne(1, 'Which class should the diffusion model forget?', items, items[a.forgetClass], (c) => (a.forgetClass = c));
    },
    async () => {
      const items = generationMethodItems();
      const picked = await pickManyStep({
        title: TITLE,
        step: 2,
        totalSteps: STEPS,
        placeholder: 'Which methods? Each one starts from θo',
        items,
        selected: items.filter((i) => a.methods.includes(i.value)),
        noneChosen: 'Tick at least one method (Space), then Enter',
      });
      if (picked === undefined) return 'cancel';
      if (picked === BACK) return 'back';
      a.methods = picked.map((i) => i.value);
      return 'next';
    },
    () => {
      const items = recipeItems();
      const placeholder = `Which recipe? (${generationMethodsText(a.methods)} ${a.methods.length > 1 ? 'each run' : 'runs'} it)`;
      return pickOne(
        3,
        placeholder,
        items,
        items.find((i) => i.value === a.recipe),
        (r) => (a.recipe = r),
      );
    },
  ]);
  return done ? { forgetClass: a.forgetClass, recipe: a.recipe, methods: a.methods } : undefined;
}

/** The New Run flow's entry for this task: the last item of its model step. */
export function diffusionHandoff(take: () => void): NewRunHandoff {
  return {
    label: '$(sparkle) The class-conditional diffusion model (generation)',
    description: `forget a class of what it draws: ${generationMethodsText()}`,
    detail: 'the Generation Unlearning Demo: the DDPM SalUn Lab ships, on the bundled Fashion-MNIST; the class, the methods and the recipe are asked next',
    take,
  };
}

export async function runGenerationDemo(deps: CommandDeps, arg?: unknown): Promise<JobOutcome | undefined> {
  const given = parseGenDemoArgs(arg, 'salun.runGenerationDemo');
  return launchJob(deps, 'generation', async (workspaceDir, folder) => {
    // The backend comes from salun.backend, checked before any question.
    const { backend } = runConfigFromSettings(readSettings(folder), workspaceDir);
    // Before the questions: a user told after two picks that the model is missing has answered for nothing.
    const base = await demoBaseConfig(given !== undefined);
    if (!base) return undefined;
    const answers = given ?? (await askGenerationDemo());
    if (!answers) return undefined;
    const config = genDemoRecipeConfig(answers.forgetClass, answers.recipe, backend, base, answers.methods);
    return { type: 'start', kind: 'generation', config, workspaceDir };
  });
}
