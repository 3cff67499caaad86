// SCRUB on toy data (cpu backend): the max-steps push the student's outputs on the forget set away
// from the teacher's, the min-steps keep the retain accuracy near the teacher's, and a saliency mask
// keeps every non-salient weight at θo bit for bit.
import { strict as assert } from 'node:assert';
import { assertNonSalientUnchanged } from '../support/maskedWeights';
import { allIndices, gatherRows, type ImageSet } from '../../src/engine/data/dataset';
import { distillKl } from '../../src/engine/methods/scrub';
import { unlearn } from '../../src/engine/methods/unlearn';
import { batchShapeFor, logProbs } from '../../src/engine/models/forward';
import { classifierOf, cloneModel, type Classifier } from '../../src/engine/models/io';
import { buildMask, SaliencyIndex } from '../../src/store/saliency/mask';
import { computeSaliencyScores } from '../../src/engine/saliency/scores';
import { trainableVariables } from '../../src/engine/train/loop';
import { tf, type T } from '../../src/engine/tf';
import { DEFAULT_METHOD_OPTIONS, defaultUnlearnRecipe } from '../../src/protocol/methods';
import type { OptimizerRecipe } from '../../src/protocol/config';
import { fit } from '../../src/engine/train/fit';
import { tinyMlp, toyImages, toyRecipe, useCpu } from '../support/tinyModels';

const recipe = (o: Partial<OptimizerRecipe> = {}): OptimizerRecipe => toyRecipe({ epochs: 3, ...o });

/** Mean KL_T(teacher ‖ student) over the rows, both in inference mode. */
function klOn(teacher: Classifier, student: Classifier, set: ImageSet, rows: Int32Array, temperature: number): number {
  return tf.tidy(() => {
    const { x } = gatherRows(set, rows);
    const xb = tf.tensor(x, batchShapeFor(student, set)(rows.length));
    return distillKl(logProbs(teacher, xb, false), logProbs(student, xb, false), temperature).dataSync()[0];
  });
}

function accuracyOn(clf: Classifier, set: ImageSet, rows: Int32Array): number {
  return tf.tidy(() => {
    const { x, y } = gatherRows(set, rows);
    const pred = Array.from(tf.argMax(logProbs(clf, tf.tensor(x, batchShapeFor(clf, set)(rows.length)), false), 1).dataSync());
    return pred.filter((p, i) => p === y[i]).length / rows.length;
  });
}

describe('SCRUB', () => {
  before(useCpu);

  // Forgetting a whole class, SCRUB's own benchmark (the authors' large-scale notebook forgets class 5).
  const set = toyImages(90, 41);
  const rows = Array.from(allIndices(90));
  const forget = Int32Array.from(rows.filter((i) => set.labels[i] === 0));
  const retain = Int32Array.from(rows.filter((i) => set.labels[i] !== 0));
  const T = DEFAULT_METHOD_OPTIONS.scrub.temperature;
  let original: Classifier;

  before(async () => {
    // No batch norm: in training mode it would move the student's running statistics towards a
    // one-class batch whatever the loss's sign, and this test is about the sign (the max-steps).
    original = tinyMlp(5);
    await fit({ clf: original, set, indices: allIndices(90), recipe: recipe({ epochs: 8, lr: 0.1 }), seed: 1 });
  });
  after(() => original.model.dispose());

  /** SCRUB from a copy of θo: the KL to θo on the forget and retain sets after each epoch, the final accuracies. */
  async function run(
    maxSteps: number,
    epochs: number,
    retainRows: Int32Array,
  ): Promise<{ forgetKl: number[]; retainKl: number[]; retainAcc: number; forgetAcc: number }> {
    const student = classifierOf(await cloneModel(original.model));
    const forgetKl: number[] = [];
    const retainKl: number[] = [];
    await unlearn({
      method: 'scrub',
      clf: student,
      train: set,
      forget,
      retain: retainRows,
      seed: 3,
      recipe: recipe({ epochs, lr: 0.1, batchSize: 8 }),
      options: { scrub: { maxSteps } },
      onEpoch: async () => {
        forgetKl.push(klOn(original, student, set, forget, T));
        retainKl.push(klOn(original, student, set, retain, T));
      },
    });
    const out = { forgetKl, retainKl, retainAcc: accuracyOn(student, set, retain), forgetAcc: accuracyOn(student, set, forget) };
    student.model.dispose();
    return out;
  }

  it('KL_T is 0 between a model and itself and positive between different ones', () => {
    const other = tinyMlp(9);
    assert.ok(Math.abs(klOn(original, original, set, forget, T)) < 1e-6);
    assert.ok(klOn(original, other, set, forget, T) > 1e-3);
    other.model.dispose();
  });

  it('the max-steps take the forgotten class away from the teacher; the min-steps keep the others with it', async () => {
    const teacherRetain = accuracyOn(original, set, retain);
    const teacherForget = accuracyOn(original, set, forget);
    assert.ok(teacherRetain > 0.9 && teacherForget > 0.9, `the toy teacher learned every class (${teacherRetain}, ${teacherForget})`);
    const scrubbed = await run(3, 6, retain);
    const minOnly = await run(0, 6, retain);
    const f = scrubbed.forgetKl;
    // While the max-steps run (epochs 1–3), the forget set's KL to the teacher grows, far beyond
    // where the min-steps alone take it (they fine-tune on the other classes only).
    for (let e = 1; e < 3; e++) assert.ok(f[e] > f[e - 1], `forget-set KL per epoch: ${f.join(', ')}`);
    assert.ok(f[2] > 100 * minOnly.forgetKl[2], `forget-set KL after 3 epochs: ${f[2]} with max-steps, ${minOnly.forgetKl[2]} without`);
    // After three min-only epochs the forgotten class is still far, the retained ones close.
    assert.ok(f[5] > 10 * scrubbed.retainKl[5], `final KL: forget set ${f[5]}, retain set ${scrubbed.retainKl[5]}`);
    assert.ok(scrubbed.retainAcc >= teacherRetain - 0.05, `retain accuracy ${scrubbed.retainAcc} vs the teacher's ${teacherRetain}`);
    assert.ok(scrubbed.forgetAcc < teacherForget - 0.5, `forget accuracy ${scrubbed.forgetAcc} vs the teacher's ${teacherForget}`);
    assert.ok(minOnly.forgetAcc > 0.9, `the min-steps alone keep the class (${minOnly.forgetAcc})`);
  });

  it('masked: never moves a non-salient weight (bit for bit), but moves salient ones', async () => {
    const bnModel = tinyMlp(2, 3, true);
    const index = new SaliencyIndex(await computeSaliencyScores(bnModel, set, forget, 4));
    const masks = buildMask(index, index.summaryForRatio(0.3));
    const theta = classifierOf(await cloneModel(bnModel.model));
    const vars = trainableVariables(theta);
    const before = vars.map((v) => v.dataSync().slice() as Float32Array);
    const salient: T.Tensor[] = vars.map((v, i) => tf.cast(tf.tensor(masks[i], v.shape, 'int32'), 'bool'));
    const anchor: T.Tensor[] = vars.map((v) => tf.clone(v));
    await unlearn({
      method: 'scrub',
      clf: theta,
      train: set,
      forget,
      retain,
      seed: 1,
      mask: { salient, anchor },
      recipe: recipe({ epochs: 2, lr: 0.1, weightDecay: 0.05 }),
    });
    const { moved, frozen } = assertNonSalientUnchanged(
      before,
      vars.map((v) => v.dataSync() as Float32Array),
      masks,
      vars.map((v) => v.name),
    );
    assert.ok(frozen > 0 && moved > 0, `frozen ${frozen}, moved ${moved}`);
    tf.dispose([...salient, ...anchor]);
    [bnModel, theta].forEach((c) => c.model.dispose());
  });

  it("the defaults are the authors' large-scale setting (meghdadk/SCRUB large_scale_unlearning.ipynb)", () => {
    assert.deepEqual(DEFAULT_METHOD_OPTIONS.scrub, { alpha: 0.001, gamma: 0.99, maxSteps: 2, temperature: 4 });
    const r = defaultUnlearnRecipe('scrub');
    assert.deepEqual(
      { epochs: r.epochs, lr: r.lr, momentum: r.momentum, weightDecay: r.weightDecay },
      { epochs: 3, lr: 5e-4, momentum: 0.9, weightDecay: 5e-4 },
    );
  });
});
