// Delivery reports from Africa's Talking. The gateway does not sign them, so the
// endpoint checks a shared secret (AT_CALLBACK_SECRET) in its URL or a header.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config/config.ts';
import type { Database } from '../../db/client.ts';
import { AppError } from '../../core/errors.ts';
import { applyDeliveryReport } from '../../sms/delivery-reports.ts';
// Errors here are answered in the original API's shape, as everywhere outside the APIs.
import {
  DrfDetailSchema,
  DrfFieldErrorsSchema,
  drfAnswer,
  LEGACY_BODY_ERRORS,
} from '../legacy/legacy.schemas.ts';

const DeliveryReportSchema = Type.Object({
  id: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'The messageId from the send answer',
  }),
  status: Type.String({ minLength: 1, maxLength: 50 }),
  phoneNumber: Type.Optional(Type.String({ maxLength: 50 })),
  networkCode: Type.Optional(Type.String({ maxLength: 20 })),
  failureReason: Type.Optional(Type.String({ maxLength: 200 })),
  retryCount: Type.Optional(Type.String({ maxLength: 10 })),
});

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function smsWebhookRoutes(db: Database, config: Config): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/webhooks/africastalking/delivery',
      {
        // Public (it checks its own secret) and not rate-limited: the gateway reports
        // from a few addresses, as fast as messages are delivered.
        config: { public: true, rateLimit: false },
        // The secret first: without it, not even a description of the expected fields.
        preValidation: async (request) => {
          const expected = config.sms.atCallbackSecret;
          if (expected === undefined) {
            throw new AppError(
              'permission_denied',
              'Delivery reports are not enabled: set AT_CALLBACK_SECRET.',
            );
          }
          const query = request.query as { secret?: unknown };
          const header = request.headers['x-callback-secret'];
          const given =
            typeof query.secret === 'string'
              ? query.secret
              : typeof header === 'string'
                ? header
                : undefined;
          if (!sameSecret(given, expected)) {
            throw new AppError('permission_denied', 'Wrong callback secret.');
          }
        },
        schema: {
          tags: ['SMS'],
          summary: "Africa's Talking delivery reports (needs ?secret= or X-Callback-Secret)",
          querystring: Type.Object({ secret: Type.Optional(Type.String()) }),
          body: DeliveryReportSchema,
          response: {
            200: Type.Object(
              { detail: Type.String() },
              { examples: [{ detail: 'Recorded.' }, { detail: 'Unknown message; ignored.' }] },
            ),
            400: drfAnswer('A report without its fields, or a body that cannot be read', [
              DrfFieldErrorsSchema,
              DrfDetailSchema,
            ]),
            403: drfAnswer(
              'No secret or the wrong one, or AT_CALLBACK_SECRET is not set: ' +
                '`{"detail": "Wrong callback secret."}`',
              [DrfDetailSchema],
            ),
            ...LEGACY_BODY_ERRORS,
            503: drfAnswer('The database is out of reach or too slow', [DrfDetailSchema]),
          },
        },
      },
      async (request) => {
        const report = request.body;
        const { message, kept } = await applyDeliveryReport(db.orm, {
          provider: 'africastalking',
          providerMessageId: report.id,
          status: report.status,
          failureReason: report.failureReason,
        });
        // 200 in every case, as the gateway asks: a kept report is applied when the
        // send is recorded, and an unknown in-flight one would change nothing anyway.
        if (kept) {
          request.log.info(
            { providerMessageId: report.id, status: report.status },
            'delivery report kept until its send is recorded',
          );
          return { detail: 'Kept until the message is recorded as sent.' };
        }
        if (message === undefined) {
          request.log.warn(
            { providerMessageId: report.id, status: report.status },
            'delivery report for an unknown message',
          );
          return { detail: 'Unknown message; ignored.' };
        }
        request.log.info({ smsId: message.id, status: report.status }, 'delivery report applied');
        return { detail: 'Recorded.' };
      },
    );
  };
}
