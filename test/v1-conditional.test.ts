// Conditional requests on the resource API's single resources: ETag on every
// answer, 304 for a current copy (If-None-Match), 412 for a change made from a stale
// one (If-Match), which then changes nothing.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { buildTestApp } from './helpers/build-app.ts';
import { uniquePhoneNumber } from './helpers/factories.ts';

const { app, auth } = await buildTestApp({ after });
const json = { ...auth, 'content-type': 'application/json' };

async function post(url: string, payload: object) {
  const response = await app.inject({ method: 'POST', url, headers: json, payload });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<{ id: string }>();
}

const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ url, headers: { ...auth, ...headers } });

for (const kind of ['customers', 'orders'] as const) {
  test(`when ${kind} are read and changed on condition, the answers are 304, 412 or the change`, async () => {
    const customer = await post('/api/v1/customers', {
      name: 'Conditional',
      phone_number: uniquePhoneNumber(),
    });
    const url =
      kind === 'customers'
        ? `/api/v1/customers/${customer.id}`
        : `/api/v1/orders/${(await post('/api/v1/orders', { customer_id: customer.id, item: 'Tea', amount: '10' })).id}`;
    const change = kind === 'customers' ? { name: 'Changed' } : { item: 'Coffee' };

    const first = await get(url);
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[\w-]+"$/);
    const current = await get(url, { 'if-none-match': etag });
    assert.equal(current.statusCode, 304);
    assert.equal(current.body, '');
    assert.equal(
      (await get(url, { 'if-none-match': `W/${etag}` })).statusCode,
      304,
      'weak comparison',
    );

    const changed = await app.inject({
      method: 'PATCH',
      url,
      headers: { ...json, 'if-match': etag },
      payload: change,
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const newEtag = String(changed.headers.etag);
    assert.notEqual(newEtag, etag);
    assert.equal(
      String((await get(url)).headers.etag),
      newEtag,
      'the PATCH answer carries the new ETag',
    );
    assert.equal(
      (await get(url, { 'if-none-match': etag })).statusCode,
      200,
      'an old copy is not current',
    );

    // From the stale copy: refused, and nothing changes.
    const stale = await app.inject({
      method: 'PATCH',
      url,
      headers: { ...json, 'if-match': etag },
      payload: {
        ...change,
        ...(kind === 'customers' ? { name: 'Lost update' } : { item: 'Lost update' }),
      },
    });
    assert.equal(stale.statusCode, 412, stale.body);
    assert.equal(
      stale.json<{ type: string }>().type,
      'urn:customer-orders:problem:precondition_failed',
    );
    assert.doesNotMatch((await get(url)).body, /Lost update/);
    const deleteUrl = kind === 'customers' ? `${url}?force=true` : url;
    const staleDelete = await app.inject({
      method: 'DELETE',
      url: deleteUrl,
      headers: { ...auth, 'if-match': etag },
    });
    assert.equal(staleDelete.statusCode, 412, staleDelete.body);
    assert.equal((await get(url)).statusCode, 200, 'still there');

    const deleted = await app.inject({
      method: 'DELETE',
      url: deleteUrl,
      headers: { ...auth, 'if-match': newEtag },
    });
    assert.equal(deleted.statusCode, 204, deleted.body);
    assert.equal((await get(url)).statusCode, 404);
  });
}
