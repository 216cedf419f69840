// PostgreSQL stopped, hung or too slow: every answer is a quick 503 with Retry-After,
// never a 500 or a hang, and the service recovers by itself when the database is back.
// The app reaches its real PostgreSQL through a TCP proxy that the tests cut or freeze.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import { parseConfig } from '../src/config/config.ts';
import { connect } from '../src/db/client.ts';
import { isDatabaseUnavailable } from '../src/db/errors.ts';
import { createTestToken, type TestApp } from './helpers/build-app.ts';
import { createTestDatabase } from './helpers/database.ts';
import { addCustomer, type LegacyCustomer } from './helpers/factories.ts';
import { startTcpProxy } from './helpers/tcp-proxy.ts';

const UNAVAILABLE = /temporarily unavailable/;

async function appBehindProxy(t: TestContext) {
  const { db: direct, url } = await createTestDatabase(t);
  const proxy = await startTcpProxy(t, url);
  const config = parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: proxy.url,
    DATABASE_POOL_SIZE: '4',
    DATABASE_CONNECT_TIMEOUT: '1s',
    DATABASE_STATEMENT_TIMEOUT: '1s',
    SESSION_SECRET: 'test-session-secret-of-at-least-32-characters',
    RATE_LIMIT_API: 'off',
  });
  const logger = pino({ level: 'silent' });
  const db = connect(proxy.url, config.databasePoolSize, logger, config.databaseTimeouts);
  const app = await buildApp(config, { db, logger });
  t.after(async () => {
    await app.close();
    await db.close();
  });
  const auth = { authorization: `Token ${await createTestToken(direct, { scope: 'write' })}` };
  return { app, auth, proxy, direct };
}

function assertUnavailable(response: Awaited<ReturnType<TestApp['inject']>>, what: string) {
  assert.equal(response.statusCode, 503, `${what}: ${response.body}`);
  assert.ok(Number(response.headers['retry-after']) > 0, `${what}: Retry-After`);
  assert.match(response.json().detail, UNAVAILABLE, what);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await run();
  return { result, ms: performance.now() - started };
}

async function waitForRecovery(app: TestApp, auth: Record<string, string>) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await app.inject({ url: '/api/get-customers/', headers: auth });
    if (response.statusCode === 200) return;
    assert.equal(response.statusCode, 503, response.body);
    if (Date.now() > deadline) assert.fail('no recovery within 15 s');
    await sleep(200);
  }
}

async function addOrderRequest(app: TestApp, auth: Record<string, string>, customerId: string) {
  return app.inject({
    method: 'POST',
    url: '/api/add-order/',
    headers: auth,
    payload: { customer_id: customerId, item: 'borns', amount: '10.00' },
  });
}

test('when PostgreSQL is down, every route answers 503 with Retry-After, then recovers by itself', async (t) => {
  const { app, auth, proxy } = await appBehindProxy(t);
  const customer = await addCustomer(app, auth);
  await proxy.cut();

  assertUnavailable(await app.inject({ url: '/api/get-customers/', headers: auth }), 'a read');
  assertUnavailable(await addOrderRequest(app, auth, customer.id), 'an order');
  assertUnavailable(
    await app.inject({ url: `/api/view-customer/${customer.id}`, headers: auth }),
    'view-customer',
  );
  const ready = await app.inject({ url: '/readyz' });
  assert.equal(ready.statusCode, 503);
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'the process is up');

  await proxy.restore();
  await waitForRecovery(app, auth);
  assert.equal((await addOrderRequest(app, auth, customer.id)).statusCode, 201);
  assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
});

test('when PostgreSQL hangs, requests fail fast with 503 and /readyz answers within 2 s', async (t) => {
  const { app, auth, proxy } = await appBehindProxy(t);
  const customer = await addCustomer(app, auth);
  proxy.freeze();

  const ready = await timed(() => app.inject({ url: '/readyz' }));
  assert.equal(ready.result.statusCode, 503);
  assert.ok(ready.ms < 2000, `/readyz took ${Math.round(ready.ms)} ms`);

  // More requests at once than the pool has connections: those waiting for one fail too.
  const answers = await timed(() =>
    Promise.all([
      ...Array.from({ length: 6 }, () => app.inject({ url: '/api/get-customers/', headers: auth })),
      addOrderRequest(app, auth, customer.id),
    ]),
  );
  for (const response of answers.result) assertUnavailable(response, 'while frozen');
  assert.ok(answers.ms < 8000, `frozen requests took ${Math.round(answers.ms)} ms`);

  await proxy.restore();
  await waitForRecovery(app, auth);
});

test('when its connections die silently, the next requests get new ones after one timeout', async (t) => {
  const { app, auth, proxy } = await appBehindProxy(t);
  const customer = await addCustomer(app, auth);
  // Twice the pool's 4 connections at once: every connection is open and in use.
  const views = () =>
    Promise.all(
      Array.from({ length: 8 }, () =>
        app.inject({ url: `/api/view-customer/${customer.id}`, headers: auth }),
      ),
    );
  for (const response of await views()) assert.equal(response.statusCode, 200);
  proxy.strand();

  // Statement timeout 1 s, plus the margin for the server's own cancellation.
  const stranded = await timed(views);
  for (const response of stranded.result) assertUnavailable(response, 'on a dead connection');
  assert.ok(stranded.ms < 4000, `they took ${Math.round(stranded.ms)} ms`);
  const after = await timed(views);
  for (const response of after.result) assert.equal(response.statusCode, 200, response.body);
  assert.ok(after.ms < 1000, `the next requests took ${Math.round(after.ms)} ms`);
});

test('when a statement runs past DATABASE_STATEMENT_TIMEOUT (a lock held elsewhere), it answers 503', async (t) => {
  const { app, auth, direct } = await appBehindProxy(t);
  const customer = await addCustomer(app, auth);
  const locker = await direct.pool.connect();
  try {
    await locker.query('begin');
    await locker.query('select 1 from customers where id = $1 for update', [customer.id]);
    const response = await app.inject({
      method: 'PUT',
      url: `/api/update-customer/${customer.id}/`,
      headers: auth,
      payload: { name: 'waits for the lock' },
    });
    assertUnavailable(response, 'a blocked update');
  } finally {
    await locker.query('rollback');
    locker.release();
  }
});

test('when PostgreSQL goes away and comes back under load, answers are 201 or 503 and nothing acknowledged is lost', async (t) => {
  const { app, auth, proxy, direct } = await appBehindProxy(t);
  const customers: LegacyCustomer[] = [];
  for (let index = 0; index < 4; index += 1) customers.push(await addCustomer(app, auth));

  const created: string[] = [];
  const statuses = new Map<number, number>();
  let running = true;
  const client = async (customer: LegacyCustomer) => {
    while (running) {
      const response = await addOrderRequest(app, auth, customer.id);
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      if (response.statusCode === 201) created.push(response.json<{ id: string }>().id);
    }
  };
  const load = Promise.all(customers.map(client));
  try {
    await sleep(300);
    await proxy.cut();
    await sleep(700);
    await proxy.restore();
    await sleep(300);
    proxy.freeze();
    await sleep(1500);
    await proxy.restore();
    await waitForRecovery(app, auth);
    await sleep(300);
  } finally {
    running = false;
    await load;
  }

  assert.deepEqual(
    [...statuses.keys()].sort(),
    [201, 503],
    `only 201 and 503: ${JSON.stringify([...statuses])}`,
  );
  const { rows } = await direct.pool.query<{ id: string; messages: string }>(
    `select o.id, count(s.id) as messages from orders o
     left join sms_messages s on s.order_id = o.id
     where o.id = any($1::uuid[]) group by o.id`,
    [created],
  );
  assert.equal(rows.length, created.length, 'every acknowledged order exists');
  assert.ok(
    rows.every((row) => Number(row.messages) === 1),
    'each with its one SMS',
  );
});

test('when BEGIN fails because the connection hung, the connection is not lost to the pool', async (t) => {
  const { url } = await createTestDatabase(t);
  const proxy = await startTcpProxy(t, url);
  const db = connect(proxy.url, 1, pino({ level: 'silent' }), {
    connectMs: 1000,
    statementMs: 1000,
  });
  t.after(() => db.close());
  await db.pool.query('select 1');

  proxy.freeze();
  await assert.rejects(db.orm.transaction(async (tx) => tx.execute(sql`select 1`)));
  await proxy.restore();

  // The pool's only connection: lost for good if the failed BEGIN kept it checked out.
  const { rows } = await db.orm.execute(sql`select 1 as one`);
  assert.deepEqual(rows, [{ one: 1 }]);
});

test('when a client aborts its own upload, it is not taken for the database going away', () => {
  // What Node's HTTP server raises when the client hangs up mid-body.
  const clientAbort = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
  assert.equal(isDatabaseUnavailable(clientAbort), false);
  const databaseReset = Object.assign(new Error('read ECONNRESET'), {
    code: 'ECONNRESET',
    syscall: 'read',
  });
  assert.equal(isDatabaseUnavailable(new Error('Failed query', { cause: databaseReset })), true);
});
