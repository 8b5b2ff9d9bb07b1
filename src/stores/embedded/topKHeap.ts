/**
 * The k best (score, row) pairs of a stream, in a binary min-heap over typed
 * arrays (no allocation per push). The root is the worst kept pair, so a
 * candidate enters only if it beats the root. Ties: the lower row wins, so a
 * scan in row order keeps the earliest rows among equal scores.
 */
export class TopKHeap {
  private readonly scores: Float64Array;
  private readonly rows: Int32Array;
  private size = 0;

  /** @param k capacity, ≥ 1. */
  constructor(private readonly k: number) {
    this.scores = new Float64Array(k);
    this.rows = new Int32Array(k);
  }

  /** Number of kept pairs (≤ k). */
  get count(): number {
    return this.size;
  }

  /** The worst kept score (the root); -Infinity while empty. */
  get worstScore(): number {
    return this.size === 0 ? -Infinity : this.scores[0]!;
  }

  /** True when a pair with this score (and a row above every kept row) would be kept. */
  wouldAccept(score: number): boolean {
    return this.size < this.k || score > this.scores[0]!;
  }

  /** Offers a pair; keeps it if the heap is not full or it beats the worst kept pair. */
  push(score: number, row: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(score, row, this.scores[parent]!, this.rows[parent]!)) break;
        this.scores[i] = this.scores[parent]!;
        this.rows[i] = this.rows[parent]!;
        i = parent;
      }
      this.scores[i] = score;
      this.rows[i] = row;
      return;
    }
    if (!this.worse(this.scores[0]!, this.rows[0]!, score, row)) return;
    this.siftDown(score, row);
  }

  /** The kept pairs, best first (descending score, ascending row on ties). Empties the heap. */
  sorted(): { scores: Float64Array; rows: Int32Array } {
    const n = this.size;
    const scores = new Float64Array(n);
    const rows = new Int32Array(n);
    for (let out = n - 1; out >= 0; out--) {
      scores[out] = this.scores[0]!;
      rows[out] = this.rows[0]!;
      const lastScore = this.scores[this.size - 1]!;
      const lastRow = this.rows[this.size - 1]!;
      this.size--;
      if (this.size > 0) this.siftDown(lastScore, lastRow);
    }
    return { scores, rows };
  }

  /** Places (score, row) at the root and sifts it down to its place. */
  private siftDown(score: number, row: number): void {
    let i = 0;
    const n = this.size;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (
        right < n &&
        this.worse(this.scores[right]!, this.rows[right]!, this.scores[left]!, this.rows[left]!)
      ) {
        child = right;
      }
      if (!this.worse(this.scores[child]!, this.rows[child]!, score, row)) break;
      this.scores[i] = this.scores[child]!;
      this.rows[i] = this.rows[child]!;
      i = child;
    }
    this.scores[i] = score;
    this.rows[i] = row;
  }

  /** True when pair a ranks below pair b (lower score, or equal score and higher row). */
  private worse(sa: number, ra: number, sb: number, rb: number): boolean {
    return sa < sb || (sa === sb && ra > rb);
  }
}
