// Batches of row indices drawn from a list that starts again when it runs out, the way the
// PyTorch methods pair a long loader with a short one: NegGrad+'s zip(retain_loader,
// cycle(forget_loader)) replays the forget loader's order (itertools.cycle keeps the first pass),
// SFR-on's infinite iterators re-iterate a shuffling loader, so each cycle has a new order.
import { shuffleInPlace } from '../rng';

export class CycledBatches {
  private order: Int32Array;
  private at = 0;

  constructor(
    rows: ArrayLike<number>,
    private readonly batchSize: number,
    private readonly rand: () => number,
    /** 'replay': every cycle repeats the order of the last shuffle; 'reshuffle': each cycle draws a new one. */
    private readonly cycle: 'replay' | 'reshuffle',
  ) {
    this.order = shuffleInPlace(Int32Array.from(rows), rand);
  }

  /** A new shuffle, from the first batch (a new epoch of a loader that is iterated again). */
  restart(): void {
    shuffleInPlace(this.order, this.rand);
    this.at = 0;
  }

  /** The next batch's rows: at most batchSize, the last batch of a cycle shorter (no drop_last). */
  next(): Int32Array {
    if (this.at >= this.order.length) {
      if (this.cycle === 'reshuffle') shuffleInPlace(this.order, this.rand);
      this.at = 0;
    }
    const rows = this.order.subarray(this.at, Math.min(this.order.length, this.at + this.batchSize));
    this.at += rows.length;
    return rows;
  }
}
