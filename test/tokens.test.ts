import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { eq } from 'drizzle-orm';
import type { Identity } from '../src/auth/authenticate.ts';
import { checkGrantable, hashTokenKey, revokeToken } from '../src/auth/tokens.ts';
import type { AppError } from '../src/core/errors.ts';
import { apiTokens } from '../src/db/schema.ts';
import { buildTestApp, createTestToken } from './helpers/build-app.ts';
import { waitFor } from './helpers/wait-for.ts';

const { app, db } = await buildTestApp({ after });

const listCustomers = (headers: Record<string, string>) =>
  app.inject({ url: '/api/get-customers/', headers });
const addCustomer = (headers: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url: '/api/add-customer/',
    headers,
    payload: { name: 'x', phone_number: '+254701000001' },
  });

test('when no credentials come, every API route answers 401 with WWW-Authenticate: Token', async () => {
  for (const [method, url] of [
    ['GET', '/api/get-customers/'],
    ['GET', '/api/view-customer/0b811f4f-7116-4502-93d8-30d8fced278c'],
    ['POST', '/api/add-customer/'],
    ['PUT', '/api/update-order/0b811f4f-7116-4502-93d8-30d8fced278c/'],
    ['DELETE', '/api/delete-order/0b811f4f-7116-4502-93d8-30d8fced278c/'],
    ['GET', '/api/view-order/'],
    ['GET', '/no/such/route'],
  ] as const) {
    const response = await app.inject({ method, url });
    assert.equal(response.statusCode, 401, `${method} ${url}`);
    assert.equal(response.headers['www-authenticate'], 'Token');
    assert.deepEqual(response.json(), { detail: 'Authentication credentials were not provided.' });
  }
});

test('when the health routes are called without credentials, they answer 200', async () => {
  for (const url of ['/healthz', '/readyz']) {
    const response = await app.inject({ url });
    assert.equal(response.statusCode, 200, url);
    assert.deepEqual(response.json(), { status: 'ok' });
  }
});

test('when a token is sent as "Token <key>" or "Bearer <key>", it is accepted', async () => {
  const key = await createTestToken(db, { scope: 'write' });
  assert.equal((await listCustomers({ authorization: `Token ${key}` })).statusCode, 200);
  assert.equal((await listCustomers({ authorization: `Bearer ${key}` })).statusCode, 200);
  assert.equal((await listCustomers({ authorization: `bearer   ${key}  ` })).statusCode, 200);
});

test('when the token is wrong or the header malformed, it answers 401 with DRF’s words', async () => {
  const cases: [string, string][] = [
    ['Token co_not-a-real-token', 'Invalid token.'],
    ['Token', 'Invalid token header. No credentials provided.'],
    ['Token a b', 'Invalid token header. Token string should not contain spaces.'],
    ['Basic dXNlcjpwYXNz', 'Authentication credentials were not provided.'],
  ];
  for (const [authorization, detail] of cases) {
    const response = await listCustomers({ authorization });
    assert.equal(response.statusCode, 401, authorization);
    assert.equal(response.headers['www-authenticate'], 'Token');
    assert.deepEqual(response.json(), { detail });
  }
});

test('when a read token is used, it may read but every unsafe method gets 403', async () => {
  const key = await createTestToken(db, { scope: 'read' });
  const headers = { authorization: `Token ${key}` };
  assert.equal((await listCustomers(headers)).statusCode, 200);
  const refused = await addCustomer(headers);
  assert.equal(refused.statusCode, 403);
  assert.match(refused.json().detail, /permission/);
  for (const method of ['PUT', 'DELETE'] as const) {
    const response = await app.inject({
      method,
      url: '/api/update-customer/0b811f4f-7116-4502-93d8-30d8fced278c/',
      headers,
    });
    assert.equal(response.statusCode, 403, method);
  }
});

test('when a token has expired, it answers 401', async () => {
  const key = await createTestToken(db, { scope: 'write', expiresAt: new Date(Date.now() - 1000) });
  const response = await listCustomers({ authorization: `Token ${key}` });
  assert.equal(response.statusCode, 401);
  assert.deepEqual(response.json(), { detail: 'Invalid token.' });
});

test('when a token is revoked, it stops working at once', async () => {
  const key = await createTestToken(db, { scope: 'write' });
  assert.equal((await listCustomers({ authorization: `Token ${key}` })).statusCode, 200);
  const [row] = await db.orm
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, hashTokenKey(key)));
  assert.ok(row);
  await revokeToken(db.orm, row.id);
  // At once: when the revocation's NOTIFY reaches the app (a few ms, token-cache.test.ts),
  // not when its cached lookup expires (30 s). A request made in this same process
  // without letting I/O in first would run before the notification is read.
  await waitFor('the token to be refused', 2000, async () => {
    const response = await listCustomers({ authorization: `Token ${key}` });
    return response.statusCode === 401;
  });
});

test('when a token is stored, only its SHA-256 is kept, and its use is recorded', async () => {
  const key = await createTestToken(db, { scope: 'read' });
  assert.match(key, /^co_[A-Za-z0-9_-]{43}$/, '32 random bytes');
  await listCustomers({ authorization: `Token ${key}` });
  const rows = await db.orm.select().from(apiTokens);
  assert.ok(!JSON.stringify(rows).includes(key.slice(3)), 'the key is stored nowhere');
  const row = rows.find((candidate) => candidate.tokenHash === hashTokenKey(key));
  assert.ok(row?.lastUsedAt instanceof Date);
});
test('when a token asks GET /api/token/, it is refused: only a browser session may mint tokens there', async () => {
  const before = await db.orm.select().from(apiTokens);
  for (const options of [
    { scope: 'read' as const },
    { scope: 'write' as const },
    { scope: 'read' as const, expiresAt: new Date(Date.now() + 60_000) },
  ]) {
    const key = await createTestToken(db, options);
    const response = await app.inject({
      url: '/api/token/',
      headers: { authorization: `Token ${key}` },
    });
    assert.equal(response.statusCode, 403, JSON.stringify(options));
    assert.deepEqual(response.json(), {
      detail:
        'Tokens are handed out here only to a signed-in browser session; an API token cannot make tokens.',
    });
  }
  const after = await db.orm.select().from(apiTokens);
  assert.equal(after.length, before.length + 3, 'only the three test tokens were made');
});

test('when a caller makes a token, it can never grant more scope or a later expiry than it has', () => {
  const user = { id: 'u' } as Identity['user'];
  const soon = new Date(Date.now() + 60_000);
  const later = new Date(Date.now() + 3_600_000);
  const readToken: Identity = {
    method: 'token',
    user,
    scope: 'read',
    tokenId: 't',
    expiresAt: soon,
  };
  const writeToken: Identity = {
    method: 'token',
    user,
    scope: 'write',
    tokenId: 't',
    expiresAt: null,
  };
  const session: Identity = {
    method: 'session',
    user,
    scope: 'write',
    sessionId: 's',
    sessionExpiresAt: new Date(Date.now() + 60_000),
  };

  const refused = (caller: Identity, scope: 'read' | 'write', expiresAt: Date | undefined) =>
    assert.throws(
      () => checkGrantable(caller, { scope, expiresAt }),
      (error: AppError) => error.statusCode === 403,
    );
  refused(readToken, 'write', soon);
  refused(readToken, 'read', later);
  refused(readToken, 'read', undefined);
  checkGrantable(readToken, { scope: 'read', expiresAt: soon });
  checkGrantable(writeToken, { scope: 'read', expiresAt: later });
  checkGrantable(writeToken, { scope: 'write', expiresAt: undefined });
  checkGrantable(session, { scope: 'write', expiresAt: undefined });
});
