/** One scored item addressed by its insertion index (a vector's position, a chunk's number). */
export interface IndexedScore {
  index: number;
  score: number;
}

/**
 * Keeps the best `k` (score, index) pairs seen so far: higher score first, lower index first on equal scores.
 * A binary min-heap on typed arrays whose root is the worst kept pair, so each offer is O(1) when it loses.
 * The one top-k of the project: the vector store and BM25 both rank with it. NaN scores are ignored.
 */
export class TopK {
  readonly #k: number;
  readonly #scores: Float64Array;
  readonly #indices: Int32Array;
  #size = 0;

  constructor(k: number) {
    this.#k = k;
    this.#scores = new Float64Array(k);
    this.#indices = new Int32Array(k);
  }

  /** The score a new pair must beat (strictly, when offered in increasing index order) once the heap is full. */
  get threshold(): number {
    return this.#size < this.#k ? Number.NEGATIVE_INFINITY : (this.#scores[0] as number);
  }

  /** Offers one pair; keeps it if it ranks among the best `k` so far. */
  offer(score: number, index: number): void {
    if (this.#k === 0 || Number.isNaN(score)) return;
    if (this.#size < this.#k) {
      this.#siftUp(this.#size++, score, index);
      return;
    }
    if (!ranksAbove(score, index, this.#scores[0] as number, this.#indices[0] as number)) return;
    this.#siftDown(score, index);
  }

  /** The kept pairs, best first. */
  sorted(): IndexedScore[] {
    const hits: IndexedScore[] = [];
    for (let i = 0; i < this.#size; i++)
      hits.push({ index: this.#indices[i] as number, score: this.#scores[i] as number });
    return hits.sort((a, b) => b.score - a.score || a.index - b.index);
  }

  #siftUp(position: number, score: number, index: number): void {
    const scores = this.#scores;
    const indices = this.#indices;
    let child = position;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      // The root holds the worst pair, so a parent must rank at or below its children.
      if (!ranksAbove(scores[parent] as number, indices[parent] as number, score, index)) break;
      scores[child] = scores[parent] as number;
      indices[child] = indices[parent] as number;
      child = parent;
    }
    scores[child] = score;
    indices[child] = index;
  }

  #siftDown(score: number, index: number): void {
    const scores = this.#scores;
    const indices = this.#indices;
    const size = this.#size;
    let parent = 0;
    for (;;) {
      let worst = 2 * parent + 1;
      if (worst >= size) break;
      const right = worst + 1;
      if (
        right < size &&
        ranksAbove(
          scores[worst] as number,
          indices[worst] as number,
          scores[right] as number,
          indices[right] as number,
        )
      )
        worst = right;
      if (!ranksAbove(score, index, scores[worst] as number, indices[worst] as number)) break;
      scores[parent] = scores[worst] as number;
      indices[parent] = indices[worst] as number;
      parent = worst;
    }
    scores[parent] = score;
    indices[parent] = index;
  }
}

/** True when pair a ranks strictly better than pair b: higher score, or the same score and a lower index. */
function ranksAbove(scoreA: number, indexA: number, scoreB: number, indexB: number): boolean {
  return scoreA > scoreB || (scoreA === scoreB && indexA < indexB);
}
