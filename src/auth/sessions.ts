// Server-side sessions: the browser holds a random id (cookie `sessionid`), the
// database holds its SHA-256 and who it belongs to. Ending a session is deleting a row.
import { createHash, randomBytes } from 'node:crypto';
import { eq, lt } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import { loginAttempts, sessions, users, type SessionRow, type UserRow } from '../db/schema.ts';

export const SESSION_COOKIE = 'sessionid';

export interface SessionPolicy {
  idleTimeoutMs: number;
  maxAgeMs: number;
}

// Renewing on use is a write; doing it at most once a minute keeps it off most requests.
const RENEWAL_RESOLUTION_MS = 60_000;

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

function expiryOf(session: { createdAt: Date }, lastSeen: Date, policy: SessionPolicy): Date {
  return new Date(
    Math.min(
      lastSeen.getTime() + policy.idleTimeoutMs,
      session.createdAt.getTime() + policy.maxAgeMs,
    ),
  );
}

/** Starts a session and returns the id for the cookie (shown to no one else, stored hashed). */
export async function createSession(
  db: Queryable,
  options: { userId: string; userAgent: string | undefined; policy: SessionPolicy; now?: Date },
): Promise<{ id: string; expiresAt: Date }> {
  const id = randomBytes(32).toString('base64url');
  const now = options.now ?? new Date();
  const expiresAt = expiryOf({ createdAt: now }, now, options.policy);
  await db.insert(sessions).values({
    idHash: hashSessionId(id),
    userId: options.userId,
    userAgent: options.userAgent?.slice(0, 300) ?? null,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
  });
  return { id, expiresAt };
}

export interface ActiveSession {
  session: SessionRow;
  user: UserRow;
  /** Set when this use renewed the session: the cookie's expiry should follow. */
  renewedUntil?: Date;
}

/** The live session behind a cookie value, renewed on use; undefined when unknown or expired. */
export async function useSession(
  db: Queryable,
  id: string,
  policy: SessionPolicy,
  now = new Date(),
): Promise<ActiveSession | undefined> {
  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(sessions.userId, users.id))
    .where(eq(sessions.idHash, hashSessionId(id)))
    .prepare('session_by_hash')
    .execute();
  if (row === undefined || row.session.expiresAt <= now || row.user.disabledAt !== null) {
    return undefined;
  }
  if (now.getTime() - row.session.lastSeenAt.getTime() < RENEWAL_RESOLUTION_MS) return row;
  const expiresAt = expiryOf(row.session, now, policy);
  await db
    .update(sessions)
    .set({ lastSeenAt: now, expiresAt })
    .where(eq(sessions.idHash, row.session.idHash));
  return { ...row, renewedUntil: expiresAt };
}

export async function endSession(db: Queryable, id: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, hashSessionId(id)));
}

/** Deletes expired sessions and abandoned sign-ins; returns how many of each went. */
export async function sweepExpired(db: Queryable, now = new Date()) {
  const endedSessions = await db
    .delete(sessions)
    .where(lt(sessions.expiresAt, now))
    .returning({ id: sessions.idHash });
  const endedLogins = await db
    .delete(loginAttempts)
    .where(lt(loginAttempts.expiresAt, now))
    .returning({ id: loginAttempts.stateHash });
  return { sessions: endedSessions.length, loginAttempts: endedLogins.length };
}
