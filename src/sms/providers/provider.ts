// What the worker needs from an SMS gateway. A new gateway (Twilio…) is one file
// implementing this.

export interface OutgoingSms {
  /** E.164, as stored on the customer. */
  to: string;
  body: string;
}

export type SendResult =
  /** The gateway took the message (delivery is reported later, if at all). */
  | { outcome: 'sent'; providerMessageId?: string; cost?: string }
  /** A passing failure: try again later; `keepTrying` past the attempt limit too. */
  | { outcome: 'retry'; error: string; keepTrying?: boolean }
  /** Trying again would get the same answer. */
  | { outcome: 'failed'; error: string };

export interface SmsProvider {
  readonly name: string;
  /** Thrown errors (network, timeout via `signal`) count as `retry`. */
  send(sms: OutgoingSms, signal: AbortSignal): Promise<SendResult>;
}
