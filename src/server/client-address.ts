import type { Context } from 'hono';

/**
 * The address a request came from, for per-address quotas. With `trustProxyHops` = n > 0 (DOCCHAT_TRUST_PROXY),
 * n proxies in front of the server each appended to `X-Forwarded-For`, so the client is the n-th entry from the
 * right; entries further left were written by the client and prove nothing. With 0 the header is ignored and the
 * socket's peer is the client. `unknown` when neither is available (an in-process request).
 */
export function clientAddress(c: Context, trustProxyHops: number): string {
  if (trustProxyHops > 0) {
    const forwarded = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const client = forwarded[Math.max(0, forwarded.length - trustProxyHops)];
    if (client !== undefined) return client;
  }
  const env: unknown = c.env;
  const incoming =
    typeof env === 'object' && env !== null && 'incoming' in env
      ? (env.incoming as { socket?: { remoteAddress?: string } } | undefined)
      : undefined;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
