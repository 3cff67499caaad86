// `salun gen-train` (and scripts/train-gen-demo.mjs): trains the generation demo's θo once and
// writes models/gen-demo/, so that `salun gen-demo` does not pay the training.
import { defaultGenerationConfig } from '../protocol/generationConfig';
import type { BackendChoice } from '../protocol/backends';
import { selectBackend } from '../engine/backend/select';
import { exportDdpm } from '../engine/pipeline/generation/export';
import type { JobContext } from '../engine/pipeline/shared/jobContext';
import { abortOnCtrlC } from './common';
import { TerminalProgress } from './progressBar';

export interface GenTrainOptions {
  outDir: string;
  backend: BackendChoice;
  /** Adam steps; default: the demo config's. */
  iterations?: number | string;
  workspaceDir?: string;
}

export async function trainGenDemoModel(o: GenTrainOptions): Promise<void> {
  const config = defaultGenerationConfig();
  if (o.iterations !== undefined) config.train = { ...config.train, iterations: Number(o.iterations) };
  const abort = abortOnCtrlC();
  const progress = new TerminalProgress(false);
  const ctx: JobContext = {
    workspaceDir: o.workspaceDir ?? process.cwd(),
    emit: (e) => {
      progress.handle(e);
      if (e.type === 'log') {
        progress.clear();
        process.stderr.write(`${e.message}\n`);
      }
    },
    signal: abort.signal,
  };
  const backend = await selectBackend(o.backend);
  process.stderr.write(`backend: ${backend.name} (${backend.detail})\n`);
  const r = await exportDdpm(config, o.outDir, ctx, backend);
  progress.clear();
  console.log(
    `θo DDPM written to ${r.dir}: ${r.weights} weights, weights.bin ${(r.bytes / 1024).toFixed(0)} KiB, sha256 ${r.sha256}, ${config.train.iterations} steps in ${r.seconds.toFixed(0)} s on ${backend.name}, final loss ${r.finalLoss.toFixed(4)}`,
  );
}
