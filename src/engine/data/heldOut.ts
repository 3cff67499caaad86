// data.heldOut: rows of the training data set aside before anything is trained, so that θo,
// Retrain and every unlearning run never see them. They are the unseen reference of the
// Retrain-free verdict and of salun-auto (docs/verdict.md). The test set is the fallback reference, but it
// need not come from the training data's distribution: on the bundled Fashion-MNIST subset, Retrain
// scores 2.6–3 points higher on Df (training rows it never saw) than on the test set, so a rule
// that drives Df's accuracy down to the test set's over-forgets by that much. Rows drawn from the
// same file as Df are unseen in the same way Df is for Retrain.
import { UserError } from '../../store/errors';
import { makeRng, shuffleInPlace } from '../rng';
import { allIndices, type ImageSet, type SplitData } from './dataset';
import { subsetRows } from './subset';

export interface HeldOutSplit {
  /** The data with the held-out rows removed from its training set. */
  data: SplitData;
  /** The held-out rows (absent when none were asked for). */
  heldOut?: ImageSet;
}

/**
 * Removes `count` training rows, drawn uniformly with `seed` (so as Df's random rows are), and
 * returns them apart. Both parts keep the file order. No rows asked for: the data unchanged.
 */
export function withHeldOut(data: SplitData, count: number | undefined, seed: number): HeldOutSplit {
  if (count === undefined || count === 0) return { data };
  if (!(Number.isInteger(count) && count > 0))
    throw new UserError(`data.heldOut must be a whole number of training rows (0 for none), got ${count}.`, 'Give e.g. "heldOut": 1000.');
  // At least half of the rows stay for training: a held-out set larger than that is a different experiment.
  if (count > data.train.n / 2)
    throw new UserError(
      `data.heldOut asks for ${count} of the ${data.train.n} training rows; at most half (${Math.floor(data.train.n / 2)}) can be held out.`,
      'Hold out fewer rows (≈ 10% is enough for the verdict), or leave heldOut out to use the test set.',
    );
  const order = shuffleInPlace(allIndices(data.train.n), makeRng(seed));
  const held = order.slice(0, count).sort();
  const kept = order.slice(count).sort();
  return {
    data: { ...data, train: subsetRows(data.train, kept, `${data.train.source}, without ${count} held-out rows`) },
    heldOut: subsetRows(data.train, held, `${count} held-out rows of ${data.train.source}`),
  };
}
