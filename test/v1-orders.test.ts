// The resource API's orders: REST verbs and statuses, each order with its customer
// and its SMS's state, a customer's orders, and every filter and ordering.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { buildTestApp } from './helpers/build-app.ts';
import { assertProblem } from './helpers/problems.ts';
import { uniquePhoneNumber } from './helpers/factories.ts';

const { app, db, auth } = await buildTestApp({ after });
const json = { ...auth, 'content-type': 'application/json' };

interface V1Order {
  id: string;
  customer: { id: string; name: string; phone_number: string };
  item: string;
  amount: string;
  currency: string;
  created_at: string;
  updated_at: string;
  sms: {
    status: string;
    attempts: number;
    last_error: string | null;
    sent_at: string | null;
    delivered_at: string | null;
  } | null;
}

interface Page {
  results: V1Order[];
  next: string | null;
  previous: string | null;
  count?: number;
}

async function createCustomer(name: string): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/customers',
    headers: json,
    payload: { name, phone_number: uniquePhoneNumber() },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<{ id: string }>().id;
}

async function createOrder(
  customerId: string,
  item: string,
  amount: string | number,
): Promise<V1Order> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/orders',
    headers: json,
    payload: { customer_id: customerId, item, amount },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<V1Order>();
}

async function list(url: string): Promise<Page> {
  const response = await app.inject({ url, headers: auth });
  assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
  return response.json<Page>();
}

/** Every row of a list, following `next`. */
async function all(url: string): Promise<V1Order[]> {
  const rows: V1Order[] = [];
  let next: string | null = url;
  while (next !== null) {
    const page: Page = await list(next);
    rows.push(...page.results);
    next = page.next && `${new URL(page.next).pathname}${new URL(page.next).search}`;
  }
  return rows;
}

test('when an order is created, read, changed and deleted, the answers are 201 with Location, 200, 200 and 204', async () => {
  const customerId = await createCustomer('Order Owner');
  const created = await createOrder(customerId, 'Sukuma wiki', 150.5);
  assert.equal(created.amount, '150.50');
  assert.equal(created.currency, 'KES');
  assert.equal(created.customer.id, customerId);
  assert.deepEqual(created.sms, {
    status: 'pending',
    attempts: 0,
    last_error: null,
    sent_at: null,
    delivered_at: null,
  });

  const read = await app.inject({ url: `/api/v1/orders/${created.id}`, headers: auth });
  assert.equal(read.statusCode, 200);
  assert.equal(read.json<V1Order>().item, 'Sukuma wiki');
  assert.ok(read.json<V1Order>().sms !== null);

  const changed = await app.inject({
    method: 'PATCH',
    url: `/api/v1/orders/${created.id}`,
    headers: json,
    payload: { amount: '99.9' },
  });
  assert.equal(changed.statusCode, 200, changed.body);
  assert.equal(changed.json<V1Order>().amount, '99.90');
  assert.equal(changed.json<V1Order>().item, 'Sukuma wiki');

  const deleted = await app.inject({
    method: 'DELETE',
    url: `/api/v1/orders/${created.id}`,
    headers: auth,
  });
  assert.equal(deleted.statusCode, 204);
  assertProblem(
    await app.inject({ url: `/api/v1/orders/${created.id}`, headers: auth }),
    404,
    'order_not_found',
  );
  assertProblem(
    await app.inject({ url: '/api/v1/orders/not-a-uuid', headers: auth }),
    404,
    'order_not_found',
  );
});

test('when an order is bad, it answers 400 naming the field and creates nothing', async () => {
  const customerId = await createCustomer('Bad Orders');
  const cases: [object, string][] = [
    [
      { customer_id: '00000000-0000-4000-8000-000000000000', item: 'x', amount: '1' },
      'customer_id',
    ],
    [{ customer_id: customerId, item: 'x', amount: '-1' }, 'amount'],
    [{ customer_id: customerId, item: 'x', amount: '1.234' }, 'amount'],
    [{ customer_id: customerId, item: '', amount: '1' }, 'item'],
    [{ customer_id: customerId, item: 'x' }, 'amount'],
    [{ customer_id: customerId, item: 'x', amount: '1', note: 'hi' }, 'note'],
  ];
  for (const [payload, field] of cases) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: json,
      payload,
    });
    assert.equal(response.statusCode, 400, `${JSON.stringify(payload)}: ${response.body}`);
    const problem = response.json<{ errors: { field: string }[] }>();
    assert.ok(
      problem.errors.some((error) => error.field === field),
      JSON.stringify(problem),
    );
  }
  assert.equal((await list(`/api/v1/customers/${customerId}/orders?count=true`)).count, 0);
});

test('when a customer’s orders are listed, only theirs come; an unknown customer answers 404', async () => {
  const mine = await createCustomer('Mine');
  const theirs = await createCustomer('Theirs');
  await createOrder(mine, 'one', '1');
  await createOrder(mine, 'two', '2');
  await createOrder(theirs, 'three', '3');
  assert.deepEqual(
    (await all(`/api/v1/customers/${mine}/orders`)).map((order) => order.item),
    ['one', 'two'],
  );
  assert.deepEqual(
    (await all(`/api/v1/orders?customer_id=${theirs}`)).map((order) => order.item),
    ['three'],
  );
  assertProblem(
    await app.inject({
      url: '/api/v1/customers/00000000-0000-4000-8000-000000000000/orders',
      headers: auth,
    }),
    404,
    'customer_not_found',
  );
});

test('when orders are filtered and ordered, each filter and ordering holds, with ties broken by id', async () => {
  const customerId = await createCustomer('Filtered');
  const made: V1Order[] = [];
  for (const [item, amount] of [
    ['Maize flour', '120.00'],
    ['Rice', '80.00'],
    ['maize meal', '120.00'],
    ['Sugar', '200.00'],
    ['Tea', '80.00'],
  ] as const) {
    made.push(await createOrder(customerId, item, amount));
  }
  const mine = `customer_id=${customerId}`;
  const items = async (query: string) =>
    (await all(`/api/v1/orders?${mine}&limit=2&${query}`)).map((order) => order.item);

  assert.deepEqual(await items('q=MAIZE'), ['Maize flour', 'maize meal']);
  assert.deepEqual(await items('min_amount=100&max_amount=120'), ['Maize flour', 'maize meal']);
  assert.deepEqual(await items('ordering=-created_at'), [
    'Tea',
    'Sugar',
    'maize meal',
    'Rice',
    'Maize flour',
  ]);
  const byAmount = await all(`/api/v1/orders?${mine}&limit=2&ordering=amount`);
  assert.deepEqual(
    byAmount.map((order) => order.amount),
    ['80.00', '80.00', '120.00', '120.00', '200.00'],
  );
  // Equal amounts come in id order, both ways.
  const eighties = byAmount.slice(0, 2).map((order) => order.id);
  assert.deepEqual(eighties, [...eighties].sort());
  const descending = await all(`/api/v1/orders?${mine}&limit=2&ordering=-amount`);
  assert.deepEqual(
    descending.map((order) => order.id),
    byAmount.map((order) => order.id).reverse(),
  );

  const after = new Date(Date.parse(made[2]!.created_at) + 1).toISOString();
  assert.deepEqual(await items(`created_after=${after}`), ['Sugar', 'Tea']);
  assert.equal((await list(`/api/v1/orders?${mine}&count=true&min_amount=100`)).count, 3);

  await db.pool.query(
    `update sms_messages set status = 'failed', last_error = 'InvalidPhoneNumber' where order_id = $1`,
    [made[3]!.id],
  );
  const failed = await all(`/api/v1/orders?${mine}&sms_status=failed`);
  assert.deepEqual(
    failed.map((order) => order.item),
    ['Sugar'],
  );
  assert.equal(failed[0]?.sms?.last_error, 'InvalidPhoneNumber');
});

test('when a list query is malformed, it answers 400 naming the query parameter', async () => {
  // The schema checks some (its kind: schema_validation), the service the others.
  for (const [query, kind, field, message] of [
    ['ordering=item', 'schema', 'query.ordering', /created_at, -created_at, amount, -amount/],
    ['sms_status=lost', 'schema', 'query.sms_status', /pending, sending, sent, delivered, failed/],
    ['page=1', 'schema', 'query.page', /Unknown field/],
    ['min_amount=abc', 'service', 'query.min_amount', /valid number/],
    ['max_amount=-1', 'service', 'query.max_amount', /greater than or equal to 0/],
    ['customer_id=42', 'service', 'query.customer_id', /UUID/],
    ['created_before=soon', 'service', 'query.created_before', /ISO 8601/],
  ] as const) {
    const response = await app.inject({ url: `/api/v1/orders?${query}`, headers: auth });
    const problem = assertProblem(
      response,
      400,
      kind === 'schema' ? 'schema_validation' : 'validation_failed',
    );
    assert.deepEqual(
      problem.errors?.map((error) => error.field),
      [field],
      `${query}: ${response.body}`,
    );
    assert.match(problem.errors?.[0]?.message ?? '', message, query);
  }
});

test('when an amount range starts at 0, it is a range like any other', async () => {
  const customerId = await createCustomer('From zero');
  await createOrder(customerId, 'Salt', '0.01');
  const page = await list(`/api/v1/orders?customer_id=${customerId}&min_amount=0&count=true`);
  assert.equal(page.count, 1);
  const none = await list(`/api/v1/orders?customer_id=${customerId}&max_amount=0.00&count=true`);
  assert.equal(none.count, 0);
});

test('when an order’s SMS is read, and retried after it failed, the answers are 200, 202, then 409 for one not failed', async () => {
  const customerId = await createCustomer('Texted');
  const order = await createOrder(customerId, 'Unga', '150');
  const sms = await app.inject({ url: `/api/v1/orders/${order.id}/sms`, headers: auth });
  assert.equal(sms.statusCode, 200, sms.body);
  const message = sms.json<{
    order_id: string;
    body: string;
    status: string;
    next_attempt_at: string | null;
  }>();
  assert.equal(message.order_id, order.id);
  assert.match(message.body, /Unga/);

  await db.pool.query(
    `update sms_messages set status = 'failed', attempts = 5, last_error = 'InvalidPhoneNumber' where order_id = $1`,
    [order.id],
  );
  const retry = () =>
    app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/sms/retry`, headers: auth });
  const retried = await retry();
  assert.equal(retried.statusCode, 202, retried.body);
  assert.equal(retried.json<{ status: string }>().status, 'pending');
  assert.equal(retried.json<{ attempts: number }>().attempts, 0);
  assertProblem(await retry(), 409, 'sms_not_failed');

  // The SMS stays on record after its order is deleted.
  await app.inject({ method: 'DELETE', url: `/api/v1/orders/${order.id}`, headers: auth });
  assert.equal(
    (await app.inject({ url: `/api/v1/orders/${order.id}/sms`, headers: auth })).statusCode,
    200,
  );
  assertProblem(
    await app.inject({
      url: '/api/v1/orders/00000000-0000-4000-8000-000000000000/sms',
      headers: auth,
    }),
    404,
    'sms_not_found',
  );
});
