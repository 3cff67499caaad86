// One generation unlearning method from θo: SalUn-gen inside the saliency mask, RL-gen (the same
// loss, no mask), ESD; progress per iteration, a grid every `sampling.every` iterations, cancel at
// the next iteration. The saliency step writes saliency/ like a classification run's.
import { generationFacet, type GenerationMethodName } from '../../../protocol/genMethods';
import { GENERATION_METHOD_LABELS } from '../../../protocol/generationConfig';
import { generateSamples } from '../../generation/generateSamples';
import { computeGenerationSaliency } from '../../generation/saliency';
import { linearSchedule } from '../../generation/schedule';
import { unlearnGeneration } from '../../generation/unlearn';
import { cloneModel } from '../../models/io';
import { PhaseProgress } from '../../progress';
import { tf, type T } from '../../tf';
import type { GenerationRun } from './run';
import { writeStageGrid } from './grids';
import { saliencyOutcome } from '../shared/saliencyWriter';

/** |∇ L_simple(θo; Df)| summed over the forget images, and the top-ratio mask; emits 'saliency'. */
export async function generationSaliency(run: GenerationRun, original: T.LayersModel): Promise<Uint8Array[]> {
  const { ctx, config, folder } = run;
  const forget = run.rows.forget;
  ctx.emit({ type: 'phase', phase: 'saliency', label: `Saliency of the diffusion loss over ${forget.length} images of class ${config.forgetClass}` });
  const progress = new PhaseProgress(ctx.emit, 'saliency', forget.length);
  const t0 = Date.now();
  const scores = await computeGenerationSaliency(original, run.data.train, forget, {
    schedule: linearSchedule(),
    batchSize: config.unlearn.batchSize,
    seed: config.seed,
    signal: ctx.signal,
    onBatch: (done) => progress.update(done),
  });
  return saliencyOutcome(scores, { ratio: config.unlearn.ratio }, folder, ctx, t0).masks;
}

/** A grid of a snapshot of the weights part-way through unlearning (the first gridColumns seeds of every class). */
async function snapshotGrid(
  run: GenerationRun,
  original: T.LayersModel,
  weights: T.Tensor[],
  method: GenerationMethodName,
  iteration: number,
): Promise<number> {
  const t0 = Date.now();
  const copy = await cloneModel(original);
  try {
    copy.setWeights(weights);
    const s = run.config.sampling;
    const samples = await generateSamples(copy, {
      schedule: linearSchedule(),
      classes: run.classes,
      samplesPerClass: s.gridColumns,
      steps: s.ddimSteps,
      guidance: s.guidance,
      seed: run.config.seed,
      signal: run.ctx.signal,
    });
    writeStageGrid(run.folder, run.ctx, samples, s.gridColumns, run.layout, {
      stage: method,
      label: `${GENERATION_METHOD_LABELS[method]}, iteration ${iteration}/${run.config.unlearn.iterations}`,
      iteration,
    });
    return (Date.now() - t0) / 1000;
  } finally {
    copy.dispose();
    tf.dispose(weights);
  }
}

/**
 * Unlearns a copy of θo with `method`; the caller disposes the returned model. Grids part-way are
 * sampled from a copy of the weights taken at the iteration (tf.clone keeps the values an Adam step
 * then replaces), on a chain that runs between training steps, so the loop itself is unchanged;
 * their time is taken out of the method's.
 */
export async function runGenerationMethod(
  run: GenerationRun,
  method: GenerationMethodName,
  original: T.LayersModel,
  mask: Uint8Array[] | undefined,
): Promise<{ model: T.LayersModel; seconds: number }> {
  const { ctx, config } = run;
  const u = config.unlearn;
  const label = GENERATION_METHOD_LABELS[method];
  ctx.emit({
    type: 'phase',
    phase: 'unlearn',
    label: `${label}: ${u.iterations} Adam steps (lr ${u.lr}${generationFacet(method).knob === 'eta' ? `, η ${u.eta}` : `, β ${u.beta}`}${generationFacet(method).usesMask ? `, ratio ${u.ratio}` : ''})`,
  });
  const model = await cloneModel(original);
  const every = config.sampling.every;
  let grids: Promise<void> = Promise.resolve();
  let gridSeconds = 0;
  try {
    const progress = new PhaseProgress(ctx.emit, 'unlearn', u.iterations);
    const r = await unlearnGeneration({
      method,
      model,
      frozen: original,
      forget: { set: run.data.train, indices: run.rows.forget },
      retain: { set: run.data.train, indices: run.rows.retain },
      ...(generationFacet(method).usesMask ? { mask } : {}),
      iterations: u.iterations,
      lr: u.lr,
      beta: u.beta,
      eta: u.eta,
      ...(u.otherClass ? { otherClass: u.otherClass } : {}),
      seed: config.seed,
      batchSize: u.batchSize,
      gradClip: u.gradClip > 0 ? u.gradClip : null,
      signal: ctx.signal,
      onProgress: (p) => {
        progress.update(p.iteration);
        if (every > 0 && p.iteration % every === 0 && p.iteration < p.iterations) {
          const weights = model.getWeights().map((w) => tf.clone(w));
          grids = grids.then(async () => {
            gridSeconds += await snapshotGrid(run, original, weights, method, p.iteration);
          });
        }
      },
    });
    await grids;
    return { model, seconds: Math.max(0, r.seconds - gridSeconds) };
  } catch (e) {
    await grids.catch(() => undefined);
    model.dispose();
    throw e;
  }
}
