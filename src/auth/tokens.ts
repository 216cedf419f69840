// API tokens: 32 random bytes shown once, stored only as a SHA-256 hash.
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { parseDuration } from '../config/duration.ts';
import type { Queryable } from '../db/client.ts';
import { apiTokens, users, type ApiTokenRow, type UserRow } from '../db/schema.ts';
import { AppError, validationError } from '../core/errors.ts';
import { checkFields, cleanText, FieldRuleError, isUuid, parseInstant } from '../core/fields.ts';
import type { TokenCache } from './token-cache.ts';

export type TokenScope = 'read' | 'write';
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write'];

// A recognisable prefix lets secret scanners (and people) tell what leaked.
const KEY_PREFIX = 'co_';
// last_used_at is a hint for people, not an audit log: writing it on every request
// would put a write on the hot path, so it is refreshed at most once a minute.
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashTokenKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface NewToken {
  token: ApiTokenRow;
  /** The secret itself: give it to the user now, it cannot be recovered later. */
  key: string;
}

export async function createToken(
  db: Queryable,
  options: { userId: string; name: string; scope: TokenScope; expiresAt?: Date | undefined },
): Promise<NewToken> {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  const [token] = await db
    .insert(apiTokens)
    .values({
      userId: options.userId,
      name: options.name,
      scope: options.scope,
      tokenHash: hashTokenKey(key),
      expiresAt: options.expiresAt ?? null,
    })
    .returning();
  if (token === undefined) throw new Error('insert returned no row');
  return { token, key };
}

/** What a caller holds, as far as handing out tokens goes. */
interface Grantor {
  readonly scope: TokenScope;
  /** A token's expiry; sessions act for their user, whose authority does not expire. */
  readonly expiresAt?: Date | null;
}

/**
 * Refuses (403) a token that would give more than its maker has: a wider scope, or a
 * later expiry (no expiry being the latest). Every route that makes tokens calls it.
 */
export function checkGrantable(
  caller: Grantor,
  requested: { scope: TokenScope; expiresAt: Date | undefined },
): void {
  if (caller.scope === 'read' && requested.scope === 'write') {
    throw new AppError('permission_denied', 'A read token cannot make a write token.');
  }
  const callerExpiry = caller.expiresAt ?? undefined;
  if (
    callerExpiry !== undefined &&
    (requested.expiresAt === undefined || requested.expiresAt > callerExpiry)
  ) {
    throw new AppError(
      'permission_denied',
      `A token cannot outlive the one that makes it: expire it by ${callerExpiry.toISOString()}.`,
    );
  }
}

export interface TokenIdentity {
  user: UserRow;
  token: ApiTokenRow;
}

/**
 * The user behind a key, or undefined when it is unknown, revoked or expired. With a
 * cache, a token looked up lately costs no query (see token-cache.ts); its expiry is
 * still checked against `now` on every use.
 */
export async function authenticateTokenKey(
  db: Queryable,
  key: string,
  options: { cache?: TokenCache | undefined; now?: Date } = {},
): Promise<TokenIdentity | undefined> {
  const now = options.now ?? new Date();
  const tokenHash = hashTokenKey(key);
  const cached = options.cache?.get(tokenHash, now);
  if (cached !== undefined) return cached;
  const changesSeen = options.cache?.changesSeen ?? 0;
  const [row] = await db
    .select({ token: apiTokens, user: users })
    .from(apiTokens)
    .innerJoin(users, eq(apiTokens.userId, users.id))
    .where(eq(apiTokens.tokenHash, tokenHash))
    .prepare('token_by_hash')
    .execute();
  if (row === undefined || row.token.revokedAt !== null || row.user.disabledAt !== null) {
    return undefined;
  }
  if (row.token.expiresAt !== null && row.token.expiresAt <= now) return undefined;
  options.cache?.remember(tokenHash, row, changesSeen, now);
  return row;
}

/**
 * Records use, at most once a minute per token (see LAST_USED_RESOLUTION_MS). The time
 * is kept on `token` too, which for a cached token is the cache's row: the next request
 * (or one running at the same time) then sees it and does not write again.
 */
export async function touchToken(db: Queryable, token: ApiTokenRow, now = new Date()) {
  const lastUsed = token.lastUsedAt?.getTime() ?? 0;
  if (now.getTime() - lastUsed < LAST_USED_RESOLUTION_MS) return;
  token.lastUsedAt = now;
  // Each process keeps its own time: the condition keeps the writes of all of them to
  // one a minute.
  const recentEnough = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  await db
    .update(apiTokens)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiTokens.id, token.id),
        or(isNull(apiTokens.lastUsedAt), lte(apiTokens.lastUsedAt, recentEnough)),
      ),
    );
}

/** Every token with its user's email, oldest first; only one user's when `email` is given. */
export async function listTokens(db: Queryable, options: { email?: string } = {}) {
  return db
    .select({ token: apiTokens, email: users.email })
    .from(apiTokens)
    .innerJoin(users, eq(apiTokens.userId, users.id))
    .where(
      options.email === undefined
        ? undefined
        : eq(sql`lower(${users.email})`, options.email.trim().toLowerCase()),
    )
    .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
}

/** Revokes a token; revoking twice is fine, an unknown id is not. */
export async function revokeToken(
  db: Queryable,
  id: string,
  now = new Date(),
): Promise<ApiTokenRow> {
  const [revoked] = await db
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning();
  if (revoked !== undefined) return revoked;
  const [existing] = await db.select().from(apiTokens).where(eq(apiTokens.id, id));
  if (existing === undefined) throw new AppError('token_not_found', `No token has the id ${id}.`);
  return existing;
}

/** A token as a caller asks for one (the resource API's body), before any rule. */
export interface TokenRequest {
  name?: string | undefined;
  scope?: TokenScope | undefined;
  /** A lifetime: `90m`, `12h`, `30d`, `2w`. */
  expires_in?: string | undefined;
  /** An instant, ISO 8601 with its zone. */
  expires_at?: string | undefined;
}

/** What a checked TokenRequest asks for; checkGrantable then says whether the caller may. */
export interface TokenGrant {
  name: string;
  scope: TokenScope;
  expiresAt: Date | undefined;
}

/**
 * Checks a request for a token (400 per field): a name of 1–100 characters, and at
 * most one of a lifetime or an expiry, which must be in the future. The scope is
 * `write` unless asked otherwise, as the CLI's.
 */
export function tokenGrant(request: TokenRequest, now = new Date()): TokenGrant {
  const future = (date: Date) => {
    if (date <= now) throw new FieldRuleError('Must be in the future.');
    return date;
  };
  const rules = {
    name: (value: string) => cleanText(value),
    expires_in: (value: string) => {
      const lifetimeMs = parseDuration(value);
      if (lifetimeMs === undefined) {
        throw new FieldRuleError('Enter a duration like 90m, 12h, 30d or 2w.');
      }
      return new Date(now.getTime() + lifetimeMs);
    },
    expires_at: (value: string) => future(parseInstant(value)),
  };
  if (request.expires_in !== undefined && request.expires_at !== undefined) {
    const message = 'Give expires_in or expires_at, not both.';
    throw validationError({ expires_in: [message], expires_at: [message] });
  }
  const { name } = checkFields({ name: request.name }, { name: rules.name }, 'all');
  const { expires_in: lifetimeEnd, expires_at: expiresAt } = checkFields(
    { expires_in: request.expires_in, expires_at: request.expires_at },
    { expires_in: rules.expires_in, expires_at: rules.expires_at },
    'present',
  );
  return { name, scope: request.scope ?? 'write', expiresAt: lifetimeEnd ?? expiresAt };
}

function tokenNotFound(): AppError {
  return new AppError('token_not_found', 'You have no token with this id.');
}

/** A user's own tokens, revoked and expired ones too, oldest first. */
export async function listUserTokens(db: Queryable, userId: string): Promise<ApiTokenRow[]> {
  return db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
}

/** One of a user's tokens; 404 for an unknown id or another user's token, alike. */
export async function getUserToken(
  db: Queryable,
  userId: string,
  id: string,
): Promise<ApiTokenRow> {
  if (!isUuid(id)) throw tokenNotFound();
  const [token] = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId)));
  if (token === undefined) throw tokenNotFound();
  return token;
}

/**
 * Revokes one of a user's tokens (revoking twice is fine; another user's token is a
 * 404, as an unknown one). With this process's cache, the token is dropped from it at
 * once: the other processes hear of it by NOTIFY, but this one might answer the next
 * request before reading that notification.
 */
export async function revokeUserToken(
  db: Queryable,
  userId: string,
  id: string,
  options: { cache?: TokenCache | undefined; now?: Date } = {},
): Promise<ApiTokenRow> {
  if (!isUuid(id)) throw tokenNotFound();
  const [revoked] = await db
    .update(apiTokens)
    .set({ revokedAt: options.now ?? new Date() })
    .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning();
  const token = revoked ?? (await getUserToken(db, userId, id));
  options.cache?.forget(token.tokenHash);
  return token;
}
