import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, ensureWebBuilt, repoRoot, startAppServer } from './support/app-server.ts';
import { browserAvailability, launchBrowser } from './support/browser.ts';

const { available } = browserAvailability();

/**
 * The hostile page, served from another port of the same host (the same *site*, so SameSite=Lax cookies go
 * along): it frames the app, and tries to create a chat and post a question in the visitor's session with
 * every kind of request a page may send without the app's consent.
 */
function attackerPage(app: string, chatId: string): string {
  return `<!doctype html><html><body>
<iframe name="victim" src="${app}/"></iframe>
<iframe name="sink"></iframe>
<form id="ask" method="POST" action="${app}/api/chats/${chatId}/messages" enctype="text/plain" target="sink">
  <input name='{"question":"planted?","x":"' value='"}'>
</form>
<form id="create" method="POST" action="${app}/api/chats" target="sink"></form>
<script>
  (async () => {
    const tries = [
      fetch('${app}/api/chats', { method: 'POST', mode: 'no-cors', credentials: 'include' }),
      fetch('${app}/api/chats', { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{}' }),
      fetch('${app}/api/chats/${chatId}/messages', {
        method: 'POST', mode: 'no-cors', credentials: 'include', body: JSON.stringify({ question: 'planted?' }),
      }),
      fetch('${app}/api/chats', {
        method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: '{}',
      }),
    ];
    await Promise.allSettled(tries);
    document.getElementById('create').submit();
    await new Promise((resolve) => setTimeout(resolve, 300));
    document.getElementById('ask').submit();
    await new Promise((resolve) => setTimeout(resolve, 300));
    document.title = 'done';
  })();
</script></body></html>`;
}

describe.skipIf(!available)('browser security (Chromium)', () => {
  let server: AppServer;
  let attacker: Server;
  let attackerUrl = '';
  let browser: Browser;
  let chatId = '';

  beforeAll(async () => {
    await ensureWebBuilt();
    server = await startAppServer();
    attacker = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(attackerPage(server.url, url.searchParams.get('chat') ?? ''));
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await server?.stop();
  });

  it('keeps a page on another port from creating chats or asking questions in the session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // A page of the app's origin that does not start the UI (whose first requests would race for the cookie).
    await page.goto(`${server.url}/api/config`);
    // The visitor's own chat, made by the app's own page: same-origin requests work.
    chatId = await page.evaluate(async () => {
      const response = await fetch('/api/chats', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      return ((await response.json()) as { id: string }).id;
    });
    expect(chatId).not.toBe('');

    const hostile = await context.newPage();
    await hostile.goto(`${attackerUrl}/?chat=${encodeURIComponent(chatId)}`);
    await hostile.waitForFunction(() => document.title === 'done');

    const after = await page.evaluate(async (id) => {
      const list = (await (await fetch('/api/chats')).json()) as { chats: { id: string }[] };
      const chat = (await (await fetch(`/api/chats/${id}`)).json()) as { messages?: unknown[] };
      return { chats: list.chats.map((chat) => chat.id), messages: chat.messages?.length ?? chat };
    }, chatId);
    expect(after).toEqual({ chats: [chatId], messages: 0 });
    expect(server.output()).toMatch(/"status":403/);
    await context.close();
  });

  it('cannot be framed by another page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${attackerUrl}/?chat=none`);
    await page.waitForFunction(() => document.title === 'done');
    const frame = page.frame({ name: 'victim' });
    expect(frame).not.toBeNull();
    // A refused frame shows the browser's error page, never the app.
    expect(frame?.url()).not.toBe(`${server.url}/`);
    const hasApp = await frame?.evaluate(() => document.getElementById('root') !== null).catch(() => false);
    expect(hasApp).toBe(false);
    await context.close();
  });
});

describe('the built UI', () => {
  it('has no inline script, so the CSP needs no unsafe-inline', async () => {
    await ensureWebBuilt();
    const html = readFileSync(join(repoRoot, 'dist', 'web', 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes = '', body = ''] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  });
});
