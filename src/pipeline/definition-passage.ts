import { splitSentences } from '../chat-models/sentences.ts';
import type { Chunk, ScoredChunk } from '../core/types.ts';
import { analyze } from '../text/analyzer.ts';
import { definedTerm, definitionScore } from '../text/definitions.ts';

/** The names of the term a "What is X?" question asks about, its spelled-out long form included. */
export function definitionNames(question: string, acronyms: ReadonlyMap<string, string>): string[] | null {
  const defined = definedTerm(question);
  if (!defined) return null;
  const names = new Set(defined.names);
  const longForm = acronyms.get(defined.term);
  if (longForm) names.add(longForm);
  for (const [acronym, long] of acronyms)
    if (long.toLowerCase() === defined.term.toLowerCase()) names.add(acronym);
  return [...names];
}

function bestDefinition(chunk: Chunk, names: readonly string[], questionTerms: ReadonlySet<string>): number {
  let best = 0;
  for (const span of splitSentences(chunk.text)) {
    const sentence = chunk.text.slice(span.start, span.end).replace(/\s+/g, ' ');
    best = Math.max(best, definitionScore(new Set(analyze(sentence)), sentence, names, questionTerms));
  }
  return best;
}

/**
 * For a "What is X?" question, makes sure the passage that best says what X is (when the document has one)
 * is among the `k` sources: retrieval ranks by the whole question, so the defining sentence of a term that
 * the document uses everywhere ("reinforcement learning (RL)") is often just below the cut. It takes the
 * last place, so `k` stays the same; a retrieved passage that already defines X as well leaves the list alone.
 */
export function withDefinitionPassage(
  hits: readonly ScoredChunk[],
  question: string,
  chunks: readonly Chunk[],
  acronyms: ReadonlyMap<string, string>,
): ScoredChunk[] {
  const names = definitionNames(question, acronyms);
  if (!names || hits.length === 0) return [...hits];
  const nameTerms = new Set(names.flatMap((name) => analyze(name)));
  const questionTerms = new Set(analyze(question).filter((term) => !nameTerms.has(term)));
  let best: Chunk | null = null;
  let bestScore = 0;
  for (const chunk of chunks) {
    const score = bestDefinition(chunk, names, questionTerms);
    if (score > bestScore + 1e-9) {
      bestScore = score;
      best = chunk;
    }
  }
  if (!best) return [...hits];
  const retrievedBest = Math.max(...hits.map((hit) => bestDefinition(hit.chunk, names, questionTerms)));
  if (retrievedBest >= bestScore - 1e-9) return [...hits];
  const last = hits[hits.length - 1] as ScoredChunk;
  return [...hits.slice(0, -1), { chunk: best, score: last.score }];
}
