// Who is calling. Every route is authenticated unless its route config says
// `public: true` (DESIGN §4 lists the public ones): marking public routes, rather
// than matching URL prefixes, means a new route is protected by default.
//
// Credentials, as DRF took them: `Authorization: Token <key>` (or `Bearer <key>`)
// when the header is there, else the `sessionid` cookie, whose unsafe requests must
// also pass the CSRF check.
import type { FastifyReply, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/client.ts';
import type { UserRow } from '../db/schema.ts';
import { AppError } from '../core/errors.ts';
import type { RateLimits } from '../http/rate-limits.ts';
import { CSRF_COOKIE, csrfFailure, isSafeMethod, newCsrfToken } from './csrf.ts';
import { SESSION_COOKIE, useSession } from './sessions.ts';
import type { TokenCache } from './token-cache.ts';
import { authenticateTokenKey, touchToken, type TokenScope } from './tokens.ts';

export type Identity =
  | {
      readonly method: 'token';
      readonly user: UserRow;
      readonly scope: TokenScope;
      readonly tokenId: string;
      readonly expiresAt: Date | null;
    }
  | {
      readonly method: 'session';
      readonly user: UserRow;
      readonly scope: 'write';
      readonly sessionId: string;
      /** Until when, as renewed by this request. Not `expiresAt`: a session that is
       * used lives on, so it does not limit the tokens it makes (checkGrantable). */
      readonly sessionExpiresAt: Date;
    };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without credentials (a session, when present, is still recognised). */
    public?: boolean;
  }
  interface FastifyRequest {
    identity?: Identity;
  }
}

/**
 * Runs before validation and after the body is parsed, so that a CSRF refusal (403)
 * comes before any complaint about the body, and a form's CSRF field can be read.
 */
export function authenticate(
  db: Database,
  config: Config,
  rateLimits: RateLimits,
  tokenCache: TokenCache,
): preValidationAsyncHookHandler {
  return async (request, reply) => {
    const isPublic = request.routeOptions.config.public === true;
    if (isPublic && request.cookies[SESSION_COOKIE] === undefined) return;
    const identity = await identify(db, config, tokenCache, request, reply).catch(
      async (error: unknown) => {
        if (isPublic) return undefined; // a stale cookie on a public page is no error
        if (error instanceof AppError && error.statusCode === 401) {
          await rateLimits.recordAuthenticationFailure(request);
        }
        throw error;
      },
    );
    if (identity === undefined) return;
    request.identity = identity;
    if (isPublic) return;

    if (identity.method === 'session') {
      const failure = csrfFailure(request, config.publicUrl);
      if (failure !== undefined) throw new AppError('permission_denied', `CSRF Failed: ${failure}`);
    }
    if (identity.scope === 'read' && !isSafeMethod(request.method)) {
      throw new AppError(
        'permission_denied',
        'You do not have permission to perform this action: this token can only read.',
      );
    }
  };
}

async function identify(
  db: Database,
  config: Config,
  tokenCache: TokenCache,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Identity> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) return identifyToken(db, tokenCache, authorization);

  const sessionId = request.cookies[SESSION_COOKIE];
  if (sessionId === undefined) {
    throw new AppError('not_authenticated', 'Authentication credentials were not provided.');
  }
  const active = await useSession(db.orm, sessionId, config.session);
  if (active === undefined) {
    throw new AppError('not_authenticated', 'Authentication credentials were not provided.');
  }
  const cookies = cookieOptions(config);
  if (active.renewedUntil !== undefined) {
    void reply.setCookie(SESSION_COOKIE, sessionId, {
      ...cookies,
      httpOnly: true,
      expires: active.renewedUntil,
    });
  }
  // Scripts using the session need the token to echo: hand one out if it is missing.
  csrfToken(request, reply, config);
  return {
    method: 'session',
    user: active.user,
    scope: 'write',
    sessionId,
    sessionExpiresAt: active.renewedUntil ?? active.session.expiresAt,
  };
}

/** DRF's TokenAuthentication, with its messages. */
async function identifyToken(
  db: Database,
  tokenCache: TokenCache,
  authorization: string,
): Promise<Identity> {
  const [scheme, ...credentials] = authorization.trim().split(/\s+/);
  if (scheme === undefined || !/^(token|bearer)$/i.test(scheme)) {
    throw new AppError('not_authenticated', 'Authentication credentials were not provided.');
  }
  const [key] = credentials;
  if (key === undefined) {
    throw new AppError('invalid_token', 'Invalid token header. No credentials provided.');
  }
  if (credentials.length > 1) {
    throw new AppError(
      'invalid_token',
      'Invalid token header. Token string should not contain spaces.',
    );
  }
  const found = await authenticateTokenKey(db.orm, key, { cache: tokenCache });
  if (found === undefined) throw new AppError('invalid_token', 'Invalid token.');
  await touchToken(db.orm, found.token);
  return {
    method: 'token',
    user: found.user,
    scope: found.token.scope,
    tokenId: found.token.id,
    expiresAt: found.token.expiresAt,
  };
}

// Django keeps its CSRF cookie for a year.
const CSRF_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600;
const issuedCsrfTokens = new WeakMap<FastifyRequest, string>();

/** The request's CSRF token: the cookie's, or a new one set on the reply (once per request). */
export function csrfToken(
  request: FastifyRequest,
  reply: FastifyReply,
  config: Config,
  rotate = false,
): string {
  const existing = rotate
    ? undefined
    : (issuedCsrfTokens.get(request) ?? request.cookies[CSRF_COOKIE]);
  if (existing !== undefined && existing !== '') return existing;
  const token = newCsrfToken();
  issuedCsrfTokens.set(request, token);
  void reply.setCookie(CSRF_COOKIE, token, {
    ...cookieOptions(config),
    maxAge: CSRF_COOKIE_MAX_AGE_SECONDS,
  });
  return token;
}

/** Attributes shared by our cookies: Lax, and Secure whenever the site is served over https. */
export function cookieOptions(config: Config) {
  return { path: '/', sameSite: 'lax', secure: config.publicUrl.protocol === 'https:' } as const;
}
