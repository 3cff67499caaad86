// SalUn: Run Grid Search — `salun grid` from the editor: the method, the built-in model and the
// data are asked (the scenario is the paper's random 10%, the axes the method's default grid), and
// the grid job starts through the job supervisor like the comparison table. `{ config }` (scripts,
// tests) starts the given grid config without asking.
import type { JobOutcome } from '../api';
import type { ArchitectureName, DataSpec, MethodName, ModelSpec } from '../../protocol/config';
import { METHOD_NAMES } from '../../protocol/config';
import { parseGridConfig } from '../../protocol/configKinds';
import { defaultTrainRecipe } from '../../protocol/defaults';
import { DEFAULT_GRIDS, type GridConfig } from '../../protocol/grid';
import type { CommandDeps } from '../jobs/commands';
import { runStudyCommand, studyStep, type StudyItem } from './studyCommand';
import { builtinModelChoices, dataChoices } from './newRunFlow';
import { BACK, runSteps } from './quickSteps';

type Item<T> = StudyItem<T>;

interface GridAnswers {
  method: MethodName;
  architecture: ArchitectureName;
  data: DataSpec;
}

const TITLE = 'SalUn: Run Grid Search';

const step = studyStep(TITLE, 3);

async function askGrid(): Promise<GridAnswers | undefined> {
  const a: Partial<GridAnswers> = {};
  const ok = await runSteps([
    async () => {
      const m = await step<MethodName>(
        1,
        'Which method should be tuned? Each point runs it from the same θo and scores its Avg. Gap to Retrain.',
        METHOD_NAMES.map((name) => ({
          label: name,
          description: DEFAULT_GRIDS[name].map((x) => `${x.param} ∈ {${x.values.join(', ')}}`).join(' × '),
          value: name,
        })),
      );
      if (m === undefined) return 'cancel';
      if (m === BACK) return 'back';
      a.method = m;
      return 'next';
    },
    async () => {
      const items = builtinModelChoices().flatMap((c): Item<ArchitectureName>[] =>
        c.value?.kind === 'builtin' ? [{ label: c.label, description: c.description, value: c.value.architecture }] : [],
      );
      const m = await step<ArchitectureName>(2, 'Which built-in model? θo and Retrain are trained once (cached) for every point.', items);
      if (m === undefined) return 'cancel';
      if (m === BACK) return 'back';
      a.architecture = m;
      return 'next';
    },
    async () => {
      const d = await step<DataSpec>(3, 'Which data?', dataChoices(undefined));
      if (d === undefined) return 'cancel';
      if (d === BACK) return 'back';
      a.data = d;
      return 'next';
    },
  ]);
  return ok ? (a as GridAnswers) : undefined;
}

/** The grid the answers describe, on the settings' backend and worker count. */
export function gridConfigFromAnswers(a: GridAnswers, base: { backend: GridConfig['backend']; workers?: number }): GridConfig {
  const model: Extract<ModelSpec, { kind: 'builtin' }> = { kind: 'builtin', architecture: a.architecture };
  return {
    method: a.method,
    scenario: { kind: 'random', fraction: 0.1 },
    seed: 1,
    data: a.data,
    model,
    train: defaultTrainRecipe(a.architecture),
    axes: DEFAULT_GRIDS[a.method],
    backend: base.backend,
    ...(base.workers ? { workers: base.workers } : {}),
  };
}

export function runGridSearch(deps: CommandDeps, arg?: unknown): Promise<JobOutcome | undefined> {
  return runStudyCommand(deps, 'grid', arg, async (base) => askGrid().then((a) => (a ? gridConfigFromAnswers(a, base) : undefined)), parseGridConfig);
}
