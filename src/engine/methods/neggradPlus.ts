// NegGrad+ (Kurmanji et al., NeurIPS 2023, the SCRUB paper's strong baseline): fine-tuning on Dr
// and gradient ascent on Df in one loss per step,
//
//   loss = alpha · CE(retain batch) − (1 − alpha) · CE(forget batch)
//
// An epoch is one pass over Dr; each retain batch is paired with the next forget batch, the forget
// batches cycling. From the authors' code (github.com/meghdadk/SCRUB,
// thirdparty/repdistiller/helper/loops.py `train_negrad`: zip(train_loader, cycle(delete_loader)),
// `alpha*r_loss - (1-alpha)*del_loss`); itertools.cycle replays the forget loader's first order
// within an epoch, and a new epoch shuffles again, as here. The method row's recipe and options
// (retain batches of 128, forget batches of 32, SGD without momentum or weight decay, alpha 0.9999)
// are large_scale_ictest.ipynb's. The retain batches draw FT's shuffles, so with alpha = 1 (no
// forget term) this is FT bit for bit.
import { checkBatchFits } from '../backend/deviceHealth';
import { gatherRows } from '../data/dataset';
import { throwIfAborted, UserError } from '../../store/errors';
import { batchShapeFor } from '../models/forward';
import { makeRng, shuffleInPlace, subSeed } from '../rng';
import { tf, type T } from '../tf';
import { scheduledLr } from '../train/fit';
import { batchGradients, trainableVariables } from '../train/loop';
import { Sgd } from '../train/sgd';
import { CycledBatches } from './cycledBatches';
import type { UnlearnInput } from './input';

export interface NegGradPlusOptions {
  /** Weight of the retain cross-entropy; the forget term's is 1 − alpha. */
  alpha: number;
  /** Rows per forget batch. */
  forgetBatchSize: number;
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** alpha·g_r − (1 − alpha)·g_f, per variable. */
export function jointGradients(retain: readonly T.Tensor[], forget: readonly T.Tensor[], alpha: number): T.Tensor[] {
  return tf.tidy(() => retain.map((g, i) => tf.sub(tf.mul(g, alpha), tf.mul(forget[i], 1 - alpha))));
}

export async function negGradPlus(u: UnlearnInput, o: NegGradPlusOptions, streamOf: string): Promise<void> {
  const vars = trainableVariables(u.clf);
  const optimizer = new Sgd(vars, { lr: u.recipe.lr, momentum: u.recipe.momentum, weightDecay: u.recipe.weightDecay }, u.mask);
  const rand = makeRng(subSeed(u.seed, `unlearn-${streamOf}`));
  const forget = new CycledBatches(u.forget, o.forgetBatchSize, makeRng(subSeed(u.seed, `unlearn-${u.method}-forget`)), 'replay');
  const shapeOf = batchShapeFor(u.clf, u.train);
  const pool = u.pool && (await u.pool.usable()) ? u.pool : undefined;
  checkBatchFits(u.clf.model, Math.max(u.recipe.batchSize, o.forgetBatchSize));
  const gradientsOf = async (rows: Int32Array, negate: boolean): Promise<{ loss: number; grads: T.Tensor[] }> => {
    const { x, y } = gatherRows(u.train, rows, 0, rows.length);
    return batchGradients({ clf: u.clf, vars, x, labels: y, shape: shapeOf(rows.length), negate, pool, batchSize: u.recipe.batchSize });
  };
  try {
    for (let epoch = 1; epoch <= u.recipe.epochs; epoch++) {
      optimizer.options = { ...optimizer.options, lr: scheduledLr(u.recipe, epoch) };
      if (epoch > 1) forget.restart();
      const order = shuffleInPlace(Int32Array.from(u.retain), rand);
      let lossSum = 0;
      for (let from = 0; from < order.length; from += u.recipe.batchSize) {
        throwIfAborted(u.signal);
        const rows = order.subarray(from, Math.min(order.length, from + u.recipe.batchSize));
        const r = await gradientsOf(rows, false);
        const f = await gradientsOf(forget.next(), false);
        const loss = o.alpha * r.loss - (1 - o.alpha) * f.loss;
        const grads = Number.isFinite(loss) ? jointGradients(r.grads, f.grads, o.alpha) : [];
        tf.dispose([...r.grads, ...f.grads]);
        if (!Number.isFinite(loss))
          throw new UserError(
            `The NegGrad+ loss became ${loss} at retain sample ${from} of epoch ${epoch}.`,
            'The forget term grows without bound at this rate: lower the learning rate or raise alpha (the retain weight).',
          );
        optimizer.step(grads);
        tf.dispose(grads);
        lossSum += loss * rows.length;
        u.onBatch?.(epoch, from + rows.length, order.length);
        await yieldToLoop();
      }
      await u.onEpoch?.(epoch, lossSum / Math.max(1, order.length));
      if (u.stop?.aborted) return;
    }
  } finally {
    optimizer.dispose();
  }
}
