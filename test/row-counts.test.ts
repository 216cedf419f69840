// The lists' `count` comes from counters kept by triggers (migration 0005), not from
// count(*): it must stay exact through every way rows come and go.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { buildTestApp } from './helpers/build-app.ts';
import { addCustomer, addOrder } from './helpers/factories.ts';

const { app, db, auth } = await buildTestApp({ after });

/** What each list says its count is, and what count(*) says. */
async function counts() {
  const listed = async (list: string) =>
    (await app.inject({ url: `/api/${list}/`, headers: auth })).json<{ count: number }>().count;
  const { rows } = await db.pool.query<{ customers: number; orders: number }>(
    `select (select count(*)::int from customers) as customers,
            (select count(*)::int from orders) as orders`,
  );
  return {
    listed: { customers: await listed('get-customers'), orders: await listed('get-orders') },
    actual: rows[0],
  };
}

async function assertExact(when: string) {
  const { listed, actual } = await counts();
  assert.deepEqual(listed, actual, when);
}

test('when rows come and go in every way, the lists’ counts stay exact', async () => {
  await assertExact('empty');

  const customers = await Promise.all(Array.from({ length: 5 }, () => addCustomer(app, auth)));
  // Concurrent orders, from several pool connections (and so several counter shards).
  await Promise.all(
    customers.flatMap((customer) => [1, 2, 3].map(() => addOrder(app, auth, customer.id))),
  );
  await assertExact('after concurrent inserts');

  const duplicate = await app.inject({
    method: 'POST',
    url: '/api/add-customer/',
    headers: auth,
    payload: { name: 'Again', phone_number: customers[0]!.phone_number },
  });
  assert.equal(duplicate.statusCode, 400);
  await assertExact('after an insert that conflicted');

  const [order] = (
    await app.inject({ url: `/api/view-order/?customer_id=${customers[1]!.id}`, headers: auth })
  ).json<{ id: string }[]>();
  await app.inject({ method: 'DELETE', url: `/api/delete-order/${order!.id}/`, headers: auth });
  await app.inject({
    method: 'DELETE',
    url: `/api/delete-customer/${customers[2]!.id}/?force=true`,
    headers: auth,
  });
  await assertExact('after deleting an order, and a customer with theirs');

  const client = await db.pool.connect();
  try {
    await client.query('begin');
    await client.query(`delete from orders`);
    await client.query('rollback');
  } finally {
    client.release();
  }
  await assertExact('after a rolled-back delete');

  await db.pool.query(
    `insert into customers (name, phone_number)
     select 'Bulk ' || n, '+2547' || lpad(n::text, 8, '0') from generate_series(1, 500) as n`,
  );
  await assertExact('after a bulk insert');

  await db.pool.query('truncate orders');
  await assertExact('after truncating orders');
  await db.pool.query('truncate customers cascade');
  await assertExact('after truncating everything');
});
