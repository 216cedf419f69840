// The sms_messages table as the outbox: rows are written with their order, in its
// transaction, and read back by the worker and the CLI.
import { and, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import { smsMessages, type SmsMessageRow, type SmsStatus } from '../db/schema.ts';
import { orderSmsText, type OrderSmsFacts } from './message.ts';

/** The channel workers LISTEN on; a notification means "messages may be due". */
export const SMS_CHANNEL = 'sms_outbox';

/**
 * Queues the order's SMS. Call inside the order's transaction: both commit, or neither.
 * Then, after the commit, wake the workers (see wake-up.ts).
 */
export async function enqueueOrderSms(
  tx: Queryable,
  facts: OrderSmsFacts & { to: string },
  template: string | undefined,
): Promise<SmsMessageRow> {
  const [message] = await tx
    .insert(smsMessages)
    .values({ orderId: facts.orderId, toNumber: facts.to, body: orderSmsText(facts, template) })
    .returning()
    .prepare('insert_sms')
    .execute();
  if (message === undefined) throw new Error('insert returned no row');
  return message;
}

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
    .set({ status: 'pending', attempts: 0, nextAttemptAt: new Date(), updatedAt: new Date() })
    .where(and(eq(smsMessages.id, id), eq(smsMessages.status, 'failed')))
    .returning();
  return message;
}
