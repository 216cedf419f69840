// Africa's Talking's SMS API (see shared/africastalking.md): POST {base}/messaging,
// form-encoded, with the per-recipient status codes read into send outcomes.
import type { OutgoingSms, SendResult, SmsProvider } from './provider.ts';

export interface AfricasTalkingSettings {
  username: string;
  apiKey: string;
  senderId: string | undefined;
  /** ".../version1"; tests point it at a local stub. */
  baseUrl: URL;
}

interface Recipient {
  statusCode?: number;
  status?: string;
  messageId?: string;
  cost?: string;
  number?: string;
}

interface SendAnswer {
  SMSMessageData?: { Message?: string; Recipients?: Recipient[] };
}

// 100 Processed, 101 Sent, 102 Queued: the gateway took it.
const ACCEPTED = new Set([100, 101, 102]);
// Risk hold, invalid sender id, invalid number, unsupported number type, blacklisted,
// do-not-disturb: the same request would be refused again.
const PERMANENT = new Set([401, 402, 403, 404, 406, 409]);
// Request-level refusals that come back as a 201 with no recipients.
const PERMANENT_MESSAGES = new Set(['InvalidSenderId', 'InvalidPhoneNumber']);

export function africasTalkingProvider(settings: AfricasTalkingSettings): SmsProvider {
  const endpoint = `${settings.baseUrl.href.replace(/\/$/, '')}/messaging`;
  return {
    name: 'africastalking',
    async send(sms: OutgoingSms, signal: AbortSignal): Promise<SendResult> {
      const form = new URLSearchParams({
        username: settings.username,
        to: sms.to,
        message: sms.body,
        bulkSMSMode: '1',
      });
      if (settings.senderId !== undefined) form.set('from', settings.senderId);
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          apiKey: settings.apiKey,
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: form,
        signal,
      });
      const text = await response.text();
      if (response.status === 401) {
        // A new key can take minutes to work: retried with backoff, never dropped.
        return {
          outcome: 'retry',
          keepTrying: true,
          error: `the gateway refused the API key or username (HTTP 401): ${text.slice(0, 200)}`,
        };
      }
      if (response.status === 400) {
        return {
          outcome: 'failed',
          error: `the gateway refused the request (HTTP 400): ${text.slice(0, 200)}`,
        };
      }
      if (response.status !== 200 && response.status !== 201) {
        return { outcome: 'retry', error: `the gateway answered HTTP ${response.status}` };
      }
      let answer: SendAnswer;
      try {
        answer = JSON.parse(text) as SendAnswer;
      } catch {
        return { outcome: 'retry', error: 'the gateway answered with something other than JSON' };
      }
      const recipient = answer.SMSMessageData?.Recipients?.[0];
      if (recipient === undefined) {
        const message = answer.SMSMessageData?.Message ?? 'no recipients';
        return PERMANENT_MESSAGES.has(message)
          ? { outcome: 'failed', error: message }
          : { outcome: 'retry', error: `the gateway accepted no recipient: ${message}` };
      }
      const code = Number(recipient.statusCode);
      const described = `${recipient.status ?? 'unknown'} (${recipient.statusCode ?? '?'})`;
      if (ACCEPTED.has(code)) {
        return {
          outcome: 'sent',
          providerMessageId:
            recipient.messageId && recipient.messageId !== 'None' ? recipient.messageId : undefined,
          cost: recipient.cost,
        };
      }
      // Anything else (insufficient balance, could not route, gateway errors, codes
      // we do not know) may pass: retry, within the attempt limit.
      return PERMANENT.has(code)
        ? { outcome: 'failed', error: described }
        : { outcome: 'retry', error: described };
    },
  };
}
