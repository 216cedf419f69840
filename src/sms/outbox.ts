// The sms_messages table as the outbox: rows are written with their order, by the
// same statement (orders/orders.queries.ts), and read back by the worker and the CLI.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import { smsMessages, type SmsMessageRow, type SmsStatus } from '../db/schema.ts';

/** The channel workers LISTEN on; a notification means "messages may be due". */
export const SMS_CHANNEL = 'sms_outbox';

export async function listSmsMessages(
  db: Queryable,
  options: { status?: SmsStatus; limit: number },
) {
  return db
    .select()
    .from(smsMessages)
    .where(options.status === undefined ? undefined : eq(smsMessages.status, options.status))
    .orderBy(desc(smsMessages.createdAt))
    .limit(options.limit);
}

/** Queues a failed message again, with a fresh attempt budget; undefined if it is not failed. */
export async function retryFailedSms(
  db: Queryable,
  id: string,
): Promise<SmsMessageRow | undefined> {
  const [message] = await db
    .update(smsMessages)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(smsMessages.id, id), eq(smsMessages.status, 'failed')))
    .returning();
  return message;
}

/** The SMS of an order (kept after the order is deleted); undefined if it has none. */
export async function findOrderSms(
  db: Queryable,
  orderId: string,
): Promise<SmsMessageRow | undefined> {
  const [message] = await db.select().from(smsMessages).where(eq(smsMessages.orderId, orderId));
  return message;
}
