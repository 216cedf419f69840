// A local stand-in for Africa's Talking's SMS API (shared/africastalking.md): it checks
// what a real gateway would (form fields, apiKey header), answers in its JSON shape,
// records every message, and can be told to misbehave.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Cleanup } from './database.ts';
import { stopHttpServer } from './http-server.ts';

export const STUB_API_KEY = 'stub-api-key';
export const STUB_USERNAME = 'sandbox';

export type StubMode =
  | { kind: 'ok' }
  /** Answers after `ms`. */
  | { kind: 'slow'; ms: number }
  /** Takes the message at once (it is in `received`), answers after `ms`. */
  | { kind: 'answer-late'; ms: number }
  | { kind: 'http-error'; status: number }
  /** Drops the connection without answering. */
  | { kind: 'reset' }
  | { kind: 'malformed-json' }
  /** A 201 whose recipient has this status code (403 InvalidPhoneNumber, 500…). */
  | { kind: 'recipient-status'; statusCode: number; status: string }
  /** A 201 with no recipients and this Message (InvalidSenderId…). */
  | { kind: 'no-recipients'; message: string };

export interface ReceivedSms {
  to: string;
  message: string;
  from: string | undefined;
  messageId: string;
  /** performance.now() when the stub accepted it. */
  receivedAt: number;
}

export interface AfricasTalkingStub {
  /** The AT_BASE_URL to configure (…/version1). */
  baseUrl: string;
  /** Messages the stub accepted (mode ok, slow or answer-late), in order. */
  received: ReceivedSms[];
  /** Every request, accepted or not. */
  requestCount: () => number;
  mode: StubMode;
  /** Stops listening (connections then fail as with a gateway that is down). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

export async function startAfricasTalkingStub(
  cleanup: Cleanup,
  port = 0,
): Promise<AfricasTalkingStub> {
  let requests = 0;
  const stub: AfricasTalkingStub = {
    baseUrl: '',
    received: [],
    requestCount: () => requests,
    mode: { kind: 'ok' },
    stop: async () => {},
    restart: async () => {},
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    requests += 1;
    const body = await readBody(request);
    const reply = (status: number, payload: unknown, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type });
      response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    if (request.method !== 'POST' || request.url !== '/version1/messaging')
      return reply(404, 'Not found', 'text/plain');
    if (request.headers.apikey !== STUB_API_KEY) {
      return reply(401, 'The supplied authentication is invalid', 'text/plain');
    }
    const form = new URLSearchParams(body);
    const to = form.get('to');
    const message = form.get('message');
    if (
      !request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ||
      request.headers.accept !== 'application/json' ||
      form.get('username') !== STUB_USERNAME ||
      !to ||
      !message
    ) {
      return reply(400, 'Request is missing required form field', 'text/plain');
    }

    const mode = stub.mode;
    switch (mode.kind) {
      case 'http-error':
        return reply(mode.status, 'Internal Server Error', 'text/plain');
      case 'reset':
        request.socket.destroy();
        return;
      case 'malformed-json':
        return reply(201, '{"SMSMessageData": {"Recipients": [', 'application/json');
      case 'recipient-status':
        return reply(201, {
          SMSMessageData: {
            Message: 'Sent to 0/1 Total Cost: 0',
            Recipients: [
              {
                cost: '0',
                messageId: 'None',
                number: to,
                status: mode.status,
                statusCode: mode.statusCode,
              },
            ],
          },
        });
      case 'no-recipients':
        return reply(201, { SMSMessageData: { Message: mode.message, Recipients: [] } });
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, mode.ms));
        break;
      case 'answer-late':
      case 'ok':
        break;
    }
    const messageId = `ATXid_${randomUUID().replaceAll('-', '')}`;
    stub.received.push({
      to,
      message,
      from: form.get('from') ?? undefined,
      messageId,
      receivedAt: performance.now(),
    });
    if (mode.kind === 'answer-late') await new Promise((resolve) => setTimeout(resolve, mode.ms));
    return reply(201, {
      SMSMessageData: {
        Message: 'Sent to 1/1 Total Cost: KES 0.8000',
        Recipients: [
          {
            statusCode: 101,
            number: to,
            cost: 'KES 0.8000',
            status: 'Success',
            messageId,
            messageParts: 1,
          },
        ],
      },
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  server.keepAliveTimeout = 1000;
  const listen = async (onPort: number) => {
    server.listen(onPort, '127.0.0.1');
    await once(server, 'listening');
  };
  await listen(port);
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : 0;
  stub.baseUrl = `http://127.0.0.1:${boundPort}/version1`;
  stub.stop = () => stopHttpServer(server);
  stub.restart = () => listen(boundPort);
  cleanup.after(() => stub.stop());
  return stub;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Environment for the app or a child process to send through the stub. */
export function stubEnv(stub: AfricasTalkingStub): Record<string, string> {
  return {
    SMS_PROVIDER: 'africastalking',
    AT_USERNAME: STUB_USERNAME,
    AT_API_KEY: STUB_API_KEY,
    AT_BASE_URL: stub.baseUrl,
  };
}
