// The guided commands: New Unlearning Run, the explorer's model file actions, Evaluate Model and
// the comparison table. Each resolves with the job's outcome, or undefined when nothing started
// (the user cancelled, or a check refused), like the plain job commands in commands.ts.
import { fileAsksArchitecture, fileModelSpec, MODEL_FILE_DIALOG_EXTENSIONS, MODEL_FILE_GLOB, modelFileNouns } from '../../protocol/modelSources';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { JobOutcome } from '../api';
import type { StartCommand } from '../jobs/jobSupervisor';
import { isArchitectureName, type ArchitectureName, type DataSpec, type ModelSpec, type OwnModelSpec } from '../../protocol/config';
import { asModelUri, launchJob, readSettings, type CommandDeps } from '../jobs/commands';
import { COMMAND_IDS } from '../commandIds';
import { dataFromSetting, runConfigFromSettings, saliencyPartOf } from '../jobs/jobConfigs';
import { askNewRun, builtinModelChoices, classChoices, dataChoices, modelSpecOfFile, NEW_RUN_MEMORY_KEY, rememberArchitecture } from './newRunFlow';
import { newRunSaliencyCheck } from './newRunSaliency';
import { diffusionHandoff, runGenerationDemo } from './generationDemoCommand';
import {
  completeAnswers,
  dataClassNames,
  describeData,
  describeForget,
  evaluateConfigFor,
  lastRunBase,
  listedForEvaluation,
  rememberedAnswers,
  runConfigFromAnswers,
  tableConfigFromAnswers,
  type TableAnswers,
} from './newRunAnswers';
import { BACK, pickStep, runSteps } from './quickSteps';
import { runConfigFile } from './configFileCommand';
import { runGridSearch } from './gridSearchCommand';
import { runAudit } from './auditCommand';

export interface WorkflowDeps extends CommandDeps {
  /** Per-workspace memory of the last answers (context.workspaceState). */
  memory: vscode.Memento;
}

export function registerWorkflowCommands(deps: WorkflowDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMAND_IDS.newRun, (arg?: unknown) => newRun(deps, arg)),
    vscode.commands.registerCommand(COMMAND_IDS.runUnlearningOnModel, (uri?: unknown, opts?: unknown) =>
      newRun(deps, asModelUri(uri), givenArchitecture(opts)),
    ),
    vscode.commands.registerCommand(COMMAND_IDS.computeSaliencyForModel, (uri?: unknown, opts?: unknown) =>
      saliencyForModel(deps, asModelUri(uri), givenArchitecture(opts)),
    ),
    vscode.commands.registerCommand(COMMAND_IDS.evaluateModel, (uri?: unknown, opts?: unknown) =>
      evaluateModel(deps, asModelUri(uri), givenArchitecture(opts)),
    ),
    vscode.commands.registerCommand(COMMAND_IDS.runTable, () => runTable(deps)),
    vscode.commands.registerCommand(COMMAND_IDS.runGrid, (arg?: unknown) => runGridSearch(deps, arg)),
    vscode.commands.registerCommand(COMMAND_IDS.runAudit, (arg?: unknown) => runAudit(deps, arg)),
    vscode.commands.registerCommand(COMMAND_IDS.runConfigFile, (uri?: unknown) => runConfigFile(deps, uri)),
    vscode.commands.registerCommand(COMMAND_IDS.runGenerationDemo, (arg?: unknown) => runGenerationDemo(deps, arg)),
  ];
}

/**
 * A script's `{ architecture }` after the model Uri (the explorer passes the selected Uris there
 * instead): a checkpoint's network, so that the explorer's commands start without the question.
 */
function givenArchitecture(opts: unknown): ArchitectureName | undefined {
  if (opts === null || typeof opts !== 'object' || !('architecture' in opts)) return undefined;
  return isArchitectureName(opts.architecture) ? opts.architecture : undefined;
}

/**
 * The spec of a model file from the explorer: a checkpoint's architecture given by a script, else
 * asked (the last choice for the file highlighted). Undefined: the user cancelled.
 */
function explorerModelSpec(deps: WorkflowDeps, uri: vscode.Uri, title: string, architecture?: ArchitectureName): Promise<OwnModelSpec | undefined> {
  const path = uri.fsPath;
  if (architecture && fileAsksArchitecture(path)) return Promise.resolve(fileModelSpec(path, architecture));
  return modelSpecOfFile(deps.memory, path, { title, step: 1, totalSteps: 1 }, undefined);
}

/**
 * `arg`: a model file's Uri (the explorer) to prefill the model, or `{ answers }` with every answer
 * (scripts and tests) to start without asking. `architecture`: a checkpoint's, from a script.
 */
async function newRun(deps: WorkflowDeps, arg: unknown, architecture?: ArchitectureName): Promise<JobOutcome | undefined> {
  const given = arg !== null && typeof arg === 'object' && 'answers' in arg ? completeAnswers(arg.answers) : undefined;
  if (arg !== null && typeof arg === 'object' && 'answers' in arg && !given) {
    void vscode.window.showErrorMessage('SalUn: salun.newRun was given incomplete or invalid answers; it needs model, data, forget, method, epochs and lr.');
    return undefined;
  }
  const modelUri = asModelUri(arg);
  // The model step's last entry hands over to the diffusion model's flow, which starts its own job.
  let handedOver = false;
  const handoff = diffusionHandoff(() => {
    handedOver = true;
  });
  const outcome = await launchJob(deps, 'run', async (workspaceDir, folder) => {
    // Backend, θo's training recipe and the seed still come from the settings; a bad one is said before any question.
    const settings = readSettings(folder);
    const base = runConfigFromSettings(settings, workspaceDir);
    const seen = { ratio: base.saliency.ratio, data: dataFromSetting(settings.data, workspaceDir) };
    const check = newRunSaliencyCheck(deps, base, workspaceDir);
    // A checkpoint from the explorer: its network is the first question, before the flow's own.
    const model = !given && modelUri ? await explorerModelSpec(deps, modelUri, 'SalUn: Run Unlearning on This Model', architecture) : undefined;
    if (modelUri && !given && !model) return undefined;
    const answers = given ?? (await askNewRun(deps.memory, model ? { model } : {}, seen, check, modelUri ? undefined : handoff));
    if (!answers) return undefined;
    return { type: 'start', kind: 'run', config: runConfigFromAnswers(answers, base), workspaceDir };
  });
  return handedOver ? runGenerationDemo(deps) : outcome;
}

interface Item<T> extends vscode.QuickPickItem {
  value?: T;
}

type EvaluatePick = ModelSpec | 'browse' | { file: string };

async function pickModelToEvaluate(memory: vscode.Memento): Promise<ModelSpec | undefined> {
  const title = 'SalUn: Evaluate Model';
  const files: vscode.Uri[] = [];
  const items = (): Item<EvaluatePick>[] => [
    ...files.map((u): Item<EvaluatePick> => {
      // A checkpoint's network is asked when it is taken.
      return {
        label: `$(file) ${vscode.workspace.asRelativePath(u, true)}`,
        value: fileAsksArchitecture(u.fsPath) ? { file: u.fsPath } : fileModelSpec(u.fsPath),
      };
    }),
    { label: `$(folder-opened) Choose a model file…`, description: modelFileNouns(), value: 'browse' },
    ...builtinModelChoices(),
  ];
  // Run folders' unlearned models are what one most often evaluates again; the model cache is not.
  const found = vscode.workspace.findFiles(MODEL_FILE_GLOB, '{**/node_modules/**,**/.git/**,**/.salun/cache/**}', 100).then((uris) => {
    files.push(...[...uris].filter((u) => listedForEvaluation(u.fsPath)).sort((a, b) => b.fsPath.localeCompare(a.fsPath)));
  });
  const picked = await pickStep({
    title,
    step: 1,
    totalSteps: 2,
    placeholder: 'Which model should be evaluated?',
    items: items(),
    later: { found, items },
  });
  if (picked === undefined || picked === BACK || !picked.value) return undefined;
  const at = { title, step: 1, totalSteps: 2 };
  if (typeof picked.value === 'object' && 'file' in picked.value) return modelSpecOfFile(memory, picked.value.file, at);
  if (picked.value !== 'browse') return picked.value;
  const uris = await vscode.window.showOpenDialog({
    title: `Choose a model to evaluate: ${modelFileNouns()}`,
    filters: { 'Model files': [...MODEL_FILE_DIALOG_EXTENSIONS] },
    canSelectMany: false,
  });
  return uris?.[0] ? modelSpecOfFile(memory, uris[0].fsPath, at) : undefined;
}

function evaluateModel(deps: WorkflowDeps, modelUri: vscode.Uri | undefined, architecture?: ArchitectureName): Promise<JobOutcome | undefined> {
  return launchJob(deps, 'evaluate', (workspaceDir, folder) => evaluateBuild(deps, modelUri, workspaceDir, folder, architecture));
}

/**
 * The explorer's Compute Saliency on a model file: the settings' data, forget set and ratio, with
 * the clicked file as θo (a checkpoint's architecture asked first).
 */
function saliencyForModel(deps: WorkflowDeps, modelUri: vscode.Uri | undefined, architecture?: ArchitectureName): Promise<JobOutcome | undefined> {
  // From the palette (no file): the plain command, with salun.modelPath or the built-in model.
  if (!modelUri) return Promise.resolve(vscode.commands.executeCommand<JobOutcome | undefined>(COMMAND_IDS.computeSaliency));
  return launchJob(deps, 'saliency', async (workspaceDir, folder) => {
    // The clicked file replaces salun.modelPath, as the plain command's explorer path always did.
    const settingsBase = runConfigFromSettings({ ...readSettings(folder), modelPath: undefined }, workspaceDir);
    const model = await explorerModelSpec(deps, modelUri, 'SalUn: Compute Saliency', architecture);
    if (!model) return undefined;
    await rememberArchitecture(deps.memory, model);
    const base = lastRunBase(settingsBase, rememberedAnswers(deps.memory.get<unknown>(NEW_RUN_MEMORY_KEY)), model);
    return { type: 'start', kind: 'saliency', config: { ...saliencyPartOf(base), model }, workspaceDir };
  });
}

async function evaluateBuild(
  deps: WorkflowDeps,
  modelUri: vscode.Uri | undefined,
  workspaceDir: string,
  folder: vscode.WorkspaceFolder,
  architecture?: ArchitectureName,
): Promise<StartCommand | undefined> {
  const model: ModelSpec | undefined = modelUri
    ? await explorerModelSpec(deps, modelUri, 'SalUn: Evaluate Model', architecture)
    : await pickModelToEvaluate(deps.memory);
  if (!model) return undefined;
  // "The configured data and forget set": the last New Unlearning Run's, else the settings'.
  const settingsBase = runConfigFromSettings(readSettings(folder), workspaceDir);
  const base = lastRunBase(settingsBase, rememberedAnswers(deps.memory.get<unknown>(NEW_RUN_MEMORY_KEY)), model);
  const names = dataClassNames(base.data, workspaceDir).names ?? [];
  const retrain = await pickStep<Item<boolean>>({
    title: 'SalUn: Evaluate Model',
    step: modelUri ? 1 : 2,
    totalSteps: modelUri ? 1 : 2,
    items: [
      { label: '$(graph) Metrics only', description: 'UA, RA, TA, MIA', value: false },
      { label: '$(git-compare) Metrics and the gap to Retrain', description: 'trains Retrain on Dr once (cached)', value: true },
    ],
    placeholder: `On ${describeData(base.data)}, forgetting ${describeForget(base.forget, names)} (the last New Unlearning Run's choices, else the settings)`,
  });
  // Back from here: the model is picked again only when it was not given by the explorer.
  if (retrain === BACK) return modelUri ? undefined : evaluateBuild(deps, undefined, workspaceDir, folder);
  if (retrain?.value === undefined) return undefined;
  await rememberArchitecture(deps.memory, model);
  return { type: 'start', kind: 'evaluate', config: evaluateConfigFor(model, base, retrain.value), workspaceDir };
}

async function askTable(): Promise<TableAnswers | undefined> {
  const title = 'SalUn: Run Comparison Table';
  const a: Partial<TableAnswers> = {};
  const total = 4;
  const step = async <T>(n: number, placeholder: string, items: Item<T>[]): Promise<T | typeof BACK | undefined> => {
    for (;;) {
      const picked = await pickStep({ title, step: n, totalSteps: total, placeholder, items });
      if (picked === BACK || picked === undefined) return picked;
      if (picked.value !== undefined) return picked.value;
    }
  };
  const ok = await runSteps([
    async () => {
      type S = TableAnswers['scenario'] | 'class';
      const s = await step<S>(1, 'Which forgetting scenario?', [
        { label: 'Random 10%', description: "the paper's main setting", value: { kind: 'random', fraction: 0.1 } },
        { label: 'Random 50%', value: { kind: 'random', fraction: 0.5 } },
        { label: 'Class-wise…', description: 'forget one whole class', value: 'class' },
      ]);
      if (s === undefined) return 'cancel';
      if (s === BACK) return 'back';
      if (s !== 'class') {
        a.scenario = s;
        return 'next';
      }
      const c = await step<number>(1, 'Which class?', classChoices(true));
      if (c === undefined) return 'cancel';
      if (c === BACK) return 0;
      a.scenario = { kind: 'class', classIndex: c };
      return 'next';
    },
    async () => {
      const n = await step<number>(
        2,
        'How many seeds? Each seed trains its own θo and Retrain and runs every method.',
        [1, 2, 3].map((k) => ({
          label: `${k} seed${k > 1 ? 's' : ''}`,
          description: k === 1 ? 'no noise floor, no ranks' : `noise floor from ${(k * (k - 1)) / 2} Retrain pair${k > 2 ? 's' : ''}`,
          value: k,
        })),
      );
      if (n === undefined) return 'cancel';
      if (n === BACK) return 'back';
      a.seeds = n;
      return 'next';
    },
    async () => {
      const m = await step<ArchitectureName>(3, 'Which built-in model?', [
        { label: 'CNN', description: 'about 6 minutes per seed on 2 CPU cores (wasm)', value: 'cnn' },
        { label: 'MLP', description: 'a few minutes per seed', value: 'mlp' },
        { label: 'ResNet-18', description: "the paper's network: needs a GPU backend", value: 'resnet18' },
        { label: 'VGG-16-BN', description: "the paper's VGG: needs a GPU backend", value: 'vgg16-bn' },
        { label: 'ResNet-18 (torchvision)', description: 'torchvision.models.resnet18: needs a GPU backend', value: 'resnet18-torchvision' },
      ]);
      if (m === undefined) return 'cancel';
      if (m === BACK) return 'back';
      a.architecture = m;
      return 'next';
    },
    async () => {
      for (;;) {
        // A browse item carries its own folder picker (idx, ImageFolder or CIFAR-10): run that one.
        type Browse = () => Promise<DataSpec | undefined>;
        const items = dataChoices(undefined).map((c) => ({ ...c, value: c.value ?? c.choose }));
        const d = await step<DataSpec | Browse>(4, 'Which data?', items);
        if (d === undefined) return 'cancel';
        if (d === BACK) return 'back';
        const data = typeof d === 'function' ? await d() : d;
        if (!data) continue;
        a.data = data;
        return 'next';
      }
    },
  ]);
  return ok ? (a as TableAnswers) : undefined;
}

async function runTable(deps: WorkflowDeps): Promise<JobOutcome | undefined> {
  const outcome = await launchJob(deps, 'table', async (workspaceDir, folder) => {
    const answers = await askTable();
    if (!answers) return undefined;
    const base = runConfigFromSettings(readSettings(folder), workspaceDir);
    return { type: 'start', kind: 'table', config: tableConfigFromAnswers(answers, base), workspaceDir };
  });
  const report = outcome?.result?.report;
  if (report && existsSync(report)) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(report));
  return outcome;
}
