import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, type PDFFont, StandardFonts } from 'pdf-lib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Source } from '../src/core/types.ts';
import { rasterizePdf } from '../src/test-helpers/ocr-fixtures.ts';
import { type AppServer, ensureWebBuilt, repoRoot, startAppServer } from './support/app-server.ts';
import { browserAvailability, launchBrowser } from './support/browser.ts';

const { available } = browserAvailability();
const screenshotDir = join(repoRoot, 'artifacts', 'screenshots');
// The README's images are rewritten only on request, so a test run does not churn tracked files.
const readmeImageDir = process.env.DOCCHAT_UPDATE_SCREENSHOTS ? join(repoRoot, 'docs', 'images') : null;

/** Generous: the tests share a small machine, and pdf.js draws pages on its CPU. */
const slowMachineTimeout = 90_000;
const stepTimeout = 30_000;

const pageWidth = 612;
const pageHeight = 792;

/** One line drawn by the test: one sentence, so every chunk boundary falls between lines. */
interface PlacedLine {
  text: string;
  page: number;
  x: number;
  /** Baseline, from the bottom of the page. */
  y: number;
  size: number;
}

/** A paragraph to draw: its sentences, and where its first line goes. */
interface Paragraph {
  lines: string[];
  page: number;
  x: number;
  y: number;
  size?: number;
  /** Lines after this many continue at `next` (another column or page). */
  breakAfter?: number;
  next?: { page: number; x: number; y: number };
}

const lineGap = 14;

/** Draws the paragraphs in order (their content-stream order is their reading order) and says where each line is. */
async function buildPdf(
  paragraphs: Paragraph[],
): Promise<{ data: Buffer; lines: PlacedLine[]; font: PDFFont }> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  const pageCount = Math.max(
    ...paragraphs.flatMap((paragraph) => [paragraph.page, paragraph.next?.page ?? 1]),
  );
  const pages = Array.from({ length: pageCount }, () => document.addPage([pageWidth, pageHeight]));
  const lines: PlacedLine[] = [];
  for (const paragraph of paragraphs) {
    let place = { page: paragraph.page, x: paragraph.x, y: paragraph.y };
    paragraph.lines.forEach((text, index) => {
      if (index === paragraph.breakAfter && paragraph.next) place = { ...paragraph.next };
      const size = paragraph.size ?? 11;
      pages[place.page - 1]?.drawText(text, { x: place.x, y: place.y, size, font });
      lines.push({ text, page: place.page, x: place.x, y: place.y, size });
      place = { ...place, y: place.y - lineGap };
    });
  }
  return { data: Buffer.from(await document.save()), lines, font };
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where a drawn line's letters are on screen: from its left edge to its advance, cap height to baseline. */
function lineOnScreen(
  line: PlacedLine,
  font: PDFFont,
  canvas: Box,
  size = { width: pageWidth, height: pageHeight },
): Box {
  const scale = canvas.width / size.width;
  const baseline = canvas.y + (size.height - line.y) * scale;
  const capHeight = 0.718 * line.size * scale;
  return {
    x: canvas.x + line.x * scale,
    y: baseline - capHeight,
    width: font.widthOfTextAtSize(line.text, line.size) * scale,
    height: capHeight,
  };
}

const inside = (box: Box, x: number, y: number) =>
  x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height;

function overlaps(first: Box, second: Box): boolean {
  const width = Math.min(first.x + first.width, second.x + second.width) - Math.max(first.x, second.x);
  const height = Math.min(first.y + first.height, second.y + second.height) - Math.max(first.y, second.y);
  return width > 0 && height > 0;
}

/** Points spread over a box's inside (1.5 px in from its edges). */
function samplePoints(box: Box): [number, number][] {
  const points: [number, number][] = [];
  for (let i = 0; i <= 8; i++) {
    for (const fy of [0, 0.5, 1]) {
      points.push([box.x + 1.5 + ((box.width - 3) * i) / 8, box.y + 1.5 + (box.height - 3) * fy]);
    }
  }
  return points;
}

/** The highlight rectangles and the page canvas the viewer shows now, in CSS pixels. */
async function viewerGeometry(
  page: Page,
): Promise<{ page: number; canvas: Box; highlights: Box[]; visible: Box }> {
  return page.evaluate(() => {
    const toBox = (element: Element) => {
      const rect = element.getBoundingClientRect();
      return { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
    };
    const frame = document.querySelector('.viewer-page');
    const canvas = frame?.querySelector('canvas');
    const body = document.querySelector('.viewer-body');
    if (!frame || !canvas || !body) throw new Error('The viewer shows no page.');
    return {
      page: Number(frame.getAttribute('data-page')),
      canvas: toBox(canvas),
      highlights: [...frame.querySelectorAll('.viewer-highlight')].map(toBox),
      visible: toBox(body),
    };
  });
}

/** Source `n` of the chat's last answer, and the text its offsets point into, as the API gives them. */
async function citedSource(page: Page, n: number): Promise<{ source: Source; text: string }> {
  return page.evaluate(async (wanted) => {
    const chatId = location.pathname.split('/').at(-1) ?? '';
    const chat = await (await fetch(`/api/chats/${chatId}`)).json();
    const answer = chat.messages.filter((message: { role: string }) => message.role === 'assistant').at(-1);
    const source = answer.sources.find((candidate: Source) => candidate.n === wanted);
    const documentId = source.id.slice(0, source.id.lastIndexOf('#'));
    const layout = await (await fetch(`/api/chats/${chatId}/documents/${documentId}/layout`)).json();
    return { source, text: layout.text as string };
  }, n);
}

/** Each drawn line's character range in the document's text (lines are unique, found in order). */
function lineRanges(text: string, lines: readonly PlacedLine[]): { start: number; end: number }[] {
  let cursor = 0;
  return lines.map((line) => {
    const start = text.indexOf(line.text, cursor);
    if (start < 0) throw new Error(`"${line.text}" is not in the document's text`);
    cursor = start + line.text.length;
    return { start, end: cursor };
  });
}

/**
 * Checks what the viewer shows on its current page: every line of the passage on this page is covered by the
 * highlight rectangles, and no other line is touched by them. Returns how many cited lines were on the page.
 */
async function expectHighlightsOnPage(
  page: Page,
  lines: readonly PlacedLine[],
  font: PDFFont,
  cited: readonly boolean[],
): Promise<number> {
  const geometry = await viewerGeometry(page);
  let citedHere = 0;
  lines.forEach((line, index) => {
    if (line.page !== geometry.page) return;
    const box = lineOnScreen(line, font, geometry.canvas);
    if (cited[index]) {
      citedHere++;
      for (const [x, y] of samplePoints(box)) {
        expect(
          geometry.highlights.some((highlight) => inside(highlight, x, y)),
          `"${line.text}" is covered at (${x.toFixed(1)}, ${y.toFixed(1)})`,
        ).toBe(true);
      }
    } else {
      const inner = { x: box.x + 1, y: box.y + 1, width: box.width - 2, height: box.height - 2 };
      for (const highlight of geometry.highlights) {
        expect(overlaps(highlight, inner), `"${line.text}" is not highlighted`).toBe(false);
      }
    }
  });
  if (citedHere > 0) {
    // The passage is scrolled into view.
    expect(geometry.highlights.some((highlight) => overlaps(highlight, geometry.visible))).toBe(true);
  }
  return citedHere;
}

/** Which drawn lines the passage holds; a line cut in two would make the check meaningless, so none may be. */
function citedLines(text: string, lines: readonly PlacedLine[], source: Source): boolean[] {
  return lineRanges(text, lines).map(({ start, end }) => {
    const within = start >= source.start && end <= source.end;
    const outside = end <= source.start || start >= source.end;
    expect(within || outside, `the passage ends between lines, not inside "${text.slice(start, end)}"`).toBe(
      true,
    );
    return within;
  });
}

/** Words of each topic, so that a question about one finds its paragraph and no other. */
const vocabulary: Record<string, string[]> = {
  Honeybee: [
    'honeybees',
    'forage',
    'nectar',
    'pollen',
    'hive',
    'waggle',
    'dance',
    'queen',
    'comb',
    'wax',
    'swarm',
  ],
  Glacier: ['glaciers', 'ice', 'moraine', 'crevasse', 'meltwater', 'calving', 'snowfall', 'firn', 'bedrock'],
  Violin: ['violins', 'bow', 'strings', 'rosin', 'bridge', 'maple', 'spruce', 'varnish', 'luthier', 'scroll'],
  Owl: ['owls', 'hunt', 'voles', 'silent', 'feathers', 'pellets', 'barn', 'talons', 'dusk', 'hoot'],
  Comet: ['comets', 'tail', 'nucleus', 'orbit', 'perihelion', 'coma', 'dust', 'sunward', 'icy', 'periodic'],
  Pottery: ['potters', 'clay', 'kiln', 'glaze', 'wheel', 'stoneware', 'firing', 'slip', 'bisque', 'throwing'],
  Saffron: [
    'saffron',
    'crocus',
    'stigmas',
    'threads',
    'harvest',
    'autumn',
    'spice',
    'dried',
    'petals',
    'aroma',
  ],
  Railway: [
    'railways',
    'locomotive',
    'sleepers',
    'gauge',
    'signals',
    'freight',
    'junction',
    'timetable',
    'rails',
  ],
  Harbor: ['harbors', 'quay', 'moorings', 'tides', 'breakwater', 'pilots', 'cranes', 'berths', 'dredging'],
  Lantern: ['lanterns', 'wick', 'paraffin', 'glass', 'chimney', 'flame', 'brass', 'handle', 'soot', 'glow'],
};

/** One sentence per line, about one topic: "Glacier fact 3: meltwater calving snowfall firn." */
function sentences(topic: string, count: number, width = 56): string[] {
  const words = vocabulary[topic] ?? [topic.toLowerCase()];
  return Array.from({ length: count }, (_, index) => {
    let line = `${topic} fact ${index + 1}:`;
    for (let word = index; line.length < width - 10; word++) line += ` ${words[word % words.length]}`;
    return `${line}.`;
  });
}

describe.skipIf(!available)('the document viewer in Chromium', () => {
  let browser: Browser;
  let server: AppServer;

  beforeAll(async () => {
    await ensureWebBuilt();
    server = await startAppServer();
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openChatWith(
    name: string,
    mimeType: string,
    data: Buffer,
    viewport = { width: 1280, height: 900 },
  ): Promise<Page> {
    const context = await browser.newContext({ viewport, deviceScaleFactor: viewport.width < 500 ? 2 : 1 });
    context.setDefaultTimeout(stepTimeout);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByLabel('Choose a Text or PDF file').setInputFiles({ name, mimeType, buffer: data });
    await page.getByText(`Processing ${name} done. You can now ask questions!`).waitFor();
    await page.waitForURL(/\/chats\/[^/]+$/);
    return page;
  }

  async function askAndCite(page: Page, question: string): Promise<void> {
    const box = page.getByLabel('Your question');
    await box.fill(question);
    await box.press('Enter');
    const answer = page.locator('.bubble-answer').last();
    await answer.locator('.answer-body[aria-busy="false"]').waitFor();
    await answer.getByRole('button', { name: 'Show source 1' }).first().click();
    await page.getByRole('dialog').waitFor();
    await page.locator('.viewer-page canvas').waitFor();
    // The page is drawn and the rectangles are placed once the frame has the canvas's size.
    await page.waitForFunction(() => {
      const canvas = document.querySelector('.viewer-page canvas');
      return (
        canvas instanceof HTMLCanvasElement && canvas.getBoundingClientRect().width > 0 && canvas.width > 0
      );
    });
  }

  async function screenshot(page: Page, name: string, forReadme = false): Promise<void> {
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
    if (forReadme && readmeImageDir) {
      mkdirSync(readmeImageDir, { recursive: true });
      await page.screenshot({ path: join(readmeImageDir, `${name}.png`) });
    }
  }

  it(
    'opens the cited page of a PDF with exactly the cited lines highlighted, and is keyboard usable',
    async () => {
      const { data, lines, font } = await buildPdf([
        { lines: sentences('Honeybee', 12), page: 1, x: 72, y: 720 },
        { lines: sentences('Glacier', 10), page: 2, x: 72, y: 720 },
        { lines: sentences('Violin', 12), page: 2, x: 72, y: 720 - 11 * lineGap },
      ]);
      const page = await openChatWith('notes.pdf', 'application/pdf', data);
      await askAndCite(page, 'How do glaciers form moraine, crevasse and meltwater?');
      const { source, text } = await citedSource(page, 1);
      expect(source.page).toBe(2);
      const cited = citedLines(text, lines, source);
      expect(cited.filter(Boolean).length).toBeGreaterThan(0);
      // Some lines of the cited page are not in the passage, so "only them" is really checked.
      expect(lines.some((line, index) => line.page === 2 && !cited[index])).toBe(true);

      const dialog = page.getByRole('dialog');
      await expect(dialog.getAttribute('aria-modal')).resolves.toBe('true');
      await dialog.getByText('Page 2 of 2').waitFor();
      expect(await expectHighlightsOnPage(page, lines, font, cited)).toBe(cited.filter(Boolean).length);
      await screenshot(page, 'viewer-desktop');

      // Focus starts on the close button, Tab stays inside, Previous page moves and Escape closes.
      await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe(
        'Close the document viewer',
      );
      for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
      await expect(
        page.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null),
      ).resolves.toBe(true);
      await dialog.getByRole('button', { name: 'Previous page' }).click();
      await dialog.getByText('Page 1 of 2').waitFor();
      await page.waitForFunction(
        () => document.querySelector('.viewer-page')?.getAttribute('data-page') === '1',
      );
      expect(await page.locator('.viewer-highlight').count()).toBe(0);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      // A source in the panel opens the same passage.
      await page.getByRole('button', { name: 'Show source 1 in notes.pdf' }).click();
      await page.getByRole('dialog').getByText('Page 2 of 2').waitFor();
      await page.getByRole('button', { name: 'Close the document viewer' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await page.context().close();
    },
    slowMachineTimeout,
  );

  it(
    'highlights a passage that runs from one column into the next',
    async () => {
      const column = (topic: string, count: number) => sentences(topic, count, 36);
      const { data, lines, font } = await buildPdf([
        { lines: column('Owl', 16), page: 1, x: 60, y: 740 },
        {
          lines: column('Comet', 14),
          page: 1,
          x: 60,
          y: 740 - 17 * lineGap,
          breakAfter: 7,
          next: { page: 1, x: 330, y: 740 },
        },
        { lines: column('Pottery', 16), page: 1, x: 330, y: 740 - 8 * lineGap },
      ]);
      const page = await openChatWith('columns.pdf', 'application/pdf', data);
      await askAndCite(page, 'What is the tail and nucleus of comets on their orbit?');
      const { source, text } = await citedSource(page, 1);
      const cited = citedLines(text, lines, source);
      // The passage holds lines of both columns.
      const citedX = new Set(lines.filter((_, index) => cited[index]).map((line) => line.x));
      expect([...citedX].sort()).toEqual([330, 60]);
      await expectHighlightsOnPage(page, lines, font, cited);
      await page.context().close();
    },
    slowMachineTimeout,
  );

  it(
    'highlights a passage across a page break, page by page',
    async () => {
      const { data, lines, font } = await buildPdf([
        { lines: ['Field notes.'], page: 1, x: 72, y: 740 },
        {
          lines: sentences('Saffron', 12),
          page: 1,
          x: 72,
          y: 700,
          breakAfter: 7,
          next: { page: 2, x: 72, y: 740 },
        },
        { lines: sentences('Railway', 11), page: 2, x: 72, y: 740 - 6 * lineGap },
      ]);
      const page = await openChatWith('pages.pdf', 'application/pdf', data);
      await askAndCite(page, 'How are saffron crocus stigmas harvested?');
      const { source, text } = await citedSource(page, 1);
      const cited = citedLines(text, lines, source);
      const citedPages = new Set(lines.filter((_, index) => cited[index]).map((line) => line.page));
      expect([...citedPages]).toEqual([1, 2]);
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Page 1 of 2').waitFor();
      await dialog.getByText('The passage runs over pages 1–2.').waitFor();
      expect(await expectHighlightsOnPage(page, lines, font, cited)).toBeGreaterThan(0);
      await dialog.getByRole('button', { name: 'Next page' }).click();
      await page.waitForFunction(
        () => document.querySelector('.viewer-page')?.getAttribute('data-page') === '2',
      );
      await page.locator('.viewer-highlight').first().waitFor();
      expect(await expectHighlightsOnPage(page, lines, font, cited)).toBeGreaterThan(0);
      await page.context().close();
    },
    slowMachineTimeout,
  );

  it(
    'marks a text file’s span, and fits a phone screen',
    async () => {
      const paragraphs = [
        'Sourdough starter needs flour and water every day.\nKeep it warm and it bubbles within a week.',
        'Tomatoes ripen faster in a paper bag.\nA banana in the bag releases ethylene and\nspeeds them up further.',
        'Basil dislikes the fridge; keep it in a glass of water on the counter.',
      ];
      const phone = { width: 390, height: 844 };
      const context = await browser.newContext({ viewport: phone, deviceScaleFactor: 2 });
      context.setDefaultTimeout(stepTimeout);
      const page = await context.newPage();
      await page.goto(server.url);
      await page.getByLabel('Choose a Text or PDF file').setInputFiles({
        name: 'kitchen.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from(paragraphs.join('\n\n')),
      });
      await page.getByText('Processing kitchen.txt done. You can now ask questions!').waitFor();
      await page.waitForURL(/\/chats\/[^/]+$/);
      const box = page.getByLabel('Your question');
      await box.fill('How do tomatoes ripen faster?');
      await box.press('Enter');
      const answer = page.locator('.bubble-answer').last();
      await answer.locator('.answer-body[aria-busy="false"]').waitFor();
      await answer.getByRole('button', { name: 'Show source 1' }).first().click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      const mark = dialog.locator('mark.viewer-highlight-text');
      const { source, text } = await citedSource(page, 1);
      await expect(mark.textContent()).resolves.toBe(text.slice(source.start, source.end));
      await expect(mark.textContent()).resolves.toContain('Tomatoes ripen faster');
      // The whole document is there, the rest unmarked.
      await expect(dialog.locator('.viewer-text').textContent()).resolves.toBe(text);
      const dialogBox = await dialog.boundingBox();
      expect(dialogBox?.width).toBeLessThanOrEqual(phone.width);
      expect(dialogBox?.height).toBeLessThanOrEqual(phone.height);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await context.close();
    },
    slowMachineTimeout,
  );

  it(
    'shows an image read by OCR with the cited words highlighted on it, labelled as OCR',
    async () => {
      // A photographed note: a small page drawn by the test, rendered at 300 dpi as a scanner would.
      const note = { width: 400, height: 300 };
      const pdf = await PDFDocument.create();
      const font = await pdf.embedFont(StandardFonts.Helvetica);
      const sheet = pdf.addPage([note.width, note.height]);
      const paragraph = (topic: string, top: number): PlacedLine[] =>
        sentences(topic, 5, 44).map((text, index) => ({
          text,
          page: 1,
          x: 24,
          y: top - index * 18,
          size: 12,
        }));
      const lines = [...paragraph('Pottery', 270), ...paragraph('Comet', 130)];
      for (const line of lines) sheet.drawText(line.text, { x: line.x, y: line.y, size: line.size, font });
      const [png] = await rasterizePdf(await pdf.save());
      if (!png) throw new Error('The note was not rendered.');

      const page = await openChatWith('note.png', 'image/png', Buffer.from(png));
      const box = page.getByLabel('Your question');
      await box.fill('How do potters fire clay in a kiln with glaze?');
      await box.press('Enter');
      const answer = page.locator('.bubble-answer').last();
      await answer.locator('.answer-body[aria-busy="false"]').waitFor();
      const { source, text } = await citedSource(page, 1);
      expect(source.ocr).toBe(true);
      // The passage is labelled as read by OCR where it is shown.
      await page.locator('[data-source="1"] .source-ocr').waitFor();
      await answer.getByRole('button', { name: 'Show source 1' }).first().click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('This text was read by OCR', { exact: false }).waitFor();
      await page.locator('.viewer-page img.viewer-image').waitFor();
      await page.locator('.viewer-highlight').first().waitFor();
      const geometry = await page.evaluate(() => {
        const toBox = (element: Element) => {
          const rect = element.getBoundingClientRect();
          return { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
        };
        const image = document.querySelector('.viewer-page img.viewer-image');
        if (!image) throw new Error('The viewer shows no image.');
        return {
          image: toBox(image),
          highlights: [...document.querySelectorAll('.viewer-highlight')].map(toBox),
        };
      });

      // OCR may misread a letter, so lines are matched by their words: the passage's lines are covered, the
      // other topic's lines are not touched.
      const passage = text.slice(source.start, source.end);
      const inPassage = (line: PlacedLine) => line.text.split(' ').every((word) => passage.includes(word));
      const citedHere = lines.filter(inPassage);
      expect(citedHere.length).toBeGreaterThan(0);
      for (const line of lines) {
        const onScreen = lineOnScreen(line, font, geometry.image, note);
        if (citedHere.includes(line)) {
          const middle: [number, number] = [
            onScreen.x + onScreen.width / 2,
            onScreen.y + onScreen.height / 2,
          ];
          expect(
            geometry.highlights.some((highlight) => inside(highlight, ...middle)),
            `"${line.text}" is highlighted`,
          ).toBe(true);
        } else if (line.text.startsWith('Comet')) {
          const inner = {
            x: onScreen.x + 1,
            y: onScreen.y + 1,
            width: onScreen.width - 2,
            height: onScreen.height - 2,
          };
          for (const highlight of geometry.highlights)
            expect(overlaps(highlight, inner), `"${line.text}" is not highlighted`).toBe(false);
        }
      }
      for (const highlight of geometry.highlights) {
        expect(highlight.x).toBeGreaterThanOrEqual(geometry.image.x - 1);
        expect(highlight.x + highlight.width).toBeLessThanOrEqual(
          geometry.image.x + geometry.image.width + 1,
        );
      }
      await page.context().close();
    },
    slowMachineTimeout,
  );

  it(
    'shows a PDF page on a phone-sized screen',
    async () => {
      const { data, lines, font } = await buildPdf([
        { lines: sentences('Harbor', 12), page: 1, x: 72, y: 720 },
        { lines: sentences('Lantern', 12), page: 1, x: 72, y: 720 - 13 * lineGap },
      ]);
      const page = await openChatWith('harbor.pdf', 'application/pdf', data, { width: 390, height: 844 });
      await askAndCite(page, 'How does a lantern wick burn paraffin?');
      const { source, text } = await citedSource(page, 1);
      const cited = citedLines(text, lines, source);
      const geometry = await viewerGeometry(page);
      expect(geometry.canvas.width).toBeLessThanOrEqual(390);
      await expectHighlightsOnPage(page, lines, font, cited);
      await screenshot(page, 'docchat-viewer-phone', true);
      await page.context().close();
    },
    slowMachineTimeout,
  );
});
