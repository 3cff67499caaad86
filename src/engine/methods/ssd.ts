// SSD, Selective Synaptic Dampening (Foster, Schoepf and Brintrup, AAAI 2024), and LFSSD, its
// label-free variant (Foster et al., "Loss-Free Machine Unlearning", ICLR 2024 Tiny Papers): no
// training, one importance pass over the whole training set D and one over Df, then every weight
// that matters far more to Df than to D is shrunk:
//
//   I_D, I_Df   importances (importance.ts) over D = Dr ∪ Df and over Df
//   selected    I_Df > alpha · I_D
//   θ ← θ · min(lambda · I_D / I_Df, 1)   on the selected weights; every other weight is untouched
//
// From the authors' code (github.com/if-loops/selective-synaptic-dampening, src/ssd.py):
// calc_importance sums the squared gradient of each batch's mean cross-entropy and divides by the
// number of batches, model.eval() first, the rows unshuffled; modify_weight applies the rule above
// to every named parameter (batch norm's running statistics are buffers and stay). LFSSD (the same
// repo's README) replaces the loss by the batch mean of ‖f(x)‖₂² and the square by the absolute
// value, so it needs no labels. The authors' loaders use batches of 128 for random forgetting and
// 64 for class-wise; here the run's batch size. A saliency mask, when given, limits the dampening
// to salient weights.
import { tf, type T } from '../tf';
import { trainableVariables } from '../train/loop';
import { batchImportances, meanImportanceLoss, type ImportanceKind } from './importance';
import type { UnlearnInput } from './input';

export interface SsdOptions {
  /** α, the selection weighting: a weight is dampened when I_Df > alpha · I_D. */
  alpha: number;
  /** λ, the dampening constant: the factor is min(lambda · I_D / I_Df, 1). */
  lambda: number;
}

export const SSD_IMPORTANCE: ImportanceKind = { loss: 'ce', accumulate: 'square' };
export const LFSSD_IMPORTANCE: ImportanceKind = { loss: 'output-norm', accumulate: 'abs' };

/** The dampened weights from θ and the two importances: the rule above, nothing else. */
export function dampened(theta: T.Tensor, fullImportance: T.Tensor, forgetImportance: T.Tensor, o: SsdOptions): T.Tensor {
  return tf.tidy(() => {
    const selected = tf.greater(forgetImportance, tf.mul(fullImportance, o.alpha));
    const factor = tf.minimum(tf.divNoNan(tf.mul(fullImportance, o.lambda), forgetImportance), 1);
    return tf.where(selected, tf.mul(theta, factor), theta);
  });
}

export async function selectiveDampening(u: UnlearnInput, o: SsdOptions, kind: ImportanceKind): Promise<void> {
  const vars = trainableVariables(u.clf);
  const full = Int32Array.from([...u.retain, ...u.forget]).sort();
  const total = full.length + u.forget.length;
  const common = { ...kind, batchSize: u.recipe.batchSize, signal: u.signal };
  const owned: T.Tensor[] = [];
  try {
    owned.push(...(await batchImportances(u.clf, vars, u.train, full, { ...common, onBatch: (done) => u.onBatch?.(1, done, total) })));
    const forgetImp = await batchImportances(u.clf, vars, u.train, u.forget, { ...common, onBatch: (done) => u.onBatch?.(1, full.length + done, total) });
    owned.push(...forgetImp);
    let changed = 0;
    for (const [i, v] of vars.entries()) {
      const moved = tf.tidy(() => {
        let next = dampened(v, owned[i], forgetImp[i], o);
        if (u.mask) next = tf.where(u.mask.salient[i], next, u.mask.anchor[i]);
        const count = tf.sum(tf.cast(tf.notEqual(next, v), 'int32'));
        v.assign(next);
        return count;
      });
      changed += (await moved.data())[0];
      moved.dispose();
    }
    const weights = vars.reduce((n, v) => n + v.size, 0);
    u.log?.('info', `${u.method}: ${changed} of ${weights} weights dampened (α ${o.alpha}, λ ${o.lambda})`);
  } finally {
    tf.dispose(owned);
  }
  // The epoch's loss: the importance loss on Df after the dampening.
  await u.onEpoch?.(1, await meanImportanceLoss(u.clf, u.train, u.forget, kind.loss, u.recipe.batchSize));
}
