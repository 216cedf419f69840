import type { Logger } from 'pino';
import type { Config } from '../../config/config.ts';
import { africasTalkingProvider } from './africastalking.ts';
import { logProvider } from './log.ts';
import type { SmsProvider } from './provider.ts';

/** The provider SMS_PROVIDER names (config has checked its settings). */
export function createSmsProvider(config: Config, logger: Logger): SmsProvider {
  const { sms } = config;
  switch (sms.provider) {
    case 'africastalking':
      if (sms.atApiKey === undefined) throw new Error('unreachable: config requires AT_API_KEY');
      return africasTalkingProvider({
        username: sms.atUsername,
        apiKey: sms.atApiKey,
        senderId: sms.atSenderId,
        baseUrl: sms.atBaseUrl,
      });
    case 'log':
      return logProvider(logger);
  }
}
