import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { sessions, users, type UserRow } from '../db/schema.ts';

/** The user with this email (compared case-insensitively), created when missing. */
export async function findOrCreateUserByEmail(db: Queryable, email: string): Promise<UserRow> {
  const normalised = email.trim();
  // Insert-or-nothing, then read: safe when two callers race for the same email.
  await db.insert(users).values({ email: normalised }).onConflictDoNothing();
  const [user] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, normalised.toLowerCase()));
  if (user === undefined) throw new Error(`user ${normalised} vanished after insert`);
  return user;
}

export function isPlausibleEmail(email: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim());
}

/**
 * The user behind an OpenID Connect identity (issuer + subject), created on first
 * sign-in. The email and name follow the provider; a user the CLI made by email is
 * linked to the first identity that signs in with that email.
 */
export async function findOrCreateOidcUser(
  db: Queryable,
  identity: { issuer: string; subject: string; email: string; name: string | undefined },
): Promise<UserRow | undefined> {
  try {
    return await linkIdentity(db, identity);
  } catch (error) {
    // The email now belongs to another user here, or a simultaneous first sign-in of
    // the same identity won: refuse this one (409) rather than fail (500).
    if (isUniqueViolation(error)) return undefined;
    throw error;
  }
}

function linkIdentity(
  db: Queryable,
  identity: { issuer: string; subject: string; email: string; name: string | undefined },
): Promise<UserRow | undefined> {
  return db.transaction(async (tx) => {
    const [known] = await tx
      .select()
      .from(users)
      .where(and(eq(users.issuer, identity.issuer), eq(users.subject, identity.subject)));
    if (known !== undefined) {
      const name = identity.name ?? known.name;
      if (known.email === identity.email && known.name === name) return known;
      const [updated] = await tx
        .update(users)
        .set({ email: identity.email, name, updatedAt: sql`now()` })
        .where(eq(users.id, known.id))
        .returning();
      return updated;
    }
    const [byEmail] = await tx
      .select()
      .from(users)
      .where(eq(sql`lower(${users.email})`, identity.email.toLowerCase()));
    // An email held by another identity: refuse rather than hand over its tokens.
    if (byEmail !== undefined && byEmail.issuer !== null) return undefined;
    const values = {
      issuer: identity.issuer,
      subject: identity.subject,
      email: identity.email,
      name: identity.name ?? null,
    };
    const [user] =
      byEmail === undefined
        ? await tx.insert(users).values(values).returning()
        : await tx
            .update(users)
            .set({ ...values, updatedAt: sql`now()` })
            .where(eq(users.id, byEmail.id))
            .returning();
    return user;
  });
}

/** Every user, oldest first: staff accounts are few. */
export async function listUsers(db: Queryable): Promise<UserRow[]> {
  return db.select().from(users).orderBy(users.createdAt, users.id);
}

function byEmail(email: string) {
  return eq(sql`lower(${users.email})`, email.trim().toLowerCase());
}

/**
 * Disables a user (their sessions end and their tokens are refused, on every server at
 * once: the users trigger tells each one's token cache) or enables them again, their
 * tokens with them. Undefined when no user has this email.
 */
export async function setUserDisabled(
  db: Queryable,
  email: string,
  disabled: boolean,
): Promise<UserRow | undefined> {
  return db.transaction(async (tx) => {
    const [user] = await tx
      .update(users)
      .set({
        disabledAt: disabled ? sql`coalesce(${users.disabledAt}, now())` : null,
        updatedAt: sql`now()`,
      })
      .where(byEmail(email))
      .returning();
    if (user !== undefined && disabled)
      await tx.delete(sessions).where(eq(sessions.userId, user.id));
    return user;
  });
}

export async function setUserRole(
  db: Queryable,
  email: string,
  role: UserRow['role'],
): Promise<UserRow | undefined> {
  const [user] = await db
    .update(users)
    .set({ role, updatedAt: sql`now()` })
    .where(byEmail(email))
    .returning();
  return user;
}
