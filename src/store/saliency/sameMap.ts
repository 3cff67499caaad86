// A saliency map already computed for the same question: a past run or saliency job of the same
// model, data (with its scaling) and forget set. The map is |∇ loss on Df| at θo, so those fix it;
// for a built-in θo, which the job trains, the training recipe, seed and worker count fix θo too.
// A model file changed after the run started does not match (its θo is another one).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSpec, ForgetSpec, ModelSpec, OptimizerRecipe } from '../../protocol/config';
import { isRecord, isString } from '../../protocol/guards';
import { readSaliency, SaliencyReadError } from '../runs/readSaliency';
import { runsRoot } from '../runs/runFolder';
import { readRunJson } from '../runs/runShapes';
import type { SaliencyScores } from './mask';

/** What fixes a saliency map: the parts of a run or saliency config it depends on. */
export interface SaliencyQuestion {
  model: ModelSpec;
  data: DataSpec;
  forget: ForgetSpec;
  train: OptimizerRecipe;
  seed: number;
  workers?: number;
}

export interface FoundSaliency {
  runId: string;
  scores: SaliencyScores;
}

/** JSON with sorted keys, so key order never decides a match. */
function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (isRecord(x))
    return `{${Object.keys(x)
      .filter((k) => x[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(x[k])}`)
      .join(',')}}`;
  return JSON.stringify(x);
}

/** The identity of the map a config computes: 'unit' scaling written out, θo's recipe only for a built-in. */
export function saliencyKey(q: SaliencyQuestion): string {
  const data = { ...q.data, normalize: q.data.normalize ?? 'unit' };
  const theta = q.model.kind === 'builtin' ? { train: q.train, seed: q.seed, workers: q.workers ?? 1 } : {};
  return canonical({ model: q.model, data, forget: q.forget, ...theta });
}

function questionOf(config: unknown): SaliencyQuestion | undefined {
  if (!isRecord(config) || (config.kind !== 'run' && config.kind !== 'saliency')) return undefined;
  const { model, data, forget, train, seed, workers } = config;
  if (!isRecord(model) || !isRecord(data) || !isRecord(forget) || !isRecord(train) || typeof seed !== 'number') return undefined;
  return {
    model: model as unknown as ModelSpec,
    data: data as unknown as DataSpec,
    forget: forget as unknown as ForgetSpec,
    train: train as unknown as OptimizerRecipe,
    seed,
    ...(typeof workers === 'number' ? { workers } : {}),
  };
}

/** The model file is older than the run: the run's θo is the file as it is now. */
function modelUnchangedSince(model: ModelSpec, startedAt: unknown): boolean {
  if (model.kind !== 'file') return true;
  if (!isString(startedAt)) return false;
  try {
    return statSync(model.path).mtimeMs <= Date.parse(startedAt);
  } catch {
    return false;
  }
}

/**
 * The newest run folder of `workspaceDir` whose saliency map answers `q`, with its scores; undefined
 * when none does. Never throws: an unreadable folder is skipped (the Runs view reports it).
 */
export function findSameSaliency(workspaceDir: string, q: SaliencyQuestion): FoundSaliency | undefined {
  const root = runsRoot(workspaceDir);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return undefined;
  }
  const key = saliencyKey(q);
  for (const runId of names
    .filter((n) => !n.startsWith('.'))
    .sort()
    .reverse()) {
    const dir = join(root, runId);
    if (!existsSync(join(dir, 'saliency', 'scores.f32'))) continue;
    const problems: string[] = [];
    const theirs = questionOf(readRunJson(join(dir, 'config.json'), problems));
    if (!theirs || saliencyKey(theirs) !== key) continue;
    const status = readRunJson(join(dir, 'status.json'), problems);
    if (!modelUnchangedSince(q.model, isRecord(status) ? status.startedAt : undefined)) continue;
    try {
      return { runId, scores: readSaliency(dir).scores };
    } catch (e) {
      if (e instanceof SaliencyReadError) continue;
      throw e;
    }
  }
  return undefined;
}
