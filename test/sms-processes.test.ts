// The SMS outbox with real processes (DESIGN §5): a server killed while a message is
// in flight, a gateway that is down, and two `customer-orders worker` processes
// sharing one database. The gateway is the local Africa's Talking stub.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import type { Database } from '../src/db/client.ts';
import { createCustomer } from '../src/customers/customers.service.ts';
import { createOrder } from '../src/orders/orders.service.ts';
import { orderReference } from '../src/sms/message.ts';
import {
  startAfricasTalkingStub,
  stubEnv,
  type AfricasTalkingStub,
} from './helpers/africastalking-stub.ts';
import { createTestDatabase, type Cleanup } from './helpers/database.ts';
import { uniquePhoneNumber } from './helpers/factories.ts';
import { runCli, startServer, startWorker } from './helpers/processes.ts';
import { waitFor } from './helpers/wait-for.ts';

// Short enough for a test to see a lease run out and a retry come round; the send
// timeout stays within half the lease, as config requires.
const FAST_SMS = {
  SMS_LEASE: '2s',
  SMS_RETRY_BASE: '1s',
  SMS_RETRY_CAP: '2s',
  SMS_POLL_INTERVAL: '1s',
  SMS_SEND_TIMEOUT: '1s',
};

interface SmsRow {
  order_id: string;
  to_number: string;
  body: string;
  status: string;
  attempts: number;
  provider: string | null;
  provider_message_id: string | null;
  last_error: string | null;
}

test('when the server is killed with SIGKILL while an SMS is in flight, the next start sends it, once', async (t) => {
  const { db, url } = await createTestDatabase(t);
  const stub = await startAfricasTalkingStub(t);
  // The gateway takes the request and never answers: the worker has claimed the
  // message (committed with the order) and is waiting on the send when we kill it.
  await stub.stop();
  const hanging = await startHangingGateway(t, stubPort(stub));
  const env = { DATABASE_URL: url, ...stubEnv(stub), ...FAST_SMS };

  const first = await startServer(t, env);
  const api = await apiClient(first.baseUrl, url);
  const customer = await api.post('/api/add-customer/', {
    name: 'Amina Crash',
    phone_number: uniquePhoneNumber(),
  });
  const started = performance.now();
  const order = await api.post('/api/add-order/', {
    customer_id: customer.id,
    item: 'crash-test item',
    amount: '250.00',
  });
  assert.ok(performance.now() - started < 500, 'the order does not wait for the gateway');

  await waitFor('the worker to claim the message and call the gateway', 10_000, async () => {
    const [row] = await smsRows(db);
    return row?.status === 'sending' && hanging.connections() > 0;
  });
  assert.equal(await first.stop('SIGKILL'), null, 'killed, not exited');

  await hanging.close();
  await stub.restart();
  const second = await startServer(t, env);
  await waitFor('the message to be sent after the restart', 20_000, async () => {
    const [row] = await smsRows(db);
    return row?.status === 'sent';
  });
  // SIGTERM lets anything in flight finish: after the exit nothing more can be sent.
  assert.equal(await second.stop('SIGTERM'), 0, second.output());

  const [row, ...others] = await smsRows(db);
  assert.equal(others.length, 0);
  assert.ok(row);
  assert.equal(row.order_id, order.id);
  assert.equal(row.to_number, customer.phone_number);
  assert.ok(row.attempts >= 2, `claimed before and after the crash (attempts ${row.attempts})`);
  assert.equal(stub.received.length, 1, JSON.stringify(stub.received));
  const [sent] = stub.received;
  assert.ok(sent);
  assert.equal(sent.to, customer.phone_number);
  assert.equal(sent.message, row.body);
  assert.ok(sent.message.includes(orderReference(order.id)), sent.message);
  assert.equal(row.provider, 'africastalking');
  assert.equal(row.provider_message_id, sent.messageId);
});

// The target: with the default lease (2 minutes) and send timeout, a worker
// that starts finds the messages of a killed one and sends them within 15 s.
test('when the server is killed with SIGKILL mid-send, the next start sends every message within 15 s, not after the lease', async (t) => {
  const { db, url } = await createTestDatabase(t);
  const stub = await startAfricasTalkingStub(t);
  await stub.stop();
  const hanging = await startHangingGateway(t, stubPort(stub));
  const env = { DATABASE_URL: url, ...stubEnv(stub) };
  // Queued before the server starts, so that its worker claims them all in its first round.
  const customer = await createCustomer(db.statements, {
    name: 'Zawadi Restart',
    phone_number: uniquePhoneNumber(),
  });
  for (let index = 0; index < 3; index += 1) {
    await createOrder(
      db.statements,
      { customer_id: customer.id, item: `restart item ${index}`, amount: '40.00' },
      { currency: 'KES', smsTemplate: undefined },
    );
  }

  const first = await startServer(t, env);
  await waitFor('the worker to claim every message and call the gateway', 10_000, async () => {
    const rows = await smsRows(db);
    return rows.every((row) => row.status === 'sending') && hanging.connections() >= 3;
  });
  assert.equal(await first.stop('SIGKILL'), null, 'killed, not exited');
  await hanging.close();
  await stub.restart();

  const restarted = performance.now();
  const second = await startServer(t, env);
  await waitFor('every message to be sent after the restart', 20_000, async () =>
    (await smsRows(db)).every((row) => row.status === 'sent'),
  );
  const seconds = (performance.now() - restarted) / 1000;
  t.diagnostic(`every message sent ${seconds.toFixed(1)} s after the restart began`);
  // SMS_SEND_TIMEOUT (10 s) + 2 s after the claim, which came before the kill.
  assert.ok(seconds < 15, `sent ${seconds.toFixed(1)} s after the restart began`);
  assert.equal(await second.stop('SIGTERM'), 0, second.output());
  assertEachSentOnce(await smsRows(db), stub);
});

test('when the gateway is down, orders still answer 201 at once, and every SMS goes out when it is back', async (t) => {
  const { db, url } = await createTestDatabase(t);
  const stub = await startAfricasTalkingStub(t);
  await stub.stop();
  const server = await startServer(t, { DATABASE_URL: url, ...stubEnv(stub), ...FAST_SMS });
  const api = await apiClient(server.baseUrl, url);
  const customers = [
    await api.post('/api/add-customer/', {
      name: 'Baraka Down',
      phone_number: uniquePhoneNumber(),
    }),
    await api.post('/api/add-customer/', {
      name: 'Chebet Down',
      phone_number: uniquePhoneNumber(),
    }),
  ];

  const timings: number[] = [];
  for (let index = 0; index < 10; index += 1) {
    const started = performance.now();
    await api.post('/api/add-order/', {
      customer_id: customers[index % 2]?.id,
      item: `outage item ${index}`,
      amount: '99.50',
    });
    timings.push(performance.now() - started);
  }
  t.diagnostic(
    `add-order while the gateway is down: slowest ${Math.max(...timings).toFixed(0)} ms`,
  );
  for (const [index, elapsed] of timings.entries()) {
    assert.ok(elapsed < 500, `order ${index} took ${elapsed.toFixed(0)} ms`);
  }

  await waitFor('the worker to try every message and fail', 10_000, async () => {
    const rows = await smsRows(db);
    return rows.length === 10 && rows.every((row) => row.attempts >= 1 && row.last_error);
  });
  const waiting = await smsRows(db);
  assert.ok(
    waiting.every((row) => row.status === 'pending' || row.status === 'sending'),
    JSON.stringify(waiting.map((row) => row.status)),
  );
  assert.match(waiting[0]?.last_error ?? '', /could not reach the gateway/);
  assert.equal(stub.received.length, 0);

  await stub.restart();
  await waitFor('every message to be sent once the gateway is back', 20_000, async () =>
    (await smsRows(db)).every((row) => row.status === 'sent'),
  );
  assert.equal(await server.stop('SIGTERM'), 0, server.output());
  assertEachSentOnce(await smsRows(db), stub);
});

test('when two worker processes share a database, 1,000 orders each get exactly one SMS', async (t) => {
  const { db, url } = await createTestDatabase(t);
  const stub = await startAfricasTalkingStub(t);
  const env = { DATABASE_URL: url, ...stubEnv(stub), LOG_LEVEL: 'info', SMS_POLL_INTERVAL: '1s' };
  const workers = await Promise.all([startWorker(t, env), startWorker(t, env)]);

  const customers = await Promise.all(
    ['Daudi', 'Esther', 'Faith', 'Gitau'].map((name) =>
      createCustomer(db.statements, { name: `${name} Load`, phone_number: uniquePhoneNumber() }),
    ),
  );
  const settings = { currency: 'KES', smsTemplate: undefined };
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < 1000) {
        const index = next++;
        await createOrder(
          db.statements,
          {
            customer_id: customers[index % customers.length]?.id,
            item: `load item ${index}`,
            amount: '10.00',
          },
          settings,
        );
      }
    }),
  );

  await waitFor('1,000 messages at the gateway', 30_000, async () => {
    if (stub.received.length < 1000) return false;
    return (await smsRows(db)).every((row) => row.status === 'sent');
  });
  for (const worker of workers) assert.equal(await worker.stop('SIGTERM'), 0, worker.output());

  const rows = await smsRows(db);
  assert.equal(rows.length, 1000);
  assertEachSentOnce(rows, stub);
  const shares = workers.map((worker) => worker.output().match(/"msg":"SMS sent"/g)?.length ?? 0);
  t.diagnostic(`messages sent by each worker: ${shares.join(' + ')}`);
  assert.equal(
    shares.reduce((sum, share) => sum + share, 0),
    1000,
  );
  assert.ok(
    shares.every((share) => share > 0),
    `both workers took a share: ${shares.join(' + ')}`,
  );
});

test('when two servers (each with its worker) take orders on one database, each order gets one SMS', async (t) => {
  const { db, url } = await createTestDatabase(t);
  const stub = await startAfricasTalkingStub(t);
  const env = { DATABASE_URL: url, ...stubEnv(stub), ...FAST_SMS };
  const servers = [await startServer(t, env), await startServer(t, env)];
  const apis = await Promise.all(servers.map((server) => apiClient(server.baseUrl, url)));
  const [first, second] = apis;
  assert.ok(first && second);
  const customer = await first.post('/api/add-customer/', {
    name: 'Dalia Two',
    phone_number: uniquePhoneNumber(),
  });
  // Alternate between the servers, 4 requests at a time.
  const orders = Array.from({ length: 200 }, (_, index) => index);
  await Promise.all(
    Array.from({ length: 4 }, async (_, lane) => {
      for (const index of orders.filter((order) => order % 4 === lane)) {
        await (index % 2 === 0 ? first : second).post('/api/add-order/', {
          customer_id: customer.id,
          item: `two servers ${index}`,
          amount: '12.00',
        });
      }
    }),
  );
  await waitFor('every message to be sent', 30_000, async () => {
    const rows = await smsRows(db);
    return rows.length === 200 && rows.every((row) => row.status === 'sent');
  });
  for (const server of servers) assert.equal(await server.stop('SIGTERM'), 0, server.output());
  assert.equal(stub.received.length, 200);
  assertEachSentOnce(await smsRows(db), stub);
});

// A send can never outlive its lease: config requires SMS_LEASE ≥ 2 × SMS_SEND_TIMEOUT
// (a shorter lease let a second worker claim the message mid-send and send it again).
test('when the gateway is slow but within the send timeout, two workers still send the message once', async (t) => {
  const { db, url } = await createTestDatabase(t);
  const stub = await startAfricasTalkingStub(t);
  stub.mode = { kind: 'slow', ms: 3000 };
  const env = {
    DATABASE_URL: url,
    ...stubEnv(stub),
    LOG_LEVEL: 'info',
    SMS_LEASE: '8s',
    SMS_SEND_TIMEOUT: '4s',
    SMS_POLL_INTERVAL: '1s',
  };
  const workers = await Promise.all([startWorker(t, env), startWorker(t, env)]);
  const customer = await createCustomer(db.statements, {
    name: 'Halima Slow',
    phone_number: uniquePhoneNumber(),
  });
  await createOrder(
    db.statements,
    { customer_id: customer.id, item: 'slow gateway item', amount: '75.00' },
    { currency: 'KES', smsTemplate: undefined },
  );

  const recorded = await waitFor('the message to be recorded as sent', 7_000, async () =>
    (await smsRows(db)).every((row) => row.status === 'sent'),
  ).then(
    () => true,
    () => false,
  );
  for (const worker of workers) assert.equal(await worker.stop('SIGTERM'), 0, worker.output());
  assert.equal(
    stub.received.length,
    1,
    `the gateway got the message ${stub.received.length} times in 7 s`,
  );
  assert.ok(recorded, JSON.stringify(await smsRows(db)));
  assertEachSentOnce(await smsRows(db), stub);
});

/** Each row is `sent` with the id of the one message the gateway got for it; nothing else. */
function assertEachSentOnce(rows: SmsRow[], stub: AfricasTalkingStub): void {
  const received = new Map<string, string[]>();
  for (const sms of stub.received) {
    const key = `${sms.to}\n${sms.message}`;
    received.set(key, [...(received.get(key) ?? []), sms.messageId]);
  }
  const duplicates = [...received].filter(([, ids]) => ids.length > 1);
  assert.deepEqual(duplicates, [], 'a message reached the gateway more than once');
  assert.equal(stub.received.length, rows.length);
  for (const row of rows) {
    assert.equal(row.status, 'sent', JSON.stringify(row));
    assert.deepEqual(received.get(`${row.to_number}\n${row.body}`), [row.provider_message_id]);
  }
}

async function smsRows(db: Database): Promise<SmsRow[]> {
  const { rows } = await db.pool.query<SmsRow>(
    `select order_id, to_number, body, status, attempts, provider, provider_message_id, last_error
     from sms_messages order by created_at, id`,
  );
  return rows;
}

/** Token-authenticated JSON requests to a running server; the token comes from the CLI. */
async function apiClient(baseUrl: string, databaseUrl: string) {
  const { stdout } = await runCli(['token', 'create', '--email', 'sms-ops@example.com'], {
    DATABASE_URL: databaseUrl,
  });
  const key = stdout.trim().split('\n').at(-1) ?? '';
  return {
    post: async (path: string, body: Record<string, unknown>) => {
      const response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Token ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      assert.equal(response.status, 201, text);
      return JSON.parse(text) as { id: string; phone_number?: string };
    },
  };
}

/** Listens on the gateway's port, takes every request and never answers. */
async function startHangingGateway(cleanup: Cleanup, port: number) {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const close = async () => {
    if (!server.listening) return;
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, 'close');
  };
  cleanup.after(close);
  return { connections: () => connections, close };
}

function stubPort(stub: AfricasTalkingStub): number {
  return Number(new URL(stub.baseUrl).port);
}
