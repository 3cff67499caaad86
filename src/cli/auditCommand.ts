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
import { join } from 'node:path';
import { numberArg, readArgs } from './common';
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

function parseAuditArgs(argv: string[]): { config: AuditConfig; study: ReturnType<typeof studyOptions> } {
  const { values: v } = readArgs(argv, AUDIT_OPTIONS, AUDIT_USAGE);
  const study = studyOptions(v);
  const d = defaultAuditConfig();
  const config: AuditConfig = {
    ...d,
    ...studyConfigFields(study),
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
      `audit: ${scenarioLabel(config)}, ${config.model.architecture}, N = ${config.models}, methods ${config.methods.join(', ')}\nout: ${outDir}\n`,
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
  console.log(`\nSalUn Lab audit: ${scenarioLabel(result.config)}, ${result.config.model.architecture.toUpperCase()}`);
  console.log(auditHeader(result).join('\n'));
  console.log(`\n${plainTable(auditTable(result))}\n`);
  console.log(`written: ${outDir}/audit.md, audit.json`);
}
