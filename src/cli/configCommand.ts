// `salun run|saliency|evaluate <config>` and `salun demo`: a config file (any name; `*.salun.json`
// is what the editor checks with the shipped schema) or the demo's defaults, made into the start
// command the panel would send, and run through the same dispatch.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { backendLines } from '../protocol/backendSummary';
import { JOB_KIND_FACTS, type JobKind } from '../protocol/jobMessages';
import { defaultRunConfig, defaultSaliencyJobConfig } from '../protocol/defaults';
import { configFileKind } from '../protocol/configKinds';
import { isRecord } from '../protocol/guards';
import { withoutRunRecord } from '../protocol/runConfigSchema';
import { modelsPlain } from '../store/metrics/table';
import { unlearnedVerdict, verdictLine } from '../protocol/verdictText';
import { backendArg, fail, JOB_OPTIONS, nativeDirArg, readArgs, workersArg } from './common';
import { printGenerationResult } from './genCommand';
import { runJobCommand, type StartCommand } from './jobCommand';

export type ConfigCommandName = 'demo' | 'run' | 'saliency' | 'evaluate';

const KIND_OF: Record<ConfigCommandName, Extract<JobKind, 'run' | 'saliency' | 'evaluate'>> = {
  demo: 'run',
  run: 'run',
  saliency: 'saliency',
  evaluate: 'evaluate',
};

function readConfig(path: string | undefined, name: ConfigCommandName): unknown {
  if (!path) fail(`give a config file: salun ${name} <config.json> (see \`salun defaults\`; *.salun.json files are checked by the editor)`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    return fail(`cannot read ${path}: ${(e as Error).message}`);
  }
}

/**
 * A saliency job takes the run config's data, model, forget set, mask and training fields; a run
 * config (or a run folder's config.json) given to `salun saliency` keeps just those.
 */
function saliencyFields(config: Record<string, unknown>): Record<string, unknown> {
  const full = { ...defaultSaliencyJobConfig(), ...config };
  const keep = [...Object.keys(defaultSaliencyJobConfig()), 'workers'];
  return Object.fromEntries(Object.entries(full).filter(([k]) => keep.includes(k)));
}

function startCommand(name: ConfigCommandName, file: string | undefined, overrides: Record<string, unknown>, workspaceDir: string): StartCommand {
  const read = name === 'demo' ? defaultRunConfig() : withoutRunRecord(readConfig(file, name));
  if (!isRecord(read)) fail(`${file} is not a valid SalUn config:\n  - the top level must be a JSON object`, 1);
  const config = { ...read, ...overrides };
  // The config's type is checked by the kind's parser before anything runs (runJobCommand).
  // A config file of another kind says so ("task": "generation"); `salun run` takes it as it is.
  const fileKind = configFileKind(read);
  if (name === 'run' && fileKind !== 'run') return { type: 'start', kind: fileKind, config: config as never, workspaceDir };
  switch (KIND_OF[name]) {
    case 'run':
      return { type: 'start', kind: 'run', config: config as never, workspaceDir };
    case 'saliency':
      return { type: 'start', kind: 'saliency', config: saliencyFields(config) as never, workspaceDir };
    case 'evaluate':
      return { type: 'start', kind: 'evaluate', config: config as never, workspaceDir };
  }
}

export async function configCommand(name: ConfigCommandName, argv: string[], usage: string): Promise<void> {
  const { values: v, positionals } = readArgs(argv, JOB_OPTIONS, usage, true);
  if (v['native-dir'] !== undefined) nativeDirArg(v['native-dir']);
  const overrides = {
    ...(v.backend !== undefined ? { backend: backendArg('--backend', v.backend) } : {}),
    ...(v.workers !== undefined ? { workers: workersArg('--workers', v.workers) } : {}),
  };
  const workspaceDir = v.workspace !== undefined ? resolve(v.workspace) : process.cwd();
  const command = startCommand(name, positionals[0], overrides, workspaceDir);
  const t0 = Date.now();
  const result = await runJobCommand(command, {
    quiet: v.quiet === true,
    source: name === 'demo' ? 'the demo config' : (positionals[0] ?? 'config'),
    configExitCode: 1,
  });
  if (JOB_KIND_FACTS[command.kind].drawsSamples) {
    printGenerationResult(result, t0, v.json === true);
    return;
  }
  if (v.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  if (result.rows.length) console.log(`\n${modelsPlain(result.rows)}\n`);
  const verdict = unlearnedVerdict(result.rows);
  if (verdict) console.log(`${verdictLine(verdict)}\n`);
  if (result.saliency) {
    const s = result.saliency;
    console.log(`Saliency: ratio ${s.ratio.toFixed(3)}, γ = ${s.gamma.toExponential(3)}, ${s.salientWeights} of ${s.totalWeights} weights salient`);
    for (const l of s.layers)
      console.log(`  ${l.name.padEnd(24)} ${String(l.count).padStart(8)} weights  ${(100 * l.salientFraction).toFixed(1).padStart(5)}% salient`);
  }
  console.log(`\n${backendLines(result.backend).join('\n')}`);
  console.log(`run folder: ${result.runDir}`);
  console.log(`wall time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
