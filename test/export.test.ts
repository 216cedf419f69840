// `customer-orders export`: CSV on stdout, streamed in batches, every row once.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { buildTestApp } from './helpers/build-app.ts';
import { runCli } from './helpers/processes.ts';

const { db, databaseUrl } = await buildTestApp({ after });
const exportCsv = async (...args: string[]) =>
  (await runCli(['export', ...args], { DATABASE_URL: databaseUrl })).stdout;

test('when customers and orders are exported, each row is one CSV line with its ids, exact times and decimal amount', async () => {
  const { rows } = await db.pool.query<{ id: string }>(
    `insert into customers (name, phone_number, created_at, updated_at) values
       ('Wanjiru, "Shiru" Kamau', '+254701036054', '2026-11-29 08:00:00.123456+00', '2026-11-29 08:00:00.123456+00')
     returning id::text`,
  );
  const customerId = rows[0]?.id ?? '';
  await db.pool.query(
    `insert into orders (id, customer_id, item, amount, currency, created_at, updated_at)
     values ('00000000-0000-4000-8000-000000000001', $1, 'Tea, 2 kg', 1250.5, 'KES',
             '2026-11-29 09:00:00.000001+00', '2026-11-29 09:00:00.000001+00')`,
    [customerId],
  );
  const customers = await exportCsv('customers');
  assert.ok(customers.startsWith('id,name,phone_number,created_at,updated_at\r\n'), customers);
  assert.ok(
    customers.includes(
      `${customerId},"Wanjiru, ""Shiru"" Kamau",+254701036054,2026-11-29T08:00:00.123456Z,2026-11-29T08:00:00.123456Z\r\n`,
    ),
    customers,
  );
  const orders = await exportCsv('orders');
  assert.equal(
    orders,
    'id,customer_id,item,amount,currency,created_at,updated_at\r\n' +
      `00000000-0000-4000-8000-000000000001,${customerId},"Tea, 2 kg",1250.50,KES,2026-11-29T09:00:00.000001Z,2026-11-29T09:00:00.000001Z\r\n`,
  );
});

test('when a table is larger than a batch, with many rows made at one instant, each row comes once, in creation order', async () => {
  // 12,000 customers, 3,000 of them at the very same microsecond: batches of 5,000
  // must break ties by id to neither skip nor repeat one.
  await db.pool.query(
    `insert into customers (name, phone_number, created_at, updated_at)
     select 'Bulk ' || n, '+2547' || lpad(n::text, 8, '0'),
            case when n <= 3000 then timestamptz '2020-01-01 00:00:00.000007+00'
                 else timestamptz '2020-01-01' + n * interval '1 microsecond' end,
            now()
     from generate_series(1, 12000) n`,
  );
  const lines = (await exportCsv('customers')).trimEnd().split('\r\n').slice(1);
  const { rows } = await db.pool.query<{ id: string }>(
    'select id::text from customers order by created_at, id',
  );
  assert.deepEqual(
    lines.map((line) => line.split(',')[0]),
    rows.map((row) => row.id),
  );
  const recent = (await exportCsv('customers', '--since', '2026-11-30')).split('\r\n');
  assert.equal(recent.length - 2, 12_000, 'the bulk rows were updated now; the first one before');
});

test('when export is given a bad table or time, it explains and exits 2', async () => {
  for (const args of [[], ['products'], ['orders', '--since', 'yesterday']]) {
    await assert.rejects(exportCsv(...args), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2, args.join(' '));
      return true;
    });
  }
});
