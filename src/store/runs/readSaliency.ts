// Reads a run folder's saliency map back (saliency/summary.json + scores.f32), so any other ratio
// or γ can be previewed without recomputing gradients.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SaliencySummary } from '../../protocol/results';
import { isFiniteNumber, isRecord, isString } from '../../protocol/guards';
import type { SaliencyScores } from '../saliency/mask';

export interface StoredSaliency {
  /** The summary of the mask the run used. */
  summary: SaliencySummary;
  scores: SaliencyScores;
}

export class SaliencyReadError extends Error {}

const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/** The scores are sliced by `count` and reshaped by `shape`: both must agree before any slicing. */
function layerProblem(l: unknown): string | undefined {
  if (!isRecord(l) || !isString(l.name)) return 'no name';
  if (!Array.isArray(l.shape) || !l.shape.every(isCount)) return `${l.name}: shape is not a list of sizes`;
  if (!isCount(l.count) || l.shape.reduce((n: number, d: number) => n * d, 1) !== l.count)
    return `${l.name}: count ${String(l.count)} does not match shape [${l.shape.join(', ')}]`;
  if (!isFiniteNumber(l.salient) || !isFiniteNumber(l.salientFraction)) return `${l.name}: salient counts are not numbers`;
  return undefined;
}

export function readSaliency(runDir: string): StoredSaliency {
  const summaryPath = join(runDir, 'saliency', 'summary.json');
  const scoresPath = join(runDir, 'saliency', 'scores.f32');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(summaryPath, 'utf8'));
  } catch (e) {
    throw new SaliencyReadError(`${summaryPath}: ${(e as Error).message}`);
  }
  if (
    !isRecord(raw) ||
    !Array.isArray(raw.layers) ||
    !isFiniteNumber(raw.ratio) ||
    typeof raw.gamma !== 'number' ||
    !isFiniteNumber(raw.totalWeights) ||
    !isFiniteNumber(raw.salientWeights)
  ) {
    throw new SaliencyReadError(`${summaryPath}: not a saliency summary`);
  }
  raw.layers.forEach((l: unknown, i) => {
    const why = layerProblem(l);
    if (why) throw new SaliencyReadError(`${summaryPath}: layer ${i + 1}: ${why}`);
  });
  const summary: SaliencySummary = {
    ratio: raw.ratio,
    gamma: raw.gamma,
    totalWeights: raw.totalWeights,
    salientWeights: raw.salientWeights,
    layers: raw.layers as SaliencySummary['layers'],
  };
  let bytes: Buffer;
  try {
    bytes = readFileSync(scoresPath);
  } catch (e) {
    throw new SaliencyReadError(`${scoresPath}: ${(e as Error).message}`);
  }
  const expected = summary.layers.reduce((n, l) => n + l.count, 0);
  if (bytes.byteLength !== expected * 4) {
    throw new SaliencyReadError(`${scoresPath}: ${bytes.byteLength} bytes, expected ${expected * 4} (${expected} float32 scores)`);
  }
  // A Buffer may sit at any offset of a shared pool; copy into an aligned array.
  const all = new Float32Array(expected);
  new Uint8Array(all.buffer).set(bytes);
  const scores: Float32Array[] = [];
  let at = 0;
  for (const l of summary.layers) {
    scores.push(all.subarray(at, at + l.count));
    at += l.count;
  }
  return { summary, scores: { names: summary.layers.map((l) => l.name), shapes: summary.layers.map((l) => [...l.shape]), scores } };
}
