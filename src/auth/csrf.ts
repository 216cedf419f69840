// CSRF protection as Django does it (django/middleware/csrf.py), for requests that a
// session cookie authenticates: the `csrftoken` cookie, readable by scripts, must be
// echoed in the `X-CSRFToken` header (or a form's `csrfmiddlewaretoken` field), and
// over https the request must also come from our own origin. A page on another site
// can make the browser send our cookies, but cannot read them to echo the token.
import { randomInt, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const CSRF_COOKIE = 'csrftoken';
export const CSRF_FORM_FIELD = 'csrfmiddlewaretoken';
const TOKEN_LENGTH = 32;
const TOKEN_CHARACTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
// Django's safe methods: the only ones a read-only token may use, and the ones CSRF
// protection lets through.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

export function newCsrfToken(): string {
  let token = '';
  for (let index = 0; index < TOKEN_LENGTH; index += 1) {
    token += TOKEN_CHARACTERS[randomInt(TOKEN_CHARACTERS.length)];
  }
  return token;
}

/**
 * Why the request fails Django's CSRF check (Django's own words), or undefined when
 * it passes. `publicUrl` decides whether the site is served over https.
 */
export function csrfFailure(request: FastifyRequest, publicUrl: URL): string | undefined {
  if (isSafeMethod(request.method)) return undefined;
  const secure = publicUrl.protocol === 'https:';
  const trusted = new Set([publicUrl.origin, `${secure ? 'https' : 'http'}://${request.host}`]);

  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (!trusted.has(origin))
      return `Origin checking failed - ${origin} does not match any trusted origins.`;
  } else if (secure) {
    const refererFailure = checkReferer(request.headers.referer, trusted);
    if (refererFailure !== undefined) return refererFailure;
  }
  return checkToken(request);
}

function checkReferer(referer: string | undefined, trusted: Set<string>): string | undefined {
  if (referer === undefined) return 'Referer checking failed - no Referer.';
  if (!URL.canParse(referer)) return 'Referer checking failed - Referer is malformed.';
  const parsed = new URL(referer);
  if (parsed.protocol !== 'https:') {
    return 'Referer checking failed - Referer is insecure while host is secure.';
  }
  if (!trusted.has(parsed.origin)) {
    return `Referer checking failed - ${parsed.origin} does not match any trusted origins.`;
  }
  return undefined;
}

function checkToken(request: FastifyRequest): string | undefined {
  const expected = request.cookies[CSRF_COOKIE];
  if (expected === undefined || expected === '') return 'CSRF cookie not set.';
  const header = request.headers['x-csrftoken'];
  const fromHeader = typeof header === 'string' && header !== '';
  const formValue = (request.body as Record<string, unknown> | undefined)?.[CSRF_FORM_FIELD];
  const given = fromHeader ? header : typeof formValue === 'string' ? formValue : '';
  const source = fromHeader ? "the 'X-Csrftoken' HTTP header" : 'POST';
  if (given === '') return 'CSRF token missing.';
  if (given.length !== TOKEN_LENGTH) return `CSRF token from ${source} has incorrect length.`;
  if (!/^[a-zA-Z0-9]+$/.test(given)) return `CSRF token from ${source} has invalid characters.`;
  if (
    expected.length !== TOKEN_LENGTH ||
    !timingSafeEqual(Buffer.from(given), Buffer.from(expected))
  ) {
    return `CSRF token from ${source} incorrect.`;
  }
  return undefined;
}
