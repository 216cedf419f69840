// The original API's lists at scale: what each request costs the database must not
// grow with the tables (a count(*) per request, or OFFSET walked through joined rows,
// made page 1 and ?page=last cost seconds at a million orders). Measured as rows the
// database reads, from EXPLAIN ANALYZE of the very statements a request sent: a
// count that a busy machine cannot make flaky, unlike a time.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { buildTestApp } from './helpers/build-app.ts';

const CUSTOMERS = 10_000;
const ORDERS_PER_CUSTOMER = 2;
const ORDERS = CUSTOMERS * ORDERS_PER_CUSTOMER;

const { app, db, auth } = await buildTestApp({ after });

await db.pool.query(
  `insert into customers (name, phone_number, created_at)
   select 'Customer ' || n, '+2547' || lpad(n::text, 8, '0'), now() - make_interval(secs => $1 - n)
   from generate_series(1, $1) as n`,
  [CUSTOMERS],
);
await db.pool.query(
  `insert into orders (customer_id, item, amount, created_at)
   select id, 'item ' || k, '10.00', created_at + make_interval(secs => k)
   from customers, generate_series(1, $1) as k`,
  [ORDERS_PER_CUSTOMER],
);
await db.pool.query('vacuum analyze customers, orders');

interface SentQuery {
  text: string;
  values: unknown[];
}

/**
 * The statements the app sends while `run` runs, through both of its pools (but the
 * token lookup and waking the SMS workers).
 */
async function statementsSentBy(run: () => Promise<unknown>): Promise<SentQuery[]> {
  const sent: SentQuery[] = [];
  const record = (text: string, values: unknown) => {
    if (!/api_tokens|pg_notify/.test(text)) sent.push({ text, values: values as unknown[] });
  };
  const { pool, statements } = db;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const runStatement = statements.run.bind(statements);
  pool.query = ((...args: unknown[]) => {
    const [first, second] = args;
    if (typeof first === 'string') record(first, second);
    else record((first as { text: string }).text, (first as { values?: unknown[] }).values ?? []);
    return query(...args);
  }) as typeof pool.query;
  statements.run = (text, values) => {
    record(text, values);
    return runStatement(text, values);
  };
  try {
    await run();
  } finally {
    pool.query = query as typeof pool.query;
    statements.run = runStatement;
  }
  return sent;
}

interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

/** Rows read from tables and indexes by every scan in the plan. */
function rowsScanned(node: PlanNode): number {
  const own = node['Node Type'].endsWith('Scan') ? node['Actual Rows'] * node['Actual Loops'] : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsScanned(child), 0);
}

async function rowsReadBy(statements: SentQuery[]): Promise<number> {
  let total = 0;
  for (const { text, values } of statements) {
    const { rows } = await db.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `explain (analyze, format json) ${text}`,
      values,
    );
    total += rowsScanned(rows[0]!['QUERY PLAN'][0].Plan);
  }
  return total;
}

async function get(url: string) {
  const response = await app.inject({ url, headers: auth });
  assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
  return response.json<{ count: number; results: { id: string }[] }>();
}

for (const [list, table, total] of [
  ['get-customers', 'customers', CUSTOMERS],
  ['get-orders', 'orders', ORDERS],
] as const) {
  const lastPage = Math.ceil(total / 10);

  test(`when ${list} is asked for its first or last page, it sends one statement that reads under a hundred rows of ${total}`, async () => {
    for (const page of ['', '?page=last', `?page=${lastPage}`, '?page=2']) {
      const statements = await statementsSentBy(() => get(`/api/${list}/${page}`));
      assert.equal(statements.length, 1, `${list}${page}: one round trip`);
      const rows = await rowsReadBy(statements);
      assert.ok(rows < 100, `${list}${page} read ${rows} rows`);
    }
  });

  test(`when ${list} is asked for a page in the middle, it reads at most half the index`, async () => {
    const statements = await statementsSentBy(() => get(`/api/${list}/?page=${lastPage / 2}`));
    const rows = await rowsReadBy(statements);
    assert.ok(rows <= total / 2 + 100, `read ${rows} rows`);
  });

  test(`when ${list} pages are read from either end, they hold the rows of a plain OFFSET, in order`, async () => {
    const { rows } = await db.pool.query<{ id: string }>(
      `select id from ${table} order by created_at, id`,
    );
    for (const page of [1, 2, lastPage / 2, lastPage / 2 + 1, lastPage - 1, lastPage]) {
      const body = await get(`/api/${list}/?page=${page}`);
      assert.equal(body.count, total);
      assert.deepEqual(
        body.results.map((result) => result.id),
        rows.slice((page - 1) * 10, page * 10).map((row) => row.id),
        `page ${page}`,
      );
    }
  });
}

test('when view-customer and view-order are asked, each sends one statement', async () => {
  const [{ id: customerId } = { id: '' }] = (await get('/api/get-customers/')).results;
  const [{ id: orderId } = { id: '' }] = (await get('/api/get-orders/')).results;
  for (const url of [
    `/api/view-customer/${customerId}/`,
    `/api/view-order/?order_id=${orderId}`,
    `/api/view-order/?customer_id=${customerId}`,
  ]) {
    assert.equal((await statementsSentBy(() => get(url))).length, 1, url);
  }
});

test('when an order is added, its customer is read and the order and its SMS written in one statement', async () => {
  const [{ id: customerId } = { id: '' }] = (await get('/api/get-customers/')).results;
  const statements = await statementsSentBy(async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/add-order/',
      headers: auth,
      payload: { customer_id: customerId, item: 'one trip', amount: '5.00' },
    });
    assert.equal(response.statusCode, 201, response.body);
  });
  assert.equal(statements.length, 2);
});
