import { readFile } from 'node:fs/promises';
import { DocchatError, throwIfAborted } from '../core/errors.ts';
import type { Source } from '../core/types.ts';
import type { LoadInput } from '../loaders/loader.ts';
import type { Rag } from '../pipeline/create-rag.ts';

/** One question about a document and the exact passages of text an answer must be drawn from. */
export interface DocQuestion {
  q: string;
  evidence: string[];
}

/** How one question fared: the 1-based rank at which each evidence string was first retrieved, or `null`. */
export interface DocQuestionResult {
  q: string;
  ranks: (number | null)[];
}

/** The ranks at which evidence-in-top-k is reported. */
export const docEvalCutoffs = [1, 4, 10] as const;

/** What {@link runDocEval} measured. */
export interface DocEvalResult {
  questions: number;
  chunks: number;
  /** Mean share of a question's evidence strings found in its first k sources, for k = 1, 4, 10. */
  'evidence@1': number;
  'evidence@4': number;
  'evidence@10': number;
  /** Mean reciprocal rank of the first source holding any of a question's evidence (0 when none in 10). */
  mrr: number;
  perQuestion: DocQuestionResult[];
}

/** Text as compared: NFKC, lower case, every run of white space one space (PDF lines break anywhere). */
export function normalizeEvidence(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Reads a questions file: one JSON object `{"q": "...", "evidence": ["...", ...]}` per line. */
export async function readDocQuestions(path: string): Promise<DocQuestion[]> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new DocchatError('file_not_found', `Cannot read the questions file ${path}: check the path.`);
  });
  const questions: DocQuestion[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new DocchatError('invalid_request', `Line ${i + 1} of ${path} is not valid JSON.`);
    }
    const record = value as { q?: unknown; evidence?: unknown };
    const evidence = record?.evidence;
    if (
      typeof record?.q !== 'string' ||
      record.q.trim().length === 0 ||
      !Array.isArray(evidence) ||
      evidence.length === 0 ||
      !evidence.every((item) => typeof item === 'string' && item.trim().length > 0)
    )
      throw new DocchatError(
        'invalid_request',
        `Line ${i + 1} of ${path} must be {"q": "<question>", "evidence": ["<exact text>", ...]}.`,
      );
    questions.push({ q: record.q, evidence: evidence as string[] });
  }
  if (questions.length === 0)
    throw new DocchatError('empty_file', `The questions file ${path} has no questions.`);
  return questions;
}

/**
 * Ingests one file exactly as the app does (the Rag's loader, splitter and index), asks every question through
 * the Rag's pipeline with k = 10, and reports where the sources hold each question's evidence. Every evidence
 * string must occur in the document's extracted text, so a typo in the questions file is an error, not a miss.
 */
export async function runDocEval(
  rag: Rag,
  input: LoadInput,
  questions: readonly DocQuestion[],
  options: { signal?: AbortSignal; password?: string } = {},
): Promise<DocEvalResult> {
  const { signal } = options;
  const index = rag.createIndex();
  const { document, chunks } = await rag.ingest(input, index, { signal, password: options.password });
  const documentText = normalizeEvidence(document.text);
  for (const [n, question] of questions.entries())
    for (const evidence of question.evidence)
      if (!documentText.includes(normalizeEvidence(evidence)))
        throw new DocchatError(
          'invalid_request',
          `Question ${n + 1}'s evidence is not in the text of ${input.name}: "${evidence.slice(0, 60)}". Copy it exactly from the document.`,
        );

  const depth = docEvalCutoffs[docEvalCutoffs.length - 1] as number;
  const perQuestion: DocQuestionResult[] = [];
  for (const question of questions) {
    throwIfAborted(signal);
    let sources: Source[] = [];
    for await (const event of rag.ask(index, question.q, { k: depth, signal })) {
      if (event.type === 'sources') {
        sources = event.sources;
        break;
      }
      if (event.type === 'error')
        throw new DocchatError(event.error, `Question "${question.q.slice(0, 60)}" failed: ${event.message}`);
    }
    const texts = sources.slice(0, depth).map((source) => normalizeEvidence(source.text));
    const ranks = question.evidence.map((evidence) => {
      const rank = texts.findIndex((text) => text.includes(normalizeEvidence(evidence)));
      return rank === -1 ? null : rank + 1;
    });
    perQuestion.push({ q: question.q, ranks });
  }

  const mean = (values: number[]): number =>
    values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
  const within = (k: number): number =>
    mean(
      perQuestion.map(
        ({ ranks }) => ranks.filter((rank) => rank !== null && rank <= k).length / ranks.length,
      ),
    );
  const reciprocal = perQuestion.map(({ ranks }) => {
    const found = ranks.filter((rank): rank is number => rank !== null);
    return found.length === 0 ? 0 : 1 / Math.min(...found);
  });
  return {
    questions: perQuestion.length,
    chunks: chunks.length,
    'evidence@1': within(1),
    'evidence@4': within(4),
    'evidence@10': within(10),
    mrr: mean(reciprocal),
    perQuestion,
  };
}
