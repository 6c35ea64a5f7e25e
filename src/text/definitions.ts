/** The subject of a "What is X?" question and the other names it goes by, as the question gives them. */
export interface DefinedTerm {
  /** As written, e.g. `RL`. */
  term: string;
  /** The term and its long form when the question spells one out in brackets: `["RL", "reinforcement learning"]`. */
  names: string[];
}

// "What is X", "What are X", "What's X", "Define X", "What does X mean/stand for", up to " and ", "?" or ",".
const definitionQuestion =
  /^\s*(?:what(?:'s|’s|\s+is|\s+are)\s+(?:an?\s+|the\s+)?|define\s+|what\s+does\s+)(.+?)(?:\s+(?:mean|stand\s+for))?\s*(?:\?|,|;|\s+and\s+|\s+in\s+this\b|$)/i;
const notATerm =
  /^(?:it|this|that|these|those|they|he|she|the\s+\w+\s+(?:of|about)|(?:this|the)\s+(?:paper|document|file|text|article|report|book|pdf)\b)/i;
const bracketed = /^(.+?)\s*\(([^()]+)\)\s*$/;

/** The term a "What is X?" question asks to define, or `null` for any other question. */
export function definedTerm(question: string): DefinedTerm | null {
  const match = definitionQuestion.exec(question);
  const raw = match?.[1]?.trim();
  if (!raw || notATerm.test(raw) || raw.split(/\s+/).length > 6) return null;
  const parts = bracketed.exec(raw);
  const term = (parts?.[1] ?? raw).trim();
  const names = [term, ...(parts?.[2] ? [parts[2].trim()] : [])];
  return { term, names };
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * How plainly a sentence says what one of `names` is: 2 for a definition ("X is a ...", "X refers to",
 * "X, a ...", "known as X", "we define X as"), 1 for the sentence that introduces an abbreviation
 * ("reinforcement learning (RL)"), 0 otherwise.
 */
export function definitionStrength(sentence: string, names: readonly string[]): number {
  const alternatives = names.filter((name) => name.length > 0).map(escapeRegExp);
  if (alternatives.length === 0) return 0;
  const name = `(?:${alternatives.join('|')})`;
  const strong = new RegExp(
    `(?:^|[^\\w-])${name}(?:\\s*\\([^()]+\\))?(?:\\s+(?:is|are)\\s+(?:a|an|the|one|any|when|how|where)\\b|\\s+(?:refers?\\s+to|means|denotes|stands\\s+for)\\b|,\\s+(?:a|an|which\\s+is)\\b)|(?:called|known\\s+as|termed|define[sd]?)\\s+(?:as\\s+)?${name}(?![\\w-])`,
    'i',
  );
  if (strong.test(sentence)) return 2;
  const introduced = new RegExp(`[\\w-]\\s*\\(\\s*${name}\\s*\\)|${name}\\s*\\(\\s*[\\p{L}\\p{N}]`, 'iu');
  return introduced.test(sentence) ? 1 : 0;
}

/**
 * How well a sentence answers "What is X?": its {@link definitionStrength} first, then the share of the
 * question's other terms it holds, then brevity (a definition is to the point). 0 when it defines nothing.
 */
export function definitionScore(
  sentenceTerms: ReadonlySet<string>,
  sentence: string,
  names: readonly string[],
  questionTerms: ReadonlySet<string>,
): number {
  const strength = definitionStrength(sentence, names);
  if (strength === 0) return 0;
  let shared = 0;
  for (const term of questionTerms) if (sentenceTerms.has(term)) shared++;
  const words = sentence.split(/\s+/).filter(Boolean).length;
  return strength + (0.5 * shared) / Math.max(1, questionTerms.size) - 0.004 * Math.min(words, 100);
}
