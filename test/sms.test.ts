// The SMS for every new order: the outbox row written with the order, the worker
// sending it through a local Africa's Talking stub, retries and permanent failures,
// and the delivery-report webhook.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import type { SmsWorkerSettings } from '../src/config/config.ts';
import { smsMessages, type SmsMessageRow } from '../src/db/schema.ts';
import { createOrder } from '../src/orders/orders.service.ts';
import { orderReference, orderSmsText } from '../src/sms/message.ts';
import { africasTalkingProvider } from '../src/sms/providers/africastalking.ts';
import { backoffMs, SmsWorker } from '../src/sms/worker.ts';
import {
  STUB_API_KEY,
  STUB_USERNAME,
  startAfricasTalkingStub,
} from './helpers/africastalking-stub.ts';
import { buildTestApp } from './helpers/build-app.ts';
import { addCustomer, addOrder } from './helpers/factories.ts';
import { runCli } from './helpers/processes.ts';
import { waitFor } from './helpers/wait-for.ts';

const CALLBACK_SECRET = 'callback-secret-for-tests';
const { app, auth, db, config, databaseUrl } = await buildTestApp(
  { after },
  { AT_CALLBACK_SECRET: CALLBACK_SECRET },
);
const stub = await startAfricasTalkingStub({ after });

const settings: SmsWorkerSettings = {
  maxAttempts: 3,
  retryBaseMs: 60_000,
  retryCapMs: 600_000,
  sendTimeoutMs: 1000,
  concurrency: 4,
  batchSize: 10,
  pollIntervalMs: 60_000,
  leaseMs: 30_000,
};

function workerWith(
  overrides: Partial<SmsWorkerSettings> = {},
  apiKey = STUB_API_KEY,
  logger = pino({ level: 'silent' }),
) {
  const smsWorker = new SmsWorker({
    databaseUrl,
    provider: africasTalkingProvider({
      username: STUB_USERNAME,
      apiKey,
      senderId: 'SHOP',
      baseUrl: new URL(stub.baseUrl),
    }),
    settings: { ...settings, ...overrides },
    logger,
  });
  after(() => smsWorker.stop());
  return smsWorker;
}
const worker = workerWith();

async function smsOf(orderId: string): Promise<SmsMessageRow> {
  const [row] = await db.orm.select().from(smsMessages).where(eq(smsMessages.orderId, orderId));
  assert.ok(row, `an SMS row for order ${orderId}`);
  return row;
}

/** Makes a retried message due now, instead of waiting out its backoff. */
async function makeDue(id: string) {
  await db.orm.update(smsMessages).set({ nextAttemptAt: new Date() }).where(eq(smsMessages.id, id));
}

async function newOrder(overrides: { item?: string; amount?: string } = {}) {
  const customer = await addCustomer(app, auth, { name: 'Wanjiru Kamau' });
  const order = await addOrder(app, auth, customer.id, {
    item: 'Maize flour 2kg',
    amount: '245.50',
    ...overrides,
  });
  return { customer, order };
}

test('when an order is created, exactly one SMS goes to its customer’s number with the item, amount and reference', async () => {
  stub.mode = { kind: 'ok' };
  const { customer, order } = await newOrder();
  const queued = await smsOf(order.id);
  assert.equal(queued.status, 'pending');
  assert.equal(queued.toNumber, customer.phone_number);

  const before = stub.received.length;
  await worker.drain();
  const sent = stub.received.slice(before);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]?.to, customer.phone_number);
  assert.equal(sent[0]?.from, 'SHOP');
  assert.equal(
    sent[0]?.message,
    `Hi Wanjiru, we received your order ${orderReference(order.id)}: Maize flour 2kg, KES 245.50. Thank you!`,
  );

  const row = await smsOf(order.id);
  assert.equal(row.status, 'sent');
  assert.equal(row.attempts, 1);
  assert.equal(row.providerMessageId, sent[0]?.messageId);
  assert.equal(row.cost, 'KES 0.8000');
  assert.ok(row.sentAt instanceof Date);

  await worker.drain();
  assert.equal(stub.received.length, before + 1, 'never sent twice');
});

test('when an order is created inside a transaction, the SMS workers are woken after its commit, never on rollback', async () => {
  const customer = await addCustomer(app, auth);
  let wakes = 0;
  const settings = { currency: 'KES', smsTemplate: undefined, wakeSmsWorkers: () => (wakes += 1) };
  const input = { customer_id: customer.id, item: 'after commit', amount: '1' };

  await db.statements.transaction(async (transaction) => {
    await createOrder(transaction, input, settings);
    assert.equal(wakes, 0, 'not before the commit: a worker would not see the message yet');
  });
  assert.equal(wakes, 1, 'once committed');

  await assert.rejects(
    db.statements.transaction(async (transaction) => {
      await createOrder(transaction, input, settings);
      throw new Error('roll back');
    }),
  );
  assert.equal(wakes, 1, 'not for an order that rolled back');

  await createOrder(db.statements, input, settings);
  assert.equal(wakes, 2, 'on the pool, at once');
  await worker.drain(); // their messages go out here, not in the next test
});

test('when the order’s transaction rolls back, no SMS exists and none is sent', async () => {
  const customer = await addCustomer(app, auth);
  const before = stub.received.length;
  const rolledBack = new Error('roll back');
  await assert.rejects(
    db.statements.transaction(async (transaction) => {
      await createOrder(
        transaction,
        { customer_id: customer.id, item: 'x', amount: '1' },
        { currency: 'KES', smsTemplate: undefined },
      );
      throw rolledBack;
    }),
    rolledBack,
  );
  const rows = await db.orm
    .select()
    .from(smsMessages)
    .where(eq(smsMessages.toNumber, customer.phone_number));
  assert.equal(rows.length, 0);
  await worker.drain();
  assert.equal(stub.received.length, before);
});

test('when the gateway fails in a passing way, the message is retried later with backoff, then sent', async () => {
  const cases = [
    { kind: 'http-error', status: 500 },
    { kind: 'http-error', status: 503 },
    { kind: 'reset' },
    { kind: 'malformed-json' },
    { kind: 'recipient-status', statusCode: 500, status: 'InternalServerError' },
    { kind: 'recipient-status', statusCode: 405, status: 'InsufficientBalance' },
    { kind: 'slow', ms: 1500 },
  ] as const;
  for (const mode of cases) {
    const { order } = await newOrder();
    stub.mode = mode;
    await worker.drain();
    const failed = await smsOf(order.id);
    assert.equal(failed.status, 'pending', JSON.stringify(mode));
    assert.equal(failed.attempts, 1);
    assert.ok(failed.lastError);
    assert.ok(failed.nextAttemptAt.getTime() > Date.now() + 20_000, 'backs off');

    stub.mode = { kind: 'ok' };
    await worker.drain();
    assert.equal((await smsOf(order.id)).status, 'pending', 'not before its time');
    await makeDue(failed.id);
    await worker.drain();
    const sent = await smsOf(order.id);
    assert.equal(sent.status, 'sent', JSON.stringify(mode));
    assert.equal(sent.attempts, 2);
    assert.equal(sent.lastError, null);
  }
});

test('when the gateway refuses for good, the message fails at once and is not retried', async () => {
  const cases = [
    { kind: 'recipient-status', statusCode: 403, status: 'InvalidPhoneNumber' },
    { kind: 'recipient-status', statusCode: 406, status: 'UserInBlacklist' },
    { kind: 'recipient-status', statusCode: 404, status: 'UnsupportedNumberType' },
    { kind: 'no-recipients', message: 'InvalidSenderId' },
  ] as const;
  for (const mode of cases) {
    const { order } = await newOrder();
    stub.mode = mode;
    await worker.drain();
    const row = await smsOf(order.id);
    assert.equal(row.status, 'failed', JSON.stringify(mode));
    assert.equal(row.attempts, 1);
    assert.match(row.lastError ?? '', new RegExp('status' in mode ? mode.status : mode.message));
  }
  stub.mode = { kind: 'ok' };
});

test('when the API key is refused, the message is kept and retried, past the attempt limit too', async () => {
  stub.mode = { kind: 'ok' };
  const badKey = workerWith({}, 'wrong-key');
  const { order } = await newOrder();
  for (let attempt = 1; attempt <= settings.maxAttempts + 2; attempt += 1) {
    await badKey.drain();
    const row = await smsOf(order.id);
    assert.equal(row.attempts, attempt);
    assert.match(row.lastError ?? '', /HTTP 401/);
    assert.equal(row.status, 'pending', 'never dropped');
    await makeDue(row.id);
  }
  await worker.drain();
  assert.equal((await smsOf(order.id)).status, 'sent', 'goes out once the key works');
});

test('when a failed message is retried from the CLI, it is sent', async () => {
  const { order } = await newOrder();
  stub.mode = { kind: 'recipient-status', statusCode: 403, status: 'InvalidPhoneNumber' };
  await worker.drain();
  const failed = await smsOf(order.id);
  assert.equal(failed.status, 'failed');
  stub.mode = { kind: 'ok' };

  const listing = await runCli(['sms', 'list', '--status', 'failed'], {
    DATABASE_URL: databaseUrl,
  });
  assert.match(listing.stdout, new RegExp(failed.id));
  const retried = await runCli(['sms', 'retry', failed.id], { DATABASE_URL: databaseUrl });
  assert.match(retried.stdout, /queued again/);
  await worker.drain();
  assert.equal((await smsOf(order.id)).status, 'sent');
  await assert.rejects(
    runCli(['sms', 'retry', failed.id], { DATABASE_URL: databaseUrl }),
    /no failed SMS/,
  );
});

test('when the worker runs, a new order wakes it at once (LISTEN/NOTIFY), without waiting for a poll', async (t) => {
  stub.mode = { kind: 'ok' };
  const listening = workerWith({ pollIntervalMs: 600_000 });
  await listening.start();
  t.after(() => listening.stop());
  const before = stub.received.length;
  const started = Date.now();
  await newOrder();
  while (stub.received.length === before && Date.now() - started < 5000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(stub.received.length, before + 1);
  assert.ok(Date.now() - started < 2000, `handed off in ${Date.now() - started} ms`);
});

test('when every connection of the API’s pool is taken, the worker still sends: it has a pool of its own', async () => {
  stub.mode = { kind: 'ok' };
  const { order } = await newOrder();
  const held = await Promise.all(
    Array.from({ length: config.databasePoolSize }, () => db.pool.connect()),
  );
  try {
    await worker.drain();
  } finally {
    for (const client of held) client.release();
  }
  assert.equal((await smsOf(order.id)).status, 'sent');
});

test('when a worker loses its LISTEN connection mid-send, it takes its lock again, and no other worker sends its message again', async (t) => {
  stub.mode = { kind: 'slow', ms: 1500 };
  // Another worker polling every 100 ms would take the message at once if it took a
  // lost lock for a dead worker; it must wait until the send has ended.
  const quick = { pollIntervalMs: 100, sendTimeoutMs: 2000 };
  const claimer = workerWith(quick);
  const other = workerWith(quick);
  t.after(() => Promise.all([claimer.stop(), other.stop()]));
  await claimer.start();
  const { customer, order } = await newOrder();
  await waitFor(
    'the message to be claimed',
    5000,
    async () => (await smsOf(order.id)).status === 'sending',
  );
  await other.start();
  const { claimedBy, sendEndsBy } = await smsOf(order.id);
  const lockHolder = `select pid from pg_locks
    where locktype = 'advisory' and objsubid = 2 and objid = $1 and granted`;
  const { rowCount } = await db.pool.query(
    `select pg_terminate_backend(pid) from (${lockHolder}) as holder`,
    [claimedBy],
  );
  assert.equal(rowCount, 1, 'the claimer’s lock was held');

  await waitFor(
    'the claimer to take its lock again',
    5000,
    async () => (await db.pool.query(lockHolder, [claimedBy])).rowCount === 1,
  );
  await waitFor(
    'the message to be sent',
    5000,
    async () => (await smsOf(order.id)).status === 'sent',
  );
  // Past the moment another worker may take a message of a worker that is gone.
  const untilThen = (sendEndsBy?.getTime() ?? 0) - Date.now() + 500;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, untilThen)));
  stub.mode = { kind: 'ok' };
  assert.equal(stub.received.filter((sms) => sms.to === customer.phone_number).length, 1);
  assert.equal((await smsOf(order.id)).attempts, 1);
});

const deleteOrder = (orderId: string) =>
  app.inject({ method: 'DELETE', url: `/api/delete-order/${orderId}/`, headers: auth });

test('when an order, or its customer, is deleted, its sent SMS stays on record with the order’s id', async () => {
  stub.mode = { kind: 'ok' };
  const first = await newOrder();
  const second = await newOrder();
  await worker.drain();

  assert.equal((await deleteOrder(first.order.id)).statusCode, 200);
  const deletedCustomer = await app.inject({
    method: 'DELETE',
    url: `/api/delete-customer/${second.customer.id}/?force=true`,
    headers: auth,
  });
  assert.equal(deletedCustomer.statusCode, 200, deletedCustomer.body);

  for (const { order, customer } of [first, second]) {
    const row = await smsOf(order.id);
    assert.equal(row.status, 'sent');
    assert.equal(row.toNumber, customer.phone_number);
    assert.ok(row.providerMessageId);
  }
});

test('when an order is deleted while its SMS is in flight, the outcome is recorded, without a warning', async () => {
  const logged: string[] = [];
  const watched = workerWith(
    {},
    STUB_API_KEY,
    pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) }),
  );
  stub.mode = { kind: 'slow', ms: 500 };
  const { order } = await newOrder();
  const requests = stub.requestCount();
  const draining = watched.drain();
  await waitFor('the send to reach the gateway', 5000, () => stub.requestCount() > requests);
  assert.equal((await deleteOrder(order.id)).statusCode, 200);
  await draining;
  stub.mode = { kind: 'ok' };

  const row = await smsOf(order.id);
  assert.equal(row.status, 'sent');
  assert.equal(row.providerMessageId, stub.received.at(-1)?.messageId);
  assert.deepEqual(logged, []);
});

test('when an order is deleted before its SMS is sent, the SMS is not sent, and its row says why', async () => {
  stub.mode = { kind: 'ok' };
  const pending = await newOrder();
  // Left `sending` by a worker that died, its lease over: due again.
  const abandoned = await newOrder();
  await db.orm
    .update(smsMessages)
    .set({ status: 'sending', attempts: 1, nextAttemptAt: new Date() })
    .where(eq(smsMessages.orderId, abandoned.order.id));
  const before = stub.received.length;
  for (const { order } of [pending, abandoned]) {
    assert.equal((await deleteOrder(order.id)).statusCode, 200);
  }
  await worker.drain();
  assert.equal(stub.received.length, before);
  for (const { order } of [pending, abandoned]) {
    const row = await smsOf(order.id);
    assert.equal(row.status, 'failed');
    assert.match(row.lastError ?? '', /order was deleted/);
  }
});

const report = (fields: Record<string, string>, secret: string | null = CALLBACK_SECRET) =>
  app.inject({
    method: 'POST',
    url: `/webhooks/africastalking/delivery${secret === null ? '' : `?secret=${secret}`}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });

test('when a delivery report comes, the message becomes delivered or failed', async () => {
  stub.mode = { kind: 'ok' };
  const first = await newOrder();
  const second = await newOrder();
  await worker.drain();
  const delivered = await smsOf(first.order.id);
  const undelivered = await smsOf(second.order.id);

  const inFlight = await report({
    id: delivered.providerMessageId ?? '',
    status: 'Buffered',
    phoneNumber: delivered.toNumber,
    networkCode: '99999',
  });
  assert.equal(inFlight.statusCode, 200);
  assert.equal((await smsOf(first.order.id)).status, 'sent');

  for (let twice = 0; twice < 2; twice += 1) {
    const response = await report({
      id: delivered.providerMessageId ?? '',
      status: 'Success',
      phoneNumber: delivered.toNumber,
      networkCode: '99999',
    });
    assert.equal(response.statusCode, 200);
  }
  const row = await smsOf(first.order.id);
  assert.equal(row.status, 'delivered');
  assert.ok(row.deliveredAt instanceof Date);

  const failedReport = await app.inject({
    method: 'POST',
    url: '/webhooks/africastalking/delivery',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-callback-secret': CALLBACK_SECRET,
    },
    payload: new URLSearchParams({
      id: undelivered.providerMessageId ?? '',
      status: 'Failed',
      failureReason: 'UserIsInactive',
    }).toString(),
  });
  assert.equal(failedReport.statusCode, 200);
  const failed = await smsOf(second.order.id);
  assert.equal(failed.status, 'failed');
  assert.match(failed.lastError ?? '', /UserIsInactive/);

  const late = await report({
    id: delivered.providerMessageId ?? '',
    status: 'Failed',
    failureReason: 'DeliveryFailure',
  });
  assert.equal(late.statusCode, 200);
  assert.equal(
    (await smsOf(first.order.id)).status,
    'delivered',
    'a late report never undoes delivered',
  );
});

// The gateway can report delivery before our worker has recorded the send (and so
// the message id): the report is kept and applied when the send is recorded.
test('when a delivery report comes before the send is recorded, it is kept and applied when it is', async () => {
  const { order } = await newOrder();
  stub.mode = { kind: 'answer-late', ms: 500 };
  const before = stub.received.length;
  const draining = worker.drain();
  await waitFor('the gateway to take the message', 5000, () => stub.received.length > before);
  const messageId = stub.received.at(-1)?.messageId ?? '';
  const early = await report({ id: messageId, status: 'Success', networkCode: '99999' });
  assert.equal(early.statusCode, 200);
  assert.match(early.json().detail, /Kept/);
  await draining;
  stub.mode = { kind: 'ok' };

  const row = await smsOf(order.id);
  assert.equal(row.providerMessageId, messageId);
  assert.equal(row.status, 'delivered');
  assert.ok(row.deliveredAt instanceof Date);
  const again = await report({ id: messageId, status: 'Success' });
  assert.equal(again.statusCode, 200);
  assert.equal((await smsOf(order.id)).status, 'delivered');
});

test('when a delivery report has a wrong secret or bad fields, it is refused; an unknown id answers 200', async (t) => {
  assert.equal(
    (await report({ id: 'ATXid_x', status: 'Success' }, 'wrong-secret-wrong')).statusCode,
    403,
  );
  assert.equal((await report({ id: 'ATXid_x', status: 'Success' }, null)).statusCode, 403);
  const noSecretBadBody = await report({ nonsense: 'x' }, null);
  assert.equal(noSecretBadBody.statusCode, 403, 'the secret is checked before the body');
  const missing = await report({ status: 'Success' });
  assert.equal(missing.statusCode, 400);
  assert.deepEqual(Object.keys(missing.json()), ['id']);
  const unknown = await report({ id: 'ATXid_unknown', status: 'Success' });
  assert.equal(unknown.statusCode, 200);
  assert.match(unknown.json().detail, /Kept/);
  const unknownInFlight = await report({ id: 'ATXid_unknown_too', status: 'Buffered' });
  assert.equal(unknownInFlight.statusCode, 200);
  assert.match(unknownInFlight.json().detail, /Unknown/);

  const disabled = await buildTestApp(t);
  const response = await disabled.app.inject({
    method: 'POST',
    url: '/webhooks/africastalking/delivery?secret=anything-at-all',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'id=x&status=Success',
  });
  assert.equal(response.statusCode, 403);
});

test('when the text is written, it fits one SMS page, and SMS_TEMPLATE replaces it', () => {
  const facts = {
    orderId: '3f3b4d4d-862a-415d-8aaa-1aafb045d9fa',
    customerName: 'Amina',
    item: 'Sugar',
    amount: '120.00',
    currency: 'KES',
  };
  assert.equal(
    orderSmsText(facts),
    'Hi Amina, we received your order #3F3B4D4D: Sugar, KES 120.00. Thank you!',
  );
  const long = orderSmsText({ ...facts, customerName: 'A'.repeat(100), item: 'B'.repeat(100) });
  assert.ok([...long].length <= 160, long);
  assert.match(long, /KES 120\.00/);
  assert.match(long, /#3F3B4D4D/);
  assert.equal(
    orderSmsText(facts, 'Order {order_id} for {name}: {item} {amount} {currency} {unknown}'),
    'Order 3f3b4d4d-862a-415d-8aaa-1aafb045d9fa for Amina: Sugar 120.00 KES {unknown}',
  );
  assert.equal(config.sms.template, undefined);
});

test('when retries back off, the delay doubles from the base, stays under the cap, and is jittered', () => {
  const limits = { retryBaseMs: 30_000, retryCapMs: 1_800_000 };
  for (let attempt = 1; attempt <= 8; attempt += 1) {
    const ceiling = Math.min(limits.retryCapMs, limits.retryBaseMs * 2 ** (attempt - 1));
    for (let sample = 0; sample < 20; sample += 1) {
      const delay = backoffMs(attempt, limits);
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, `attempt ${attempt}: ${delay}`);
    }
  }
});
