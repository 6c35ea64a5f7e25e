import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.ts';

function addressOf(hops: number, headers: Record<string, string>, env?: unknown): Promise<string> {
  const app = new Hono().get('/', (c) => c.text(clientAddress(c, hops)));
  return Promise.resolve(app.request('/', { headers }, env)).then((response) => response.text());
}

describe('clientAddress', () => {
  const socket = { incoming: { socket: { remoteAddress: '10.0.0.9' } } };

  it('ignores X-Forwarded-For unless a proxy is trusted', async () => {
    expect(await addressOf(0, { 'x-forwarded-for': '1.2.3.4' }, socket)).toBe('10.0.0.9');
    expect(await addressOf(0, {})).toBe('unknown');
  });

  it('takes the entry the trusted proxies appended, not one the client wrote', async () => {
    const headers = { 'x-forwarded-for': 'spoofed, 203.0.113.7' };
    expect(await addressOf(1, headers, socket)).toBe('203.0.113.7');
    expect(await addressOf(2, headers, socket)).toBe('spoofed');
    expect(await addressOf(1, {}, socket)).toBe('10.0.0.9');
  });
});
