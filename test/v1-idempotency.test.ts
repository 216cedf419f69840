// Idempotency-Key on the resource API's POSTs: a repeat answers what the first did
// and creates nothing; another request with the key is a 422; a repeat while the
// first runs is a 409; at once, identical requests make one order and one SMS.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { buildTestApp, createTestToken } from './helpers/build-app.ts';
import { uniquePhoneNumber } from './helpers/factories.ts';

const { app, db, auth } = await buildTestApp({ after });
const json = { ...auth, 'content-type': 'application/json' };

const customer = (
  await app.inject({
    method: 'POST',
    url: '/api/v1/customers',
    headers: json,
    payload: { name: 'Idempotent', phone_number: uniquePhoneNumber() },
  })
).json<{ id: string }>();

const postOrder = (key: string, item = 'Chapati', headers: Record<string, string> = json) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/orders',
    headers: { ...headers, 'idempotency-key': key },
    payload: { customer_id: customer.id, item, amount: '60.00' },
  });

async function ordersAndSmsFor(item: string) {
  const { rows } = await db.pool.query<{ orders: string; sms: string }>(
    `select count(distinct o.id) as orders, count(s.id) as sms
     from orders o left join sms_messages s on s.order_id = o.id where o.item = $1`,
    [item],
  );
  return { orders: Number(rows[0]?.orders), sms: Number(rows[0]?.sms) };
}

test('when a POST is repeated with its Idempotency-Key, the first answer comes back and nothing more is made', async () => {
  const first = await postOrder('order-1', 'Repeated chapati');
  assert.equal(first.statusCode, 201, first.body);
  const again = await postOrder('order-1', 'Repeated chapati');
  assert.equal(again.statusCode, 201);
  assert.equal(again.body, first.body);
  assert.equal(again.headers.location, first.headers.location);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.deepEqual(await ordersAndSmsFor('Repeated chapati'), { orders: 1, sms: 1 });

  // A customer too, whose body keys come in another order.
  const phone = uniquePhoneNumber();
  const make = (payload: object) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/customers',
      headers: { ...json, 'idempotency-key': 'customer-1' },
      payload,
    });
  const made = await make({ name: 'Keyed', phone_number: phone });
  const remade = await make({ phone_number: phone, name: 'Keyed' });
  assert.equal(made.statusCode, 201, made.body);
  assert.equal(remade.statusCode, 201, remade.body);
  assert.equal(remade.body, made.body);
});

test('when the same key comes with another request, it answers 422 and makes nothing', async () => {
  assert.equal((await postOrder('order-2', 'First item')).statusCode, 201);
  const other = await postOrder('order-2', 'Second item');
  assert.equal(other.statusCode, 422, other.body);
  assert.equal(
    other.json<{ type: string }>().type,
    'urn:customer-orders:problem:idempotency_key_reused',
  );
  assert.deepEqual(await ordersAndSmsFor('Second item'), { orders: 0, sms: 0 });
});

test('when identical requests with one key come at once, one order and one SMS are made; the rest replay it or answer 409', async () => {
  const answers = await Promise.all(
    Array.from({ length: 8 }, () => postOrder('order-3', 'Raced mandazi')),
  );
  const created = answers.filter((answer) => answer.statusCode === 201);
  assert.ok(created.length >= 1);
  assert.equal(new Set(created.map((answer) => answer.json<{ id: string }>().id)).size, 1);
  for (const answer of answers) assert.ok([201, 409].includes(answer.statusCode), answer.body);
  assert.deepEqual(await ordersAndSmsFor('Raced mandazi'), { orders: 1, sms: 1 });
  // Once the first is done, every repeat gets its answer.
  assert.equal((await postOrder('order-3', 'Raced mandazi')).body, created[0]?.body);
});

test('when a keyed request fails, its key is given back and a corrected retry goes through', async () => {
  const bad = await app.inject({
    method: 'POST',
    url: '/api/v1/orders',
    headers: { ...json, 'idempotency-key': 'order-4' },
    payload: { customer_id: customer.id, item: 'Bad amount', amount: '-1' },
  });
  assert.equal(bad.statusCode, 400);
  const sameAgain = await app.inject({
    method: 'POST',
    url: '/api/v1/orders',
    headers: { ...json, 'idempotency-key': 'order-4' },
    payload: { customer_id: customer.id, item: 'Bad amount', amount: '-1' },
  });
  assert.equal(sameAgain.statusCode, 400, 'not replayed: failures are not kept');
  assert.equal((await postOrder('order-4', 'Good amount')).statusCode, 201);
});

test('when keys are too long or come from another user, they are refused or kept apart', async () => {
  const long = await postOrder('k'.repeat(256));
  assert.equal(long.statusCode, 400);
  assert.equal(
    long.json<{ type: string }>().type,
    'urn:customer-orders:problem:invalid_idempotency_key',
  );

  assert.equal((await postOrder('shared-key', 'Mine')).statusCode, 201);
  const otherUser = {
    authorization: `Token ${await createTestToken(db, { scope: 'write', email: 'other-idempotency@example.com' })}`,
    'content-type': 'application/json',
  };
  const theirs = await postOrder('shared-key', 'Theirs', otherUser);
  assert.equal(theirs.statusCode, 201, theirs.body);
  assert.notEqual(theirs.json<{ id: string }>().id, undefined);
  assert.deepEqual(await ordersAndSmsFor('Theirs'), { orders: 1, sms: 1 });
});
