// Delivery reports (africastalking.md): final ones turn a sent message into delivered
// or failed. A report can come before our worker has recorded the send, and with it
// the message id the gateway answered: it is kept, and applied when the send is.
import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import { smsEarlyDeliveryReports, smsMessages, type SmsMessageRow } from '../db/schema.ts';

const DELIVERED = new Set(['Success']);
const UNDELIVERED = new Set(['Failed', 'Rejected', 'AbsentSubscriber', 'Expired']);

export interface DeliveryReport {
  provider: string;
  providerMessageId: string;
  status: string;
  failureReason?: string | undefined;
}

/**
 * Applies a report. `message` is undefined when no message has that provider id yet;
 * `kept` says the report is final and waits for that message's send to be recorded.
 * Reports may come more than once; in-flight ones (Sent, Submitted, Buffered) change
 * nothing, and a late one never undoes `delivered`.
 */
export async function applyDeliveryReport(
  db: Queryable,
  report: DeliveryReport,
): Promise<{ message: SmsMessageRow | undefined; kept: boolean }> {
  const status = DELIVERED.has(report.status)
    ? 'delivered'
    : UNDELIVERED.has(report.status)
      ? 'failed'
      : undefined;
  if (status !== undefined) {
    // Every final report is written first and applied second, as the worker records
    // a send first and applies a kept report second, each statement committed on its
    // own: of two racing, at least one sees the other's write, so none is lost.
    await db
      .insert(smsEarlyDeliveryReports)
      .values({
        provider: report.provider,
        providerMessageId: report.providerMessageId,
        status,
        lastError:
          status === 'failed' ? `not delivered: ${report.failureReason ?? report.status}` : null,
      })
      .onConflictDoNothing();
    await applyKeptDeliveryReport(db, report.provider, report.providerMessageId);
  }
  const [message] = await db
    .select()
    .from(smsMessages)
    .where(
      and(
        eq(smsMessages.provider, report.provider),
        eq(smsMessages.providerMessageId, report.providerMessageId),
      ),
    );
  return { message, kept: message === undefined && status !== undefined };
}

/**
 * Applies the kept report for this provider message id, if there is one and the
 * message exists (only a `sent` message changes); the report is then done with.
 * Returns the status it set, if any.
 */
export async function applyKeptDeliveryReport(
  db: Queryable,
  provider: string,
  providerMessageId: string,
): Promise<string | undefined> {
  const { rows } = await db.execute<{ status: string }>(sql`
    with report as (
      delete from sms_early_delivery_reports
      where provider = ${provider} and provider_message_id = ${providerMessageId}
        and exists (select from sms_messages
                    where provider = ${provider} and provider_message_id = ${providerMessageId})
      returning status, last_error, received_at)
    update sms_messages
    set status = report.status, last_error = report.last_error, updated_at = now(),
        delivered_at = case when report.status = 'delivered' then report.received_at end
    from report
    where provider = ${provider} and provider_message_id = ${providerMessageId}
      and sms_messages.status = 'sent'
    returning sms_messages.status`);
  return rows[0]?.status;
}

/** Drops kept reports no send has matched within a day: ids we never sent. */
export async function forgetUnmatchedDeliveryReports(db: Queryable): Promise<void> {
  await db
    .delete(smsEarlyDeliveryReports)
    .where(sql`${smsEarlyDeliveryReports.receivedAt} < now() - interval '1 day'`);
}
