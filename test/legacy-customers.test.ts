import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { buildTestApp } from './helpers/build-app.ts';
import { addCustomer, addOrder, uniquePhoneNumber } from './helpers/factories.ts';

const UNKNOWN_ID = '0b811f4f-7116-4502-93d8-30d8fced278c';

const { app, auth } = await buildTestApp({ after });

test('when a customer is added with a spaced phone number, it answers 201 with the E.164 number', async () => {
  const response = await app.inject({
    method: 'POST',
    url: '/api/add-customer/',
    headers: auth,
    payload: { name: '  boss  ', phone_number: '+254 701 036 054' },
  });
  assert.equal(response.statusCode, 201);
  const body = response.json();
  assert.deepEqual(Object.keys(body), ['id', 'name', 'phone_number']);
  assert.equal(body.name, 'boss');
  assert.equal(body.phone_number, '+254701036054');
});

test('when the path has no trailing slash, it answers the same', async () => {
  const response = await app.inject({
    method: 'POST',
    url: '/api/add-customer',
    headers: auth,
    payload: { name: 'no slash', phone_number: uniquePhoneNumber() },
  });
  assert.equal(response.statusCode, 201);
});

test('when the phone number is taken (in any notation), it answers 400 naming phone_number', async () => {
  const existing = await addCustomer(app, auth);
  const spaced = existing.phone_number.replace(/^(\+\d{3})(\d{3})/, '$1 $2 ');
  const response = await app.inject({
    method: 'POST',
    url: '/api/add-customer/',
    headers: auth,
    payload: { name: 'copy', phone_number: spaced },
  });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(response.json(), {
    phone_number: ['customer with this phone number already exists.'],
  });
});

test('when fields are missing, it answers 400 naming each of them', async () => {
  const response = await app.inject({
    method: 'POST',
    url: '/api/add-customer/',
    headers: auth,
    payload: {},
  });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(response.json(), {
    name: ['This field is required.'],
    phone_number: ['This field is required.'],
  });
});

test('when a customer is viewed, it answers with details and orders as the original rendered them', async () => {
  const customer = await addCustomer(app, auth);
  await addOrder(app, auth, customer.id, { item: 'shoes', amount: 945.49 });
  await addOrder(app, auth, customer.id, { item: 'socks', amount: '12' });
  for (const url of [`/api/view-customer/${customer.id}`, `/api/view-customer/${customer.id}/`]) {
    const response = await app.inject({ url, headers: auth });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /"amount":945\.49\b/, 'amount is a JSON number');
    const body = response.json();
    assert.deepEqual(body.Customer_details, customer);
    assert.deepEqual(
      body.orders.map((order: { item: string; amount: number }) => [order.item, order.amount]),
      [
        ['shoes', 945.49],
        ['socks', 12],
      ],
    );
    assert.match(body.orders[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
  }
});

test('when the customer does not exist, it answers 404 with the original error', async () => {
  const response = await app.inject({ url: `/api/view-customer/${UNKNOWN_ID}`, headers: auth });
  assert.equal(response.statusCode, 404);
  assert.deepEqual(response.json(), { error: 'No Customer matches the given query.' });
});

test('when the id is not a UUID, it answers 400', async () => {
  const response = await app.inject({ url: '/api/view-customer/42', headers: auth });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(response.json(), { error: "['“42” is not a valid UUID.']" });
});

test('when a customer is updated, only the fields sent change and unknown ones are ignored', async () => {
  const customer = await addCustomer(app, auth);
  const response = await app.inject({
    method: 'PUT',
    url: `/api/update-customer/${customer.id}/`,
    headers: auth,
    payload: { name: 'bosslady', id: UNKNOWN_ID, email: 'ignored@example.com' },
  });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), { ...customer, name: 'bosslady' });
});

test('when an update has an invalid phone number, it answers 400 and changes nothing', async () => {
  const customer = await addCustomer(app, auth);
  const response = await app.inject({
    method: 'PUT',
    url: `/api/update-customer/${customer.id}`,
    headers: auth,
    payload: { name: 'changed', phone_number: '0704044033' },
  });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(Object.keys(response.json()), ['phone_number']);
  const after = await app.inject({ url: `/api/view-customer/${customer.id}`, headers: auth });
  assert.equal(after.json().Customer_details.name, customer.name);
});

test('when an update takes another customer’s phone number, it answers 400', async () => {
  const [first, second] = [await addCustomer(app, auth), await addCustomer(app, auth)];
  const response = await app.inject({
    method: 'PUT',
    url: `/api/update-customer/${second.id}/`,
    headers: auth,
    payload: { phone_number: first.phone_number },
  });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(response.json(), {
    phone_number: ['customer with this phone number already exists.'],
  });
});

test('when an unknown customer is updated, it answers 404', async () => {
  const response = await app.inject({
    method: 'PUT',
    url: `/api/update-customer/${UNKNOWN_ID}/`,
    headers: auth,
    payload: { name: 'x' },
  });
  assert.equal(response.statusCode, 404);
});

test('when a customer without orders is deleted, it answers 200 and the customer is gone', async () => {
  const customer = await addCustomer(app, auth, { name: 'leaving' });
  const response = await app.inject({
    method: 'DELETE',
    url: `/api/delete-customer/${customer.id}/`,
    headers: auth,
  });
  assert.equal(response.statusCode, 200);
  assert.match(response.json().detail, /deleted$/);
  const after = await app.inject({ url: `/api/view-customer/${customer.id}`, headers: auth });
  assert.equal(after.statusCode, 404);
});

test('when a customer with orders is deleted, it answers 409 unless force=true', async () => {
  const customer = await addCustomer(app, auth);
  const order = await addOrder(app, auth, customer.id);
  const refused = await app.inject({
    method: 'DELETE',
    url: `/api/delete-customer/${customer.id}/`,
    headers: auth,
  });
  assert.equal(refused.statusCode, 409);
  assert.match(refused.json().detail, /1 order.*force=true/);

  const forced = await app.inject({
    method: 'DELETE',
    url: `/api/delete-customer/${customer.id}/?force=true`,
    headers: auth,
  });
  assert.equal(forced.statusCode, 200);
  const orderAfter = await app.inject({
    url: `/api/view-order/?order_id=${order.id}`,
    headers: auth,
  });
  assert.equal(orderAfter.statusCode, 404);
});

test('when an unknown customer is deleted, it answers 404', async () => {
  const response = await app.inject({
    method: 'DELETE',
    url: `/api/delete-customer/${UNKNOWN_ID}`,
    headers: auth,
  });
  assert.equal(response.statusCode, 404);
  assert.deepEqual(response.json(), { error: 'No Customer matches the given query.' });
});

test('when a known path is called with another method, it answers 405 with Allow, as DRF did', async () => {
  const cases: [string, 'GET' | 'DELETE' | 'POST' | 'PUT', string][] = [
    ['/api/add-customer/', 'GET', 'POST, OPTIONS'],
    ['/api/get-customers', 'DELETE', 'GET, OPTIONS'],
    [`/api/update-customer/${UNKNOWN_ID}/`, 'POST', 'PUT, OPTIONS'],
  ];
  for (const [url, method, allow] of cases) {
    const response = await app.inject({ method, url, headers: auth });
    assert.equal(response.statusCode, 405, `${method} ${url}`);
    assert.equal(response.headers.allow, allow);
    assert.deepEqual(response.json(), { detail: `Method "${method}" not allowed.` });
  }
  const anonymous = await app.inject({ method: 'GET', url: '/api/add-customer/' });
  assert.equal(anonymous.statusCode, 401, 'credentials are checked first');
});
