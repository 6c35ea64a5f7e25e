import { describe, expect, it } from 'vitest';
import { DocchatError } from '../core/errors.ts';
import { decodeText } from './decode-text.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

function utf16(text: string, endian: 'le' | 'be', bom: boolean): Uint8Array {
  const out = new Uint8Array((text.length + (bom ? 1 : 0)) * 2);
  const view = new DataView(out.buffer);
  let offset = 0;
  if (bom) {
    view.setUint16(0, 0xfeff, endian === 'le');
    offset = 2;
  }
  for (let index = 0; index < text.length; index++)
    view.setUint16(offset + index * 2, text.charCodeAt(index), endian === 'le');
  return out;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DocchatError) return error.code;
    throw error;
  }
  return undefined;
}

describe('decodeText', () => {
  it('decodes UTF-8 with and without a byte-order mark', () => {
    expect(decodeText(utf8('héllo → wörld 🎉'), 'a.txt')).toBe('héllo → wörld 🎉');
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('héllo')]), 'a.txt')).toBe('héllo');
  });

  it('decodes UTF-16 LE and BE with a byte-order mark', () => {
    expect(decodeText(utf16('Grüße, 世界', 'le', true), 'a.txt')).toBe('Grüße, 世界');
    expect(decodeText(utf16('Grüße, 世界', 'be', true), 'a.txt')).toBe('Grüße, 世界');
  });

  it('recognizes UTF-16 without a byte-order mark', () => {
    expect(decodeText(utf16('plain ASCII in UTF-16\n', 'le', false), 'a.txt')).toBe(
      'plain ASCII in UTF-16\n',
    );
    expect(decodeText(utf16('plain ASCII in UTF-16\n', 'be', false), 'a.txt')).toBe(
      'plain ASCII in UTF-16\n',
    );
  });

  it('falls back to windows-1252 for bytes that are not UTF-8 (Latin-1 files)', () => {
    // "café – 5€" in windows-1252: é = E9, en dash = 96, euro = 80.
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x96, 0x20, 0x35, 0x80]);
    expect(decodeText(latin1, 'a.txt')).toBe('café – 5€');
  });

  it('normalizes CRLF and CR line endings to LF', () => {
    expect(decodeText(utf8('a\r\nb\rc\n\r\nd'), 'a.txt')).toBe('a\nb\nc\n\nd');
  });

  it('keeps tabs, form feeds and terminal colour codes', () => {
    expect(decodeText(utf8('a\tb\fc \u001b[32mok\u001b[0m'), 'a.log')).toBe('a\tb\fc \u001b[32mok\u001b[0m');
  });

  it('rejects binary data as not_text', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(codeOf(() => decodeText(png, 'photo.txt'))).toBe('not_text');
    expect(codeOf(() => decodeText(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0]), 'a.txt'))).toBe(
      'not_text',
    );
    expect(codeOf(() => decodeText(utf8('text with a \u0000 NUL byte in it'), 'a.txt'))).toBe('not_text');
    const controls = Uint8Array.from({ length: 400 }, (_, index) => (index % 7 === 0 ? 0x01 : 0x61));
    expect(codeOf(() => decodeText(controls, 'a.txt'))).toBe('not_text');
  });

  it('rejects random bytes whatever their encoding guess', () => {
    let seed = 42;
    const random = Uint8Array.from({ length: 4096 }, () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed >> 16) & 0xff || 1;
    });
    expect(codeOf(() => decodeText(random, 'a.txt'))).toBe('not_text');
  });

  it('says what the file looks like without quoting its content', () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x41, 0x42]);
    expect(() => decodeText(jpeg, 'scan.txt')).toThrow(
      /scan\.txt is not a text file: it looks like a JPEG image/,
    );
  });
});
