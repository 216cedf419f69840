import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { buildTestApp } from './helpers/build-app.ts';
import { addCustomer, addOrder } from './helpers/factories.ts';

const { app, auth } = await buildTestApp({ after });
const UNKNOWN_ID = '3f3b4d4d-862a-415d-8aaa-1aafb045d9fa';
const DJANGO_DATE =
  /^(January|February|March|April|May|June|July|August|September|October|November|December) \d\d, \d{4}, (0\d|1[0-2]):[0-5]\d (AM|PM)$/;

test('when an order is added, it answers 201 with the order, its customer and a two-decimal amount', async () => {
  const customer = await addCustomer(app, auth);
  const response = await app.inject({
    method: 'POST',
    url: '/api/add-order/',
    headers: auth,
    payload: { customer_id: customer.id, item: 'example_item', amount: 100 },
  });
  assert.equal(response.statusCode, 201);
  const order = response.json();
  assert.deepEqual(Object.keys(order), ['id', 'item', 'amount', 'created_at', 'customer']);
  assert.equal(order.amount, '100.00');
  assert.equal(order.item, 'example_item');
  assert.match(order.created_at, DJANGO_DATE);
  assert.deepEqual(order.customer, customer);
});

test('when amounts come as numbers or strings, they are kept exactly, never through a float', async () => {
  const customer = await addCustomer(app, auth);
  const cases: [string, string][] = [
    ['0.1', '0.10'],
    ['945.49', '945.49'],
    ['9999999999.99', '9999999999.99'],
    ['1.10', '1.10'],
    ['"0.30"', '0.30'],
    ['"  12.5 "', '12.50'],
  ];
  for (const [json, expected] of cases) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/add-order/',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: `{"customer_id":"${customer.id}","item":"x","amount":${json}}`,
    });
    assert.equal(response.statusCode, 201, `${json}: ${response.body}`);
    assert.equal(response.json().amount, expected, json);
  }
});

test('when the customer does not exist, it answers 404 and creates nothing', async () => {
  const before = (await app.inject({ url: '/api/get-orders/', headers: auth })).json().count;
  const response = await app.inject({
    method: 'POST',
    url: '/api/add-order/',
    headers: auth,
    payload: { customer_id: UNKNOWN_ID, item: 'x', amount: 1 },
  });
  assert.equal(response.statusCode, 404);
  assert.deepEqual(response.json(), { error: 'No Customer matches the given query.' });
  const afterCount = (await app.inject({ url: '/api/get-orders/', headers: auth })).json().count;
  assert.equal(afterCount, before);
});

test('when an order is viewed by order_id, it answers the order; by customer_id, an array of theirs', async () => {
  const customer = await addCustomer(app, auth);
  const first = await addOrder(app, auth, customer.id, { item: 'first' });
  const second = await addOrder(app, auth, customer.id, { item: 'second' });
  await addOrder(app, auth, (await addCustomer(app, auth)).id, { item: 'someone else' });

  const one = await app.inject({ url: `/api/view-order/?order_id=${first.id}`, headers: auth });
  assert.equal(one.statusCode, 200);
  assert.deepEqual(one.json(), first);

  const noSlash = await app.inject({ url: `/api/view-order?order_id=${first.id}`, headers: auth });
  assert.deepEqual(noSlash.json(), first);

  const theirs = await app.inject({
    url: `/api/view-order/?customer_id=${customer.id}`,
    headers: auth,
  });
  assert.equal(theirs.statusCode, 200);
  assert.deepEqual(theirs.json(), [first, second]);
});

test('when view-order gets neither id, it answers 400 with the original message', async () => {
  for (const url of ['/api/view-order/', '/api/view-order/?order_id=&customer_id=']) {
    const response = await app.inject({ url, headers: auth });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json(), 'Please pass customer_id or order_id');
  }
});

test('when view-order gets unknown or malformed ids, it answers 404 or 400', async () => {
  const unknownOrder = await app.inject({
    url: `/api/view-order/?order_id=${UNKNOWN_ID}`,
    headers: auth,
  });
  assert.equal(unknownOrder.statusCode, 404);
  assert.deepEqual(unknownOrder.json(), { error: 'No Order matches the given query.' });
  const unknownCustomer = await app.inject({
    url: `/api/view-order/?customer_id=${UNKNOWN_ID}`,
    headers: auth,
  });
  assert.equal(unknownCustomer.statusCode, 404);
  const malformed = await app.inject({ url: '/api/view-order/?customer_id=String', headers: auth });
  assert.equal(malformed.statusCode, 400);
  assert.deepEqual(malformed.json(), { error: "['“String” is not a valid UUID.']" });
});

test('when an order is updated, item and amount change and other fields are ignored', async () => {
  const customer = await addCustomer(app, auth);
  const other = await addCustomer(app, auth);
  const order = await addOrder(app, auth, customer.id, { item: 'old', amount: '5.00' });
  const response = await app.inject({
    method: 'PUT',
    url: `/api/update-order/${order.id}/`,
    headers: auth,
    payload: { item: 'new', amount: '7.5', customer_id: other.id, id: UNKNOWN_ID },
  });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), { ...order, item: 'new', amount: '7.50' });

  const partial = await app.inject({
    method: 'PUT',
    url: `/api/update-order/${order.id}`,
    headers: auth,
    payload: { amount: 8 },
  });
  assert.deepEqual(partial.json(), { ...order, item: 'new', amount: '8.00' });
});

test('when an order update is invalid or the order unknown, it answers 400 or 404', async () => {
  const order = await addOrder(app, auth, (await addCustomer(app, auth)).id);
  const invalid = await app.inject({
    method: 'PUT',
    url: `/api/update-order/${order.id}/`,
    headers: auth,
    payload: { amount: -1 },
  });
  assert.equal(invalid.statusCode, 400);
  assert.deepEqual(invalid.json(), { amount: ['Ensure this value is greater than 0.'] });
  const unknown = await app.inject({
    method: 'PUT',
    url: `/api/update-order/${UNKNOWN_ID}/`,
    headers: auth,
    payload: { item: 'x' },
  });
  assert.equal(unknown.statusCode, 404);
  assert.deepEqual(unknown.json(), { error: 'No Order matches the given query.' });
});

test('when an order is deleted, it answers 200 and the order is gone; again, 404', async () => {
  const order = await addOrder(app, auth, (await addCustomer(app, auth)).id);
  const response = await app.inject({
    method: 'DELETE',
    url: `/api/delete-order/${order.id}/`,
    headers: auth,
  });
  assert.equal(response.statusCode, 200);
  assert.match(response.json().detail, /deleted$/);
  const again = await app.inject({
    method: 'DELETE',
    url: `/api/delete-order/${order.id}`,
    headers: auth,
  });
  assert.equal(again.statusCode, 404);
});
