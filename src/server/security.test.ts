import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './test-app.ts';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.shutdown();
  app = undefined;
});

describe('security headers', () => {
  it('sends a CSP without inline script that forbids framing, nosniff and a referrer policy', async () => {
    app = startTestApp();
    for (const path of ['/api/health', '/api/nope', '/']) {
      const response = await app.fetch(path);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('sends HSTS only when served over HTTPS (directly or behind a proxy)', async () => {
    app = startTestApp();
    const proxied = await app.fetch('/api/health', { headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.get('strict-transport-security')).toBe('max-age=31536000');
    const direct = await app.app.request('https://docchat.example/api/health');
    expect(direct.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });
});

describe('same-origin guard', () => {
  const json = { 'content-type': 'application/json' };

  it('refuses changes sent from another origin of the same site, and keeps nothing', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    const attempts: [string, string, Record<string, string>][] = [
      ['POST', '/api/chats', { 'sec-fetch-site': 'same-site', ...json }],
      ['POST', '/api/chats', { 'sec-fetch-site': 'cross-site', ...json }],
      ['POST', '/api/chats', { origin: 'http://localhost:9999', ...json }],
      ['POST', '/api/chats', { origin: 'null', ...json }],
      ['DELETE', `/api/chats/${chatId}`, { origin: 'http://localhost:9999' }],
      ['DELETE', '/api/session', { 'sec-fetch-site': 'same-site' }],
    ];
    for (const [method, path, headers] of attempts) {
      const response = await app.fetch(path, {
        method,
        headers,
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect(response.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'origin_not_allowed' });
    }
    const list = (await (await app.fetch('/api/chats')).json()) as { chats: { id: string }[] };
    expect(list.chats.map((chat) => chat.id)).toEqual([chatId]);
  });

  it('accepts the same origin, a request typed by the user, and clients that are not browsers', async () => {
    app = startTestApp();
    const ok = [
      { 'sec-fetch-site': 'same-origin', ...json },
      { origin: 'http://localhost', ...json },
      { 'sec-fetch-site': 'none', ...json },
      json,
    ];
    for (const headers of ok) {
      const response = await app.fetch('/api/chats', { method: 'POST', headers, body: '{}' });
      expect(response.status, JSON.stringify(headers)).toBe(201);
    }
    // curl -X POST: no body, no type, no browser headers.
    expect((await app.fetch('/api/chats', { method: 'POST' })).status).toBe(201);
  });

  it('refuses bodies that are not JSON or multipart, which a form on any page could send', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', '']) {
      const response = await app.fetch(`/api/chats/${chatId}/messages`, {
        method: 'POST',
        body: JSON.stringify({ question: 'hi' }),
        headers: type === '' ? { 'sec-fetch-site': 'same-origin' } : { 'content-type': type },
      });
      expect(response.status, type).toBe(415);
      expect(await response.json()).toMatchObject({ error: 'unsupported_content_type' });
    }
    expect(await app.store.listMessages(chatId)).toEqual([]);
  });
});
