// The flags `salun table` and `salun grid` share: the scenario, the data, the model and its
// training recipe, where things go. Each command adds its own flags on top.
import { resolve } from 'node:path';
import {
  ARCHITECTURE_NAMES,
  isArchitectureName,
  METHOD_NAMES,
  type ArchitectureName,
  type BackendChoice,
  type DataSpec,
  type MethodName,
  type OptimizerRecipe,
} from '../protocol/config';
import { TABLE_METHOD_ORDER } from '../protocol/methods';
import { FOLDER_FORMAT_NAMES } from '../protocol/dataFormats';
import { defaultTrainRecipe } from '../protocol/defaults';
import type { TableConfig, TableScenario } from '../protocol/table';
import { dataSpecFromArgument } from '../store/data/layout';
import { backendArg, backendUsage, fail, JOB_OPTIONS, nativeDirArg, numberArg, WORKERS_USAGE, workersArg } from './common';

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
                      ${FOLDER_FORMAT_NAMES.map((n) => `${n}:<dir>`).join(', ')}
  --train-subset <K>  use only the class-balanced first K training samples
  --held-out <N>      keep N training rows out of θo, Retrain and unlearning: the unseen data the
                      verdict and salun-auto compare Df with (default 0: the test set)
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
  const r = dataSpecFromArgument(v, label);
  return 'problem' in r ? fail(r.problem) : r.spec;
}

/** The flags `salun table` and `salun grid` share, for node:util parseArgs. */
export const STUDY_OPTIONS = {
  ...JOB_OPTIONS,
  scenario: { type: 'string' },
  fraction: { type: 'string' },
  class: { type: 'string' },
  data: { type: 'string' },
  'train-subset': { type: 'string' },
  'held-out': { type: 'string' },
  model: { type: 'string' },
  'train-epochs': { type: 'string' },
  out: { type: 'string' },
} as const;

type StudyValues = { [K in keyof typeof STUDY_OPTIONS]?: (typeof STUDY_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

function scenarioOf(v: StudyValues): TableScenario {
  // --class alone means the class scenario; --scenario class alone forgets class 0.
  const kind = v.scenario ?? (v.class !== undefined ? 'class' : 'random');
  if (kind !== 'random' && kind !== 'class') fail(`--scenario must be random or class, got '${kind}'`);
  return kind === 'random'
    ? { kind: 'random', fraction: v.fraction !== undefined ? numberArg('--fraction', v.fraction) : 0.1 }
    : { kind: 'class', classIndex: v.class !== undefined ? numberArg('--class', v.class) : 0 };
}

/** --held-out N on the data spec (0 or absent: none). */
function withHeldOutArg(data: DataSpec, v: string | undefined): DataSpec {
  if (v === undefined) return data;
  const n = numberArg('--held-out', v);
  if (!(Number.isInteger(n) && n >= 0)) fail(`--held-out must be a whole number of training rows, got ${v}`);
  return n > 0 ? { ...data, heldOut: n } : data;
}

/** The shared flags as options; what they do not say takes the defaults (checked later by the config's validator). */
export function studyOptions(v: StudyValues): StudyOptions {
  const architecture = v.model ?? 'cnn';
  if (!isArchitectureName(architecture)) fail(`--model must be one of ${ARCHITECTURE_NAMES.join(', ')}, got '${architecture}'`);
  const trainEpochs = v['train-epochs'] !== undefined ? numberArg('--train-epochs', v['train-epochs']) : undefined;
  if (trainEpochs !== undefined && !(Number.isInteger(trainEpochs) && trainEpochs >= 1)) fail(`--train-epochs must be a positive integer, got ${trainEpochs}`);
  if (v['native-dir'] !== undefined) nativeDirArg(v['native-dir']);
  return {
    scenario: scenarioOf(v),
    data: withHeldOutArg(v.data !== undefined ? dataArg(v.data) : { kind: 'default' }, v['held-out']),
    trainSubset: v['train-subset'] !== undefined ? numberArg('--train-subset', v['train-subset']) : undefined,
    model: { kind: 'builtin', architecture },
    train: { ...defaultTrainRecipe(architecture), ...(trainEpochs ? { epochs: trainEpochs } : {}) },
    backend: v.backend !== undefined ? backendArg('--backend', v.backend) : 'auto',
    workers: v.workers !== undefined ? workersArg('--workers', v.workers) : undefined,
    workspace: v.workspace !== undefined ? resolve(v.workspace) : process.cwd(),
    out: v.out !== undefined ? resolve(v.out) : undefined,
    json: v.json === true,
    quiet: v.quiet === true,
  };
}

/** The fields of a table or grid config the shared flags set. */
export function studyConfigFields(s: StudyOptions): Pick<TableConfig, 'scenario' | 'data' | 'trainSubset' | 'model' | 'train' | 'backend' | 'workers'> {
  return {
    scenario: s.scenario,
    data: s.data,
    model: s.model,
    train: s.train,
    backend: s.backend,
    ...(s.trainSubset !== undefined ? { trainSubset: s.trainSubset } : {}),
    ...(s.workers ? { workers: s.workers } : {}),
  };
}

/** --methods: a comma list in table order; Retrain and Original are always there. */
export function methodsArg(v: string): MethodName[] {
  const list = v
    .split(',')
    .map((m) => m.trim().toLowerCase())
    .filter((m) => m && m !== 'retrain' && m !== 'original');
  const bad = list.filter((m) => !(METHOD_NAMES as readonly string[]).includes(m));
  if (bad.length) fail(`unknown method${bad.length > 1 ? 's' : ''} ${bad.join(', ')} (known: retrain, ${TABLE_METHOD_ORDER.join(', ')})`);
  return [...new Set(list)] as MethodName[];
}
