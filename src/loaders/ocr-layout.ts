import type { TextBox } from '../core/types.ts';
import type { TextLine } from './layout-text-items.ts';
import type { OcrResult, OcrWord } from './ocr-engine.ts';

/**
 * Words Tesseract is less sure of than this (0–100) are dropped: on a scan they are mostly specks, rules and
 * the texture of pictures read as letters, while real words on a readable page score far higher.
 */
const minWordConfidence = 40;

/** The words of an OCR result worth keeping, line by line. */
function keptLines(result: OcrResult): { words: OcrWord[]; paragraphStart: boolean }[] {
  return result.lines
    .map((line) => ({
      words: line.words.filter((word) => word.confidence >= minWordConfidence && word.text.trim() !== ''),
      paragraphStart: line.paragraphStart,
    }))
    .filter((line) => line.words.length > 0);
}

/** Turns what OCR read on a page into lines for `renderPages`, a paragraph break where Tesseract saw one. */
export function ocrTextLines(result: OcrResult): TextLine[] {
  return keptLines(result).map((line, index) => ({
    text: line.words.map((word) => word.text).join(' '),
    paragraphBreakBefore: index > 0 && line.paragraphStart,
  }));
}

/**
 * Finds each kept word of an OCR result in its page's rendered text (`text.slice(pageStart)`, as produced from
 * {@link ocrTextLines}) and returns its box, scaled from pixels to page units by `unitsPerPixel`. Words are
 * searched in order from the end of the previous one, so repeated words map to their own occurrence; a word
 * whose hyphen went when lines were rejoined is found without it.
 */
export function ocrTextBoxes(
  result: OcrResult,
  text: string,
  span: { page: number; start: number; end: number },
  unitsPerPixel: number,
): TextBox[] {
  const boxes: TextBox[] = [];
  let cursor = span.start;
  for (const line of keptLines(result)) {
    for (const word of line.words) {
      const wanted = word.text.trim();
      let start = text.indexOf(wanted, cursor);
      let length = wanted.length;
      if ((start < 0 || start >= span.end) && /[-\u2010\u00ad]$/u.test(wanted)) {
        length = wanted.length - 1;
        start = text.indexOf(wanted.slice(0, -1), cursor);
      }
      if (start < 0 || start + length > span.end || length === 0) continue;
      boxes.push({
        page: span.page,
        start,
        end: start + length,
        x: word.x0 * unitsPerPixel,
        y: word.y0 * unitsPerPixel,
        width: (word.x1 - word.x0) * unitsPerPixel,
        height: (word.y1 - word.y0) * unitsPerPixel,
      });
      cursor = start + length;
    }
  }
  return boxes;
}
