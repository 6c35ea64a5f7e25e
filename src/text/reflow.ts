/** A reflowed text and, for each of its characters, where that character came from in the original. */
export interface Reflowed {
  text: string;
  /**
   * `offsets[i]` is the index in the original of `text[i]`; `offsets[text.length]` is the original's length,
   * so `[offsets[a], offsets[b])` is the original range of the reflowed range `[a, b)`.
   */
  offsets: number[];
}

/** A line that stands on its own in Markdown and plain-text notes: list items, headings, quotes, table rows. */
const blockLine = /^\s*(?:[-*+•]\s|\d{1,3}[.)]\s|#{1,6}\s|>|\||```|~~~)/u;
const lowerLetter = /\p{Ll}/u;
/** A line shorter than this share of the text's longest line, without closing punctuation, may be a heading. */
const shortLineRatio = 0.6;

/**
 * Joins the hard line breaks inside paragraphs (one space instead of a break and the spaces around it) and
 * rejoins a word hyphenated at a line end ("infor-" + "mation" between lower-case letters, or a soft hyphen;
 * other hyphens stay, without the break: "DeepSeek-" + "R1").
 * Paragraph breaks (blank lines) stay, and so do breaks before or after lines that stand on their own (list
 * items, headings, quotes, table rows, code fences, and a short unpunctuated line before a capital: a title). Every kept character maps back to the original.
 */
export function reflow(original: string): Reflowed {
  const text: string[] = [];
  const offsets: number[] = [];
  const lines: { start: number; end: number }[] = [];
  let lineStart = 0;
  for (let index = 0; index <= original.length; index++) {
    if (index === original.length || original[index] === '\n') {
      lines.push({ start: lineStart, end: index });
      lineStart = index + 1;
    }
  }
  const lineText = (line: { start: number; end: number }) => original.slice(line.start, line.end);
  const longest = Math.max(0, ...lines.map((line) => lineText(line).trim().length));
  // "Cleaning the lamp" above "The lamp lens is…": a short line with no punctuation before a capital is a title.
  // Judged on the line as it will read (joined so far), so that reflowing again changes nothing.
  const standsAlone = (current: string, following: string) =>
    text.length - outputLineStart + current.trimEnd().length < shortLineRatio * longest &&
    !/[\p{P}\u00ad]$/u.test(current.trimEnd()) &&
    /^\p{Lu}/u.test(following.trimStart());
  let outputLineStart = 0;
  const emit = (from: number, to: number) => {
    for (let index = from; index < to; index++) {
      const character = original[index] ?? '';
      text.push(character);
      offsets.push(index);
      if (character === '\n') outputLineStart = text.length;
    }
  };

  lines.forEach((line, index) => {
    const next = lines[index + 1];
    if (next === undefined) {
      emit(line.start, line.end);
      return;
    }
    const current = lineText(line);
    const following = lineText(next);
    const joinable =
      current.trim() !== '' &&
      following.trim() !== '' &&
      !blockLine.test(current) &&
      !blockLine.test(following) &&
      !standsAlone(current, following);
    if (!joinable) {
      emit(line.start, line.end + 1);
      return;
    }
    const trimmedEnd = line.start + current.trimEnd().length;
    const last = original[trimmedEnd - 1] ?? '';
    const beforeLast = original[trimmedEnd - 2] ?? '';
    const firstOfNext = following.trimStart()[0] ?? '';
    const hyphenated =
      last === '\u00ad' || (last === '-' && lowerLetter.test(beforeLast) && lowerLetter.test(firstOfNext));
    if (hyphenated) {
      emit(line.start, trimmedEnd - 1);
    } else if (last === '-') {
      // A hyphen that belongs to the word ("self-" + "Consistency", "DeepSeek-" + "R1"): only the break goes.
      emit(line.start, trimmedEnd);
    } else {
      emit(line.start, trimmedEnd);
      text.push(' ');
      offsets.push(trimmedEnd);
    }
    // The next line's leading spaces go with the break.
    next.start += following.length - following.trimStart().length;
  });
  offsets.push(original.length);
  return { text: text.join(''), offsets };
}

/** The reflowed text alone, for showing a passage. */
export function reflowText(original: string): string {
  return reflow(original).text;
}
