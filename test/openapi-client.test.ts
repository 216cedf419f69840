// A client generated from openapi.json: the committed types (test/generated/api.ts,
// written by `npm run openapi` with openapi-typescript) are what openapi.json
// generates, and openapi-fetch's createClient<paths>() with them talks to a real
// server over HTTP, checked by tsc as well as at run time.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import createClient from 'openapi-fetch';
import { API_TYPES_FILE, generateApiTypesText } from '../scripts/openapi-types.ts';
import { assertCommittedAsGenerated } from './helpers/generated-files.ts';
import { buildTestApp, createTestToken } from './helpers/build-app.ts';
import { uniquePhoneNumber } from './helpers/factories.ts';
import type { paths } from './generated/api.ts';

const { app, db, auth } = await buildTestApp({ after }, { RATE_LIMIT_API: 'off' });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
assert.ok(address !== null && typeof address === 'object');

const client = createClient<paths>({
  baseUrl: `http://127.0.0.1:${address.port}`,
  headers: { Authorization: auth.authorization },
});

// The types say what each answer holds: these compile only while they do.
type Json<T extends { content: { 'application/json': unknown } }> =
  T['content']['application/json'];
type Customer = Json<paths['/api/v1/customers/{id}']['get']['responses'][200]>;
type Order = Json<paths['/api/v1/orders/{id}']['get']['responses'][200]>;
type NewCustomer = Json<paths['/api/v1/customers']['post']['requestBody']>;
const customerName = (customer: Customer): string => customer.name;
const smsStatus = (order: Order): string | undefined => order.sms?.status;

test('when openapi.json generates other types than the committed ones, this fails: run `npm run openapi`', async () => {
  await assertCommittedAsGenerated(
    API_TYPES_FILE,
    'test/generated/api.ts',
    await generateApiTypesText(),
  );
});

test('when the generated client creates, lists, reads, changes and deletes a customer, each answer is typed and as documented', async () => {
  const phoneNumber = uniquePhoneNumber();
  const created = await client.POST('/api/v1/customers', {
    body: { name: 'Client Wanjiru', phone_number: phoneNumber },
  });
  assert.equal(created.response.status, 201, JSON.stringify(created.error));
  assert.ok(created.data);
  const customer: Customer = created.data;
  assert.equal(customer.phone_number, phoneNumber);
  assert.equal(created.response.headers.get('location'), `/api/v1/customers/${customer.id}`);

  const listed = await client.GET('/api/v1/customers', {
    params: { query: { q: 'client wanjiru', limit: 5, count: true } },
  });
  assert.equal(listed.response.status, 200);
  assert.deepEqual(
    listed.data?.results.map((row) => row.id),
    [customer.id],
  );
  assert.equal(listed.data?.count, 1);
  assert.equal(listed.data?.next, null);

  const read = await client.GET('/api/v1/customers/{id}', {
    params: { path: { id: customer.id } },
  });
  assert.deepEqual(read.data, customer);

  const changed = await client.PATCH('/api/v1/customers/{id}', {
    params: { path: { id: customer.id } },
    body: { name: 'Client W.' },
  });
  assert.equal(changed.response.status, 200);
  assert.ok(changed.data);
  assert.equal(customerName(changed.data), 'Client W.');
  assert.equal(changed.data.phone_number, phoneNumber);

  const deleted = await client.DELETE('/api/v1/customers/{id}', {
    params: { path: { id: customer.id } },
  });
  assert.equal(deleted.response.status, 204);
  assert.equal(deleted.error, undefined);

  const gone = await client.GET('/api/v1/customers/{id}', {
    params: { path: { id: customer.id } },
  });
  assert.equal(gone.response.status, 404);
  assert.equal(gone.data, undefined);
  assert.equal(gone.error?.type, 'urn:customer-orders:problem:customer_not_found');
  assert.equal(gone.error?.status, 404);
});

test('when the generated client creates, lists, reads, changes and deletes an order, each answer is typed and as documented', async () => {
  const customer = await client.POST('/api/v1/customers', {
    body: { name: 'Client Baraka', phone_number: uniquePhoneNumber() },
  });
  assert.ok(customer.data);
  const customerId = customer.data.id;

  const created = await client.POST('/api/v1/orders', {
    body: { customer_id: customerId, item: 'Mandazi, 2 dozen', amount: '1250.5' },
  });
  assert.equal(created.response.status, 201, JSON.stringify(created.error));
  assert.ok(created.data);
  const order: Order = created.data;
  assert.equal(order.amount, '1250.50');
  assert.equal(order.customer.id, customerId);
  assert.equal(smsStatus(order), 'pending');
  assert.equal(created.response.headers.get('location'), `/api/v1/orders/${order.id}`);

  const listed = await client.GET('/api/v1/orders', {
    params: { query: { customer_id: customerId, ordering: '-amount' } },
  });
  assert.equal(listed.response.status, 200);
  assert.deepEqual(
    listed.data?.results.map((row) => row.id),
    [order.id],
  );
  const ofCustomer = await client.GET('/api/v1/customers/{id}/orders', {
    params: { path: { id: customerId } },
  });
  assert.deepEqual(
    ofCustomer.data?.results.map((row) => row.item),
    ['Mandazi, 2 dozen'],
  );

  const read = await client.GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } });
  assert.equal(read.data?.id, order.id);
  assert.equal(read.data?.currency, order.currency);

  const changed = await client.PATCH('/api/v1/orders/{id}', {
    params: { path: { id: order.id } },
    body: { amount: 99.5 },
  });
  assert.equal(changed.response.status, 200, JSON.stringify(changed.error));
  assert.equal(changed.data?.amount, '99.50');
  assert.equal(changed.data?.item, 'Mandazi, 2 dozen');

  const deleted = await client.DELETE('/api/v1/orders/{id}', {
    params: { path: { id: order.id } },
  });
  assert.equal(deleted.response.status, 204);
  const gone = await client.GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } });
  assert.equal(gone.error?.type, 'urn:customer-orders:problem:order_not_found');
  const customerGone = await client.DELETE('/api/v1/customers/{id}', {
    params: { path: { id: customerId } },
  });
  assert.equal(customerGone.response.status, 204);
});

test('when the generated client sends a field the document does not have, tsc refuses it and the server answers 400', async () => {
  const body: NewCustomer = {
    name: 'Client Extra',
    phone_number: uniquePhoneNumber(),
    // @ts-expect-error: `vip` is no field of a customer, and the types know it.
    vip: true,
  };
  const refused = await client.POST('/api/v1/customers', { body });
  assert.equal(refused.response.status, 400);
  assert.equal(refused.error?.type, 'urn:customer-orders:problem:schema_validation');
  assert.deepEqual(new Set(refused.error?.errors?.map((error) => error.field)), new Set(['vip']));
});

test('when the generated client makes a token, the new token works with its own client and is revoked through it', async () => {
  const maker = createClient<paths>({
    baseUrl: `http://127.0.0.1:${address.port}`,
    headers: { Authorization: `Token ${await createTestToken(db, { scope: 'write' })}` },
  });
  const created = await maker.POST('/api/v1/tokens', {
    body: { name: 'generated client', scope: 'read', expires_in: '1h' },
  });
  assert.equal(created.response.status, 201, JSON.stringify(created.error));
  assert.ok(created.data);
  const { id, key, scope } = created.data;
  assert.equal(scope, 'read');

  const reader = createClient<paths>({
    baseUrl: `http://127.0.0.1:${address.port}`,
    headers: { Authorization: `Bearer ${key}` },
  });
  const me = await reader.GET('/api/v1/me');
  assert.equal(me.data?.auth.token_id, id);
  assert.equal(me.data?.auth.scope, 'read');

  const revoked = await maker.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } });
  assert.equal(revoked.response.status, 204);
  const refused = await reader.GET('/api/v1/me');
  assert.equal(refused.response.status, 401);
  assert.equal(refused.error?.type, 'urn:customer-orders:problem:invalid_token');
});
