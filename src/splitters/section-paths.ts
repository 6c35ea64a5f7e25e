import type { Heading } from '../core/types.ts';

/**
 * Makes a lookup from a text offset to the headings it lies under, outermost first: each heading holds from its
 * start until the next heading of the same or a higher level. `headings` must be in text order. Lookups must
 * come in non-decreasing offset order (as chunks do); each takes amortized constant time.
 */
export function createSectionLocator(headings: readonly Heading[]): (offset: number) => string[] {
  const stack: Heading[] = [];
  let next = 0;
  return (offset) => {
    while (next < headings.length && (headings[next]?.start ?? Number.POSITIVE_INFINITY) <= offset) {
      const heading = headings[next] as Heading;
      while (stack.length > 0 && (stack.at(-1)?.level ?? 0) >= heading.level) stack.pop();
      stack.push(heading);
      next++;
    }
    return stack.map((heading) => heading.text);
  };
}
