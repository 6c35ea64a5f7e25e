/** A piece of answer text: plain text, or a `[n]` citation of source `n`. */
export type CitationSegment = { type: 'text'; text: string } | { type: 'citation'; n: number };

// `[1]`, `[2, 3]`, `[4,5]`; not `[1](…)`, which is already a Markdown link.
const markerPattern = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\](?!\()/g;

/**
 * Splits text at its citation markers. `[1, 2]` becomes two citations; numbers outside `1..sourceCount`
 * stay plain text, so a stray "[2023]" or a hallucinated "[9]" never turns into a dead link.
 */
export function splitCitations(text: string, sourceCount: number): CitationSegment[] {
  const segments: CitationSegment[] = [];
  let last = 0;
  const pushText = (value: string) => {
    if (value === '') return;
    const previous = segments.at(-1);
    if (previous?.type === 'text') previous.text += value;
    else segments.push({ type: 'text', text: value });
  };
  for (const match of text.matchAll(markerPattern)) {
    const numbers = (match[1] ?? '').split(',').map((part) => Number(part.trim()));
    if (!numbers.every((n) => Number.isInteger(n) && n >= 1 && n <= sourceCount)) continue;
    pushText(text.slice(last, match.index));
    for (const n of numbers) segments.push({ type: 'citation', n });
    last = match.index + match[0].length;
  }
  pushText(text.slice(last));
  return segments;
}

/** The link target a citation gets in Markdown; {@link citationFromHref} reads it back. */
export const citationHref = (n: number): string => `#source-${n}`;

/** The source number of a citation link made by {@link linkCitations}, or `null` for any other link. */
export function citationFromHref(href: string | undefined): number | null {
  const match = /^#source-(\d{1,3})$/.exec(href ?? '');
  return match ? Number(match[1]) : null;
}

function linkLine(line: string, sourceCount: number): string {
  // Inline code spans (`…`) keep their brackets: a citation never hides inside code.
  const parts = line.split(/(`+[^`]*`+)/);
  return parts
    .map((part, index) =>
      index % 2 === 1
        ? part
        : splitCitations(part, sourceCount)
            .map((segment) =>
              segment.type === 'text' ? segment.text : `[\\[${segment.n}\\]](${citationHref(segment.n)})`,
            )
            .join(''),
    )
    .join('');
}

/**
 * Rewrites the citation markers of a Markdown answer into links to `#source-n` (outside code blocks and code
 * spans), so the Markdown renderer can turn exactly those links into buttons that open source n.
 */
export function linkCitations(markdown: string, sourceCount: number): string {
  if (sourceCount < 1) return markdown;
  let fence: string | null = null;
  return markdown
    .split('\n')
    .map((line) => {
      const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
      if (fenceMatch?.[1]) {
        const marker = fenceMatch[1];
        if (fence === null) fence = marker;
        else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
        return line;
      }
      return fence === null ? linkLine(line, sourceCount) : line;
    })
    .join('\n');
}
