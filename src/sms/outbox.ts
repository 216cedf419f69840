// The sms_messages table as the outbox: rows are written with their order, in its
// transaction, and read back by the worker, the CLI and the delivery webhook.
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

// Delivery report statuses (africastalking.md): final ones change the record.
const DELIVERED = new Set(['Success']);
const UNDELIVERED = new Set(['Failed', 'Rejected', 'AbsentSubscriber', 'Expired']);

/**
 * Applies a delivery report. Returns the message, or undefined when no message has
 * that provider id. Reports may come more than once, and in-flight ones
 * (Sent, Submitted, Buffered) change nothing.
 */
export async function applyDeliveryReport(
  db: Queryable,
  report: {
    provider: string;
    providerMessageId: string;
    status: string;
    failureReason?: string | undefined;
  },
): Promise<SmsMessageRow | undefined> {
  const match = and(
    eq(smsMessages.provider, report.provider),
    eq(smsMessages.providerMessageId, report.providerMessageId),
  );
  const now = new Date();
  const change = DELIVERED.has(report.status)
    ? { status: 'delivered' as const, deliveredAt: now, lastError: null }
    : UNDELIVERED.has(report.status)
      ? {
          status: 'failed' as const,
          lastError: `not delivered: ${report.failureReason ?? report.status}`,
        }
      : undefined;
  if (change === undefined) {
    const [message] = await db.select().from(smsMessages).where(match);
    return message;
  }
  // Only a sent message changes: a late or repeated report never undoes `delivered`.
  const [message] = await db
    .update(smsMessages)
    .set({ ...change, updatedAt: now })
    .where(and(match, eq(smsMessages.status, 'sent')))
    .returning();
  if (message !== undefined) return message;
  const [unchanged] = await db.select().from(smsMessages).where(match);
  return unchanged;
}
