// The relearning test (after Hu et al., "Jogging the memory of unlearned LLMs", and Lynch et al.,
// 2024: unlearning that only hides what was learnt comes back after a few steps): an attacker
// fine-tunes the model on a share of the forget set and we count the SGD steps until the rest of
// the forget set is as accurate as under θo. A model that never saw Df (Retrain) needs many steps
// or never gets there; one that still holds it needs few. The model is a copy: the caller's is
// never changed.
import type { RelearnConfig, RelearnFigures } from '../../protocol/audit';
import type { ImageSet } from '../data/dataset';
import { gatherRows } from '../data/dataset';
import { throwIfAborted } from '../../store/errors';
import { CycledBatches } from '../methods/cycledBatches';
import { batchShapeFor } from '../models/forward';
import { classifierOf, cloneModel, type Classifier } from '../models/io';
import { makeRng, shuffleInPlace, subSeed } from '../rng';
import { batchGradients, trainableVariables } from '../train/loop';
import { Sgd } from '../train/sgd';
import { accuracyPercent, predictPerSample } from './evaluate';

/** The forget rows the attacker trains on and the ones that measure the comeback, split by `seed`. */
export function relearnSplit(forget: Int32Array, share: number, seed: number): { train: Int32Array; held: Int32Array } {
  const order = shuffleInPlace(Int32Array.from(forget), makeRng(subSeed(seed, 'relearn')));
  const k = Math.min(order.length - 1, Math.max(1, Math.round(share * order.length)));
  return { train: order.slice(0, k), held: order.slice(k) };
}

export async function relearnSteps(
  model: Classifier,
  set: ImageSet,
  split: { train: Int32Array; held: Int32Array },
  target: number,
  o: RelearnConfig & { seed: number; signal?: AbortSignal },
): Promise<RelearnFigures> {
  const t0 = Date.now();
  const clf = classifierOf(await cloneModel(model.model));
  const accuracy = async (): Promise<number> => accuracyPercent((await predictPerSample(clf, set, split.held, o.signal)).correct);
  try {
    const vars = trainableVariables(clf);
    const optimizer = new Sgd(vars, { lr: o.lr, momentum: 0.9, weightDecay: 0 });
    const batches = new CycledBatches(split.train, o.batchSize, makeRng(subSeed(o.seed, 'relearn-batches')), 'reshuffle');
    const shapeOf = batchShapeFor(clf, set);
    const startAccuracy = await accuracy();
    let acc = startAccuracy;
    let steps: number | null = acc >= target ? 0 : null;
    try {
      for (let step = 1; steps === null && step <= o.maxSteps; step++) {
        throwIfAborted(o.signal);
        const rows = batches.next();
        const { x, y } = gatherRows(set, rows, 0, rows.length);
        const { grads } = await batchGradients({ clf, vars, x, labels: y, shape: shapeOf(rows.length), negate: false, batchSize: o.batchSize });
        optimizer.step(grads);
        grads.forEach((g) => g.dispose());
        acc = await accuracy();
        if (acc >= target) steps = step;
      }
    } finally {
      optimizer.dispose();
    }
    return { steps, startAccuracy, endAccuracy: acc, target, seconds: (Date.now() - t0) / 1000 };
  } finally {
    clf.model.dispose();
  }
}
