/** Converts between UTF-16 indices and code-point counts of one text. */
export interface CodePointIndex {
  /** Number of code points in the whole text. */
  readonly length: number;
  /** Code points that start before UTF-16 index `index` (0 ≤ index ≤ text.length). */
  before(index: number): number;
  /** UTF-16 index at which code point number `count` starts; `text.length` when `count` ≥ {@link length}. */
  unitIndex(count: number): number;
}

const surrogatePair = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

/**
 * Builds a {@link CodePointIndex} for `text`: it only records where the surrogate pairs are (none in most
 * text), so it costs one native regex scan, and each query is a binary search over the pairs. A lone
 * surrogate counts as one code point, as it does in `Array.from(text)`.
 */
export function createCodePointIndex(text: string): CodePointIndex {
  const n = text.length;
  const pairs: number[] = [];
  for (const match of text.matchAll(surrogatePair)) pairs.push(match.index);
  if (pairs.length === 0) {
    return { length: n, before: (index) => index, unitIndex: (count) => Math.min(Math.max(count, 0), n) };
  }
  const length = n - pairs.length;
  return {
    length,
    // A pair counts once its first unit is before `index`; its second unit is not a code point of its own.
    before(index) {
      let low = 0;
      let high = pairs.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((pairs[middle] ?? n) + 1 < index) low = middle + 1;
        else high = middle;
      }
      return index - low;
    },
    // Pair `k` starts code point `pairs[k] - k`; each pair starting a code point before `count` adds a unit.
    unitIndex(count) {
      if (count >= length) return n;
      let low = 0;
      let high = pairs.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((pairs[middle] ?? n) - middle < count) low = middle + 1;
        else high = middle;
      }
      return Math.max(count, 0) + low;
    },
  };
}
