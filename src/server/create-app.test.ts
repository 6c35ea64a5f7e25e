import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionCookieName } from './sessions.ts';
import { startTestApp, type TestApp } from './test-app.ts';

let app: TestApp;
afterEach(async () => {
  await app?.shutdown();
});

async function createChat(browser = 'a'): Promise<{ id: string; title: string }> {
  const response = await app.fetch('/api/chats', { method: 'POST', browser });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; title: string };
}

describe('meta routes', () => {
  it('reports health, version, model, embedder and retriever without creating a session', async () => {
    app = startTestApp({ env: { DOCCHAT_RETRIEVER: 'hybrid' } });
    const response = await app.fetch('/api/health');
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.json()).toEqual({
      status: 'ok',
      version: '0.1.0',
      model: { name: 'extractive', extractive: true },
      embedder: expect.stringMatching(/^local-hash/),
      retriever: 'hybrid',
      storage: { kind: 'sqlite', status: 'ok' },
    });
    await app.shutdown();
    app = startTestApp({ env: { DOCCHAT_RETRIEVER: 'lexical' } });
    expect(await (await app.fetch('/api/health')).json()).toMatchObject({
      embedder: null,
      retriever: 'lexical',
    });
  });

  it('publishes the upload limit, accepted types and how long unused chats are kept', async () => {
    app = startTestApp({ env: { DOCCHAT_MAX_UPLOAD_BYTES: '1234', DOCCHAT_SESSION_TTL_HOURS: '168' } });
    const body = (await (await app.fetch('/api/config')).json()) as {
      maxUploadBytes: number;
      accept: { extensions: string[]; mimeTypes: string[] };
      sessionTtlHours: number;
    };
    expect(body.maxUploadBytes).toBe(1234);
    expect(body.sessionTtlHours).toBe(168);
    expect(body.accept.extensions).toContain('.pdf');
    expect(body.accept.extensions).toContain('.txt');
    expect(body.accept.mimeTypes).toContain('application/pdf');
  });
});

describe('sessions and chats', () => {
  it('gives a new browser an HttpOnly, SameSite=Lax session cookie of 256 random bits', async () => {
    app = startTestApp();
    const response = await app.fetch('/api/chats');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ chats: [] });
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(new RegExp(`^${sessionCookieName}=[A-Za-z0-9_-]{43};`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    // The same browser keeps its session: no new cookie on the next request.
    const again = await app.fetch('/api/chats');
    expect(again.headers.getSetCookie()).toEqual([]);
  });

  it('marks the cookie Secure behind an https proxy', async () => {
    app = startTestApp();
    const response = await app.fetch('/api/chats', { headers: { 'x-forwarded-proto': 'https' } });
    expect(response.headers.getSetCookie()[0]).toMatch(/Secure/);
  });

  it('replaces a forged or unknown cookie with a new session', async () => {
    app = startTestApp();
    const forged = `${sessionCookieName}=${'A'.repeat(43)}`;
    const response = await app.fetch('/api/chats', { headers: { cookie: forged }, browser: 'x' });
    expect(response.headers.getSetCookie()[0]).not.toContain('A'.repeat(43));
  });

  it('creates, lists (newest first), shows and deletes chats', async () => {
    app = startTestApp();
    const first = await createChat();
    expect(first).toMatchObject({ title: 'New chat', documents: [] });
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    const second = await createChat();
    const list = (await (await app.fetch('/api/chats')).json()) as {
      chats: { id: string; createdAt: string }[];
    };
    expect(list.chats.map((chat) => chat.id)).toEqual([second.id, first.id]);
    expect(new Date(list.chats[0]?.createdAt ?? '').toISOString()).toBe(list.chats[0]?.createdAt);

    const detail = await app.fetch(`/api/chats/${first.id}`);
    expect(detail.status).toBe(200);
    expect(await detail.json()).toMatchObject({ id: first.id, title: 'New chat', messages: [] });

    expect((await app.fetch(`/api/chats/${first.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await app.fetch(`/api/chats/${first.id}`)).status).toBe(404);
    expect((await app.fetch(`/api/chats/${first.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it("treats another session's chat exactly like a missing one", async () => {
    app = startTestApp();
    const mine = await createChat('a');
    const missing = await app.fetch('/api/chats/00000000-0000-0000-0000-000000000000', { browser: 'b' });
    const theirs = await app.fetch(`/api/chats/${mine.id}`, { browser: 'b' });
    expect(theirs.status).toBe(404);
    const theirBody = (await theirs.json()) as { error: string; message: string };
    const missingBody = (await missing.json()) as { error: string; message: string };
    expect(theirBody).toEqual(missingBody);
    expect(theirBody.error).toBe('not_found');
    for (const [method, path] of [
      ['DELETE', `/api/chats/${mine.id}`],
      ['POST', `/api/chats/${mine.id}/messages`],
    ] as const) {
      const response = await app.fetch(path, {
        method,
        browser: 'b',
        body: method === 'POST' ? JSON.stringify({ question: 'hi' }) : null,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(404);
    }
    const list = (await (await app.fetch('/api/chats', { browser: 'b' })).json()) as { chats: unknown[] };
    expect(list.chats).toEqual([]);
    // Still there for its owner.
    expect((await app.fetch(`/api/chats/${mine.id}`, { browser: 'a' })).status).toBe(200);
  });

  it('forgets a whole session: its chats are deleted and the cookie is cleared', async () => {
    app = startTestApp();
    const chat = await createChat();
    const response = await app.fetch('/api/session', { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie()[0]).toMatch(/Max-Age=0/);
    const after = await app.fetch(`/api/chats/${chat.id}`);
    expect(after.status).toBe(404);
    expect((await app.fetch('/api/session', { method: 'DELETE', browser: 'never-seen' })).status).toBe(204);
  });

  it('expires idle sessions: invisible at once, deleted for real by the sweep', async () => {
    let time = Date.parse('2026-01-01T00:00:00Z');
    app = startTestApp({ env: { DOCCHAT_SESSION_TTL_HOURS: '1' }, deps: { now: () => time } });
    const chat = await createChat();
    time += 30 * 60_000;
    expect((await app.fetch(`/api/chats/${chat.id}`)).status).toBe(200);
    // Activity refreshed the session: another 59 minutes later it is still alive.
    time += 59 * 60_000;
    expect((await app.fetch(`/api/chats/${chat.id}`)).status).toBe(200);
    time += 61 * 60_000;
    const expired = await app.fetch(`/api/chats/${chat.id}`);
    expect(expired.status).toBe(404);
    expect(expired.headers.getSetCookie()).toHaveLength(1);
    expect(await app.sweepExpiredSessions()).toBe(1);
    expect(await app.store.loadDocuments(chat.id)).toEqual([]);
    expect(await app.store.listMessages(chat.id)).toEqual([]);
    expect(await app.sweepExpiredSessions()).toBe(0);
  });
});

describe('errors', () => {
  it('answers unknown API routes with 404 not_found JSON', async () => {
    app = startTestApp();
    const response = await app.fetch('/api/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: 'not_found',
      message: expect.stringContaining('/api/nope'),
    });
    expect((await app.fetch('/api/chats/x/y/z')).status).toBe(404);
  });

  it('answers a wrong method with 405 invalid_request and an Allow header', async () => {
    app = startTestApp();
    for (const [method, path, allow] of [
      ['PUT', '/api/chats', 'GET, POST'],
      ['POST', '/api/health', 'GET'],
      ['GET', '/api/session', 'DELETE'],
      ['PATCH', '/api/chats/abc', 'GET, DELETE'],
      ['GET', '/api/chats/abc/messages', 'POST'],
    ] as const) {
      const response = await app.fetch(path, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('rejects malformed JSON, a wrong shape and an empty or too long question with 400', async () => {
    app = startTestApp();
    const chat = await createChat();
    const post = (body: string) =>
      app.fetch(`/api/chats/${chat.id}/messages`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
    for (const body of [
      '{"question": ',
      '',
      '[]',
      '{"question": 42}',
      '{"question": "   "}',
      JSON.stringify({ question: 'x'.repeat(4001) }),
      JSON.stringify({ question: 'ok', extra: true }),
      'x'.repeat(100_000),
    ]) {
      const response = await post(body);
      expect(response.status, body.slice(0, 30)).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
    }
  });

  it('refuses a question before any document is uploaded', async () => {
    app = startTestApp();
    const chat = await createChat();
    const response = await app.fetch(`/api/chats/${chat.id}/messages`, {
      method: 'POST',
      body: JSON.stringify({ question: 'What is this about?' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_request', message: 'Upload a document first.' });
    // Nothing was stored for a refused question.
    expect(await app.store.listMessages(chat.id)).toEqual([]);
  });
});

describe('static UI', () => {
  it('says to run npm run build when dist/web is missing, while the API still works', async () => {
    app = startTestApp();
    const response = await app.fetch('/');
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('npm run build');
    expect((await app.fetch('/api/health')).status).toBe(200);
  });

  it('serves the build: files, index.html for client routes, long cache for hashed assets', async () => {
    app = startTestApp();
    const root = join(app.dataDir, 'ui');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(root, 'favicon.svg'), '<svg/>');
    await app.shutdown({ keepData: true });
    app = startTestApp({ dataDir: app.dataDir, deps: { staticRoot: root } });

    const index = await app.fetch('/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('id="root"');

    const asset = await app.fetch('/assets/index-abc123.js');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');

    expect((await app.fetch('/favicon.svg')).headers.get('content-type')).toMatch(/image\/svg\+xml/);

    const route = await app.fetch('/chats/some-id');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('id="root"');

    expect((await app.fetch('/assets/missing.js')).status).toBe(404);
    expect((await app.fetch('/../../etc/passwd')).status).not.toBe(500);
  });
});
