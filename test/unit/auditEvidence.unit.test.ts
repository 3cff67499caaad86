// The audit's attack and relearning pieces (engine/metrics/lira.ts, relearn.ts) on values whose
// answer is known.
import * as assert from 'node:assert/strict';
import { allIndices } from '../../src/engine/data/dataset';
import { perExampleAttack, rocAuc, tprAtFpr } from '../../src/engine/metrics/lira';
import { relearnSplit, relearnSteps } from '../../src/engine/metrics/relearn';
import { makeRng } from '../../src/engine/rng';
import { trainableVariables } from '../../src/engine/train/loop';
import { tinyMlp, toyImages, useCpu } from '../support/tinyModels';

function gaussians(models: number, n: number, seed: number, shift: number): Float64Array[] {
  const r = makeRng(seed);
  const z = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return Array.from({ length: models }, () => Float64Array.from({ length: n }, (_, i) => (i % 7) + shift + z()));
}

describe('audit: the per-example attack', () => {
  it('AUC is 1 for separated scores, ½ for equal ones, ties counted half', () => {
    assert.equal(rocAuc(Float64Array.from([3, 4]), Float64Array.from([1, 2])), 1);
    assert.equal(rocAuc(Float64Array.from([1, 2]), Float64Array.from([1, 2])), 0.5);
    assert.equal(rocAuc(Float64Array.from([2]), Float64Array.from([1, 2, 3])), 0.5);
  });

  it('TPR at 1% FPR counts positives above the threshold that flags at most 1% of the negatives', () => {
    const negatives = Float64Array.from({ length: 100 }, (_, i) => i);
    assert.equal(tprAtFpr(Float64Array.from([99.5, 50]), negatives, 0.01), 50);
    assert.equal(tprAtFpr(Float64Array.from([98.5, 98]), negatives, 0.01), 50, 'one negative (99) may be flagged, not two');
  });

  it('cannot tell Retrain-like models from Retrain (AUC near ½) and catches models more or less confident on Df than Retrain', () => {
    const retrained = gaussians(16, 60, 1, 0);
    const like = perExampleAttack(gaussians(16, 60, 2, 0), retrained);
    const remembers = perExampleAttack(gaussians(16, 60, 3, 2), retrained);
    const overForgets = perExampleAttack(gaussians(16, 60, 4, -2), retrained);
    assert.ok(Math.abs(like.auc - 0.5) < 0.08, `retrain-like AUC ${like.auc}`);
    assert.ok(remembers.auc > 0.85 && remembers.tprAt1Fpr > 10, `remembering AUC ${remembers.auc}, TPR ${remembers.tprAt1Fpr}`);
    assert.ok(overForgets.auc > 0.85, `less confident than Retrain: AUC ${overForgets.auc}`);
    const copies = perExampleAttack(
      Array.from({ length: 16 }, () => Float64Array.from({ length: 60 }, (_, i) => (i % 7) + 3)),
      retrained,
    );
    assert.equal(copies.auc, 1, 'N copies of one model stand out at every example');
    assert.equal(like.positives, 16 * 60);
  });
});

describe('audit: the relearning test', () => {
  before(useCpu);

  it('splits Df into the rows fine-tuned on and the rows measured, disjoint and covering it', () => {
    const forget = Int32Array.from({ length: 50 }, (_, i) => 100 + i);
    const s = relearnSplit(forget, 0.1, 3);
    assert.equal(s.train.length, 5);
    assert.deepEqual(
      [...s.train, ...s.held].sort((a, b) => a - b),
      Array.from(forget),
    );
  });

  it('counts steps until the held rows reach the target, never changes the model it is given, and says when the target is not reached', async () => {
    const set = toyImages(60, 4);
    const clf = tinyMlp(5);
    const before = trainableVariables(clf).map((v) => Array.from(v.dataSync()));
    const split = relearnSplit(allIndices(60).slice(0, 30), 0.5, 1);
    const o = { share: 0.5, lr: 0.2, batchSize: 8, maxSteps: 40, seed: 1 };
    const reached = await relearnSteps(clf, set, split, 60, o);
    assert.ok(reached.steps !== null && reached.steps > 0 && reached.endAccuracy >= 60, JSON.stringify(reached));
    const never = await relearnSteps(clf, set, split, 101, { ...o, maxSteps: 3 });
    assert.equal(never.steps, null);
    assert.equal(never.target, 101);
    const already = await relearnSteps(clf, set, split, 0, o);
    assert.equal(already.steps, 0);
    assert.deepEqual(
      trainableVariables(clf).map((v) => Array.from(v.dataSync())),
      before,
    );
    clf.model.dispose();
  });
});
