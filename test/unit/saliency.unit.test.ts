import { strict as assert } from 'node:assert';
import { gatherRows } from '../../src/engine/data/dataset';
import { crossEntropy, logProbs } from '../../src/engine/models/forward';
import { buildMask, packMask, SaliencyIndex, unpackMask, type SaliencyScores } from '../../src/store/saliency/mask';
import { computeSaliencyScores } from '../../src/engine/saliency/scores';
import { trainableVariables } from '../../src/engine/train/loop';
import { tf } from '../../src/engine/tf';
import { tinyMlp, toyImages, useCpu } from '../support/tinyModels';

describe('saliency scores', () => {
  before(useCpu);

  it('equal |Σ over batches of ∇ mean-CE| and match central finite differences', async () => {
    const set = toyImages(20, 3);
    const clf = tinyMlp(5);
    const forget = Int32Array.from([0, 2, 4, 6, 8, 10, 12]);
    const batch = 3; // 3 batches: 3 + 3 + 1
    const scores = await computeSaliencyScores(clf, set, forget, batch);
    const vars = trainableVariables(clf);
    // The function whose gradient the scores are: Σ_b mean-CE(batch b), evaluated with float64 sums.
    const lossSum = (): number => {
      let total = 0;
      for (let from = 0; from < forget.length; from += batch) {
        const to = Math.min(forget.length, from + batch);
        const { x, y } = gatherRows(set, forget, from, to);
        total += tf.tidy(() => crossEntropy(logProbs(clf, tf.tensor(x, [to - from, 4, 4, 1]), false), tf.tensor1d(y, 'int32')).dataSync()[0]);
      }
      return total;
    };
    const eps = 1e-2;
    let checked = 0;
    for (const [vi, v] of vars.entries()) {
      const values = v.dataSync().slice() as Float32Array;
      for (const j of [0, Math.floor(values.length / 2), values.length - 1]) {
        const plus = values.slice();
        plus[j] += eps;
        v.assign(tf.tensor(plus, v.shape));
        const lp = lossSum();
        const minus = values.slice();
        minus[j] -= eps;
        v.assign(tf.tensor(minus, v.shape));
        const lm = lossSum();
        v.assign(tf.tensor(values, v.shape));
        const fd = Math.abs((lp - lm) / (2 * eps));
        assert.ok(Math.abs(fd - scores.scores[vi][j]) < 2e-3 + 2e-2 * fd, `${v.name}[${j}]: finite difference ${fd} vs saliency ${scores.scores[vi][j]}`);
        checked++;
      }
    }
    assert.equal(checked, vars.length * 3);
  });

  it('rejects an empty forget set with a clear error', async () => {
    await assert.rejects(computeSaliencyScores(tinyMlp(1), toyImages(4, 1), new Int32Array(0), 2), /forget set is empty/);
  });
});

function fakeScores(values: number[][]): SaliencyScores {
  return { names: values.map((_, i) => `layer${i}`), shapes: values.map((v) => [v.length]), scores: values.map((v) => Float32Array.from(v)) };
}

describe('masks from saliency', () => {
  it('keep exactly the top ⌊ratio·total⌋ weights, ranked globally', () => {
    const rand = (i: number): number => ((i * 7919) % 1000) / 1000 + i * 1e-6;
    const layers = [
      Array.from({ length: 37 }, (_, i) => rand(i)),
      Array.from({ length: 101 }, (_, i) => rand(i + 37) * 3),
      Array.from({ length: 5 }, (_, i) => rand(i + 200) / 10),
    ];
    const index = new SaliencyIndex(fakeScores(layers));
    const all = layers.flat().sort((a, b) => b - a);
    for (const ratio of [0.1, 0.5, 0.9, 1]) {
      const summary = index.summaryForRatio(ratio);
      const masks = buildMask(index, summary);
      const k = Math.floor(ratio * all.length);
      assert.equal(
        masks.reduce((n, m) => n + m.reduce((a, b) => a + b, 0), 0),
        k,
      );
      assert.equal(summary.salientWeights, k);
      // Every salient score ≥ every non-salient score.
      const salientMin = Math.min(...layers.flatMap((l, i) => l.filter((_, j) => masks[i][j])));
      const frozenMax = Math.max(-Infinity, ...layers.flatMap((l, i) => l.filter((_, j) => !masks[i][j])));
      assert.ok(salientMin >= frozenMax, `ratio ${ratio}`);
      assert.equal(summary.gamma, Math.fround(all[k - 1]));
      summary.layers.forEach((l, i) =>
        assert.equal(
          l.salient,
          masks[i].reduce((a, b) => a + b, 0),
        ),
      );
    }
  });

  it('break ties at γ in weight order and still keep exactly k', () => {
    const index = new SaliencyIndex(
      fakeScores([
        [0, 0, 0, 5],
        [0, 0, 9, 0],
      ]),
    );
    const masks = buildMask(index, index.summaryForRatio(0.5)); // k = 4: 9, 5 and the first two zeros
    assert.deepEqual(Array.from(masks[0]), [1, 1, 0, 1]);
    assert.deepEqual(Array.from(masks[1]), [0, 0, 1, 0]);
  });

  it('map γ to a ratio and back, and select scores ≥ γ', () => {
    const index = new SaliencyIndex(
      fakeScores([
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ]),
    );
    assert.equal(index.ratioForGamma(6), 3 / 8);
    assert.equal(index.gammaForRatio(3 / 8), 6);
    const s = index.summaryForGamma(4.5);
    assert.equal(s.salientWeights, 4);
    assert.deepEqual(
      s.layers.map((l) => l.salientFraction),
      [0, 1],
    );
    assert.throws(() => index.summaryForRatio(0), /ratio must be in \(0, 1\]/);
  });

  it('bit-pack and unpack losslessly', () => {
    const masks = [Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 1, 1]), Uint8Array.from([0, 1, 1])];
    const bits = packMask(masks);
    assert.equal(bits.length, 2);
    assert.deepEqual(
      unpackMask(bits, [9, 3]).map((m) => Array.from(m)),
      masks.map((m) => Array.from(m)),
    );
  });
});
