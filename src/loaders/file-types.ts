import { DocchatError } from '../core/errors.ts';

/** The two kinds of document docchat can read. */
export type FileKind = 'text' | 'pdf';

const textExtensions = [
  '.txt',
  '.text',
  '.md',
  '.markdown',
  '.rst',
  '.adoc',
  '.asciidoc',
  '.org',
  '.tex',
  '.csv',
  '.tsv',
  '.log',
  '.json',
  '.jsonl',
  '.ndjson',
  '.yaml',
  '.yml',
  '.toml',
  '.ini',
] as const;

const textMimeTypes = ['application/json', 'application/x-ndjson', 'application/yaml', 'application/x-yaml'];

/**
 * What docchat accepts, for file pickers (`<input accept>` takes both lists joined with commas) and error
 * messages. Any `text/*` MIME type is accepted; extensions are matched case-insensitively.
 */
export const acceptedFileTypes: {
  readonly extensions: readonly string[];
  readonly mimeTypes: readonly string[];
} = {
  extensions: [...textExtensions, '.pdf'],
  mimeTypes: ['text/*', 'application/pdf', ...textMimeTypes],
};

/** A short human list of the accepted types, for messages. */
export function describeAcceptedFileTypes(): string {
  return `plain text (${textExtensions.join(', ')}, or any text/* type) and PDF (.pdf)`;
}

/** The lower-cased extension of a file name including its dot (`.txt`), or '' when it has none. */
function extensionOf(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** The MIME type without parameters, lower-cased: `Text/Plain; charset=utf-8` → `text/plain`. */
function essenceOf(mimeType: string | undefined): string {
  return (mimeType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Decides from a file's name (and declared MIME type, if any) whether to read it as text or PDF.
 * The extension wins over the MIME type because uploaders often send `application/octet-stream`.
 * Throws `unsupported_file_type` naming what is accepted. Content sniffing is {@link looksLikePdf}'s job.
 */
export function detectFileKind(name: string, mimeType?: string): FileKind {
  const extension = extensionOf(name);
  if (extension === '.pdf') return 'pdf';
  if ((textExtensions as readonly string[]).includes(extension)) return 'text';
  const essence = essenceOf(mimeType);
  if (essence === 'application/pdf') return 'pdf';
  if (essence.startsWith('text/') || textMimeTypes.includes(essence)) return 'text';
  const what = extension ? `"${extension}" files` : 'files without an extension';
  throw new DocchatError(
    'unsupported_file_type',
    `Cannot read ${name}: ${what} are not supported. docchat accepts ${describeAcceptedFileTypes()}. ` +
      'Convert the document to one of these, or rename it if it is plain text.',
    { details: { source: name, extension, mimeType: essence || null } },
  );
}

const pdfSignature = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"
/** PDF readers accept the header anywhere in the first 1024 bytes (some files carry a junk prefix). */
const pdfHeaderWindow = 1024;

/** Where the `%PDF-` header starts within the first 1024 bytes, or -1 when there is none. */
export function findPdfHeader(data: Uint8Array): number {
  const last = Math.min(data.length, pdfHeaderWindow) - pdfSignature.length;
  for (let offset = 0; offset <= last; offset++) {
    if (pdfSignature.every((byte, index) => data[offset + index] === byte)) return offset;
  }
  return -1;
}

/**
 * True when the bytes start with `%PDF-`: such a file is a PDF whatever its name says. (A header further in
 * is only trusted for files that claim to be PDFs, so a text note quoting `%PDF-` stays text.)
 */
export function looksLikePdf(data: Uint8Array): boolean {
  return pdfSignature.every((byte, index) => data[index] === byte);
}
