import { afterEach, describe, expect, it } from 'vitest';
import { buildPositionedTextPdf } from '../test-helpers/pdf-fixtures.ts';
import { startTestApp, type TestApp, uploadForm } from './test-app.ts';

let app: TestApp;
afterEach(async () => {
  await app?.shutdown();
});

async function uploadDocument(chatId: string, form: FormData, browser = 'a'): Promise<string> {
  const response = await app.fetch(`/api/chats/${chatId}/documents`, { method: 'POST', body: form, browser });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

function pdfForm(name: string, data: Uint8Array): FormData {
  const form = new FormData();
  form.append('file', new File([data as Uint8Array<ArrayBuffer>], name, { type: 'application/pdf' }));
  return form;
}

describe("a document's original and layout", () => {
  it('serves the original PDF byte for byte, inline, to its owner only', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    const data = await buildPositionedTextPdf([[{ text: 'Kept as uploaded', x: 72, y: 700 }]]);
    const documentId = await uploadDocument(chatId, pdfForm('kept.pdf', data));
    const path = `/api/chats/${chatId}/documents/${documentId}/file`;
    const response = await app.fetch(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe('inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toMatch(/(^|; )sandbox$/);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(data))).toBe(true);

    const stranger = await app.fetch(path, { browser: 'b' });
    expect(stranger.status).toBe(404);
    expect(((await stranger.json()) as { error: string }).error).toBe('not_found');
    expect((await app.fetch(`/api/chats/${chatId}/documents/nope/file`)).status).toBe(404);
    expect((await app.fetch(path, { method: 'DELETE' })).status).toBe(405);
  });

  it('serves the layout: the text offsets point into and the boxes of its runs', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    const data = await buildPositionedTextPdf([[{ text: 'Boxed words here', x: 72, y: 700 }]]);
    const documentId = await uploadDocument(chatId, pdfForm('boxed.pdf', data));
    const response = await app.fetch(`/api/chats/${chatId}/documents/${documentId}/layout`);
    expect(response.status).toBe(200);
    const layout = (await response.json()) as {
      text: string;
      boxes: { page: number; start: number; end: number }[];
    };
    expect(layout.text).toBe('Boxed words here');
    expect(layout.boxes).toHaveLength(1);
    expect(layout.boxes[0]).toMatchObject({ page: 1, start: 0, end: 16 });
    expect(
      (await app.fetch(`/api/chats/${chatId}/documents/${documentId}/layout`, { browser: 'b' })).status,
    ).toBe(404);
  });

  it('keeps a text file as uploaded (its text with line endings normalized) and deletes both with the chat', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    const original = 'First line\r\nSecond line about tides.\r\n';
    const documentId = await uploadDocument(chatId, uploadForm('tides.md', original));
    const file = await app.fetch(`/api/chats/${chatId}/documents/${documentId}/file`);
    expect(file.headers.get('content-type')).toBe('text/markdown');
    expect(await file.text()).toBe(original);
    const layout = (await (
      await app.fetch(`/api/chats/${chatId}/documents/${documentId}/layout`)
    ).json()) as {
      text: string;
      boxes: unknown[];
    };
    expect(layout).toEqual({ text: 'First line\nSecond line about tides.\n', boxes: [] });

    expect((await app.fetch(`/api/chats/${chatId}`, { method: 'DELETE' })).status).toBe(204);
    expect(await app.store.getDocumentFile(chatId, documentId)).toBeNull();
    expect(await app.store.getDocumentLayout(chatId, documentId)).toBeNull();
  });
});
