import { DocchatError } from '../core/errors.ts';

/** File formats people rename to `.txt` by mistake, told apart by their first bytes. */
const binarySignatures: ReadonlyArray<{ bytes: readonly number[]; what: string }> = [
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38, 0x37, 0x61], what: 'a GIF image' },
  { bytes: [0x47, 0x49, 0x46, 0x38, 0x39, 0x61], what: 'a GIF image' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (Word, Excel and EPUB files are ZIP archives)' },
  { bytes: [0x1f, 0x8b], what: 'a gzip archive' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: 'an old Microsoft Office document' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'a program' },
];

/** How much of the file the encoding guess looks at; enough to see a pattern, cheap on big files. */
const sampleBytes = 8192;
/** Above this share of control or replacement characters, the "text" is binary data. */
const maxSuspiciousShare = 0.01;

function startsWith(data: Uint8Array, bytes: readonly number[]): boolean {
  return data.length >= bytes.length && bytes.every((byte, index) => data[index] === byte);
}

/** Guesses UTF-16 without a byte-order mark from the zero high bytes that ASCII-range text leaves. */
function guessBomlessUtf16(data: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const length = Math.min(data.length, sampleBytes) & ~1;
  if (length < 4) return null;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let index = 0; index < length; index += 2) {
    if (data[index] === 0) zeroEven++;
    if (data[index + 1] === 0) zeroOdd++;
  }
  const pairs = length / 2;
  if (zeroOdd >= pairs * 0.4 && zeroEven <= pairs * 0.02) return 'utf-16le';
  if (zeroEven >= pairs * 0.4 && zeroOdd <= pairs * 0.02) return 'utf-16be';
  return null;
}

/** Decodes text whose encoding the bytes do not declare: UTF-8 if valid, otherwise windows-1252. */
function decodeUndeclared(data: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    // Not UTF-8: legacy Western files (Latin-1, Windows "ANSI") are by far the most common case, and
    // windows-1252 is the superset of Latin-1 that browsers use for both, so every byte maps to a character.
    return new TextDecoder('windows-1252').decode(data);
  }
}

/** Counts characters that do not occur in real text: C0/C1 controls (bar tab, newlines, form feed, escape) and U+FFFD. */
function countSuspicious(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20) {
      // \t \n \v \f \r are layout; ESC starts the colour codes found in terminal logs.
      if (code !== 0x09 && code !== 0x0a && code !== 0x0b && code !== 0x0c && code !== 0x0d && code !== 0x1b)
        count++;
    } else if ((code >= 0x7f && code <= 0x9f) || code === 0xfffd) {
      count++;
    }
  }
  return count;
}

function notText(source: string, reason: string): DocchatError {
  return new DocchatError(
    'not_text',
    `${source} is not a text file: ${reason}. Upload a plain-text file (UTF-8, UTF-16 or Latin-1) or a PDF.`,
    { details: { source } },
  );
}

/**
 * Decodes the bytes of a supposed text file into a string with `\n` line endings.
 * Encodings: a byte-order mark decides (UTF-8, UTF-16 LE/BE); BOM-less UTF-16 is recognized by its zero bytes;
 * otherwise UTF-8, falling back to windows-1252 when the bytes are not valid UTF-8 (Latin-1 files).
 * Throws `not_text` for binary data (NUL bytes, known binary formats, many control characters).
 */
export function decodeText(data: Uint8Array, source: string): string {
  const signature = binarySignatures.find((candidate) => startsWith(data, candidate.bytes));
  if (signature) throw notText(source, `it looks like ${signature.what}`);

  let text: string;
  if (startsWith(data, [0xef, 0xbb, 0xbf])) text = new TextDecoder('utf-8').decode(data);
  else if (startsWith(data, [0xff, 0xfe])) text = new TextDecoder('utf-16le').decode(data);
  else if (startsWith(data, [0xfe, 0xff])) text = new TextDecoder('utf-16be').decode(data);
  else {
    const utf16 = guessBomlessUtf16(data);
    if (utf16) text = new TextDecoder(utf16).decode(data);
    else if (data.includes(0)) throw notText(source, 'it contains NUL bytes, so it is binary data');
    else text = decodeUndeclared(data);
  }

  const suspicious = countSuspicious(text);
  if (suspicious > 0 && suspicious > text.length * maxSuspiciousShare) {
    throw notText(source, 'it contains too many control characters, so it is binary data');
  }
  return text.replace(/\r\n?/g, '\n');
}
