// What the original Django app's own test suite pins, and what a side-by-side run
// found different: the service answers the original routes exactly as it did.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { buildTestApp } from './helpers/build-app.ts';
import { addCustomer, addOrder } from './helpers/factories.ts';

const { app, auth, db } = await buildTestApp({ after });
const UNKNOWN_ID = '0b811f4f-7116-4502-93d8-30d8fced278c';
const customer = await addCustomer(app, auth);
const order = await addOrder(app, auth, customer.id);

const call = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS',
  url: string,
  payload?: object,
) => app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload }) });

test('when an id is not a UUID, the error is Django’s ValidationError as text, brackets and all', async () => {
  const routes: ['GET' | 'PUT' | 'DELETE', (id: string) => string][] = [
    ['GET', (id) => `/api/view-customer/${id}`],
    ['PUT', (id) => `/api/update-customer/${id}/`],
    ['DELETE', (id) => `/api/delete-customer/${id}/`],
    ['GET', (id) => `/api/view-order/?order_id=${id}`],
    ['GET', (id) => `/api/view-order/?customer_id=${id}`],
    ['PUT', (id) => `/api/update-order/${id}/`],
    ['DELETE', (id) => `/api/delete-order/${id}/`],
  ];
  for (const [method, url] of routes) {
    const response = await call(method, url('null'), method === 'PUT' ? {} : undefined);
    assert.equal(response.statusCode, 400, `${method} ${url('null')}`);
    assert.deepEqual(response.json(), { error: "['“null” is not a valid UUID.']" });
  }
  // Python's repr picks double quotes for a text with a single quote, and escapes
  // backslashes and control characters.
  const quoted = await call('GET', `/api/view-customer/${encodeURIComponent("o'neil")}`);
  assert.deepEqual(quoted.json(), { error: `["“o'neil” is not a valid UUID."]` });
  const escaped = await call('GET', `/api/view-customer/${encodeURIComponent('a\\b\tc')}`);
  assert.deepEqual(escaped.json(), { error: "['“a\\\\b\\tc” is not a valid UUID.']" });
});

test('when add-order has no customer_id, it answers 404 as the original, which looked the customer up first', async () => {
  const notFound = { error: 'No Customer matches the given query.' };
  for (const payload of [{}, { item: 'borns', amount: 5 }, { customer_id: null }]) {
    const response = await call('POST', '/api/add-order/', payload);
    assert.equal(response.statusCode, 404, JSON.stringify(payload));
    assert.deepEqual(response.json(), notFound);
  }
  const unknownWithBadFields = await call('POST', '/api/add-order/', {
    customer_id: UNKNOWN_ID,
    item: '',
  });
  assert.equal(unknownWithBadFields.statusCode, 404);
  assert.deepEqual(unknownWithBadFields.json(), notFound);

  const malformed = await call('POST', '/api/add-order/', { customer_id: 'abc' });
  assert.equal(malformed.statusCode, 400);
  assert.deepEqual(malformed.json(), { error: "['“abc” is not a valid UUID.']" });

  const knownWithBadFields = await call('POST', '/api/add-order/', { customer_id: customer.id });
  assert.equal(knownWithBadFields.statusCode, 400);
  assert.deepEqual(knownWithBadFields.json(), {
    item: ['This field is required.'],
    amount: ['This field is required.'],
  });
});

test('when a query parameter is repeated, the last value counts, as in Django', async () => {
  for (let index = 0; index < 10; index += 1) await addCustomer(app, auth);
  const response = await call('GET', '/api/get-customers/?page=1&page=2');
  assert.equal(response.statusCode, 200, response.body);
  assert.equal(response.json().previous, 'http://localhost/api/get-customers/');
  const lookup = await call('GET', `/api/view-order/?order_id=${UNKNOWN_ID}&order_id=${order.id}`);
  assert.equal(lookup.statusCode, 200, lookup.body);
  assert.equal(lookup.json().id, order.id);
});

test('when OPTIONS is asked of an original path, it answers 200 with Allow, as DRF did', async () => {
  const cases: [string, string][] = [
    ['/api/get-customers/', 'GET, OPTIONS'],
    ['/api/add-order', 'POST, OPTIONS'],
    [`/api/update-customer/${customer.id}/`, 'PUT, OPTIONS'],
  ];
  for (const [url, allow] of cases) {
    const response = await call('OPTIONS', url);
    assert.equal(response.statusCode, 200, url);
    assert.equal(response.headers.allow, allow, url);
    assert.deepEqual(response.json().renders, ['application/json']);
  }
  const anonymous = await app.inject({ method: 'OPTIONS', url: '/api/get-customers/' });
  assert.equal(anonymous.statusCode, 401, 'credentials first, as in DRF');
  const wrongMethod = await call('DELETE', '/api/get-customers/');
  assert.equal(wrongMethod.headers.allow, 'GET, OPTIONS');
});

test('when an order’s time has microseconds, view-customer writes them as DRF did', async () => {
  const timed = await addCustomer(app, auth);
  const precise = await addOrder(app, auth, timed.id);
  const whole = await addOrder(app, auth, timed.id);
  await db.orm.execute(
    sql`update orders set created_at = '2022-01-19 09:09:44.96+00' where id = ${precise.id}`,
  );
  await db.orm.execute(
    sql`update orders set created_at = '2022-01-19 09:10:02+00' where id = ${whole.id}`,
  );
  const response = await call('GET', `/api/view-customer/${timed.id}`);
  const times = response.json().orders.map((row: { created_at: string }) => row.created_at);
  assert.deepEqual(times, ['2022-01-19T09:09:44.960000Z', '2022-01-19T09:10:02Z']);
});

test('when page is written as Python’s int() reads it, it is that page, as in Django', async () => {
  const page = async (value: string) => {
    const response = await call('GET', `/api/get-customers/?page=${value}`);
    return response.statusCode === 200
      ? response.json<{ previous: string | null }>().previous
      : response.statusCode;
  };
  const first = null;
  const second = 'http://localhost/api/get-customers/';
  assert.equal(await page(''), first, 'empty is page 1 (page or 1)');
  assert.equal(await page('%2B1'), first, '+1');
  assert.equal(await page('%201%20'), first, 'spaces around');
  assert.equal(await page('%EF%BC%92'), second, 'fullwidth 2');
  assert.equal(await page('%D9%A2'), second, 'Arabic-Indic 2');
  assert.equal(await page('0_2'), second, 'underscore between digits');
  for (const invalid of ['0', '-1', '1.0', '_2', '2_', '1__0', 'x', '99999']) {
    assert.equal(await page(invalid), 404, invalid);
  }
});
