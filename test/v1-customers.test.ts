// The resource API's customers: REST verbs and statuses, problem details, cursor
// pages that skip and repeat nothing while rows are added, search and filters, and
// the indexes that serve them.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { buildTestApp, createTestToken } from './helpers/build-app.ts';
import { assertProblem } from './helpers/problems.ts';
import { addOrder, uniquePhoneNumber } from './helpers/factories.ts';

const { app, db, auth } = await buildTestApp({ after });

interface V1Customer {
  id: string;
  name: string;
  phone_number: string;
  created_at: string;
  updated_at: string;
}

interface Page {
  results: V1Customer[];
  next: string | null;
  previous: string | null;
  count?: number;
}

const json = { ...auth, 'content-type': 'application/json' };

async function create(name: string, phoneNumber = uniquePhoneNumber()) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/customers',
    headers: json,
    payload: { name, phone_number: phoneNumber },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<V1Customer>();
}

async function list(url: string): Promise<Page> {
  const response = await app.inject({ url, headers: auth });
  assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
  return response.json<Page>();
}

/** A link's path and query: the app is called directly, not through its host. */
const pathOf = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};

test('when a customer is created, read, changed and deleted, the answers are 201 with Location, 200, 200 and 204', async () => {
  const created = await create('  Amina Odhiambo ', '+254 701 555 010');
  assert.equal(created.name, 'Amina Odhiambo');
  assert.equal(created.phone_number, '+254701555010');
  assert.match(created.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

  const read = await app.inject({ url: `/api/v1/customers/${created.id}`, headers: auth });
  assert.equal(read.statusCode, 200);
  assert.deepEqual(read.json(), created);

  const changed = await app.inject({
    method: 'PATCH',
    url: `/api/v1/customers/${created.id}`,
    headers: json,
    payload: { name: 'Amina O.' },
  });
  assert.equal(changed.statusCode, 200, changed.body);
  assert.equal(changed.json<V1Customer>().name, 'Amina O.');
  assert.equal(changed.json<V1Customer>().phone_number, '+254701555010');

  const deleted = await app.inject({
    method: 'DELETE',
    url: `/api/v1/customers/${created.id}`,
    headers: auth,
  });
  assert.equal(deleted.statusCode, 204);
  assert.equal(deleted.body, '');
  assertProblem(
    await app.inject({ url: `/api/v1/customers/${created.id}`, headers: auth }),
    404,
    'customer_not_found',
  );
});

test('when the Location of a new customer is followed, it is that customer', async () => {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/customers',
    headers: json,
    payload: { name: 'Baraka', phone_number: uniquePhoneNumber() },
  });
  const location = String(response.headers.location);
  assert.equal(location, `/api/v1/customers/${response.json<V1Customer>().id}`);
  assert.equal(
    (await app.inject({ url: location, headers: auth })).json<V1Customer>().name,
    'Baraka',
  );
});

test('when a phone number is taken, creating or changing to it answers 409 naming the field', async () => {
  const phoneNumber = uniquePhoneNumber();
  await create('First', phoneNumber);
  const other = await create('Second');
  for (const response of [
    await app.inject({
      method: 'POST',
      url: '/api/v1/customers',
      headers: json,
      payload: { name: 'Again', phone_number: phoneNumber },
    }),
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/customers/${other.id}`,
      headers: json,
      payload: { phone_number: phoneNumber },
    }),
  ]) {
    const problem = assertProblem(response, 409, 'phone_number_taken');
    assert.deepEqual(problem.errors, [
      { field: 'phone_number', message: 'A customer with this phone number already exists.' },
    ]);
  }
});

test('when the input is bad, it answers 400 with a message per field and creates nothing', async () => {
  const before = await list('/api/v1/customers?count=true');
  const cases: [unknown, string[]][] = [
    [{ name: '', phone_number: '0701' }, ['name', 'phone_number']],
    [{ name: 'No phone' }, ['phone_number']],
    [{ name: 'Extra', phone_number: uniquePhoneNumber(), vip: true }, ['vip']],
    [{ name: 42, phone_number: uniquePhoneNumber() }, ['name']],
  ];
  for (const [payload, fields] of cases) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/customers',
      headers: json,
      payload: payload as object,
    });
    const problem = assertProblem(
      response,
      400,
      response.json<{ type: string }>().type.split(':').at(-1)!,
    );
    const named = (problem.errors ?? []).map((error) => error.field);
    assert.deepEqual([...new Set(named)].sort(), fields.sort(), JSON.stringify(problem));
  }
  assert.equal((await list('/api/v1/customers?count=true')).count, before.count);
});

test('when an unknown query parameter or field comes, the problem names it once, as unknown', async () => {
  const query = await app.inject({ url: '/api/v1/customers?page=2', headers: auth });
  assert.deepEqual(query.json<{ errors: unknown }>().errors, [
    { field: 'query.page', message: 'Unknown field.' },
  ]);
  const body = await app.inject({
    method: 'POST',
    url: '/api/v1/customers',
    headers: json,
    payload: { phone_number: uniquePhoneNumber(), vip: true },
  });
  assert.deepEqual(body.json<{ errors: unknown }>().errors, [
    { field: 'name', message: 'This field is required.' },
    { field: 'vip', message: 'Unknown field.' },
  ]);
});

test('when an id is unknown or not a UUID, it answers 404', async () => {
  for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const response = await app.inject({
        method,
        url: `/api/v1/customers/${id}`,
        headers: json,
        payload: method === 'PATCH' ? { name: 'x' } : undefined,
      });
      assertProblem(response, 404, 'customer_not_found');
    }
  }
  assertProblem(await app.inject({ url: '/api/v1/nothing-here', headers: auth }), 404, 'not_found');
});

test('when a known path is asked with a method it lacks, it answers 405 with Allow; OPTIONS answers 204', async () => {
  const customer = await create('Methods');
  const put = await app.inject({
    method: 'PUT',
    url: `/api/v1/customers/${customer.id}`,
    headers: json,
    payload: {},
  });
  assertProblem(put, 405, 'method_not_allowed');
  assert.equal(put.headers.allow, 'GET, HEAD, PATCH, DELETE, OPTIONS');
  const options = await app.inject({ method: 'OPTIONS', url: '/api/v1/customers', headers: auth });
  assert.equal(options.statusCode, 204);
  assert.equal(options.headers.allow, 'GET, HEAD, POST, OPTIONS');
  assertProblem(
    await app.inject({ method: 'DELETE', url: '/api/v1/customers', headers: auth }),
    405,
    'method_not_allowed',
  );
});

test('when a customer with orders is deleted, it answers 409 unless force=true', async () => {
  const customer = await create('Has Orders');
  await addOrder(app, auth, customer.id);
  const refused = await app.inject({
    method: 'DELETE',
    url: `/api/v1/customers/${customer.id}`,
    headers: auth,
  });
  assertProblem(refused, 409, 'customer_has_orders');
  const forced = await app.inject({
    method: 'DELETE',
    url: `/api/v1/customers/${customer.id}?force=true`,
    headers: auth,
  });
  assert.equal(forced.statusCode, 204);
});

test('when a query parameter is unknown or malformed, it answers 400 instead of ignoring it', async () => {
  for (const query of [
    'page=2',
    'limit=0',
    'limit=101',
    'limit=ten',
    'ordering=name',
    'created_after=yesterday',
    'cursor=garbage',
    'count=maybe',
  ]) {
    const response = await app.inject({ url: `/api/v1/customers?${query}`, headers: auth });
    assert.equal(response.statusCode, 400, `${query}: ${response.body}`);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/, query);
  }
});

test('when a filter’s value is bad, the problem names the query parameter it came in', async () => {
  const response = await app.inject({
    url: '/api/v1/customers?created_after=yesterday&created_before=2026-13-01',
    headers: auth,
  });
  const problem = assertProblem(response, 400, 'validation_failed');
  assert.deepEqual(
    problem.errors?.map((error) => error.field),
    ['query.created_after', 'query.created_before'],
  );
});

test('when there are no credentials, or a read token writes, the answers are 401 and 403 problems', async () => {
  const anonymous = await app.inject({ url: '/api/v1/customers' });
  assertProblem(anonymous, 401, 'not_authenticated');
  assert.equal(anonymous.headers['www-authenticate'], 'Token');
  const read = { authorization: `Token ${await createTestToken(db, { scope: 'read' })}` };
  assert.equal((await app.inject({ url: '/api/v1/customers', headers: read })).statusCode, 200);
  const write = await app.inject({
    method: 'POST',
    url: '/api/v1/customers',
    headers: { ...read, 'content-type': 'application/json' },
    payload: { name: 'x', phone_number: uniquePhoneNumber() },
  });
  assertProblem(write, 403, 'permission_denied');
});

test('when 1,000 customers are paged through while others are added, none is skipped or repeated, both ways', async () => {
  await db.pool.query('delete from orders; delete from customers');
  await db.pool.query(
    `insert into customers (name, phone_number, created_at)
     select 'Paged ' || n, '+2547' || lpad(n::text, 8, '0'), '2026-01-01'::timestamptz + (n / 3) * interval '1.234567 milliseconds'
     from generate_series(1, 1000) as n`,
  );
  const seen: string[] = [];
  let url: string | null = '/api/v1/customers?limit=37';
  let pages = 0;
  while (url !== null) {
    const page: Page = await list(url);
    seen.push(...page.results.map((customer) => customer.name));
    // Newer than every seeded row: they come after, on later pages.
    await create(`Added ${pages}`);
    pages += 1;
    url = page.next && pathOf(page.next);
  }
  assert.equal(seen.filter((name) => name.startsWith('Paged ')).length, 1000, 'none skipped');
  assert.equal(new Set(seen).size, seen.length, 'none repeated');
  // Each row added while paging is newer than the page it was added after: it is
  // seen on a later page, all but the one added after the last page.
  assert.equal(seen.filter((name) => name.startsWith('Added ')).length, pages - 1);

  // From the last page back with `previous`: the same rows, in the same order.
  let page: Page = await list('/api/v1/customers?limit=50');
  while (page.next !== null) page = await list(pathOf(page.next));
  const backward: string[] = [];
  for (;;) {
    backward.unshift(...page.results.map((customer) => customer.name));
    if (page.previous === null) break;
    page = await list(pathOf(page.previous));
  }
  assert.deepEqual(backward, (await allNames()).slice(0, backward.length));
  assert.equal(backward.length, (await list('/api/v1/customers?count=true')).count);
});

/** Every customer's name, oldest first, read with the largest pages. */
async function allNames(): Promise<string[]> {
  const names: string[] = [];
  let url: string | null = '/api/v1/customers?limit=100';
  while (url !== null) {
    const page: Page = await list(url);
    names.push(...page.results.map((customer) => customer.name));
    url = page.next && pathOf(page.next);
  }
  return names;
}

test('when a cursor is forged, or made for another ordering, it answers 400', async () => {
  const newestFirst = await list('/api/v1/customers?ordering=-created_at&limit=1');
  const cursor = new URL(newestFirst.next!).searchParams.get('cursor')!;
  const other = await app.inject({ url: `/api/v1/customers?cursor=${cursor}`, headers: auth });
  assertProblem(other, 400, 'invalid_cursor');
  const forged = Buffer.from(
    JSON.stringify([
      'created_at',
      '2026-02-31T00:00:00.000000Z',
      '00000000-0000-4000-8000-000000000000',
      'n',
      0,
    ]),
  ).toString('base64url');
  assertProblem(
    await app.inject({ url: `/api/v1/customers?cursor=${forged}`, headers: auth }),
    400,
    'invalid_cursor',
  );
});

test('when customers are searched, q matches part of the name in any case, or the start of the phone number in any notation', async () => {
  const wanjiru = await create('Wanjiru Kamau', '+254 733 100 200');
  await new Promise((resolve) => setTimeout(resolve, 5));
  const other = await create('Kamande Otieno', '+255 733 100 200');
  const names = async (query: string) =>
    (await list(`/api/v1/customers?${query}&limit=100`)).results.map((customer) => customer.id);
  assert.deepEqual(await names('q=NJIRU'), [wanjiru.id]);
  assert.deepEqual(await names(`q=${encodeURIComponent('+254 733 100')}`), [wanjiru.id]);
  assert.deepEqual(await names('q=00254733'), [wanjiru.id]);
  assert.deepEqual(await names(`q=${encodeURIComponent('(255) 733-100')}`), [other.id]);
  assert.deepEqual(await names('q=%25'), [], 'a % is a literal');
  // Times are shown to the millisecond and kept to the microsecond: a millisecond on.
  const after = new Date(Date.parse(wanjiru.created_at) + 1).toISOString();
  assert.deepEqual(await names(`created_after=${after}&q=kam`), [other.id]);
  assert.deepEqual(await names(`created_before=${encodeURIComponent(other.created_at)}&q=kam`), [
    wanjiru.id,
  ]);
  const newest = await list('/api/v1/customers?ordering=-created_at&limit=1&count=true');
  assert.equal(newest.results[0]?.id, other.id);
  assert.ok((newest.count ?? 0) > 2);
  assert.equal((await list('/api/v1/customers?q=kam&count=true')).count, 2);
});
