// Endless batches from an index list, as the authors' `cycle(DataLoader(shuffle=True))`: each pass
// over the rows is a fresh seeded shuffle, and a pass's last batch may be smaller (drop_last=False).
import { shuffleInPlace } from '../rng';

export class BatchCycle {
  private order: Int32Array;
  private at = 0;

  constructor(
    private readonly rows: ArrayLike<number>,
    private readonly batchSize: number,
    private readonly rand: () => number,
  ) {
    if (rows.length === 0) throw new Error('no rows to draw batches from');
    if (!(batchSize >= 1)) throw new Error(`batch size must be at least 1, got ${batchSize}`);
    this.order = new Int32Array(0);
  }

  /** The row indices of the next batch. */
  next(): Int32Array {
    if (this.at >= this.order.length) {
      this.order = shuffleInPlace(Int32Array.from(this.rows), this.rand);
      this.at = 0;
    }
    const batch = this.order.slice(this.at, this.at + this.batchSize);
    this.at += batch.length;
    return batch;
  }
}
