// The resource API's tokens and me: a caller's own tokens, made without ever giving
// more than the caller has, shown once, never listed with their secrets, and revoked
// at once, in this process too.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { TokenCache } from '../src/auth/token-cache.ts';
import { hashTokenKey } from '../src/auth/tokens.ts';
import { apiTokens, sessions } from '../src/db/schema.ts';
import { buildAnotherApp, buildTestApp, createTestToken } from './helpers/build-app.ts';
import { assertProblem } from './helpers/problems.ts';
import { CSRF, signedIn } from './helpers/sessions.ts';
import { startTcpProxy } from './helpers/tcp-proxy.ts';
import { waitFor } from './helpers/wait-for.ts';

const harness = await buildTestApp({ after }, { RATE_LIMIT_API: 'off' });
const { app, db } = harness;

interface V1Token {
  id: string;
  name: string;
  scope: 'read' | 'write';
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}
type NewToken = V1Token & { key: string };

const TOKEN_FIELDS = [
  'created_at',
  'expires_at',
  'id',
  'last_used_at',
  'name',
  'revoked_at',
  'scope',
];
const HOUR = 3_600_000;

let userCounter = 0;

/** The headers of a new token of a user of its own (a new user unless `email` is given). */
async function caller(
  options: { scope?: 'read' | 'write'; expiresAt?: Date; email?: string } = {},
) {
  const email = options.email ?? `v1-tokens-${process.pid}-${++userCounter}@example.com`;
  const key = await createTestToken(db, {
    scope: options.scope ?? 'write',
    email,
    ...(options.expiresAt && { expiresAt: options.expiresAt }),
  });
  return { email, key, headers: { authorization: `Token ${key}` } };
}

async function createToken(headers: Record<string, string>, payload: object) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { ...headers, 'content-type': 'application/json' },
    payload,
  });
}

async function listTokens(headers: Record<string, string>): Promise<V1Token[]> {
  const response = await app.inject({ url: '/api/v1/tokens', headers });
  assert.equal(response.statusCode, 200, response.body);
  return response.json<{ results: V1Token[] }>().results;
}

test('when a token is made, used and revoked, it answers 201 with its key once, works, answers 204, and is refused at once', async () => {
  const maker = await caller();
  const created = await createToken(maker.headers, { name: '  laptop ', scope: 'write' });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.headers['cache-control'], 'no-store');
  const token = created.json<NewToken>();
  assert.equal(created.headers.location, `/api/v1/tokens/${token.id}`);
  assert.equal(token.name, 'laptop');
  assert.equal(token.scope, 'write');
  assert.match(token.key, /^co_[A-Za-z0-9_-]{43}$/);
  assert.equal(token.expires_at, null);
  assert.equal(token.revoked_at, null);

  const own = { authorization: `Token ${token.key}` };
  const me = await app.inject({ url: '/api/v1/me', headers: own });
  assert.equal(me.statusCode, 200, me.body);
  assert.equal(me.json().auth.token_id, token.id);
  assert.equal(me.json().user.email, maker.email);

  const followed = await app.inject({ url: String(created.headers.location), headers: own });
  assert.equal(followed.statusCode, 200);
  assert.notEqual(followed.json<V1Token>().last_used_at, null, 'its use is recorded');
  assert.deepEqual(
    { ...followed.json<V1Token>(), last_used_at: null, key: token.key },
    token,
    'the same token, without its key',
  );
  assert.equal('key' in followed.json<V1Token>(), false);

  const revoked = await app.inject({
    method: 'DELETE',
    url: `/api/v1/tokens/${token.id}`,
    headers: maker.headers,
  });
  assert.equal(revoked.statusCode, 204);
  assert.equal(revoked.body, '');
  assertProblem(await app.inject({ url: '/api/v1/me', headers: own }), 401, 'invalid_token');

  const listed = (await listTokens(maker.headers)).find((row) => row.id === token.id);
  assert.ok(listed?.revoked_at, 'still listed, as revoked');
  const again = await app.inject({
    method: 'DELETE',
    url: `/api/v1/tokens/${token.id}`,
    headers: maker.headers,
  });
  assert.equal(again.statusCode, 204, 'revoking twice is fine');
});

test('when a token revokes itself while this process hears no token changes, the next request is refused all the same', async (t) => {
  // The listener goes through a proxy the test freezes: no notification arrives, yet
  // the cache stays trusted until the heartbeat gives up (5 s and more). Only the
  // route's own eviction can refuse the token now.
  const proxy = await startTcpProxy(t, harness.databaseUrl);
  const cache = new TokenCache();
  const other = await buildAnotherApp(t, harness, { tokenCache: cache }, proxy.url);
  await waitFor('the app to hear of token changes', 10_000, () => cache.trusted);
  const { key } = await caller();
  const headers = { authorization: `Token ${key}` };
  const me = await other.app.inject({ url: '/api/v1/me', headers });
  assert.equal(me.statusCode, 200);
  assert.equal(cache.size, 1, 'the token is cached');

  proxy.freeze();
  const revoked = await other.app.inject({
    method: 'DELETE',
    url: `/api/v1/tokens/${me.json().auth.token_id}`,
    headers,
  });
  assert.equal(revoked.statusCode, 204);
  assert.equal(cache.trusted, true, 'the cache is still trusted');
  assert.equal((await other.app.inject({ url: '/api/v1/me', headers })).statusCode, 401);
  assert.equal(cache.size, 0);
  await proxy.restore();
});

test('when a read token asks for a token, it answers 403 and makes none', async () => {
  const reader = await caller({ scope: 'read' });
  const before = await listTokens(reader.headers);
  for (const scope of ['write', 'read']) {
    assertProblem(
      await createToken(reader.headers, { name: 'wider', scope }),
      403,
      'permission_denied',
    );
  }
  assert.deepEqual(await listTokens(reader.headers), before);
});

test('when an expiring token asks for a token, it may only have one that expires no later', async () => {
  const expiresAt = new Date(Date.now() + 2 * HOUR);
  const expiring = await caller({ expiresAt });
  const later = [
    { name: 'never expires' },
    { name: 'a day', expires_in: '1d' },
    { name: 'a minute later', expires_at: new Date(expiresAt.getTime() + 60_000).toISOString() },
  ];
  for (const payload of later) {
    const problem = assertProblem(
      await createToken(expiring.headers, payload),
      403,
      'permission_denied',
    );
    assert.match(problem.detail, /cannot outlive/);
  }
  const sooner = await createToken(expiring.headers, { name: 'an hour', expires_in: '1h' });
  assert.equal(sooner.statusCode, 201, sooner.body);
  const made = sooner.json<NewToken>();
  assert.ok(Date.parse(made.expires_at!) <= expiresAt.getTime());
  const asLate = await createToken(expiring.headers, {
    name: 'as late',
    scope: 'read',
    expires_at: expiresAt.toISOString(),
  });
  assert.equal(asLate.statusCode, 201, asLate.body);
  assert.equal(asLate.json<NewToken>().expires_at, expiresAt.toISOString());
  assert.equal(asLate.json<NewToken>().scope, 'read');
});

test('when tokens are listed, each shows its fields and never its secret or hash, and only the caller’s own', async () => {
  const mine = await caller();
  const someoneElse = await caller();
  const made = await createToken(mine.headers, { name: 'second', scope: 'read' });
  assert.equal(made.statusCode, 201);
  const { key } = made.json<NewToken>();
  await createToken(someoneElse.headers, { name: 'not mine' });

  const response = await app.inject({ url: '/api/v1/tokens', headers: mine.headers });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['cache-control'], undefined);
  const results = response.json<{ results: V1Token[] }>().results;
  assert.deepEqual(
    results.map((row) => row.name),
    ['test', 'second'],
    'oldest first, only this user’s',
  );
  for (const row of results) assert.deepEqual(Object.keys(row).sort(), TOKEN_FIELDS);
  for (const secret of [mine.key, key, hashTokenKey(mine.key), hashTokenKey(key)]) {
    assert.ok(!response.body.includes(secret), 'no secret and no hash');
  }
  assert.doesNotMatch(response.body, /co_/);
});

test('when a token is another user’s, unknown or not a UUID, reading or revoking it answers 404 and it keeps working', async () => {
  const mine = await caller();
  const theirs = await caller();
  const [theirToken] = await listTokens(theirs.headers);
  assert.ok(theirToken);
  for (const id of [theirToken.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
    for (const method of ['GET', 'DELETE'] as const) {
      assertProblem(
        await app.inject({ method, url: `/api/v1/tokens/${id}`, headers: mine.headers }),
        404,
        'token_not_found',
      );
    }
  }
  const [row] = await db.orm.select().from(apiTokens).where(eq(apiTokens.id, theirToken.id));
  assert.equal(row?.revokedAt, null);
  assert.equal((await app.inject({ url: '/api/v1/me', headers: theirs.headers })).statusCode, 200);
});

test('when the body or query is bad, it answers 400 naming each field and makes no token', async () => {
  const maker = await caller();
  const before = await listTokens(maker.headers);
  const past = new Date(Date.now() - 60_000).toISOString();
  const cases: [object, string, string[]][] = [
    [{}, 'schema_validation', ['name']],
    [{ name: 'x', owner: 'me' }, 'schema_validation', ['owner']],
    [{ name: 'x', scope: 'admin' }, 'schema_validation', ['scope']],
    [{ name: 42 }, 'schema_validation', ['name']],
    [{ name: '   ' }, 'validation_failed', ['name']],
    [{ name: 'x'.repeat(101) }, 'validation_failed', ['name']],
    [{ name: 'x', expires_in: 'a month' }, 'validation_failed', ['expires_in']],
    [{ name: 'x', expires_in: '0d' }, 'validation_failed', ['expires_in']],
    [{ name: 'x', expires_at: 'tomorrow' }, 'validation_failed', ['expires_at']],
    [{ name: 'x', expires_at: past }, 'validation_failed', ['expires_at']],
    [
      { name: 'x', expires_in: '1d', expires_at: '2099-01-01T00:00:00Z' },
      'validation_failed',
      ['expires_at', 'expires_in'],
    ],
  ];
  for (const [payload, kind, fields] of cases) {
    const problem = assertProblem(await createToken(maker.headers, payload), 400, kind);
    const named = (problem as unknown as { errors: { field: string }[] }).errors.map(
      (error) => error.field,
    );
    assert.deepEqual([...new Set(named)].sort(), fields, JSON.stringify(payload));
  }
  assert.deepEqual(await listTokens(maker.headers), before);

  for (const url of ['/api/v1/tokens?limit=5', '/api/v1/me?verbose=true']) {
    const problem = assertProblem(
      await app.inject({ url, headers: maker.headers }),
      400,
      'schema_validation',
    );
    assert.match(JSON.stringify(problem), /"field":"query\./);
  }
});

test('when me is asked with a token, it answers the user and the token’s id, scope and expiry', async () => {
  const expiresAt = new Date(Date.now() + HOUR);
  const reader = await caller({ scope: 'read', expiresAt });
  const response = await app.inject({ url: '/api/v1/me', headers: reader.headers });
  assert.equal(response.statusCode, 200, response.body);
  const [token] = await listTokens(reader.headers);
  assert.deepEqual(response.json(), {
    user: {
      id: response.json().user.id,
      email: reader.email,
      name: null,
      role: 'staff',
    },
    auth: {
      method: 'token',
      scope: 'read',
      token_id: token?.id,
      expires_at: expiresAt.toISOString(),
    },
  });
  assert.ok(!response.body.includes(reader.key));
});

test('when me is asked with a session, it answers the user and when the session expires, never its id', async () => {
  const session = await signedIn(harness, `v1-me-${process.pid}@example.com`);
  const response = await app.inject({ url: '/api/v1/me', headers: { cookie: session.cookie } });
  assert.equal(response.statusCode, 200, response.body);
  const { auth, ...rest } = response.json<{ auth: { expires_at: string } }>();
  assert.deepEqual(rest, {
    user: {
      id: session.userId,
      email: `v1-me-${process.pid}@example.com`,
      name: null,
      role: 'staff',
    },
  });
  const [row] = await db.orm.select().from(sessions).where(eq(sessions.userId, session.userId));
  assert.deepEqual(auth, {
    method: 'session',
    scope: 'write',
    expires_at: row?.expiresAt.toISOString(),
  });
  assert.ok(!response.body.includes(session.id));
});

test('when a session makes, lists and revokes tokens, it needs the CSRF header for the changes', async () => {
  const session = await signedIn(harness, `v1-session-tokens-${process.pid}@example.com`);
  const browser = { cookie: session.cookie, 'x-csrftoken': CSRF, origin: 'http://localhost:80' };
  assertProblem(
    await createToken({ cookie: session.cookie }, { name: 'no csrf' }),
    403,
    'permission_denied',
  );
  const created = await createToken(browser, { name: 'script' });
  assert.equal(created.statusCode, 201, created.body);
  const token = created.json<NewToken>();
  assert.equal(token.scope, 'write');
  assert.equal(token.expires_at, null, 'a session’s user may make a token that never expires');
  assert.deepEqual(
    (await listTokens({ cookie: session.cookie })).map((row) => row.id),
    [token.id],
  );
  const revoked = await app.inject({
    method: 'DELETE',
    url: `/api/v1/tokens/${token.id}`,
    headers: browser,
  });
  assert.equal(revoked.statusCode, 204);
  assertProblem(
    await app.inject({ url: '/api/v1/me', headers: { authorization: `Token ${token.key}` } }),
    401,
    'invalid_token',
  );
});

test('when there are no credentials, me and tokens answer 401', async () => {
  for (const [method, url] of [
    ['GET', '/api/v1/me'],
    ['GET', '/api/v1/tokens'],
    ['POST', '/api/v1/tokens'],
    ['GET', '/api/v1/tokens/00000000-0000-4000-8000-000000000000'],
    ['DELETE', '/api/v1/tokens/00000000-0000-4000-8000-000000000000'],
  ] as const) {
    const response = await app.inject({
      method,
      url,
      ...(method === 'POST' && { payload: { name: 'x' } }),
    });
    assertProblem(response, 401, 'not_authenticated');
  }
});
