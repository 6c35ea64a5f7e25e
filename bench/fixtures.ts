import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../src/core/seeded-random.ts';
import type { LoadedDocument } from '../src/core/types.ts';
import { loadDocument } from '../src/loaders/load-document.ts';

/** The 22-page DeepSeek-R1 paper from the shared corpus; absent outside the development machine. */
export const paperPath = fileURLToPath(new URL('../../shared/corpus/DeepSeek_R1.pdf', import.meta.url));

/** Whether the paper is available here. */
export function hasPaper(): boolean {
  return existsSync(paperPath);
}

/** The paper's bytes, or `null` when it is absent. */
export async function readPaper(): Promise<Uint8Array | null> {
  return hasPaper() ? new Uint8Array(await readFile(paperPath)) : null;
}

/** The paper loaded through docchat's PDF loader, or `null` when it is absent. */
export async function loadPaper(): Promise<LoadedDocument | null> {
  const data = await readPaper();
  return data === null ? null : loadDocument({ name: 'DeepSeek_R1.pdf', data });
}

const words = (
  'the a of to and in is that for on with as by model reasoning reward training data learning results ' +
  'language we our this from are be which it at an can performance each step answer question tokens policy ' +
  'distillation benchmark accuracy evaluation large small models shows table figure section method approach ' +
  'math code problem solution sampling temperature response format length improves baseline compared ' +
  'however therefore moreover experiments demonstrate significant average score across tasks stage'
).split(' ');

/**
 * A deterministic English-like ASCII text of exactly `characters` characters: sentences of common words,
 * paragraphs separated by blank lines, occasional headings and short lines, like a long report.
 */
export function syntheticText(characters: number, seed = 1): string {
  const random = seededRandom(seed);
  const pick = (): string => words[Math.floor(random() * words.length)] as string;
  const parts: string[] = [];
  let length = 0;
  let paragraph = 0;
  while (length < characters) {
    const heading = paragraph % 9 === 0 ? `${paragraph / 9 + 1}. ${capitalize(pick())} ${pick()}\n\n` : '';
    const sentences: string[] = [];
    const sentenceCount = 2 + Math.floor(random() * 7);
    for (let s = 0; s < sentenceCount; s++) {
      const wordCount = 6 + Math.floor(random() * 20);
      const sentence = Array.from({ length: wordCount }, pick);
      sentences.push(`${capitalize(sentence.join(' '))}${random() < 0.1 ? '?' : '.'}`);
    }
    const separator = random() < 0.2 ? '\n' : ' ';
    const text = `${heading}${sentences.join(separator)}\n\n`;
    parts.push(text);
    length += text.length;
    paragraph++;
  }
  return parts.join('').slice(0, characters);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A plain-text {@link LoadedDocument} around `text`, as the text loader would produce it. */
export function textDocument(source: string, text: string): LoadedDocument {
  return { source, kind: 'text', text, pages: [] };
}
