/** Longest marker text held back while waiting for its `]` (`[12, 13, 14]` fits). */
const maxPendingMarker = 24;

const marker = /(\s?)\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;

/**
 * Removes citation markers that point at no passage the model was given (`[7]` with four sources), keeping
 * the valid numbers of a list (`[2, 9]` becomes `[2]`). Works on streamed deltas: text that may be the start of a
 * marker is held back until it is complete, so what is shown is what is stored.
 */
export interface CitationFilter {
  /** The part of `delta` (with anything held back before) that is safe to show now. */
  push(delta: string): string;
  /** Whatever is still held back, at the end of the answer. */
  flush(): string;
}

/** Makes a {@link CitationFilter} for the passage numbers `valid`. */
export function createCitationFilter(valid: ReadonlySet<number>): CitationFilter {
  let pending = '';
  return {
    push(delta) {
      pending += delta;
      const open = pending.lastIndexOf('[');
      let held = pending.length;
      if (open !== -1 && !pending.includes(']', open) && pending.length - open <= maxPendingMarker)
        held = open;
      // A marker takes one space before it with it, so a trailing space waits for what follows.
      if (held > 0 && /\s/.test(pending[held - 1] ?? '')) held -= 1;
      const ready = pending.slice(0, held);
      pending = pending.slice(held);
      return removeUnknownCitations(ready, valid);
    },
    flush() {
      const rest = removeUnknownCitations(pending, valid);
      pending = '';
      return rest;
    },
  };
}

/** {@link CitationFilter} on a whole text. */
export function removeUnknownCitations(text: string, valid: ReadonlySet<number>): string {
  return text.replace(marker, (whole: string, space: string, list: string) => {
    if (whole.length - space.length > maxPendingMarker) return whole;
    const numbers = list.split(/\s*[,;]\s*/).map(Number);
    const kept = numbers.filter((n) => valid.has(n));
    if (kept.length === numbers.length) return whole;
    return kept.length === 0 ? '' : `${space}[${kept.join(', ')}]`;
  });
}
