// The ImageFolder's bilinear resize (plain TypeScript, the data layer has no tfjs) against tfjs's
// own tf.image.resizeBilinear with half-pixel centres, on the cpu backend.
import { strict as assert } from 'node:assert';
import { resizeBilinearInto, type Size } from '../../src/engine/data/resize';
import { makeRng } from '../../src/engine/rng';
import { tf } from '../../src/engine/tf';
import { useCpu } from '../support/tinyModels';

function ours(src: Float32Array, from: Size, channels: number, to: Size): Float32Array {
  const out = new Float32Array(to.height * to.width * channels);
  resizeBilinearInto(src, from, channels, out, 0, to);
  return out;
}

function tfjs(src: Float32Array, from: Size, channels: number, to: Size): Float32Array {
  return tf.tidy(
    () => tf.image.resizeBilinear(tf.tensor3d(src, [from.height, from.width, channels]), [to.height, to.width], false, true).dataSync() as Float32Array,
  );
}

describe('bilinear resize', () => {
  before(useCpu);

  const cases: [Size, Size, number][] = [
    [{ height: 28, width: 28 }, { height: 32, width: 32 }, 1],
    [{ height: 64, width: 48 }, { height: 32, width: 32 }, 3],
    [{ height: 7, width: 5 }, { height: 3, width: 11 }, 3],
    [{ height: 1, width: 1 }, { height: 4, width: 4 }, 1],
    [{ height: 5, width: 9 }, { height: 1, width: 1 }, 3],
    [{ height: 30, width: 17 }, { height: 13, width: 29 }, 1],
  ];
  for (const [from, to, channels] of cases) {
    it(`${from.height}×${from.width}×${channels} → ${to.height}×${to.width} equals tf.image.resizeBilinear (half-pixel centres)`, () => {
      const rand = makeRng(from.height * 100 + to.width);
      const src = Float32Array.from({ length: from.height * from.width * channels }, () => rand());
      const a = ours(src, from, channels, to);
      const b = tfjs(src, from, channels, to);
      assert.equal(a.length, b.length);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      assert.ok(worst <= 1e-6, `largest difference ${worst}`);
    });
  }

  it('keeps an image of the same size, and writes at the offset only', () => {
    const src = Float32Array.from({ length: 12 }, (_, i) => i / 12);
    const out = new Float32Array(20).fill(-1);
    resizeBilinearInto(src, { height: 2, width: 2 }, 3, out, 4, { height: 2, width: 2 });
    assert.deepEqual(Array.from(out.subarray(4, 16)), Array.from(src));
    assert.deepEqual([...out.subarray(0, 4), ...out.subarray(16)], new Array(8).fill(-1));
  });

  it('doubles a 1×2 gradient with the half-pixel weights (¼, ¾)', () => {
    const out = ours(Float32Array.from([0, 1]), { height: 1, width: 2 }, 1, { height: 1, width: 4 });
    assert.deepEqual(Array.from(out), [0, 0.25, 0.75, 1]);
  });
});
