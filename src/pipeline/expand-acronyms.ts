import type { Chunk } from '../core/types.ts';

// An acronym in parentheses; the words before it are read back from there (at most eight, within 120 characters).
const parenthesized = /\((\p{Lu}[\p{Lu}\p{Ll}]{0,6}\p{Lu})s?\)/gu;
const smallWords = new Set(['of', 'and', 'the', 'for', 'in', 'on', 'to', 'a', 'an', 'with', 'by']);

/**
 * Finds the acronyms a document defines, as in "reinforcement learning (RL)" or "supervised fine-tuning (SFT)":
 * the words before the parentheses whose initials (hyphenated parts count, small words may be skipped) spell
 * the acronym. Returns acronym → long form, first definition wins.
 */
export function findAcronyms(chunks: readonly Chunk[]): Map<string, string> {
  const acronyms = new Map<string, string>();
  for (const chunk of chunks) {
    for (const match of chunk.text.matchAll(parenthesized)) {
      const acronym = match[1] ?? '';
      if (acronyms.has(acronym)) continue;
      const before = chunk.text.slice(Math.max(0, match.index - 120), match.index);
      const words = before.split(/\s+/).filter(Boolean).slice(-8);
      const longForm = longFormFor(
        acronym,
        words.map((word) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')),
      );
      if (longForm) acronyms.set(acronym, longForm);
    }
  }
  return acronyms;
}

function longFormFor(acronym: string, words: readonly string[]): string | null {
  const letters = acronym.toLowerCase();
  // Walk back from the parentheses, collecting initials until they spell the acronym.
  for (let first = words.length - 1; first >= 0; first--) {
    const taken = words.slice(first);
    const parts = taken.flatMap((word) => word.split('-')).filter((part) => part.length > 0);
    const initials = (list: readonly string[]) => list.map((part) => part[0]?.toLowerCase() ?? '').join('');
    const withSmall = initials(parts);
    const withoutSmall = initials(parts.filter((part) => !smallWords.has(part.toLowerCase())));
    if (
      (withSmall === letters || withoutSmall === letters) &&
      !smallWords.has(taken[0]?.toLowerCase() ?? '')
    ) {
      return taken.join(' ');
    }
    if (withoutSmall.length > letters.length) return null;
  }
  return null;
}

/**
 * Adds the long form after each acronym the question uses bare ("What is RL?" → "What is RL (reinforcement
 * learning)?"), so retrieval also finds the passages that spell it out.
 */
export function expandAcronyms(question: string, acronyms: ReadonlyMap<string, string>): string {
  if (acronyms.size === 0) return question;
  return question.replace(
    /\b(\p{Lu}[\p{Lu}\p{Ll}]{0,6}\p{Lu})s?\b/gu,
    (token, acronym: string, offset: number) => {
      const longForm = acronyms.get(acronym);
      if (!longForm || question.toLowerCase().includes(longForm.toLowerCase())) return token;
      if (question.slice(offset + token.length).startsWith(' (')) return token;
      return `${token} (${longForm})`;
    },
  );
}
