// The flags `salun table` and `salun grid` share: the scenario, the data, the model and its
// training recipe, where things go. Each command adds its own flags on top.
import { resolve } from 'node:path';
import { ARCHITECTURE_NAMES, isArchitectureName, type ArchitectureName, type BackendChoice, type DataSpec, type OptimizerRecipe } from '../protocol/config';
import { defaultTrainRecipe } from '../protocol/defaults';
import type { TableScenario } from '../protocol/table';
import { detectDataKind } from '../engine/data/layout';
import { backendArg, backendUsage, fail, nativeDirArg, numberArg, WORKERS_USAGE, workersArg } from './common';

export interface StudyOptions {
  scenario: TableScenario;
  data: DataSpec;
  trainSubset?: number;
  model: { kind: 'builtin'; architecture: ArchitectureName };
  train: OptimizerRecipe;
  backend: BackendChoice;
  /** Data-parallel training threads (--workers); absent: 1. */
  workers?: number;
  workspace: string;
  out?: string;
  json: boolean;
  quiet: boolean;
}

export const STUDY_USAGE = `  --scenario <s>      random | class (default random)
  --fraction <f>      random: share of the training set to forget (default 0.1)
  --class <c>         class: the class index to forget (default 0)
  --data <d>          default (the bundled 10k/2k Fashion-MNIST subset) or a data folder, its format
                      recognised from its files: the four idx files (e.g. /usr/share/datasets/
                      fashion-mnist, the full 60k/10k set), CIFAR-10 binary (cifar-10-batches-bin)
                      or an ImageFolder (train/<class>/…, test/<class>/…); or name the format:
                      idx:<dir>, cifar10:<dir>, imagefolder:<dir>
  --train-subset <K>  use only the class-balanced first K training samples
  --model <m>         ${ARCHITECTURE_NAMES.join(' | ')} (default cnn)
  --train-epochs <E>  epochs of θo and Retrain (default: CNN ${defaultTrainRecipe('cnn').epochs}, MLP ${defaultTrainRecipe('mlp').epochs}: enough to memorise;
                      resnet18 and vgg16-bn ${defaultTrainRecipe('resnet18').epochs}, the SalUn authors' CIFAR-10 recipe)
  --workspace <dir>   where .salun/cache and the output go (default: current directory)
${backendUsage('default auto')}
${WORKERS_USAGE}
  --json              print the JSON result instead of the table
  --quiet             no progress output`;

/** `--data` (or `salun data`'s folder, `label` naming it): default, kind:<dir>, or a folder whose format its files tell. */
export function dataArg(v: string, label = '--data'): DataSpec {
  if (v === 'default') return { kind: 'default' };
  const named = /^(idx|cifar10|imagefolder):(.+)$/.exec(v);
  if (named) return { kind: named[1] as 'idx' | 'cifar10' | 'imagefolder', dir: resolve(named[2]) };
  const kind = detectDataKind(v);
  if (!kind) {
    return fail(`${label} ${v} is not a data folder this tool recognises: it needs the four MNIST idx files, CIFAR-10's data_batch_*.bin and test_batch.bin, or an ImageFolder's train/ and test/ (or val/) class folders. Name the format to see what is missing, e.g. ${label} imagefolder:${v}`);
  }
  return { kind, dir: resolve(v) };
}

/** Collects the shared flags; `take(flag, value)` returns false for a flag that is not one of them. */
export class StudyArgs {
  private scenarioKind: 'random' | 'class' = 'random';
  private fraction = 0.1;
  private classIndex = 0;
  private trainEpochs?: number;
  private architecture: ArchitectureName = 'cnn';
  private data: DataSpec = { kind: 'default' };
  private trainSubset?: number;
  private backend: BackendChoice = 'auto';
  private workers?: number;
  private workspace = process.cwd();
  private out?: string;
  private json = false;
  private quiet = false;

  take(a: string, value: () => string): boolean {
    if (a === '--scenario') {
      const v = value();
      if (v !== 'random' && v !== 'class') fail(`--scenario must be random or class, got '${v}'`);
      this.scenarioKind = v;
    } else if (a === '--fraction') this.fraction = numberArg(a, value());
    else if (a === '--class') { this.classIndex = numberArg(a, value()); this.scenarioKind = 'class'; }
    else if (a === '--data') {
      const v = value();
      this.data = dataArg(v);
    } else if (a === '--train-subset') this.trainSubset = numberArg(a, value());
    else if (a === '--model') {
      const v = value();
      if (!isArchitectureName(v)) fail(`--model must be one of ${ARCHITECTURE_NAMES.join(', ')}, got '${v}'`);
      this.architecture = v;
    } else if (a === '--train-epochs') {
      const e = numberArg(a, value());
      if (!(Number.isInteger(e) && e >= 1)) fail(`--train-epochs must be a positive integer, got ${e}`);
      this.trainEpochs = e;
    } else if (a === '--workspace') this.workspace = resolve(value());
    else if (a === '--backend') this.backend = backendArg(a, value());
    else if (a === '--native-dir') nativeDirArg(value());
    else if (a === '--workers') this.workers = workersArg(a, value());
    else if (a === '--out') this.out = resolve(value());
    else if (a === '--json') this.json = true;
    else if (a === '--quiet') this.quiet = true;
    else return false;
    return true;
  }

  options(): StudyOptions {
    const train = { ...defaultTrainRecipe(this.architecture), ...(this.trainEpochs ? { epochs: this.trainEpochs } : {}) };
    return {
      scenario: this.scenarioKind === 'random' ? { kind: 'random', fraction: this.fraction } : { kind: 'class', classIndex: this.classIndex },
      data: this.data, trainSubset: this.trainSubset, model: { kind: 'builtin', architecture: this.architecture }, train,
      backend: this.backend, workers: this.workers, workspace: this.workspace, out: this.out, json: this.json, quiet: this.quiet,
    };
  }
}
