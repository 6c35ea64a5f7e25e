import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '../config.ts';
import type { RagEvent } from '../core/events.ts';
import { createRag, type Rag, type RagOverrides } from '../pipeline/create-rag.ts';
import type { ChatStore } from '../storage/chat-store.ts';
import { createSqliteChatStore } from '../storage/sqlite-chat-store.ts';
import { type AppDeps, createApp, type DocchatApp } from './create-app.ts';

/** A running test app over a throwaway data directory, with a cookie jar like a browser's. */
export interface TestApp extends DocchatApp {
  config: Config;
  rag: Rag;
  store: ChatStore;
  dataDir: string;
  /** Sends a request as one browser: the cookie jar `browser` (default "a") keeps its session cookie. */
  fetch(path: string, init?: RequestInit & { browser?: string }): Promise<Response>;
  /** Creates an empty chat as `browser` and returns its id (throws unless the server answers 201). */
  createChat(browser?: string): Promise<string>;
  /** The `name=value` cookie header the browser's jar holds (throws when it has none). */
  cookie(browser?: string): string;
  /** Closes the app and store; `keepData` leaves the data directory for a restart. */
  shutdown(options?: { keepData?: boolean }): Promise<void>;
}

/** Options of {@link startTestApp}: environment variables, core overrides and app dependencies. */
export interface TestAppOptions {
  env?: Record<string, string>;
  overrides?: RagOverrides;
  deps?: Partial<Omit<AppDeps, 'config' | 'rag' | 'store'>>;
  /** Reuse this data directory (to test a restart). */
  dataDir?: string;
}

/** Builds the real app (real config, core and SQLite store) for in-process `app.request()` tests. */
export function startTestApp(options: TestAppOptions = {}): TestApp {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'docchat-app-'));
  const config = loadConfig({ DOCCHAT_DATA_DIR: dataDir, ...options.env });
  const store = createSqliteChatStore({ path: join(dataDir, 'docchat.sqlite') });
  const rag = createRag(config, options.overrides);
  const docchat = createApp({
    config,
    rag,
    store,
    sweepIntervalMs: 0,
    staticRoot: join(dataDir, 'no-ui'),
    ...options.deps,
  });
  const jars = new Map<string, string>();
  return {
    ...docchat,
    config,
    rag,
    store,
    dataDir,
    async fetch(path, init = {}) {
      const { browser = 'a', ...rest } = init;
      const headers = new Headers(rest.headers);
      const cookie = jars.get(browser);
      if (cookie !== undefined && !headers.has('cookie')) headers.set('cookie', cookie);
      const response = await docchat.app.request(path, { ...rest, headers });
      const setCookies = response.headers.getSetCookie();
      if (setCookies.length > 1)
        throw new Error(`${path} set ${setCookies.length} cookies: ${setCookies.join(' | ')}`);
      for (const setCookie of setCookies) {
        const pair = setCookie.split(';')[0] ?? '';
        if (/max-age=0/i.test(setCookie)) jars.delete(browser);
        else jars.set(browser, pair);
      }
      return response;
    },
    async createChat(browser = 'a') {
      const response = await this.fetch('/api/chats', { method: 'POST', browser });
      if (response.status !== 201) throw new Error(`creating a chat answered ${response.status}`);
      return ((await response.json()) as { id: string }).id;
    },
    cookie(browser = 'a') {
      const cookie = jars.get(browser);
      if (cookie === undefined) throw new Error(`browser ${browser} has no cookie`);
      return cookie;
    },
    async shutdown(shutdownOptions = {}) {
      await docchat.close();
      await store.close();
      if (!shutdownOptions.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Parses a whole event-stream body into its events (checking that `event:` matches the JSON's `type`). */
export async function readEvents(response: Response): Promise<RagEvent[]> {
  return parseEvents(await response.text());
}

/** Parses event-stream text; ping comments are skipped. */
export function parseEvents(text: string): RagEvent[] {
  const events: RagEvent[] = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter((line) => line !== '' && !line.startsWith(':'));
    if (lines.length === 0) continue;
    const type = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length);
    const data = lines.find((line) => line.startsWith('data: '))?.slice('data: '.length);
    if (data === undefined) throw new Error(`An event without data: ${block}`);
    const event = JSON.parse(data) as RagEvent;
    if (event.type !== type) throw new Error(`event: ${type} does not match the data's type ${event.type}`);
    events.push(event);
  }
  return events;
}

/** A multipart body with one file in field `file` (and optional extra fields). */
export function uploadForm(
  name: string,
  content: string | Uint8Array,
  fields: Record<string, string> = {},
): FormData {
  const form = new FormData();
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  form.append('file', new File([new Uint8Array(bytes)], name));
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  return form;
}
