// Tiny end-to-end runs for the backend suites: the first rows of the bundled Fashion-MNIST subset
// written as an idx folder, and one SalUn job through the same dispatch the CLI and the panel use.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { defaultDataDir } from '../../src/store/data/idxLayout';
import { dispatchJob } from '../../src/engine/pipeline/dispatch';
import type { ArchitectureName, RunConfig } from '../../src/protocol/config';
import type { JobEvent } from '../../src/protocol/jobMessages';
import type { BackendName } from '../../src/protocol/backends';
import type { RunResult } from '../../src/protocol/results';

/** An idx folder holding the first `train` training and `test` test rows of the bundled subset. */
export function tinyIdxFolder(train: number, test: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'salun-tiny-'));
  const src = defaultDataDir();
  for (const [prefix, n] of [
    ['train', train],
    ['t10k', test],
  ] as const) {
    const images = gunzipSync(readFileSync(join(src, `${prefix}-images-idx3-ubyte.gz`)));
    const labels = gunzipSync(readFileSync(join(src, `${prefix}-labels-idx1-ubyte.gz`)));
    const imageHeader = Buffer.from(images.subarray(0, 16));
    imageHeader.writeUInt32BE(n, 4);
    const labelHeader = Buffer.from(labels.subarray(0, 8));
    labelHeader.writeUInt32BE(n, 4);
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), Buffer.concat([imageHeader, images.subarray(16, 16 + n * 784)]));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), Buffer.concat([labelHeader, labels.subarray(8, 8 + n)]));
  }
  return dir;
}

/** Training, Retrain, saliency and SalUn at one epoch each: every step of a run, at the smallest size. */
export function tinyRunConfig(dataDir: string, architecture: ArchitectureName, backend: BackendName): RunConfig {
  const recipe = { epochs: 1, lr: 0.05, schedule: 'constant' as const, momentum: 0.9, weightDecay: 0.0005, batchSize: 32 };
  return {
    name: `tiny-${architecture}-${backend}`,
    data: { kind: 'idx', dir: dataDir },
    model: { kind: 'builtin', architecture },
    forget: { kind: 'random', fraction: 0.2, seed: 1 },
    method: 'salun',
    saliency: { ratio: 0.5 },
    train: recipe,
    unlearn: { ...recipe, lr: 0.005 },
    retrain: true,
    seed: 1,
    backend,
  };
}

export async function runJob(config: RunConfig, workspaceDir: string): Promise<{ result: RunResult; events: JobEvent[] }> {
  const events: JobEvent[] = [];
  const result = await dispatchJob({ type: 'start', kind: 'run', config, workspaceDir }, (e) => events.push(e), new AbortController().signal);
  const end = events[events.length - 1];
  if (!result) assert.fail(`the run did not finish: ${JSON.stringify(end)}`);
  return { result, events };
}

/**
 * Two runs of the same config on two backends agree: the same saliency mask size and every metric
 * within `points` (one sample of a small set is 100/|set| points: a float32 rounding difference may
 * flip a sample whose two top logits are within it, never more than a few).
 */
export function assertSameRun(a: RunResult, b: RunResult, points: number): void {
  assert.equal(a.rows.length, b.rows.length);
  for (let i = 0; i < a.rows.length; i++) {
    for (const k of ['UA', 'RA', 'TA', 'MIA'] as const) {
      const d = Math.abs(a.rows[i].metrics[k] - b.rows[i].metrics[k]);
      assert.ok(
        d <= points,
        `${a.rows[i].method} ${k}: ${a.backend.name} ${a.rows[i].metrics[k]} vs ${b.backend.name} ${b.rows[i].metrics[k]} (|Δ| ${d} > ${points})`,
      );
    }
  }
  const sa = a.saliency?.salientWeights ?? -1;
  const sb = b.saliency?.salientWeights ?? -1;
  assert.ok(Math.abs(sa - sb) <= 0.001 * (a.saliency?.totalWeights ?? 1), `salient weights: ${sa} vs ${sb}`);
}
