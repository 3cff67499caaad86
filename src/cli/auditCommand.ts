// `salun audit`: the evidence that a method forgot (protocol/audit.ts): the unlearning challenge's
// forgetting quality and final score, a per-example attack and a relearning test, for θo and each
// method, from N Retrain models and N runs of each method.
import { readFileSync } from 'node:fs';
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
export function parseAuditArgs(argv: string[]): { config: AuditConfig; study: ReturnType<typeof studyOptions> } {
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
  return { config, study };
}

export async function auditCommand(argv: string[]): Promise<void> {
  const { config, study: o } = parseAuditArgs(argv);
  const command: StartCommand = { type: 'start', kind: 'audit', config, workspaceDir: o.workspace };
  validateOrFail(command, 'the audit config', 2);
  const outDir = o.out ?? defaultAuditDir(o.workspace, config);
  if (!o.quiet)
    process.stderr.write(
      `audit: ${scenarioLabel(config)}, ${modelText(config.model)}, N = ${config.models}, methods ${config.methods.join(', ')}\nout: ${outDir}\n`,
    );
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
