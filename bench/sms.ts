// `npm run bench` (second part): the SMS path against a local Africa's Talking stub.
//
// - Hand-off latency: from an order's 201 to the gateway receiving its SMS, with an
//   idle worker in the server process (woken by LISTEN/NOTIFY). Target: p50 < 50 ms.
// - Throughput: one `customer-orders worker` process draining a backlog against a
//   gateway that answers in 50 ms. Target: ≥ 200 messages/s; its ceiling is
//   SMS_CONCURRENCY / 50 ms.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import pino from 'pino';
import { parseConfig } from '../src/config/config.ts';
import { connect, runMigrations } from '../src/db/client.ts';
import { createOrder } from '../src/orders/orders.service.ts';
import { startAfricasTalkingStub, stubEnv } from '../test/helpers/africastalking-stub.ts';
import { benchDatabase, makeToken, startBenchServer } from './harness.ts';

const LATENCY_ORDERS = Number(process.env.BENCH_SMS_LATENCY_ORDERS ?? 300);
const THROUGHPUT_MESSAGES = Number(process.env.BENCH_SMS_MESSAGES ?? 3000);
const GATEWAY_MS = 50;
const cleanups: (() => unknown)[] = [];
const cleanup = { after: (fn: () => unknown) => void cleanups.push(fn) };

function percentile(values: number[], p: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function handOffLatency(url: string) {
  const stub = await startAfricasTalkingStub(cleanup);
  const server = await startBenchServer(url, stubEnv(stub));
  try {
    const token = await makeToken(url);
    const headers = { authorization: `Token ${token}`, 'content-type': 'application/json' };
    const customer = (await (
      await fetch(`${server.baseUrl}/api/add-customer/`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'Bench', phone_number: '+254701036054' }),
      })
    ).json()) as { id: string };
    const afterResponse: number[] = [];
    const afterRequest: number[] = [];
    for (let index = 0; index < LATENCY_ORDERS; index += 1) {
      const before = stub.received.length;
      const started = performance.now();
      const response = await fetch(`${server.baseUrl}/api/add-order/`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ customer_id: customer.id, item: `item ${index}`, amount: '10.00' }),
      });
      const answered = performance.now();
      if (response.status !== 201) throw new Error(`add-order answered ${response.status}`);
      await response.arrayBuffer();
      await waitFor(() => stub.received.length > before, 5000);
      const receivedAt = stub.received.at(-1)?.receivedAt ?? NaN;
      // The SMS can reach the gateway before the 201 reaches the client: that counts as 0.
      afterResponse.push(Math.max(0, receivedAt - answered));
      afterRequest.push(receivedAt - started);
    }
    return { afterResponse, afterRequest };
  } finally {
    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
  }
}

async function throughput(url: string) {
  const stub = await startAfricasTalkingStub(cleanup);
  stub.mode = { kind: 'slow', ms: GATEWAY_MS };
  // The backlog first, with no worker running, through the same service as the API.
  const db = connect(url, 8, pino({ level: 'warn' }));
  const config = parseConfig({ DATABASE_URL: url });
  try {
    const { rows } = await db.pool.query<{ id: string }>(
      `insert into customers (name, phone_number) values ('Backlog', '+254701036099') returning id`,
    );
    const customerId = rows[0]?.id ?? '';
    let made = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (made < THROUGHPUT_MESSAGES) {
          made += 1;
          await createOrder(
            db.statements,
            { customer_id: customerId, item: 'backlog', amount: '1.00' },
            {
              currency: config.defaultCurrency,
              smsTemplate: undefined,
            },
          );
        }
      }),
    );
  } finally {
    await db.close();
  }

  const worker = spawn(process.execPath, ['bin/customer-orders.js', 'worker'], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', ...stubEnv(stub) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitFor(() => stub.received.length >= THROUGHPUT_MESSAGES, 300_000);
    // From the first message the gateway got to the last: the worker's start-up is not counted.
    const first = stub.received[0]?.receivedAt ?? NaN;
    const last = stub.received.at(-1)?.receivedAt ?? NaN;
    return { messages: stub.received.length, seconds: (last - first) / 1000 };
  } finally {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
  }
}

async function main() {
  const database = await benchDatabase();
  try {
    const migrate = connect(database.url, 1, pino({ level: 'warn' }));
    await runMigrations(migrate.pool);
    await migrate.close();

    const latency = await handOffLatency(database.url);
    const { messages, seconds } = await throughput(database.url);
    const concurrency = parseConfig({}).sms.worker.concurrency;
    console.log(
      `\nSMS hand-off, ${LATENCY_ORDERS} orders one after another, idle worker in the server:`,
    );
    console.table({
      'after the 201 (ms)': {
        p50: percentile(latency.afterResponse, 50).toFixed(1),
        p99: percentile(latency.afterResponse, 99).toFixed(1),
        max: Math.max(...latency.afterResponse).toFixed(1),
      },
      'after the request started (ms)': {
        p50: percentile(latency.afterRequest, 50).toFixed(1),
        p99: percentile(latency.afterRequest, 99).toFixed(1),
        max: Math.max(...latency.afterRequest).toFixed(1),
      },
    });
    console.log(`SMS throughput, one worker process, gateway answering in ${GATEWAY_MS} ms:`);
    console.table({
      worker: {
        messages,
        seconds: seconds.toFixed(1),
        'messages/s': Math.round(messages / seconds),
        'ceiling (SMS_CONCURRENCY / gateway time)': Math.round(concurrency / (GATEWAY_MS / 1000)),
      },
    });
  } finally {
    for (const fn of cleanups.reverse()) await fn();
    await database.cleanup();
  }
}

await main();
