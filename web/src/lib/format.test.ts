import { describe, expect, it } from 'vitest';
import {
  acceptedSummary,
  citationLabel,
  documentIdOf,
  fileExtension,
  formatBytes,
  pageLabel,
  tooLargeMessage,
} from './format.ts';

describe('format', () => {
  it('words sizes and the too-large refusal like the server', () => {
    expect(tooLargeMessage(2_000_000)).toBe('The file is larger than the 2 MB limit.');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(300_000)).toBe('300 KB');
    expect(formatBytes(12)).toBe('12 bytes');
  });

  it('reads extensions and page labels', () => {
    expect(fileExtension('Paper.PDF')).toBe('.pdf');
    expect(fileExtension('.bashrc')).toBe('');
    expect(pageLabel(3)).toBe('p. 3');
    expect(pageLabel(null)).toBeNull();
  });

  it('summarizes a long list of accepted types', () => {
    expect(acceptedSummary(['.txt', '.text', '.md', '.csv', '.pdf'])).toBe(
      '.pdf, .txt, .md and 2 more text types',
    );
    expect(acceptedSummary(['.txt', '.pdf'])).toBe('.pdf, .txt');
  });

  it('reads a citation as file, page and the two innermost headings', () => {
    expect(
      citationLabel({
        source: 'DeepSeek_R1.pdf',
        page: 6,
        section: ['2 Approach', '2.2 DeepSeek-R1-Zero', '2.2.4 Performance, Self-evolution Process'],
      }),
    ).toBe('DeepSeek_R1.pdf, p. 6, 2.2 DeepSeek-R1-Zero, 2.2.4 Performance, Self-evolution Process');
    expect(citationLabel({ source: 'notes.txt', page: null })).toBe('notes.txt');
  });

  it('finds the document of a passage from its id', () => {
    expect(documentIdOf('3f1c-77#12')).toBe('3f1c-77');
    expect(documentIdOf('plain')).toBe('plain');
  });
});
