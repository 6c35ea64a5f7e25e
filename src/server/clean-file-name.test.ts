import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanFileName, maxFileNameBytes } from './clean-file-name.ts';

const graphemes = (text: string) =>
  [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
const bidiOrControl = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

describe('cleanFileName', () => {
  it('strips bidi overrides, controls and paths', () => {
    expect(cleanFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(cleanFileName('C:\\Users\\me\\a\u2067b\u2069.pdf')).toBe('ab.pdf');
    expect(cleanFileName('/tmp/\u0000\u200f')).toBe('upload');
  });

  it('shortens a long name keeping its extension and whole characters', () => {
    const name = `${'👩‍👩‍👧‍👦'.repeat(30)}.pdf`;
    const short = cleanFileName(name);
    expect(short.endsWith('.pdf')).toBe(true);
    expect(new TextEncoder().encode(short).length).toBeLessThanOrEqual(maxFileNameBytes);
    expect(graphemes(short.slice(0, -4)).every((grapheme) => grapheme === '👩‍👩‍👧‍👦')).toBe(true);
  });

  it('always gives a short, clean name: a whole-character prefix of the input plus its extension', () => {
    const unit = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.constantFrom('\u202e', '\u2066', '\u0007', 'é', 'e\u0301', '👍🏽', '🇫🇷', '/', ' ', '.'),
    );
    const extension = fc.constantFrom('', '.pdf', '.txt', '.markdown');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }), extension, (parts, ext) => {
        const name = parts.join('') + ext;
        const result = cleanFileName(name);
        expect(result).not.toMatch(bidiOrControl);
        expect(new TextEncoder().encode(result).length).toBeLessThanOrEqual(maxFileNameBytes);
        expect(result).not.toBe('');
        const expected = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        const clean = expected.normalize('NFC').replace(new RegExp(bidiOrControl, 'gu'), '').trim();
        if (clean === '') {
          expect(result).toBe('upload');
          return;
        }
        if (clean.endsWith(ext) && ext !== '' && clean !== ext) expect(result.endsWith(ext)).toBe(true);
        const stem =
          result.endsWith(ext) && ext !== '' && result !== ext ? result.slice(0, -ext.length) : result;
        // No character is split: the kept stem is made of the input's first whole graphemes.
        const kept = graphemes(stem);
        expect(graphemes(clean).slice(0, kept.length)).toEqual(kept);
      }),
    );
  });
});
