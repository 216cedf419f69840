// Sessions and Django-style CSRF, with sessions made directly in the database (the
// sign-in flow that makes them for real is tested in sign-in.test.ts).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { hashSessionId, sweepExpired } from '../src/auth/sessions.ts';
import { sessions } from '../src/db/schema.ts';
import { buildTestApp, type TestHarness } from './helpers/build-app.ts';
import { uniquePhoneNumber } from './helpers/factories.ts';
import { CSRF, signedIn as signedInTo } from './helpers/sessions.ts';

const harness = await buildTestApp({ after });
const { app, db } = harness;
const signedIn = (target: TestHarness = harness, email?: string) => signedInTo(target, email);

const addCustomer = (headers: Record<string, string>, target: TestHarness = harness) =>
  target.app.inject({
    method: 'POST',
    url: '/api/add-customer/',
    headers,
    payload: { name: 'by session', phone_number: uniquePhoneNumber() },
  });

test('when a session cookie comes, reads work and a missing csrftoken cookie is handed out', async () => {
  const { id } = await signedIn();
  const response = await app.inject({
    url: '/api/get-customers/',
    headers: { cookie: `sessionid=${id}` },
  });
  assert.equal(response.statusCode, 200);
  const csrfCookie = response.cookies.find((cookie) => cookie.name === 'csrftoken');
  assert.match(csrfCookie?.value ?? '', /^[a-zA-Z0-9]{32}$/);
  assert.equal(csrfCookie?.httpOnly, undefined, 'scripts must be able to read it');
});

test('when a session POST has no CSRF header, a wrong one or no cookie, it answers 403 with Django’s reason', async () => {
  const { id, cookie } = await signedIn();
  const cases: [Record<string, string>, string][] = [
    [{ cookie }, 'CSRF Failed: CSRF token missing.'],
    [
      { cookie, 'x-csrftoken': 'x'.repeat(32) },
      "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect.",
    ],
    [
      { cookie, 'x-csrftoken': 'short' },
      "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header has incorrect length.",
    ],
    [{ cookie: `sessionid=${id}`, 'x-csrftoken': CSRF }, 'CSRF Failed: CSRF cookie not set.'],
    [
      { cookie, 'x-csrftoken': CSRF, origin: 'http://evil.example' },
      'CSRF Failed: Origin checking failed - http://evil.example does not match any trusted origins.',
    ],
  ];
  for (const [headers, detail] of cases) {
    const response = await addCustomer(headers);
    assert.equal(response.statusCode, 403, detail);
    assert.deepEqual(response.json(), { detail });
  }
});

test('when a session POST echoes the csrftoken cookie in X-CSRFToken, it answers 201', async () => {
  const { cookie } = await signedIn();
  const response = await addCustomer({
    cookie,
    'x-csrftoken': CSRF,
    origin: 'http://localhost:80',
  });
  assert.equal(response.statusCode, 201, response.body);
});

test('when the site is https, a session POST also needs a same-origin Referer or Origin', async (t) => {
  const secure = await buildTestApp(t, { PUBLIC_URL: 'https://shop.example.com' });
  const { cookie } = await signedIn(secure);
  const headers = { cookie, 'x-csrftoken': CSRF, host: 'shop.example.com' };
  const cases: [Record<string, string>, number, string?][] = [
    [{}, 403, 'CSRF Failed: Referer checking failed - no Referer.'],
    [
      { referer: 'https://evil.example/page' },
      403,
      'CSRF Failed: Referer checking failed - https://evil.example does not match any trusted origins.',
    ],
    [
      { referer: 'http://shop.example.com/' },
      403,
      'CSRF Failed: Referer checking failed - Referer is insecure while host is secure.',
    ],
    [{ origin: 'https://evil.example' }, 403],
    [{ referer: 'https://shop.example.com/' }, 201],
    [{ origin: 'https://shop.example.com' }, 201],
  ];
  for (const [extra, status, detail] of cases) {
    const response = await addCustomer({ ...headers, ...extra }, secure);
    assert.equal(response.statusCode, status, JSON.stringify(extra));
    if (detail !== undefined) assert.deepEqual(response.json(), { detail });
  }
});

test('when a request carries a token, it needs no CSRF token, even with a session cookie', async () => {
  const { id } = await signedIn();
  const response = await addCustomer({ ...harness.auth, cookie: `sessionid=${id}` });
  assert.equal(response.statusCode, 201);
});

test('when the session is unknown or expired, it answers 401', async () => {
  const { id } = await signedIn();
  await db.orm
    .update(sessions)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(sessions.idHash, hashSessionId(id)));
  for (const cookie of [`sessionid=${id}`, 'sessionid=not-a-session']) {
    const response = await app.inject({ url: '/api/get-customers/', headers: { cookie } });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], 'Token');
  }
});

test('when a session is used after a while, it is renewed and its cookie follows', async () => {
  const { id } = await signedIn();
  const longAgo = new Date(Date.now() - 3_600_000);
  await db.orm
    .update(sessions)
    .set({ lastSeenAt: longAgo })
    .where(eq(sessions.idHash, hashSessionId(id)));
  const response = await app.inject({
    url: '/api/get-customers/',
    headers: { cookie: `sessionid=${id}` },
  });
  const renewed = response.cookies.find((cookie) => cookie.name === 'sessionid');
  assert.equal(renewed?.value, id);
  assert.equal(renewed?.httpOnly, true);
  assert.equal(renewed?.sameSite, 'Lax');
  const [row] = await db.orm
    .select()
    .from(sessions)
    .where(eq(sessions.idHash, hashSessionId(id)));
  assert.ok(row && row.lastSeenAt > longAgo);
});

test('when the signed-in user asks GET /api/token/, a new write token comes each time and works', async () => {
  const { cookie } = await signedIn();
  const first = await app.inject({
    url: '/api/token/',
    headers: { cookie, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/150.0' },
  });
  const second = await app.inject({ url: '/api/token', headers: { cookie } });
  assert.equal(first.statusCode, 200);
  assert.equal(first.headers['cache-control'], 'no-store', 'a secret must not be cached');
  const { token } = first.json();
  assert.match(token, /^co_/);
  assert.notEqual(second.json().token, token);
  assert.equal((await addCustomer({ authorization: `Token ${token}` })).statusCode, 201);
  assert.equal((await app.inject({ url: '/api/token/' })).statusCode, 401);
});

test('when logging out with the form’s CSRF field, the session ends and the old cookie is refused', async () => {
  const { id, cookie } = await signedIn();
  const refused = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie } });
  assert.equal(refused.statusCode, 403, 'no CSRF token: no logout');
  assert.equal(
    (await app.inject({ url: '/api/get-customers/', headers: { cookie } })).statusCode,
    200,
  );

  const response = await app.inject({
    method: 'POST',
    url: '/auth/logout',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: `csrfmiddlewaretoken=${CSRF}`,
  });
  assert.equal(response.statusCode, 303);
  assert.equal(response.headers.location, '/');
  const cleared = response.cookies.find((c) => c.name === 'sessionid');
  assert.equal(cleared?.value, '');
  const after = await app.inject({
    url: '/api/get-customers/',
    headers: { cookie: `sessionid=${id}` },
  });
  assert.equal(after.statusCode, 401);
});

test('when the home page is opened, it says who is signed in, or how to sign in', async (t) => {
  const anonymous = await app.inject({ url: '/' });
  assert.equal(anonymous.statusCode, 200);
  assert.match(anonymous.headers['content-type'] ?? '', /text\/html/);
  assert.match(anonymous.body, /OIDC_CLIENT_ID/);
  assert.match(anonymous.body, /customer-orders token create/);
  assert.match(String(anonymous.headers['content-security-policy']), /script-src 'self'/);
  assert.equal(anonymous.headers['referrer-policy'], 'same-origin');

  const { cookie } = await signedIn(harness, 'Owner@Example.com');
  const mine = await app.inject({ url: '/', headers: { cookie } });
  assert.match(mine.body, /Signed in as <strong>Owner@Example.com<\/strong>/);
  assert.match(mine.body, new RegExp(`name="csrfmiddlewaretoken" value="${CSRF}"`));

  const configured = await buildTestApp(t, { OIDC_CLIENT_ID: 'id', OIDC_CLIENT_SECRET: 'secret' });
  assert.match((await configured.app.inject({ url: '/' })).body, /Login with Google/);
  const other = await buildTestApp(t, {
    OIDC_CLIENT_ID: 'id',
    OIDC_CLIENT_SECRET: 'secret',
    OIDC_ISSUER: 'https://login.example.org/realms/shop',
  });
  assert.match((await other.app.inject({ url: '/' })).body, /Login with login\.example\.org/);
});

test('when too many requests come, it answers 429 with Retry-After, per user and on sign-in', async (t) => {
  const limited = await buildTestApp(t, { RATE_LIMIT_API: '3/1m', RATE_LIMIT_LOGIN: '2/1m' });
  const statuses = [];
  for (let index = 0; index < 4; index += 1) {
    statuses.push(
      (await limited.app.inject({ url: '/api/get-customers/', headers: limited.auth })).statusCode,
    );
  }
  assert.deepEqual(statuses, [200, 200, 200, 429]);
  const throttled = await limited.app.inject({ url: '/api/get-customers/', headers: limited.auth });
  assert.ok(Number(throttled.headers['retry-after']) > 0);
  assert.match(
    throttled.json().detail,
    /^Request was throttled\. Expected available in \d+ seconds\.$/,
  );

  const logins = [];
  for (let index = 0; index < 3; index += 1)
    logins.push((await limited.app.inject({ url: '/auth/login' })).statusCode);
  assert.equal(logins[2], 429);
});

test('when sessions and sign-ins have expired, the sweep deletes them and keeps the live ones', async () => {
  const live = await signedIn();
  const stale = await signedIn();
  await db.orm
    .update(sessions)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(sessions.idHash, hashSessionId(stale.id)));
  const swept = await sweepExpired(db.orm);
  assert.ok(swept.sessions >= 1);
  const remaining = (await db.orm.select().from(sessions)).map((row) => row.idHash);
  assert.ok(remaining.includes(hashSessionId(live.id)));
  assert.ok(!remaining.includes(hashSessionId(stale.id)));
});

test('when a cross-site form posts to /auth/logout without cookies, no cookie is cleared', async () => {
  const response = await app.inject({ method: 'POST', url: '/auth/logout' });
  assert.equal(response.statusCode, 303);
  assert.equal(response.cookies.length, 0);
});

test('when /api/token/ is asked with HEAD, no token is made', async () => {
  const { cookie } = await signedIn();
  const response = await app.inject({ method: 'HEAD', url: '/api/token/', headers: { cookie } });
  assert.notEqual(response.statusCode, 200);
});
