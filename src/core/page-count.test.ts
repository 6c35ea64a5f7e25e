import { describe, expect, it } from 'vitest';
import { ocrPagesText, pageCountText } from './page-count.ts';

describe('pageCountText', () => {
  it('says how many pages could be read when some could not', () => {
    expect(pageCountText({ pages: 22, readablePages: 9 })).toBe('9 of 22 pages could be read');
    expect(pageCountText({ pages: 22 })).toBe('22 pages');
    expect(pageCountText({ pages: 1 })).toBe('1 page');
    expect(pageCountText({ pages: null })).toBeNull();
  });
});

describe('ocrPagesText', () => {
  it('says how much OCR read, for images and PDFs, and nothing when it read none', () => {
    expect(ocrPagesText({ pages: null, ocrPages: [1] })).toBe('text read by OCR');
    expect(ocrPagesText({ pages: 2, ocrPages: [1, 2] })).toBe('all pages read by OCR');
    expect(ocrPagesText({ pages: 12, ocrPages: [2, 5, 9] })).toBe('3 of 12 pages read by OCR');
    expect(ocrPagesText({ pages: 12 })).toBeNull();
    expect(ocrPagesText({ pages: 12, ocrPages: [] })).toBeNull();
  });
});
