// SalUn: Audit Unlearning — `salun audit` from the editor: the methods, N and the data are asked
// (the scenario is the paper's random 10% on the built-in CNN), and the audit job starts through the
// job supervisor like the comparison table; audit.md opens when it ends. Running it again with the
// same answers resumes the audit from the models it already has. `{ config }` (scripts, tests)
// starts the given audit config without asking (studyCommand.ts).
import type { JobOutcome } from '../api';
import type { DataSpec, MethodName } from '../../protocol/config';
import { defaultAuditConfig, DEFAULT_AUDIT_MODELS, type AuditConfig } from '../../protocol/audit';
import { parseAuditConfig } from '../../protocol/configKinds';
import { AUDIT_DEFAULT_METHODS, methodLabel, methodSummary, TABLE_METHOD_ORDER } from '../../protocol/methods';
import type { CommandDeps } from '../jobs/commands';
import { runStudyCommand, studyStep, type StudyItem } from './studyCommand';
import { dataChoices } from './newRunFlow';
import { BACK, pickManyStep, runSteps } from './quickSteps';

type Item<T> = StudyItem<T>;

interface AuditAnswers {
  methods: MethodName[];
  models: number;
  data: DataSpec;
}

const TITLE = 'SalUn: Audit Unlearning';
const STEPS = 3;

const step = studyStep(TITLE, STEPS);

/** The model counts offered, with what each allows (⌈ln(N − 1)⌉ buckets of 0.5). */
export function modelCountItems(): Item<number>[] {
  return [4, DEFAULT_AUDIT_MODELS, 16, 32].map((n) => ({
    label: `N = ${n}`,
    description: `${Math.ceil(Math.log(n - 1)) * 2} score buckets${n === DEFAULT_AUDIT_MODELS ? ' · the default' : ''}; ${n} Retrain models and ${n} runs per method`,
    value: n,
  }));
}

export async function askAudit(): Promise<AuditAnswers | undefined> {
  const a: Partial<AuditAnswers> = {};
  const ok = await runSteps([
    async () => {
      const items = TABLE_METHOD_ORDER.map((m) => ({ label: methodLabel(m), description: methodSummary(m), method: m }));
      const picked = await pickManyStep({
        title: TITLE,
        step: 1,
        totalSteps: STEPS,
        placeholder: 'Which methods should be audited? θo is audited beside them.',
        noneChosen: 'Tick at least one method.',
        items,
        selected: items.filter((i) => (a.methods ?? AUDIT_DEFAULT_METHODS).includes(i.method)),
      });
      if (picked === undefined) return 'cancel';
      if (picked === BACK) return 'back';
      a.methods = picked.map((i) => i.method);
      return 'next';
    },
    async () => {
      const items = modelCountItems();
      const n = await step<number>(
        2,
        'How many models of each kind? The unlearning challenge used 512.',
        items,
        items.find((i) => i.value === (a.models ?? DEFAULT_AUDIT_MODELS)),
      );
      if (n === undefined) return 'cancel';
      if (n === BACK) return 'back';
      a.models = n;
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
  return ok ? (a as AuditAnswers) : undefined;
}

/** The audit the answers describe, on the settings' backend and worker count. */
export function auditConfigFromAnswers(a: AuditAnswers, base: { backend: AuditConfig['backend']; workers?: number }): AuditConfig {
  return {
    ...defaultAuditConfig(),
    methods: a.methods,
    models: a.models,
    data: a.data,
    backend: base.backend,
    ...(base.workers ? { workers: base.workers } : {}),
  };
}

export function runAudit(deps: CommandDeps, arg?: unknown): Promise<JobOutcome | undefined> {
  return runStudyCommand(deps, 'audit', arg, async (base) => askAudit().then((a) => (a ? auditConfigFromAnswers(a, base) : undefined)), parseAuditConfig);
}
