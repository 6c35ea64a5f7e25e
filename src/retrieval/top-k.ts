/** One scored item addressed by its insertion index. */
export interface IndexedScore {
  index: number;
  score: number;
}

/**
 * The `k` best of `count` scored items, best first, with a bounded min-heap: O(count log k).
 * Ties keep insertion order (lower index first), so equal input always gives equal output.
 * `indexAt(i)` and `scoreAt(i)` read the i-th candidate, which keeps callers free of temporary objects.
 */
export function topK(
  count: number,
  k: number,
  indexAt: (i: number) => number,
  scoreAt: (i: number) => number,
): IndexedScore[] {
  const limit = Math.min(Math.max(0, Math.floor(k)), count);
  if (limit === 0) return [];
  const heapIndex = new Int32Array(limit);
  const heapScore = new Float64Array(limit);
  let size = 0;

  // a is worse than b: lower score, or the same score and a later insertion.
  const worse = (ia: number, sa: number, ib: number, sb: number): boolean =>
    sa < sb || (sa === sb && ia > ib);

  const siftDown = (start: number): void => {
    let position = start;
    for (;;) {
      const left = 2 * position + 1;
      if (left >= size) return;
      const right = left + 1;
      let child = left;
      if (
        right < size &&
        worse(
          heapIndex[right] as number,
          heapScore[right] as number,
          heapIndex[left] as number,
          heapScore[left] as number,
        )
      )
        child = right;
      const ci = heapIndex[child] as number;
      const cs = heapScore[child] as number;
      const pi = heapIndex[position] as number;
      const ps = heapScore[position] as number;
      if (!worse(ci, cs, pi, ps)) return;
      heapIndex[child] = pi;
      heapScore[child] = ps;
      heapIndex[position] = ci;
      heapScore[position] = cs;
      position = child;
    }
  };

  for (let i = 0; i < count; i++) {
    const index = indexAt(i);
    const score = scoreAt(i);
    if (Number.isNaN(score)) continue;
    if (size < limit) {
      let position = size++;
      heapIndex[position] = index;
      heapScore[position] = score;
      while (position > 0) {
        const parent = (position - 1) >> 1;
        const pi = heapIndex[parent] as number;
        const ps = heapScore[parent] as number;
        if (!worse(index, score, pi, ps)) break;
        heapIndex[position] = pi;
        heapScore[position] = ps;
        heapIndex[parent] = index;
        heapScore[parent] = score;
        position = parent;
      }
    } else if (worse(heapIndex[0] as number, heapScore[0] as number, index, score)) {
      heapIndex[0] = index;
      heapScore[0] = score;
      siftDown(0);
    }
  }

  const result: IndexedScore[] = [];
  for (let i = 0; i < size; i++)
    result.push({ index: heapIndex[i] as number, score: heapScore[i] as number });
  result.sort((a, b) => b.score - a.score || a.index - b.index);
  return result;
}
