// `salun audit`: the evidence that a method forgot (protocol/audit.ts): the unlearning challenge's
// forgetting quality and final score, a per-example attack and a relearning test, for θo and each
// method, from N Retrain models and N runs of each method.
import { existsSync, readFileSync } from 'node:fs';
import { defaultAuditConfig, DEFAULT_AUDIT_MODELS, type AuditConfig, type AuditResult } from '../protocol/audit';
import { DEFAULT_RATIO } from '../protocol/defaults';
import { AUDIT_DEFAULT_METHODS } from '../protocol/methods';
import { plainTable } from '../protocol/tableText';
import { auditHeader, auditTable, defaultAuditDir } from '../engine/pipeline/classification/auditJob';
import { scenarioLabel } from '../engine/pipeline/classification/tableJob';
import type { AuditScenario } from '../protocol/audit';
import type { RunConfig } from '../protocol/config';
import { modelText } from '../protocol/modelSources';
import { ConfigError, parseRunConfig, withoutRunRecord } from '../protocol/runConfigSchema';
import { join } from 'node:path';
import { fail, numberArg, readArgs } from './common';
import { rayPython, runOnRay, type RayTaskResult } from './rayExecutor';
import { UserError } from '../store/errors';
import { jobErrorText, toJobError } from '../protocol/jobError';
import { runJobCommand, validateOrFail, type StartCommand } from './jobCommand';
import { methodsArg, STUDY_OPTIONS, STUDY_USAGE, studyConfigFields, studyOptions } from './studyArgs';

const AUDIT_USAGE = `salun audit — evidence that a method forgot, beyond the Avg. Gap

For one θo and forget set (seed s): N Retrain models (seeds s … s+N−1, cached in
<workspace>/.salun/cache) and N runs of each method (unlearning seeds s … s+N−1). Prints per model
kind the unlearning challenge's forgetting quality F (per forget example the ε of the best
threshold test between the unlearned and the Retrain confidences, scored in buckets of 0.5 up to
⌈ln(N − 1)⌉) and final score (F × RA/RA_retrain × TA/TA_retrain), a per-example likelihood-ratio
attack (the method's N confidences against Retrain's, example by example: AUC, TPR at 1% FPR), and
the relearning test (SGD steps on
part of the forget set until the rest is as accurate as under θo), with the time each cost. θo is
audited beside the methods (N copies of one model).

Every model is written under models/ as it finishes: running the same audit again (after Ctrl-C, a
crash or a closed window) reads them and trains only the rest; another --methods list or a larger
--models on the same data, model and forget set reuses them too.

Usage:
  salun audit [options]
  salun audit <config> [options]   the run config's data, model (yours too: tfjs, ONNX, PyTorch),
                                   forget set (indices files too), θo recipe, seed, mask, and its
                                   method at its own recipe (add others with --methods)

Options:
  --methods <list>    comma-separated (default ${AUDIT_DEFAULT_METHODS.join(',')})
  --models <N>        N Retrain models and runs of each method (default ${DEFAULT_AUDIT_MODELS}; the challenge used 512)
  --seed <s>          θo's and the forget set's seed (default 1)
  --relearn-share <f> share of the forget set the relearning test fine-tunes on (default 0.1)
  --relearn-steps <n> steps the relearning test tries (default 100)
  --ratio <r>         SalUn's saliency ratio (default ${DEFAULT_RATIO})
  --out <dir>         output folder (default <workspace>/.salun/audits/<scenario>-<model>-<config hash>/)
  --ray <address>     each model is a task on this Ray cluster (host:port; the nodes see the workspace at
                      the same path); the figures are then computed here from the models they wrote
  --python <py>       the Python that has Ray, for --ray (default $SALUN_PYTHON, else python3)
  --ray-gpus <n>      GPUs each task asks Ray for (default 0)
${STUDY_USAGE}

Writes audit.md, audit.json (config, backend, machine, date, every figure), config.json and
models/ (each model's forget-set confidences and accuracies, the relearning tests).`;

const AUDIT_OPTIONS = {
  ...STUDY_OPTIONS,
  methods: { type: 'string' },
  models: { type: 'string' },
  seed: { type: 'string' },
  'relearn-share': { type: 'string' },
  'relearn-steps': { type: 'string' },
  ratio: { type: 'string' },
  ray: { type: 'string' },
  python: { type: 'string' },
  'ray-gpus': { type: 'string' },
} as const;

/** Flags that say what a run config already says: given beside one, they would be silently overruled. */
const CONFIG_SAYS = ['scenario', 'fraction', 'class', 'data', 'train-subset', 'held-out', 'model', 'train-epochs', 'ratio'] as const;

function scenarioOfRun(run: RunConfig, file: string): AuditScenario {
  const f = run.forget;
  if (f.kind === 'class') return { kind: 'class', classIndex: f.classIndex };
  if (f.kind === 'indices') return { kind: 'indices', file: f.file };
  if (f.seed !== undefined && f.seed !== run.seed)
    fail(`${file}: forget.seed ${f.seed} differs from seed ${run.seed}; an audit draws the forget set with θo's seed`, 2);
  return { kind: 'random', fraction: f.fraction };
}

/** The audit of a run config: its θo, forget set and mask, and its method at its own recipe. */
function fromRunConfig(file: string, v: Record<string, unknown>): Partial<AuditConfig> {
  const given = CONFIG_SAYS.filter((k) => v[k] !== undefined);
  if (given.length) fail(`${given.map((k) => `--${k}`).join(', ')}: ${file} already says it; change the config instead`, 2);
  let run: RunConfig;
  try {
    run = parseRunConfig(withoutRunRecord(JSON.parse(readFileSync(file, 'utf8')) as unknown), file);
  } catch (e) {
    return fail(e instanceof ConfigError ? e.message : `cannot read ${file}: ${(e as Error).message}`, 2);
  }
  const { auto: _auto, ...unlearn } = run.unlearn as RunConfig['unlearn'] & { auto?: boolean };
  return {
    scenario: scenarioOfRun(run, file),
    seed: run.seed,
    methods: [run.method],
    data: run.data,
    model: run.model,
    train: run.train,
    saliency: run.saliency,
    backend: run.backend,
    ...(run.workers !== undefined ? { workers: run.workers } : {}),
    runRecipe: { method: run.method, unlearn, ...(run.masked ? { masked: true } : {}), ...(run.methodOptions ? { methodOptions: run.methodOptions } : {}) },
  };
}

/** The audit config the command line says (a run config first, when given); a bad flag or config exits with its reason. */
export function parseAuditArgs(argv: string[]): { config: AuditConfig; study: ReturnType<typeof studyOptions>; ray?: RayChoice } {
  const { values: v, positionals } = readArgs(argv, AUDIT_OPTIONS, AUDIT_USAGE, true);
  if (positionals.length > 1) fail(`salun audit takes at most one config, got ${positionals.length}: ${positionals.join(' ')}\n\n${AUDIT_USAGE}`, 2);
  const study = studyOptions(v);
  const d = defaultAuditConfig();
  const fromFile = positionals.length ? fromRunConfig(positionals[0], v) : undefined;
  const config: AuditConfig = {
    ...d,
    ...studyConfigFields(study),
    ...fromFile,
    // A flag beside a config still wins where the config has no say in it (where it runs).
    ...(fromFile && v.backend !== undefined ? { backend: study.backend } : {}),
    ...(fromFile && v.workers !== undefined ? { workers: study.workers } : {}),
    ...(v.methods !== undefined ? { methods: methodsArg(v.methods) } : {}),
    ...(v.models !== undefined ? { models: numberArg('--models', v.models) } : {}),
    ...(v.seed !== undefined ? { seed: numberArg('--seed', v.seed) } : {}),
    ...(v.ratio !== undefined ? { saliency: { ratio: numberArg('--ratio', v.ratio) } } : {}),
    relearn: {
      ...d.relearn,
      ...(v['relearn-share'] !== undefined ? { share: numberArg('--relearn-share', v['relearn-share']) } : {}),
      ...(v['relearn-steps'] !== undefined ? { maxSteps: numberArg('--relearn-steps', v['relearn-steps']) } : {}),
    },
  };
  const ray =
    v.ray !== undefined
      ? { address: v.ray, python: rayPython(v.python), gpus: v['ray-gpus'] !== undefined ? numberArg('--ray-gpus', v['ray-gpus']) : 0 }
      : undefined;
  if (!ray && (v.python !== undefined || v['ray-gpus'] !== undefined)) fail('--python and --ray-gpus go with --ray <address>', 2);
  return { config, study, ...(ray ? { ray } : {}) };
}

interface RayChoice {
  address: string;
  python: string;
  gpus: number;
}

/** Every model the audit lacks, each one task on the cluster; what failed is said, and the models done stay. */
async function modelsOnRay(command: StartCommand & { kind: 'audit' }, outDir: string, ray: RayChoice, quiet: boolean): Promise<void> {
  const c = command.config;
  const tasks = ['retrain', ...c.methods].flatMap((kind) =>
    Array.from({ length: c.models }, (_, i) => ({ kind, index: i + 1 }))
      .filter((m) => !existsSync(join(outDir, 'models', `${m.kind}-${m.index}.json`)))
      .map((m) => ({ id: `${m.kind}-${m.index}`, command: { ...command, outDir, config: { ...c, only: [m] } }, numCpus: 1, numGpus: ray.gpus })),
  );
  const say = (line: string): void => void (quiet || process.stderr.write(`${line}\n`));
  say(`ray: ${tasks.length} models to compute on ${ray.address}`);
  let results: RayTaskResult[];
  try {
    results = await runOnRay(tasks, {
      address: ray.address,
      python: ray.python,
      workspaceDir: command.workspaceDir,
      onConnected: (nodes, cpus) => say(`ray: connected, ${nodes} nodes, ${cpus} CPUs`),
      onResult: (r, done, of) => say(`ray: ${r.id} ${r.state} on node ${r.node} in ${r.seconds.toFixed(1)} s (${done}/${of})`),
    });
  } catch (e) {
    if (e instanceof UserError) fail(jobErrorText(toJobError(e)), 1);
    throw e;
  }
  const failed = results.filter((r) => r.state !== 'finished');
  if (failed.length)
    fail(
      `${failed.length} of ${tasks.length} models failed on the cluster:\n${failed.map((r) => `  ${r.id}: ${r.final.type === 'failed' ? r.final.error.message : r.state}`).join('\n')}\nThe models done are in ${join(outDir, 'models')}: run the same command again to compute the rest.`,
      1,
    );
}

export async function auditCommand(argv: string[]): Promise<void> {
  const { config, study: o, ray } = parseAuditArgs(argv);
  const command = { type: 'start', kind: 'audit', config, workspaceDir: o.workspace } as const satisfies StartCommand;
  validateOrFail(command, 'the audit config', 2);
  const outDir = o.out ?? defaultAuditDir(o.workspace, config);
  if (!o.quiet)
    process.stderr.write(
      `audit: ${scenarioLabel(config)}, ${modelText(config.model)}, N = ${config.models}, methods ${config.methods.join(', ')}\nout: ${outDir}\n`,
    );
  if (ray) await modelsOnRay(command, outDir, ray, o.quiet);
  await runJobCommand(
    { ...command, outDir },
    {
      quiet: o.quiet,
      source: 'the audit config',
      configExitCode: 2,
      whenCancelled: `the models finished so far are in ${join(outDir, 'models')}: run the same command again to go on from them`,
    },
  );
  const result = JSON.parse(readFileSync(join(outDir, 'audit.json'), 'utf8')) as AuditResult;
  if (o.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  console.log(`\nSalUn Lab audit: ${scenarioLabel(result.config)}, ${modelText(result.config.model)}`);
  console.log(auditHeader(result).join('\n'));
  console.log(`\n${plainTable(auditTable(result))}\n`);
  console.log(`written: ${outDir}/audit.md, audit.json`);
}
