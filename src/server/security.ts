import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { DocchatError } from '../core/errors.ts';

/** HSTS lifetime when the app is served over HTTPS: one year. */
export const hstsMaxAgeSeconds = 31_536_000;

/** Methods that change state: the ones a hostile page must not be able to send in a visitor's session. */
const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Body types a page on another origin cannot send without a CORS preflight (which this server never grants). */
const allowedBodyTypes = /^(application\/json|multipart\/form-data)\s*(;|$)/i;

/** Whether the request came over HTTPS, directly or through a proxy that says so (as the session cookie does). */
export function isHttps(c: Context): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https' || new URL(c.req.url).protocol === 'https:';
}

/** The origin the browser sees this server at: scheme (after any proxy) and the Host header. */
function ownOrigin(c: Context): string {
  const url = new URL(c.req.url);
  const host = c.req.header('host') ?? url.host;
  return `${isHttps(c) ? 'https' : 'http'}://${host}`.toLowerCase();
}

/**
 * Refuses state-changing requests that a page on another origin could have sent in a visitor's session
 * (SameSite=Lax cookies still go with requests from the same *site*, e.g. another port of the same host):
 * `Sec-Fetch-Site` must say `same-origin` (or `none`: typed by the user), else `Origin` must be this server's.
 * A request with neither header is not from a browser (curl, scripts) and passes. A POST must carry JSON or
 * multipart, the types a cross-origin page cannot send unpreflighted; only a body-less POST from a non-browser
 * client may omit its type. Throws `origin_not_allowed` (403) or `unsupported_content_type` (415).
 */
export function sameOriginGuard(): MiddlewareHandler {
  return async (c, next) => {
    if (!unsafeMethods.has(c.req.method)) return next();
    const fetchSite = c.req.header('sec-fetch-site')?.toLowerCase();
    const origin = c.req.header('origin')?.toLowerCase();
    const fromBrowser = fetchSite !== undefined || origin !== undefined;
    const sameOrigin =
      fetchSite !== undefined ? fetchSite === 'same-origin' || fetchSite === 'none' : origin === ownOrigin(c);
    if (fromBrowser && !sameOrigin) {
      throw new DocchatError(
        'origin_not_allowed',
        'This request came from another site; docchat only accepts changes from its own pages.',
      );
    }
    if (c.req.method === 'POST') {
      const type = c.req.header('content-type') ?? '';
      const hasBody = c.req.raw.body !== null && c.req.header('content-length') !== '0';
      if (!allowedBodyTypes.test(type) && (fromBrowser || hasBody || type !== '')) {
        throw new DocchatError(
          'unsupported_content_type',
          'Send application/json (or multipart/form-data for uploads).',
        );
      }
    }
    return next();
  };
}

const headers = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    // blob: for an uploaded image shown in the document viewer (an object URL of the file the page fetched).
    imgSrc: ["'self'", 'data:', 'blob:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
  xContentTypeOptions: 'nosniff',
  referrerPolicy: 'no-referrer',
  crossOriginOpenerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
  // Set below, only over HTTPS: over plain HTTP the header is ignored at best.
  strictTransportSecurity: false,
});

/**
 * Security headers on every response: a Content-Security-Policy without inline script that forbids framing,
 * `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, and HSTS when served over HTTPS.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    // A route's own policy (an uploaded original is served with `sandbox`) is added to the common one.
    let own: string | null = null;
    await headers(c, async () => {
      await next();
      own = c.res.headers.get('Content-Security-Policy');
    });
    const common = c.res.headers.get('Content-Security-Policy');
    if (own !== null && common !== null && own !== common) {
      c.res.headers.set('Content-Security-Policy', `${common}; ${own}`);
    }
    if (isHttps(c)) c.res.headers.set('Strict-Transport-Security', `max-age=${hstsMaxAgeSeconds}`);
  };
}
