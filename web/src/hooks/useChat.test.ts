import { describe, expect, it } from 'vitest';
import type { AppConfig, ChatDetail } from '../api/api-types.ts';
import { refuseFile, timelineFromChat } from './useChat.ts';
import { chatIdFromPath } from './useRoute.ts';

const config: AppConfig = {
  maxUploadBytes: 2_000_000,
  accept: { extensions: ['.txt', '.md', '.pdf'], mimeTypes: ['text/plain', 'application/pdf'] },
  model: { name: 'extractive', extractive: true },
  sessionTtlHours: 24,
};

describe('refuseFile', () => {
  it('refuses files over the limit in the server words, and unknown types, before any upload', () => {
    const big = new File([new Uint8Array(2_000_001)], 'big.pdf');
    expect(refuseFile(big, config)).toBe('The file is larger than the 2 MB limit.');
    expect(refuseFile(new File(['x'], 'notes.docx'), config)).toMatch(
      /"notes.docx" is not a supported file type/,
    );
    expect(refuseFile(new File(['x'], 'Notes.TXT'), config)).toBeNull();
  });
});

describe('timelineFromChat', () => {
  it('restores documents, questions and answers with their sources, status and errors', () => {
    const chat: ChatDetail = {
      id: 'c1',
      title: 'a.pdf',
      createdAt: '2025-01-01T00:00:00Z',
      updatedAt: '2025-01-01T00:00:00Z',
      documents: [{ id: 'd1', source: 'a.pdf', kind: 'pdf', pages: 2, chunks: 3, characters: 100 }],
      uploads: [
        { id: 'u1', source: 'cut.pdf', createdAt: '', status: 'failed' },
        { id: 'u2', source: 'busy.pdf', createdAt: '', status: 'ingesting' },
      ],
      messages: [
        { id: 'm1', role: 'user', content: 'What?', createdAt: '' },
        {
          id: 'm2',
          role: 'assistant',
          content: 'Half',
          createdAt: '',
          status: 'stopped',
          query: 'What?',
          sources: [],
        },
        { id: 'm3', role: 'user', content: 'Again?', createdAt: '' },
        {
          id: 'm4',
          role: 'assistant',
          content: '',
          createdAt: '',
          status: 'error',
          error: { error: 'rate_limited', message: 'Slow down.' },
        },
      ],
    };
    const items = timelineFromChat(chat);
    expect(items.map((item) => item.kind)).toEqual([
      'documents',
      'notice',
      'question',
      'answer',
      'question',
      'answer',
    ]);
    expect(items[1]).toMatchObject({ tone: 'error', text: expect.stringContaining('“cut.pdf” failed') });
    expect(items[3]).toMatchObject({ kind: 'answer', question: 'What?', status: 'stopped', content: 'Half' });
    expect(items[5]).toMatchObject({
      question: 'Again?',
      error: { code: 'rate_limited', message: 'Slow down.' },
    });
  });
});

describe('chatIdFromPath', () => {
  it('reads the chat id of /chats/:id only', () => {
    expect(chatIdFromPath('/chats/abc%20d')).toBe('abc d');
    expect(chatIdFromPath('/')).toBeNull();
    expect(chatIdFromPath('/chats/a/b')).toBeNull();
  });
});
