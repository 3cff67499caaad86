// The check every masked method's test makes: a weight outside the saliency mask keeps its exact
// bits (compared as integers, so -0 and NaN payloads count too), and salient weights move.
import { strict as assert } from 'node:assert';

export interface MaskedChange {
  /** Salient weights whose bits changed. */
  moved: number;
  /** Non-salient weights, every one checked unchanged. */
  frozen: number;
  /** Salient weights in all. */
  salient: number;
}

function bitsOf(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/**
 * Asserts that every weight outside `masks` has the same bits in `after` as in `before` and counts
 * the salient ones that moved; `names[i]` names tensor i in the failure.
 */
export function assertNonSalientUnchanged(
  before: readonly Float32Array[],
  after: readonly Float32Array[],
  masks: readonly ArrayLike<number | boolean>[],
  names: readonly string[] = [],
): MaskedChange {
  const change: MaskedChange = { moved: 0, frozen: 0, salient: 0 };
  assert.equal(after.length, before.length, 'a different number of weight tensors');
  before.forEach((b, i) => {
    const was = bitsOf(b);
    const now = bitsOf(after[i]);
    const mask = masks[i];
    assert.equal(now.length, was.length, `${names[i] ?? `tensor ${i}`} changed size`);
    for (let j = 0; j < was.length; j++) {
      if (mask[j]) {
        change.salient++;
        if (now[j] !== was[j]) change.moved++;
      } else {
        assert.equal(now[j], was[j], `${names[i] ?? `tensor ${i}`}[${j}] is not salient but moved`);
        change.frozen++;
      }
    }
  });
  return change;
}
