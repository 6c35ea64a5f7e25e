import { describe, expect, it } from 'vitest';
import { originalContentType } from './original-content-type.ts';

describe('originalContentType', () => {
  it('serves PDFs, images and Word files as themselves and any other text as plain text, never HTML', () => {
    expect(originalContentType({ kind: 'pdf', source: 'scan.PDF' })).toBe('application/pdf');
    expect(originalContentType({ kind: 'text', source: 'notes.MD' })).toBe('text/markdown');
    expect(originalContentType({ kind: 'text', source: 'receipt.jpeg' })).toBe('image/jpeg');
    expect(originalContentType({ kind: 'text', source: 'page.html' })).toBe('text/plain');
    expect(originalContentType({ kind: 'text', source: 'README' })).toBe('text/plain');
    expect(originalContentType({ kind: 'text', source: 'report.docx' })).toMatch(/wordprocessingml/);
  });
});
