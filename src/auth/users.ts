import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import { users, type UserRow } from '../db/schema.ts';

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
