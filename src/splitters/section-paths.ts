import type { Heading } from '../core/types.ts';

/**
 * A heading that starts within this share of a chunk's length from its start claims the chunk: the chunk opens
 * with the tail of one section ("…the process.") and is really about the next.
 */
const leadingShare = 0.25;

/**
 * Makes a lookup from a chunk's `[start, end)` to the headings it lies under, outermost first: each heading
 * holds from its start until the next heading of the same or a higher level, and a heading starting in the first
 * quarter of the chunk counts as the chunk's own. `headings` must be in text order. Each lookup is a binary
 * search, in any order.
 */
export function createSectionLocator(headings: readonly Heading[]): (start: number, end: number) => string[] {
  // The path in force from each heading's start on.
  const paths: string[][] = [];
  const stack: Heading[] = [];
  for (const heading of headings) {
    while (stack.length > 0 && (stack.at(-1)?.level ?? 0) >= heading.level) stack.pop();
    stack.push(heading);
    paths.push(stack.map((open) => open.text));
  }
  /** Index of the first heading starting after `offset`. */
  const firstAfter = (offset: number) => {
    let low = 0;
    let high = headings.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((headings[middle]?.start ?? 0) <= offset) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  return (start, end) => {
    let index = firstAfter(start) - 1;
    const lead = start + (end - start) * leadingShare;
    // Later headings inside the lead win: the last of them is where the chunk's own text starts.
    while ((headings[index + 1]?.start ?? Number.POSITIVE_INFINITY) <= lead) index++;
    return index >= 0 ? [...(paths[index] ?? [])] : [];
  };
}
