// The development provider: the SMS goes to the log instead of a phone.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { OutgoingSms, SendResult, SmsProvider } from './provider.ts';

export function logProvider(logger: Pick<Logger, 'info'>): SmsProvider {
  return {
    name: 'log',
    send: async (sms: OutgoingSms): Promise<SendResult> => {
      logger.info({ to: sms.to, body: sms.body }, 'SMS (log provider: not sent to a phone)');
      return { outcome: 'sent', providerMessageId: `log-${randomUUID()}` };
    },
  };
}
