// What the backend line says about the machine's cores when training would leave some idle
// (wasm trained on 1 thread of 2 cores and nothing said so). The default stays 1 worker:
// data-parallel workers change a batch-norm model's results (each shard normalises with its own
// statistics) and key the θo/Retrain cache, so a default that followed the core count would make
// the same config give different tables on different machines. The user is told instead.
import { availableParallelism } from 'node:os';
import { isWorkerBackend, type BackendName } from '../../protocol/backends';
import type { EngineClient } from './attempt';

/** "2 cores: set salun.workers to 2 to train on both", or undefined when no core stays idle. */
export function coresHint(backend: BackendName, workers: number, client: EngineClient, cores: number = availableParallelism()): string | undefined {
  if (!isWorkerBackend(backend) || workers > 1 || cores < 2) return undefined;
  const how = client === 'vscode' ? `set salun.workers to ${cores}` : `--workers ${cores}`;
  return `${cores} cores: ${how} to train on ${cores === 2 ? 'both' : `all ${cores}`}`;
}
