// `customer-orders import`: CSV in, row by row through the APIs' rules, in batches.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { buildTestApp, type TestHarness } from './helpers/build-app.ts';
import { runCli } from './helpers/processes.ts';

const source = await buildTestApp({ after });
const folder = await mkdtemp(path.join(tmpdir(), 'customer-orders-import-'));

const cli = (harness: TestHarness, ...args: string[]) =>
  runCli(args, { DATABASE_URL: harness.databaseUrl });

async function csvFile(name: string, text: string): Promise<string> {
  const file = path.join(folder, name);
  await writeFile(file, text);
  return file;
}

async function count(harness: TestHarness, table: string): Promise<number> {
  const { rows } = await harness.db.pool.query<{ n: string }>(`select count(*) as n from ${table}`);
  return Number(rows[0]?.n);
}

test('when an export is imported into an empty database and exported again, the files are byte-identical', async () => {
  await source.db.pool.query(
    `insert into customers (id, name, phone_number, created_at, updated_at)
     select gen_random_uuid(), case when n % 3 = 0 then 'Njeri, "the elder" ' || n else 'Customer ' || n end,
            '+2547' || lpad(n::text, 8, '0'),
            timestamptz '2026-01-01' + n * interval '1.000001 second',
            timestamptz '2026-02-01' + n * interval '1 second'
     from generate_series(1, 2500) n`,
  );
  await source.db.pool.query(
    `insert into orders (customer_id, item, amount, currency, created_at, updated_at)
     select c.id, 'Item, ' || k, (k * 10.05)::numeric(12,2), case when k = 2 then 'USD' else 'KES' end,
            c.created_at + k * interval '1 minute', c.created_at + k * interval '2 minutes'
     from customers c, generate_series(1, 2) k`,
  );
  const customers = (await cli(source, 'export', 'customers')).stdout;
  const orders = (await cli(source, 'export', 'orders')).stdout;

  const target = await buildTestApp({ after });
  const imported = await cli(
    target,
    'import',
    'customers',
    await csvFile('customers.csv', customers),
  );
  assert.match(imported.stderr, /Imported 2500 customers; skipped 0 already there; rejected 0\./);
  await cli(target, 'import', 'orders', await csvFile('orders.csv', orders));
  assert.equal((await cli(target, 'export', 'customers')).stdout, customers);
  assert.equal((await cli(target, 'export', 'orders')).stdout, orders);
  assert.equal(await count(target, 'sms_messages'), 0, 'imported orders send no SMS');

  // Run again: everything is there already, nothing changes.
  const again = await cli(target, 'import', 'orders', path.join(folder, 'orders.csv'));
  assert.match(again.stderr, /Imported 0 orders; skipped 5000 already there; rejected 0\./);
  assert.equal(await count(target, 'orders'), 5000);
});

test('when rows are bad, each is reported with its line and reason, exit 1, and the good ones are imported', async () => {
  const target = await buildTestApp({ after });
  const file = await csvFile(
    'bad-customers.csv',
    [
      'name,phone_number',
      'Amina,+254711000001',
      'Baraka,0711000002',
      ',+254711000003',
      '"Chebet, ""Chichi""",+254 711 000 004',
      'Duplicate,+254711000001',
      `${'x'.repeat(101)},+254711000005`,
    ].join('\n'),
  );
  await assert.rejects(
    cli(target, 'import', 'customers', file),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /bad-customers\.csv:3: phone_number: Enter a valid phone number/);
      assert.match(error.stderr, /bad-customers\.csv:4: name: This field is required\./);
      assert.match(
        error.stderr,
        /bad-customers\.csv:6: phone_number: A customer with this phone number already exists\./,
      );
      assert.match(
        error.stderr,
        /bad-customers\.csv:7: name: Ensure this field has no more than 100 characters\./,
      );
      assert.match(error.stderr, /Imported 2 customers; skipped 0 already there; rejected 4\./);
      return true;
    },
  );
  const { rows } = await target.db.pool.query<{ name: string; phone_number: string }>(
    'select name, phone_number from customers order by phone_number',
  );
  assert.deepEqual(rows, [
    { name: 'Amina', phone_number: '+254711000001' },
    { name: 'Chebet, "Chichi"', phone_number: '+254711000004' },
  ]);
});

test('when orders are imported with --send-sms, each gets its SMS queued; an unknown customer is reported', async () => {
  const target = await buildTestApp({ after });
  const { rows } = await target.db.pool.query<{ id: string }>(
    `insert into customers (name, phone_number) values ('Wanjiru', '+254711000009') returning id::text`,
  );
  const file = await csvFile(
    'orders-sms.csv',
    `customer_id,item,amount\n${rows[0]?.id},Tea,120\n0f8fad5b-d9cb-469f-a165-70867728950e,Rice,80\n${rows[0]?.id},Sugar,-1\n`,
  );
  await assert.rejects(
    cli(target, 'import', 'orders', file, '--send-sms'),
    (error: { code: number; stderr: string }) => {
      assert.match(
        error.stderr,
        /orders-sms\.csv:3: customer_id: There is no customer with this id\./,
      );
      assert.match(
        error.stderr,
        /orders-sms\.csv:4: amount: Ensure this value is greater than 0\./,
      );
      return error.code === 1;
    },
  );
  const { rows: messages } = await target.db.pool.query<{ body: string; to_number: string }>(
    'select body, to_number from sms_messages',
  );
  assert.equal(messages.length, 1);
  assert.equal(messages[0]?.to_number, '+254711000009');
  assert.match(messages[0]?.body ?? '', /Tea, KES 120\.00/);
});

test('when the header does not fit, or the file is missing, it explains, exits 2 and imports nothing', async () => {
  const target = await buildTestApp({ after });
  for (const [args, message] of [
    [
      ['customers', await csvFile('wrong.csv', 'name,phone,email\nA,+254711000001,a@b.co\n')],
      /missing phone_number; unknown phone, email/,
    ],
    [['customers', path.join(folder, 'nowhere.csv')], /cannot read/],
    [['products', 'x.csv'], /customers or orders/],
  ] as const) {
    await assert.rejects(
      cli(target, 'import', ...args),
      (error: { code: number; stderr: string }) => {
        assert.match(error.stderr, message);
        return error.code === 2;
      },
    );
  }
  assert.equal(await count(target, 'customers'), 0);
});
