// The resource API's lists at the size of a large shop (100,000 customers and a
// million orders): each filter and ordering is served by an index, and a page deep
// in the list reads what the first page reads. Checked on the plans and rows read of
// the very statements the requests sent (EXPLAIN ANALYZE), not on timings.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { buildTestApp } from './helpers/build-app.ts';

const CUSTOMERS = 100_000;
const ORDERS_PER_CUSTOMER = 10;

const { app, db, auth, databaseUrl } = await buildTestApp({ after });

// Seeding a million rows takes longer than the app's statement timeout: a connection
// of its own, without one.
const seeder = new pg.Client({ connectionString: databaseUrl });
await seeder.connect();

await seeder.query(
  `insert into customers (name, phone_number, created_at)
   select (array['Wanjiru', 'Otieno', 'Achieng', 'Kamau', 'Njeri'])[n % 5 + 1] || ' ' || n,
     -- Numbers in no relation to the order of creation, as in life.
     '+2547' || lpad(((n * 7919) % 100000000)::text, 8, '0'),
     '2025-01-01'::timestamptz + make_interval(secs => n * 60)
   from generate_series(1, $1) as n`,
  [CUSTOMERS],
);
// A million orders, their creation in step with their customers', amounts and items
// spread; a tenth of them with an SMS record, one in a thousand of those failed.
await seeder.query(
  `insert into orders (customer_id, item, amount, created_at)
   select c.id, (array['Maize flour', 'Rice', 'Sugar', 'Tea', 'Cooking oil'])[k % 5 + 1] || ' ' || (c.n * 10 + k),
     ((c.n * 10 + k) * 7919 % 100000) / 100.0 + 1, c.created_at + make_interval(secs => k)
   from (select id, created_at, row_number() over (order by created_at) as n from customers) as c,
     generate_series(1, $1) as k`,
  [ORDERS_PER_CUSTOMER],
);
await seeder.query(
  `insert into sms_messages (order_id, to_number, body, status, created_at)
   select id, '+254700000000', 'seeded', case when row_number() over () % 1000 = 0 then 'failed' else 'sent' end, created_at
   from orders tablesample system (10)`,
);
await seeder.query('vacuum analyze customers, orders, sms_messages');
await seeder.end();

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

function* nodes(plan: PlanNode): Generator<PlanNode> {
  yield plan;
  for (const child of plan.Plans ?? []) yield* nodes(child);
}

/** The plan of each statement the statement pool runs while `url` is answered. */
async function plansOf(url: string): Promise<PlanNode[]> {
  const sent: [string, readonly unknown[]][] = [];
  const run = db.statements.run.bind(db.statements);
  db.statements.run = (text, values) => {
    if (!/api_tokens/.test(text)) sent.push([text, values]);
    return run(text, values);
  };
  try {
    const response = await app.inject({ url, headers: auth });
    assert.equal(response.statusCode, 200, response.body);
  } finally {
    db.statements.run = run;
  }
  const plans: PlanNode[] = [];
  for (const [text, values] of sent) {
    const { rows } = await db.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `explain (analyze, format json) ${text}`,
      values as unknown[],
    );
    plans.push(rows[0]!['QUERY PLAN'][0].Plan);
  }
  return plans;
}

/** The URL of a 20-row page of `list` that starts `pages` × 100 rows in, by following `next`. */
async function pagesIn(list: string, pages: number): Promise<string> {
  let url = `${list}&limit=100`;
  for (let page = 0; page < pages; page += 1) {
    const response = await app.inject({ url, headers: auth });
    const next = new URL(response.json<{ next: string }>().next);
    url = `${next.pathname}${next.search}`;
  }
  return url.replace('limit=100', 'limit=20');
}

const indexesUsed = (plans: PlanNode[]) =>
  new Set(plans.flatMap((plan) => [...nodes(plan)].flatMap((node) => node['Index Name'] ?? [])));

const rowsRead = (plans: PlanNode[]) =>
  plans
    .flatMap((plan) => [...nodes(plan)])
    .filter((node) => node['Node Type'].endsWith('Scan'))
    .reduce((sum, node) => sum + node['Actual Rows'] * node['Actual Loops'], 0);

test('when customers are listed in either order, the first page and a deep one read a page of rows', async () => {
  for (const ordering of ['created_at', '-created_at']) {
    const first = await plansOf(`/api/v1/customers?ordering=${ordering}&limit=20`);
    assert.ok(indexesUsed(first).has('customers_created_at_id_idx'), ordering);
    assert.ok(rowsRead(first) <= 21, `${ordering}: first page read ${rowsRead(first)} rows`);

    // 20,000 rows in, the cursor's page costs what the first did.
    const deep = await plansOf(await pagesIn(`/api/v1/customers?ordering=${ordering}`, 200));
    assert.ok(
      rowsRead(deep) <= 21,
      `${ordering}: a page 20,000 rows in read ${rowsRead(deep)} rows`,
    );
  }
});

test('when customers are searched by name or phone number, the trigram and prefix indexes serve it', async () => {
  // A rare name is found through the trigrams…
  const rare = await plansOf(`/api/v1/customers?q=${encodeURIComponent('njiru 4242')}&limit=20`);
  assert.ok(
    indexesUsed(rare).has('customers_name_trgm_idx'),
    JSON.stringify([...indexesUsed(rare)]),
  );
  assert.ok(rowsRead(rare) < 1000, `a rare name read ${rowsRead(rare)} rows`);
  // …a common one (a fifth of the customers) by reading in order until the page is full.
  const common = await plansOf('/api/v1/customers?q=anjir&limit=20');
  assert.ok(rowsRead(common) < 1000, `a common name read ${rowsRead(common)} rows`);
  const byPhone = await plansOf(
    `/api/v1/customers?q=${encodeURIComponent('+254 7000 12')}&limit=20`,
  );
  assert.ok(
    indexesUsed(byPhone).has('customers_phone_number_prefix_idx'),
    JSON.stringify([...indexesUsed(byPhone)]),
  );
  assert.ok(rowsRead(byPhone) < 1000, `read ${rowsRead(byPhone)} rows`);
});

test('when customers are filtered by creation time, the (created_at, id) index serves it', async () => {
  const plans = await plansOf(
    '/api/v1/customers?created_after=2025-03-01&created_before=2025-03-02&count=true',
  );
  assert.ok(indexesUsed(plans).has('customers_created_at_id_idx'));
  assert.ok(rowsRead(plans) < 3000, `read ${rowsRead(plans)} rows`);
});

const ORDERINGS = ['created_at', '-created_at', 'amount', '-amount'];

test('when orders are listed in any ordering, the first page and a deep one read a page of rows', async () => {
  for (const ordering of ORDERINGS) {
    const first = await plansOf(`/api/v1/orders?ordering=${ordering}&limit=20`);
    const index = ordering.endsWith('amount') ? 'orders_amount_id_idx' : 'orders_created_at_id_idx';
    assert.ok(
      indexesUsed(first).has(index),
      `${ordering}: ${JSON.stringify([...indexesUsed(first)])}`,
    );
    // 21 orders, and for each its customer and its SMS, by primary or unique key.
    assert.ok(rowsRead(first) <= 63, `${ordering}: first page read ${rowsRead(first)} rows`);

    const deep = await plansOf(await pagesIn(`/api/v1/orders?ordering=${ordering}`, 100));
    assert.ok(
      rowsRead(deep) <= 63,
      `${ordering}: a page 10,000 rows in read ${rowsRead(deep)} rows`,
    );
  }
});

test('when orders are filtered, each filter is served by its index', async () => {
  const { rows } = await db.pool.query<{ id: string }>(
    'select id from customers order by created_at offset 5000 limit 1',
  );
  const cases: [string, string][] = [
    [`customer_id=${rows[0]!.id}`, 'orders_customer_id_created_at_id_idx'],
    ['created_after=2025-03-01&created_before=2025-03-02', 'orders_created_at_id_idx'],
    ['min_amount=500.00&max_amount=500.50&ordering=amount', 'orders_amount_id_idx'],
    [`q=${encodeURIComponent('flour 424242')}`, 'orders_item_trgm_idx'],
    ['sms_status=failed', 'sms_messages_status_idx'],
  ];
  for (const [query, index] of cases) {
    const plans = await plansOf(`/api/v1/orders?${query}&limit=20`);
    assert.ok(
      indexesUsed(plans).has(index),
      `${query}: ${JSON.stringify([...indexesUsed(plans)])}`,
    );
    assert.ok(rowsRead(plans) < 5000, `${query} read ${rowsRead(plans)} rows`);
  }
});
