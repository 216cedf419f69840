// /api/v1/orders/{id}/sms: what became of the SMS an order sent, and a retry for one
// that failed.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../core/errors.ts';
import { isUuid } from '../../core/fields.ts';
import type { Database } from '../../db/client.ts';
import { SMS_STATUSES, type SmsMessageRow } from '../../db/schema.ts';
import type { WakeSmsWorkers } from '../../sms/wake-up.ts';
import { findOrderSms, retryFailedSms } from '../../sms/outbox.ts';
import { IdParams, Nullable, problems, StringEnum, Timestamp } from './schemas.ts';

const NullableTimestamp = Nullable(Timestamp);
const NullableText = Nullable(Type.String());

export const SmsSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  order_id: Type.String({ format: 'uuid' }),
  to: Type.String({ description: 'E.164' }),
  body: Type.String(),
  status: StringEnum(SMS_STATUSES),
  attempts: Type.Integer({ description: 'Sends tried since it was queued (or last retried)' }),
  last_error: NullableText,
  provider: NullableText,
  provider_message_id: NullableText,
  cost: Nullable(Type.String({ examples: ['KES 0.8000'] })),
  created_at: Timestamp,
  updated_at: Timestamp,
  next_attempt_at: Type.Union([Timestamp, Type.Null()], {
    description: 'When a worker may try again; null once sent, delivered or failed',
  }),
  sent_at: NullableTimestamp,
  delivered_at: NullableTimestamp,
});

function v1Sms(message: SmsMessageRow) {
  const settled = message.status !== 'pending' && message.status !== 'sending';
  return {
    id: message.id,
    order_id: message.orderId,
    to: message.toNumber,
    body: message.body,
    status: message.status,
    attempts: message.attempts,
    last_error: message.lastError,
    provider: message.provider,
    provider_message_id: message.providerMessageId,
    cost: message.cost,
    created_at: message.createdAt.toISOString(),
    updated_at: message.updatedAt.toISOString(),
    next_attempt_at: settled ? null : message.nextAttemptAt.toISOString(),
    sent_at: message.sentAt?.toISOString() ?? null,
    delivered_at: message.deliveredAt?.toISOString() ?? null,
  };
}

const smsNotFound = () => new AppError('sms_not_found', 'This order has no SMS.');

export function v1SmsRoutes(
  db: Database,
  wakeSmsWorkers: WakeSmsWorkers | undefined,
): FastifyPluginAsyncTypebox {
  const orderSms = async (orderId: string) => {
    const message = isUuid(orderId) ? await findOrderSms(db.orm, orderId) : undefined;
    if (message === undefined) throw smsNotFound();
    return message;
  };

  return async (app) => {
    app.get(
      '/orders/:id/sms',
      {
        schema: {
          tags: ['orders'],
          summary: 'The SMS an order sent: its status, attempts, errors and delivery',
          description: 'Kept after the order is deleted.',
          params: IdParams,
          response: { 200: SmsSchema, ...problems(401, 404, 429, 503) },
        },
      },
      async (request) => v1Sms(await orderSms(request.params.id)),
    );

    app.post(
      '/orders/:id/sms/retry',
      {
        schema: {
          tags: ['orders'],
          summary: 'Send a failed SMS again, with a fresh budget of attempts',
          params: IdParams,
          response: { 202: SmsSchema, ...problems(401, 403, 404, 409, 429, 503) },
        },
      },
      async (request, reply) => {
        const message = await orderSms(request.params.id);
        const queued = await retryFailedSms(db.orm, message.id);
        if (queued === undefined) {
          throw new AppError(
            'sms_not_failed',
            `Only a failed SMS can be retried; this one is ${message.status}.`,
          );
        }
        wakeSmsWorkers?.();
        return reply.code(202).send(v1Sms(queued));
      },
    );
  };
}
