// Every route is authenticated unless its route config says `public: true`
// (DESIGN §4 lists the public ones). Marking public routes, rather than matching URL
// prefixes, means a new route is protected by default.
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Database } from '../db/client.ts';
import type { UserRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { authenticateTokenKey, touchToken, type TokenScope } from './tokens.ts';

export interface Identity {
  readonly user: UserRow;
  readonly method: 'token';
  readonly scope: TokenScope;
  readonly tokenId: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without credentials. */
    public?: boolean;
  }
  interface FastifyRequest {
    identity?: Identity;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function authenticate(db: Database): onRequestAsyncHookHandler {
  return async (request) => {
    if (request.routeOptions.config.public === true) return;
    const identity = await identify(db, request);
    if (identity.scope === 'read' && !SAFE_METHODS.has(request.method)) {
      throw new AppError(
        'permission_denied',
        'You do not have permission to perform this action: this token can only read.',
      );
    }
    request.identity = identity;
  };
}

/** The caller, from `Authorization: Token <key>` (as DRF) or `Bearer <key>`; DRF's messages. */
async function identify(db: Database, request: FastifyRequest): Promise<Identity> {
  const [scheme, ...credentials] = (request.headers.authorization ?? '').trim().split(/\s+/);
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
  const found = await authenticateTokenKey(db.orm, key);
  if (found === undefined) throw new AppError('invalid_token', 'Invalid token.');
  await touchToken(db.orm, found.token);
  return { user: found.user, method: 'token', scope: found.token.scope, tokenId: found.token.id };
}
