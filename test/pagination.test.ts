import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { buildTestApp } from './helpers/build-app.ts';
import { addCustomer, addOrder, type LegacyCustomer } from './helpers/factories.ts';

const { app, auth } = await buildTestApp(
  { after },
  { ALLOWED_HOSTS: 'shop.example.com,localhost' },
);

// 23 customers, made one after another: pages of 10, 10 and 3.
const customers: LegacyCustomer[] = [];
for (let index = 0; index < 23; index += 1) {
  customers.push(
    await addCustomer(app, auth, { name: `Customer ${String(index).padStart(2, '0')}` }),
  );
}

const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ url, headers: { ...auth, host: 'shop.example.com', ...headers } });

test('when the first page is asked for, it has 10 customers, oldest first, and an absolute next link', async () => {
  const response = await get('/api/get-customers/');
  assert.equal(response.statusCode, 200);
  const page = response.json();
  assert.equal(page.count, 23);
  assert.equal(page.previous, null);
  assert.equal(page.next, 'http://shop.example.com/api/get-customers/?page=2');
  assert.deepEqual(page.results, customers.slice(0, 10));
});

test('when the middle page is asked for, previous drops the page parameter as DRF does', async () => {
  const page = (await get('/api/get-customers/?page=2')).json();
  assert.equal(page.previous, 'http://shop.example.com/api/get-customers/');
  assert.equal(page.next, 'http://shop.example.com/api/get-customers/?page=3');
  assert.deepEqual(page.results, customers.slice(10, 20));
});

test('when the last page is asked for (by number or "last"), next is null', async () => {
  for (const url of ['/api/get-customers/?page=3', '/api/get-customers?page=last']) {
    const page = (await get(url)).json();
    assert.equal(page.next, null);
    assert.equal(page.results.length, 3);
    assert.deepEqual(page.results, customers.slice(20));
  }
});

test('when page_size is passed, it is ignored but kept in the links', async () => {
  const page = (await get('/api/get-customers/?page_size=50')).json();
  assert.equal(page.results.length, 10);
  assert.equal(page.next, 'http://shop.example.com/api/get-customers/?page_size=50&page=2');
});

test('when a page past the end or a malformed page is asked for, it answers 404 Invalid page', async () => {
  for (const page of ['4', '0', '-1', 'abc', '1.5', '99999999999999']) {
    const response = await get(`/api/get-customers/?page=${page}`);
    assert.equal(response.statusCode, 404, `page=${page}`);
    assert.deepEqual(response.json(), { detail: 'Invalid page.' });
  }
});

test('when there are no orders yet, page 1 is empty and valid', async () => {
  const page = (await get('/api/get-orders/')).json();
  assert.deepEqual(page, { count: 0, next: null, previous: null, results: [] });
});

test('when orders are listed, they page the same way, oldest first', async () => {
  const first = customers[0];
  assert.ok(first);
  const made = [];
  for (let index = 0; index < 12; index += 1)
    made.push(await addOrder(app, auth, first.id, { item: `item ${index}` }));
  const pageOne = (await get('/api/get-orders/')).json();
  assert.equal(pageOne.count, 12);
  assert.deepEqual(pageOne.results, made.slice(0, 10));
  const pageTwo = (await get('/api/get-orders/?page=2')).json();
  assert.deepEqual(pageTwo.results, made.slice(10));
  assert.equal(pageTwo.previous, 'http://shop.example.com/api/get-orders/');
});

test('when behind a proxy with TRUST_PROXY, links use the forwarded scheme and host', async (t) => {
  const proxied = await buildTestApp(t, {
    TRUST_PROXY: 'true',
    ALLOWED_HOSTS: 'api.shop.example,localhost',
  });
  for (let index = 0; index < 11; index += 1) await addCustomer(proxied.app, proxied.auth);
  const response = await proxied.app.inject({
    url: '/api/get-customers/',
    headers: {
      ...proxied.auth,
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'api.shop.example',
    },
  });
  assert.equal(response.json().next, 'https://api.shop.example/api/get-customers/?page=2');
});

test('when the Host header is not a plain host, it is refused instead of echoed', async () => {
  for (const host of ['user@evil.example', 'a b', '[::1', 'evil.example/path']) {
    const response = await get('/api/get-customers/', { host });
    assert.equal(response.statusCode, 400, host);
    assert.match(response.json().detail, /^Invalid HTTP_HOST header/, host);
  }
  const absolute = await get('http://evil.example/api/get-customers/');
  assert.equal(absolute.json().next, 'http://shop.example.com/api/get-customers/?page=2');
});
