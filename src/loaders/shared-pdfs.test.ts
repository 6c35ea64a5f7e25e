import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { DocchatError } from '../core/errors.ts';
import type { LoadedDocument } from '../core/types.ts';
import { loadDocument } from './load-document.ts';

/** The shared folder lies beside the repository (CI clones the repository next to `shared/`). */
const sharedRoot = fileURLToPath(new URL('../../../shared/', import.meta.url));
const pdfsDirectory = join(sharedRoot, 'datasets', 'pdfs');
const deepSeekPath = join(sharedRoot, 'corpus', 'DeepSeek_R1.pdf');

/** The default document limits: every honest file here must pass them. */
const { maxDocumentChars, maxPages, parseTimeoutMs, maxPdfDecodedMb } = loadConfig({}).limits;
const limits = { maxCharacters: maxDocumentChars, maxPages, parseTimeoutMs, maxPdfDecodedMb };

function load(path: string, password?: string): Promise<LoadedDocument> {
  const name = path.split('/').at(-1) ?? path;
  return loadDocument(
    { name, data: readFileSync(path) },
    { limits, ...(password === undefined ? {} : { password }) },
  );
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DocchatError) return error.code;
    throw error;
  }
  return 'loaded';
}

const squash = (text: string) => text.replace(/\s+/g, ' ');

const scans = [
  { file: 'c02-22.pdf', words: ['tip-toeing along a path', 'kitchen', 'Miss Watson'] },
  { file: 'linn.pdf', words: ['LinnSequencer', 'composition and performance tool', 'MIDI channels'] },
];
const encrypted = [
  { file: 'aes-256.pdf', password: 'baz', words: ['Secret'] },
  { file: 'aes-256-r6.pdf', password: 'usersecret', words: ['Hello World'] },
  { file: 'password-example.pdf', password: 'test', words: ['Backup4all', 'network'] },
];
const readable = [
  {
    file: 'federal-register-2020-17221.pdf',
    pages: 15,
    words: ['Airworthiness Directives', 'Federal Aviation Administration'],
  },
  { file: 'nics-background-checks-2015-11.pdf', pages: 1, words: ['Alabama', 'Wyoming', 'Handgun'] },
  {
    file: 'WARN-Report-for-7-1-2015-to-03-25-2016.pdf',
    pages: 16,
    words: ['Layoff', 'Closure', 'Permanent'],
  },
];

// The scans are read by OCR: seconds per page alone, far more while other suites share the two cores.
describe.skipIf(!existsSync(pdfsDirectory))('shared real-world PDFs', { timeout: 300_000 }, () => {
  it('has an expectation for every file in the folder', () => {
    const known = [
      ...scans.map((entry) => entry.file),
      ...encrypted.map((entry) => entry.file),
      ...readable.map((entry) => entry.file),
    ];
    expect(
      readdirSync(pdfsDirectory)
        .filter((file) => file.endsWith('.pdf'))
        .sort(),
    ).toEqual(known.sort());
  });

  it.each(scans)('reads the scan $file by OCR, so it can be asked about', async ({ file, words }) => {
    const document = await load(join(pdfsDirectory, file));
    expect(document.pages.every((span) => span.ocr === true)).toBe(true);
    for (const word of words) expect(squash(document.text)).toContain(word);
    expect(document.textBoxes?.length).toBeGreaterThan(50);
  });

  it.each(scans)('refuses the scan $file as pdf_no_text when OCR is off', async ({ file }) => {
    const data = readFileSync(join(pdfsDirectory, file));
    const ocr = { enabled: false, maxPages: 10, timeoutMs: 60_000 };
    expect(await codeOf(loadDocument({ name: file, data }, { ocr }))).toBe('pdf_no_text');
  });

  it.each(encrypted)(
    'asks for the password of $file and reads it with the right one',
    async ({ file, password, words }) => {
      const path = join(pdfsDirectory, file);
      expect(await codeOf(load(path))).toBe('pdf_encrypted');
      expect(await codeOf(load(path, `${password}-wrong`))).toBe('pdf_wrong_password');
      const document = await load(path, password);
      for (const word of words) expect(document.text).toContain(word);
      for (const span of document.pages) expect(span.end).toBeGreaterThanOrEqual(span.start);
    },
  );

  it.each(readable)('reads $file with its $pages pages', async ({ file, pages, words }) => {
    const document = await load(join(pdfsDirectory, file));
    expect(document.kind).toBe('pdf');
    expect(document.pages).toHaveLength(pages);
    for (const word of words) expect(squash(document.text)).toContain(word);
    for (const span of document.pages) expect(span.end - span.start).toBeGreaterThan(100);
    expect(document.text).not.toMatch(/ {2}/);
  });
});

describe.skipIf(!existsSync(deepSeekPath))('the DeepSeek-R1 paper', () => {
  it('loads its 22 pages with the title on page 1', async () => {
    const document = await load(deepSeekPath);
    expect(document.pages).toHaveLength(22);
    const [first] = document.pages;
    expect(first).toBeDefined();
    const firstPage = document.text.slice(first?.start, first?.end);
    expect(squash(firstPage)).toContain(
      'DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via Reinforcement Learning',
    );
    expect(document.text).toContain('DeepSeek-R1-Zero');
  });
});
