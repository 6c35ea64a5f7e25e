import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from 'docx';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { docchatFailure } from '../test-helpers/docchat-failure.ts';
import { createDocxLoader } from './docx-loader.ts';
import { loadDocument } from './load-document.ts';

const loader = createDocxLoader();

async function buildDocx(children: (Paragraph | Table)[]): Promise<Uint8Array> {
  return new Uint8Array(await Packer.toBuffer(new Document({ sections: [{ children }] })));
}

describe('createDocxLoader', () => {
  it('reads paragraphs, lists and tables, with headings at their offsets', async () => {
    const data = await buildDocx([
      new Paragraph({ text: 'Falcon Field Guide', heading: HeadingLevel.TITLE }),
      new Paragraph({ text: 'Habits', heading: HeadingLevel.HEADING_1 }),
      new Paragraph({
        children: [new TextRun('Falcons hunt at '), new TextRun({ text: 'dawn', bold: true })],
      }),
      new Paragraph({ text: 'Diet', heading: HeadingLevel.HEADING_2 }),
      new Paragraph({ text: 'Pigeons', bullet: { level: 0 } }),
      new Paragraph({ text: 'Starlings', bullet: { level: 0 } }),
      new Table({
        rows: [
          new TableRow({
            children: ['Prey', 'Share'].map((text) => new TableCell({ children: [new Paragraph(text)] })),
          }),
          new TableRow({
            children: ['Pigeons', '60%'].map((text) => new TableCell({ children: [new Paragraph(text)] })),
          }),
        ],
      }),
    ]);
    const document = await loader.load({ name: 'guide.docx', data });
    expect(document).toMatchObject({ source: 'guide.docx', kind: 'text', format: 'docx', pages: [] });
    expect(document.text).toContain('Falcons hunt at dawn');
    expect(document.text).toContain('- Pigeons\n- Starlings');
    expect(document.text).toMatch(/Prey\s*\|\s*Share\n+Pigeons\s*\|\s*60%/u);
    expect(document.headings?.map(({ level, text }) => ({ level, text }))).toEqual([
      { level: 1, text: 'Falcon Field Guide' },
      { level: 1, text: 'Habits' },
      { level: 2, text: 'Diet' },
    ]);
    for (const heading of document.headings ?? []) {
      expect(document.text.slice(heading.start, heading.end)).toBe(heading.text);
    }
  });

  it('is found by its bytes whatever its name, through loadDocument', async () => {
    const data = await buildDocx([new Paragraph('Sniffed by content.')]);
    for (const name of ['upload', 'letter.bin', 'letter.txt']) {
      const document = await loadDocument({ name, data });
      expect(document.format).toBe('docx');
      expect(document.text).toBe('Sniffed by content.');
    }
  });

  it('refuses damaged files, ZIPs that are not Word documents and empty documents', async () => {
    const data = await buildDocx([new Paragraph('Some text that will be cut.')]);
    const damaged = [
      data.slice(0, Math.floor(data.length / 2)),
      new TextEncoder().encode('not a zip at all'),
      zipSync({ 'xl/workbook.xml': new TextEncoder().encode('<workbook/>') }),
      new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]),
    ];
    for (const bytes of damaged) {
      const error = await docchatFailure(loadDocument({ name: 'letter.docx', data: bytes }));
      expect(error.code).toBe('corrupt_file');
      expect(error.message).toMatch(/letter\.docx.*Word/u);
    }
    const empty = await docchatFailure(
      loader.load({ name: 'blank.docx', data: await buildDocx([new Paragraph('')]) }),
    );
    expect(empty.code).toBe('empty_file');
    expect((await docchatFailure(loader.load({ name: 'zero.docx', data: new Uint8Array() }))).code).toBe(
      'empty_file',
    );
  });
});
