// Times a row records come from PostgreSQL's clock, never the app's: with several
// app processes on several machines, each with its own clock, only the database's
// puts changes in the order they happened. Checked by comparing with now() in the
// same transaction, which is the transaction's start time, to the microsecond.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { updateCustomer } from '../src/customers/customers.service.ts';
import { updateOrder } from '../src/orders/orders.service.ts';
import { retryFailedSms } from '../src/sms/outbox.ts';
import { buildTestApp } from './helpers/build-app.ts';
import { addCustomer, addOrder } from './helpers/factories.ts';

const { app, db, auth } = await buildTestApp({ after });

test('when a customer is updated, updated_at is the database’s time', async () => {
  const customer = await addCustomer(app, auth);
  await db.statements.transaction(async (transaction) => {
    await updateCustomer(transaction, customer.id, { name: 'Clock Check' });
    const [row] = await transaction.run<{ same: boolean }>(
      'select updated_at = now() as same from customers where id = $1',
      [customer.id],
    );
    assert.equal(row?.same, true);
  });
});

test('when an order is updated, updated_at is the database’s time', async () => {
  const customer = await addCustomer(app, auth);
  const order = await addOrder(app, auth, customer.id);
  await db.statements.transaction(async (transaction) => {
    await updateOrder(transaction, order.id, { item: 'Clock Check' });
    const [row] = await transaction.run<{ same: boolean }>(
      'select updated_at = now() as same from orders where id = $1',
      [order.id],
    );
    assert.equal(row?.same, true);
  });
});

test('when a failed SMS is retried, its times are the database’s', async () => {
  const customer = await addCustomer(app, auth);
  const order = await addOrder(app, auth, customer.id);
  await db.pool.query(`update sms_messages set status = 'failed' where order_id = $1`, [order.id]);
  const { rows } = await db.pool.query<{ id: string }>(
    'select id from sms_messages where order_id = $1',
    [order.id],
  );
  await db.orm.transaction(async (transaction) => {
    await retryFailedSms(transaction, rows[0]!.id);
    const { rows: checked } = await transaction.execute<{ same: boolean }>(
      sql`select updated_at = now() and next_attempt_at = now() as same from sms_messages where order_id = ${order.id}`,
    );
    assert.equal(checked[0]?.same, true);
  });
});
