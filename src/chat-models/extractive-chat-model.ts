import { throwIfAborted } from '../core/errors.ts';
import type { Source } from '../core/types.ts';
import { createAnalyzer } from '../text/analyzer.ts';
import { definedTerm, definitionScore } from '../text/definitions.ts';
import type { ChatModel, ChatRequest, DocumentOverview } from './chat-model.ts';
import { splitSentences } from './sentences.ts';

/** Options of {@link createExtractiveChatModel}. */
export interface ExtractiveOptions {
  /** Most sentences in an answer. Default 3. */
  maxSentences?: number;
  /** Most words in an answer, about. Default 110. */
  maxWords?: number;
}

/** What the offline answerer says when the passages do not answer the question. */
export const noAnswerText =
  "I don't know the answer: the document does not seem to cover this question. Try rephrasing it with words the document uses.";

/**
 * Harman's S-stemmer: only plural endings go. Retrieval wants Porter2's recall, but an answer quoted to a person
 * must match what was asked: "help" should find "helps", not "helpfulness".
 */
function sStem(word: string): string {
  if (word.length > 4 && word.endsWith('ies') && !/[ae]ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('es') && !/[aeo]es$/.test(word)) return word.slice(0, -1);
  if (word.length > 3 && word.endsWith('s') && !/[us]s$/.test(word)) return word.slice(0, -1);
  return word;
}

const analyze = createAnalyzer({ stem: sStem });

// Words that shape a question but say nothing about its subject; the index keeps them, the answerer ignores them.
const questionWords = new Set(
  analyze(
    'what which who whom whose how why when where does do did done is are was were be been between about can could ' +
      'would should shall may might must please tell explain describe give show list me you your i we us our any some ' +
      'there here kind type mean meaning like it its they them their this that these those following up',
  ),
);

interface Candidate {
  text: string;
  n: number;
  rank: number;
  position: number;
  terms: Set<string>;
  score: number;
}

/**
 * The offline default "model": no weights, no network. It answers with the sentences of the retrieved
 * passages that best match the question, each followed by its `[n]` marker, streamed word by word. It
 * generates nothing: every sentence is quoted from the document, and when no passage shares enough with the
 * question it says it does not know. Its `info.extractive` is true so every UI labels it as extractive.
 */
export function createExtractiveChatModel(options: ExtractiveOptions = {}): ChatModel {
  const maxSentences = options.maxSentences ?? 3;
  const maxWords = options.maxWords ?? 110;
  return {
    info: { name: 'extractive', extractive: true },
    async *stream(request, streamOptions = {}) {
      const answer =
        request.kind === 'overview'
          ? overviewAnswer(request, maxSentences)
          : questionAnswer(request, maxSentences, maxWords);
      for (const token of answer.match(/\S+\s*/g) ?? []) {
        throwIfAborted(streamOptions.signal);
        yield token;
      }
    },
  };
}

function questionAnswer(request: ChatRequest, maxSentences: number, maxWords: number): string {
  const own = new Set(analyze(request.question).filter((term) => !questionWords.has(term)));
  // A follow-up's standalone query adds the conversation's terms: they help, but the question itself leads.
  const queryTerms = new Set([...own, ...analyze(request.query).filter((term) => !questionWords.has(term))]);
  if (queryTerms.size === 0 || request.sources.length === 0) return noAnswerText;
  const candidates = candidatesOf(request.sources);
  const comparison = comparisonAnswer(request.question, candidates);
  if (comparison) return comparison;
  const idf = inverseFrequencies(candidates, queryTerms);
  for (const [term, value] of idf) if (!own.has(term)) idf.set(term, value * 0.35);
  const totalWeight = [...queryTerms].reduce((sum, term) => sum + (idf.get(term) ?? 0), 0);
  for (const candidate of candidates) {
    let matched = 0;
    for (const term of candidate.terms) if (queryTerms.has(term)) matched += idf.get(term) ?? 0;
    // Prefer passages the retriever ranked higher and sentences of a readable length.
    const words = wordCount(candidate.text);
    const lengthFactor = words < 6 ? 0.6 : words > 60 ? 0.7 : 1;
    candidate.score = (matched / (totalWeight || 1)) * lengthFactor * (1 - 0.04 * candidate.rank);
  }
  const best = Math.max(0, ...candidates.map((candidate) => candidate.score));
  // "What is X?" leads with the sentence that says what X is, when a passage has one.
  const lead = definitionLead(request.question, candidates);
  // Below a third of the question's weight matched, the passages do not answer it.
  if (best < 0.34 && !lead) return noAnswerText;

  const chosen: Candidate[] = lead ? [lead] : [];
  const covered = new Set<string>(lead?.terms ?? []);
  let words = lead ? wordCount(lead.text) : 0;
  const pool = candidates.filter((candidate) => candidate !== lead && candidate.score >= best * 0.45);
  while (chosen.length < maxSentences && pool.length > 0) {
    // Greedy selection that rewards question terms not yet covered and penalizes repeating a chosen sentence.
    let pick = -1;
    let pickValue = -1;
    for (const [index, candidate] of pool.entries()) {
      let fresh = 0;
      for (const term of candidate.terms)
        if (queryTerms.has(term) && !covered.has(term)) fresh += idf.get(term) ?? 0;
      const redundancy = Math.max(
        0,
        ...chosen.map((other) => overlap(candidate.terms, other.terms, queryTerms)),
      );
      const value = candidate.score + 0.5 * (fresh / (totalWeight || 1)) - 0.6 * redundancy;
      if (value > pickValue) {
        pickValue = value;
        pick = index;
      }
    }
    const [candidate] = pool.splice(pick, 1);
    if (!candidate || (chosen.length > 0 && pickValue < best * 0.5)) break;
    const length = wordCount(candidate.text);
    if (chosen.length > 0 && words + length > maxWords) continue;
    chosen.push(candidate);
    words += length;
    for (const term of candidate.terms) covered.add(term);
  }
  return chosen.map((candidate) => `${candidate.text} [${candidate.n}]`).join(' ');
}

/** The sentence that best says what a "What is X?" question's X is, or `null` (another kind of question, or none). */
function definitionLead(question: string, candidates: readonly Candidate[]): Candidate | null {
  const defined = definedTerm(question);
  if (!defined) return null;
  const nameTerms = new Set(defined.names.flatMap((name) => analyze(name)));
  const questionTerms = new Set(
    analyze(question).filter((term) => !nameTerms.has(term) && !questionWords.has(term)),
  );
  let lead: Candidate | null = null;
  let leadScore = 0;
  for (const candidate of candidates) {
    const score = definitionScore(candidate.terms, candidate.text, defined.names, questionTerms);
    if (score > leadScore + 1e-9) {
      leadScore = score;
      lead = candidate;
    }
  }
  return lead;
}

/**
 * "What is the difference between X and Y?" (or "X vs Y", "compare X with Y"): one sentence that speaks of X
 * and not of Y, and one of Y and not of X, so the answer describes each side instead of listing both names.
 */
function comparisonAnswer(question: string, candidates: readonly Candidate[]): string | null {
  const match =
    /\b(?:difference|differences|differ|distinguish(?:es)?)\s+between\s+(.+?)\s+and\s+(.+?)[?.!]*$/i.exec(
      question,
    ) ??
    /\bcompare\s+(.+?)\s+(?:and|with|to)\s+(.+?)[?.!]*$/i.exec(question) ??
    /^(?:how\s+(?:is|does|do)\s+)?(.+?)\s+(?:vs\.?|versus|compared\s+(?:to|with)|different\s+from)\s+(.+?)[?.!]*$/i.exec(
      question,
    );
  if (!match?.[1] || !match[2]) return null;
  const sides = [new Set(analyze(match[1])), new Set(analyze(match[2]))] as const;
  const own = sides.map((side, index) => [...side].filter((term) => !sides[1 - index]?.has(term)));
  if (own.some((terms) => terms.length === 0)) return null;
  const picks = own.map((terms, index) => {
    const others = own[1 - index] ?? [];
    const name = (match[index + 1] ?? '').trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // "X, a model trained...", "X is a...", "we introduce X, which...": sentences that say what X is.
    const defines = new RegExp(
      `${name}(?![\\w-])(?:\\s+(?:is|was|are|were)\\s+(?:a|an|the)\\b|,\\s+(?:a|an|the|which|who)\\b)`,
      'i',
    );
    let best: Candidate | null = null;
    let bestValue = 0;
    for (const candidate of candidates) {
      if (
        !terms.some((term) => candidate.terms.has(term)) ||
        others.some((term) => candidate.terms.has(term))
      )
        continue;
      // Passages ranked higher come first, then sentences long enough to describe, then earlier ones.
      const descriptive = 0.6 + (0.4 * Math.min(wordCount(candidate.text), 25)) / 25;
      const definition = defines.test(candidate.text) ? 0.4 : 0;
      const value = (descriptive + definition) * (1 - 0.15 * candidate.rank) - 0.01 * candidate.position;
      if (value > bestValue) {
        bestValue = value;
        best = candidate;
      }
    }
    return best;
  });
  if (picks.some((pick) => pick === null)) return null;
  return picks.map((pick) => `${pick?.text} [${pick?.n}]`).join(' ');
}

function overviewAnswer(request: ChatRequest, maxSentences: number): string {
  const parts: string[] = [];
  for (const overview of request.overviews)
    parts.push(describeDocument(overview, request.overviews.length > 1));
  const opening = request.sources[0];
  if (opening) {
    // Summarize from the abstract when there is one, else from the opening prose.
    const abstract = /(?:^|\n)\s*abstract\b[\s:.—–-]*/i.exec(opening.text);
    const body = abstract ? opening.text.slice(abstract.index + abstract[0].length) : opening.text;
    const summary = candidatesOf([{ ...opening, text: body }])
      .filter((candidate) => wordCount(candidate.text) >= 6)
      .slice(0, maxSentences);
    if (summary.length > 0)
      parts.push(`${summary.map((candidate) => candidate.text).join(' ')} [${opening.n}]`);
  }
  const headings = request.overviews.flatMap((overview) => overview.headings);
  if (request.overviews.length === 1 && headings.length > 0)
    parts.push(`Its main sections are: ${headings.join('; ')}.`);
  return parts.length > 0 ? parts.join('\n\n') : noAnswerText;
}

function describeDocument(overview: DocumentOverview, named: boolean): string {
  const title = overview.title ? `“${overview.title}”` : null;
  if (!named) return title ? `This document is ${title}.` : `This document is ${overview.source}.`;
  return `${overview.source}${title ? `: ${title}` : ''}.`;
}

function candidatesOf(sources: readonly Source[]): Candidate[] {
  const candidates: Candidate[] = [];
  // Overlapping chunks repeat sentences; quote each once, from the best-ranked passage.
  const seen = new Set<string>();
  for (const [rank, source] of sources.entries()) {
    for (const [position, span] of splitSentences(source.text).entries()) {
      const text = cleanSentence(source.text.slice(span.start, span.end));
      if (!looksLikeProse(text) || seen.has(text)) continue;
      seen.add(text);
      candidates.push({ text, n: source.n, rank, position, terms: new Set(analyze(text)), score: 0 });
    }
  }
  return candidates;
}

/** Joins a PDF's line-broken words and whitespace into one readable line. */
function cleanSentence(text: string): string {
  return text
    .replace(/(\p{Ll})-\n(\p{Ll})/gu, '$1$2')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Rejects table rows, reference-list entries and other fragments that read badly as an answer. */
function looksLikeProse(text: string): boolean {
  // Markdown headings, table rows, code fences and list markers alone are structure, not answers.
  if (/^(?:#{1,6}\s|```|~~~)/.test(text) || (text.match(/\|/g)?.length ?? 0) >= 2) return false;
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters < 12 || letters / text.length < 0.6) return false;
  return wordCount(text) >= 4;
}

function inverseFrequencies(
  candidates: readonly Candidate[],
  terms: ReadonlySet<string>,
): Map<string, number> {
  const idf = new Map<string, number>();
  for (const term of terms) {
    const frequency = candidates.filter((candidate) => candidate.terms.has(term)).length;
    idf.set(term, Math.log(1 + (candidates.length + 1) / (frequency + 0.5)));
  }
  return idf;
}

/** How much of sentence `a` an earlier sentence `b` already says, beyond the question's own terms: 0 to 1. */
function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>, ignored: ReadonlySet<string>): number {
  let shared = 0;
  let size = 0;
  for (const term of a) {
    if (ignored.has(term)) continue;
    size++;
    if (b.has(term)) shared++;
  }
  return shared / Math.max(1, size);
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}
