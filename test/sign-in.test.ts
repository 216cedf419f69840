// Signing in with OpenID Connect, against a real local provider (oidc-provider) and,
// for what a real provider never does (a forged audience, a wrong nonce…), a fake
// issuer that tampers with its ID tokens. No mock of openid-client anywhere.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { eq } from 'drizzle-orm';
import { createToken } from '../src/auth/tokens.ts';
import { findOrCreateUserByEmail, setUserDisabled } from '../src/auth/users.ts';
import { sessions, users } from '../src/db/schema.ts';
import { safeNextPath } from '../src/auth/oidc.ts';
import { buildTestApp, type TestHarness } from './helpers/build-app.ts';
import { startFakeIssuer, type FakeIssuerOptions } from './helpers/fake-issuer.ts';
import { startTestIdentityProvider, type TestAccount } from './helpers/oidc-provider.ts';

// The app is driven with inject(): this origin only names the redirect URI.
const PUBLIC_URL = 'http://127.0.0.1:8399';
const REDIRECT_URI = `${PUBLIC_URL}/auth/callback`;

interface Issuer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  authorize(url: string): Promise<URL>;
}

async function appFor(t: TestContext, issuer: Issuer, env: Record<string, string> = {}) {
  return buildTestApp(t, {
    PUBLIC_URL,
    OIDC_ISSUER: issuer.issuer,
    OIDC_CLIENT_ID: issuer.clientId,
    OIDC_CLIENT_SECRET: issuer.clientSecret,
    ...env,
  });
}

async function realProvider(t: TestContext, accounts: TestAccount[]): Promise<Issuer> {
  const idp = await startTestIdentityProvider(t, { redirectUris: [REDIRECT_URI], accounts });
  const [first] = accounts;
  return { ...idp, authorize: (url) => idp.authorize(url, { email: first?.email }) };
}

async function fakeIssuer(t: TestContext, options: FakeIssuerOptions = {}): Promise<Issuer> {
  const fake = await startFakeIssuer(t, options);
  return { ...fake, authorize: (url) => fake.authorize(url) };
}

/** /auth/login → the issuer → /auth/callback, as a browser would; returns every step. */
async function signIn(harness: TestHarness, issuer: Issuer, next?: string) {
  const login = await harness.app.inject({
    url: `/auth/login${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`,
  });
  assert.equal(login.statusCode, 302, login.body);
  const loginCookie = login.cookies.find((cookie) => cookie.name === 'co_login');
  assert.ok(loginCookie, 'the state cookie');
  const callbackUrl = await issuer.authorize(String(login.headers.location));
  const callbackPath = `${callbackUrl.pathname}${callbackUrl.search}`;
  const callback = await harness.app.inject({
    url: callbackPath,
    cookies: { co_login: loginCookie.value },
  });
  return { login, loginCookie: loginCookie.value, callbackPath, callback };
}

interface Cookie {
  name: string;
  value: string;
  httpOnly?: boolean;
  sameSite?: string;
}

const sessionCookieOf = (response: { cookies: Cookie[] }) =>
  response.cookies.find((cookie) => cookie.name === 'sessionid' && cookie.value !== '');

function assertRefused(
  response: { statusCode: number; body: string; cookies: { name: string; value: string }[] },
  status: number,
  text: RegExp,
) {
  assert.equal(response.statusCode, status, response.body);
  assert.match(response.body, text);
  assert.equal(sessionCookieOf(response), undefined, 'no session');
}

test('when a verified user signs in, they come back signed in with a session and a CSRF token', async (t) => {
  const issuer = await realProvider(t, [
    { sub: 'sub-ann', email: 'ann@example.com', email_verified: true, name: 'Ann' },
  ]);
  const harness = await appFor(t, issuer);
  const { login, callback } = await signIn(harness, issuer, '/api/get-customers/?page=1');

  const authorizeUrl = new URL(String(login.headers.location));
  assert.equal(authorizeUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(authorizeUrl.searchParams.get('redirect_uri'), REDIRECT_URI);
  assert.ok(authorizeUrl.searchParams.get('state') && authorizeUrl.searchParams.get('nonce'));

  assert.equal(callback.statusCode, 302, callback.body);
  assert.equal(callback.headers.location, '/api/get-customers/?page=1');
  const session = sessionCookieOf(callback);
  assert.ok(session);
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
  const csrf = callback.cookies.find((cookie) => cookie.name === 'csrftoken');
  assert.match(csrf?.value ?? '', /^[a-zA-Z0-9]{32}$/);

  const home = await harness.app.inject({ url: '/', cookies: { sessionid: session.value } });
  assert.match(home.body, /Signed in as <strong>ann@example\.com<\/strong>/);
  const token = await harness.app.inject({
    url: '/api/token/',
    cookies: { sessionid: session.value },
  });
  assert.equal(token.statusCode, 200);

  const [user] = await harness.db.orm
    .select()
    .from(users)
    .where(eq(users.email, 'ann@example.com'));
  assert.equal(user?.issuer, issuer.issuer);
  assert.equal(user?.subject, 'sub-ann');
  assert.equal(user?.name, 'Ann');
});

test('when the same person signs in again, the same user is found and the old session id is replaced', async (t) => {
  const issuer = await realProvider(t, [
    { sub: 'sub-bo', email: 'bo@example.com', email_verified: true },
  ]);
  const harness = await appFor(t, issuer);
  const first = sessionCookieOf((await signIn(harness, issuer)).callback);
  const login = await harness.app.inject({ url: '/auth/login' });
  const callbackUrl = await issuer.authorize(String(login.headers.location));
  const again = await harness.app.inject({
    url: `${callbackUrl.pathname}${callbackUrl.search}`,
    cookies: {
      co_login: login.cookies.find((c) => c.name === 'co_login')?.value ?? '',
      sessionid: first?.value ?? '',
    },
  });
  const second = sessionCookieOf(again);
  assert.ok(first && second && first.value !== second.value);
  assert.equal(
    (await harness.app.inject({ url: '/api/token/', cookies: { sessionid: first.value } }))
      .statusCode,
    401,
  );
  assert.equal(
    (await harness.db.orm.select().from(users).where(eq(users.subject, 'sub-bo'))).length,
    1,
  );
});

test('when a user made by the CLI signs in with the same email, the identity is linked to it', async (t) => {
  const issuer = await realProvider(t, [
    { sub: 'sub-cli', email: 'Clerk@Example.com', email_verified: true },
  ]);
  const harness = await appFor(t, issuer);
  const cliUser = await findOrCreateUserByEmail(harness.db.orm, 'clerk@example.com');
  await signIn(harness, issuer);
  const [linked] = await harness.db.orm.select().from(users).where(eq(users.id, cliUser.id));
  assert.equal(linked?.subject, 'sub-cli');
});

test('when the user is disabled, sign-in is refused with 403', async (t) => {
  const issuer = await realProvider(t, [
    { sub: 'sub-off', email: 'off@example.com', email_verified: true },
  ]);
  const harness = await appFor(t, issuer);
  await findOrCreateUserByEmail(harness.db.orm, 'off@example.com');
  await setUserDisabled(harness.db.orm, 'off@example.com', true);
  assertRefused((await signIn(harness, issuer)).callback, 403, /off@example\.com is disabled/);
});

test('when exactly one email domain is allowed, Google’s hd hint is sent', async (t) => {
  const issuer = await fakeIssuer(t);
  const harness = await appFor(t, issuer, { ALLOWED_EMAIL_DOMAINS: 'example.com' });
  const login = await harness.app.inject({ url: '/auth/login' });
  assert.equal(new URL(String(login.headers.location)).searchParams.get('hd'), 'example.com');
});

test('when the email is not verified, sign-in is refused with 403', async (t) => {
  const issuer = await realProvider(t, [
    { sub: 'sub-u', email: 'u@example.com', email_verified: false },
  ]);
  const { callback } = await signIn(await appFor(t, issuer), issuer);
  assertRefused(callback, 403, /not verified/);
});

test('when the email is outside the allowlists, sign-in is refused with 403', async (t) => {
  const issuer = await realProvider(t, [
    { sub: 'sub-x', email: 'x@elsewhere.org', email_verified: true },
  ]);
  const harness = await appFor(t, issuer, {
    ALLOWED_EMAILS: 'boss@example.com',
    ALLOWED_EMAIL_DOMAINS: 'example.com',
  });
  assertRefused((await signIn(harness, issuer)).callback, 403, /x@elsewhere\.org is not allowed/);
});

test('when the state is forged, missing from the browser, or replayed, it is refused', async (t) => {
  const issuer = await realProvider(t, [
    { sub: 'sub-s', email: 's@example.com', email_verified: true },
  ]);
  const harness = await appFor(t, issuer);
  const login = await harness.app.inject({ url: '/auth/login' });
  const cookie = login.cookies.find((c) => c.name === 'co_login')?.value ?? '';
  const callbackUrl = await issuer.authorize(String(login.headers.location));
  const forged = new URL(callbackUrl);
  forged.searchParams.set('state', 'forged-state');

  assertRefused(
    await harness.app.inject({
      url: `${forged.pathname}${forged.search}`,
      cookies: { co_login: cookie },
    }),
    400,
    /did not start in this browser/,
  );
  assertRefused(
    await harness.app.inject({ url: `${callbackUrl.pathname}${callbackUrl.search}` }),
    400,
    /did not start in this browser/,
  );
  const tamperedCookie = `${cookie.slice(0, -2)}xx`;
  assertRefused(
    await harness.app.inject({
      url: `${callbackUrl.pathname}${callbackUrl.search}`,
      cookies: { co_login: tamperedCookie },
    }),
    400,
    /did not start in this browser/,
  );

  const first = await harness.app.inject({
    url: `${callbackUrl.pathname}${callbackUrl.search}`,
    cookies: { co_login: cookie },
  });
  assert.equal(first.statusCode, 302);
  const replay = await harness.app.inject({
    url: `${callbackUrl.pathname}${callbackUrl.search}`,
    cookies: { co_login: cookie },
  });
  assertRefused(replay, 400, /expired or was already used/);
});

test('when an authorization code is used a second time, it is refused', async (t) => {
  const issuer = await realProvider(t, [
    { sub: 'sub-r', email: 'r@example.com', email_verified: true },
  ]);
  const harness = await appFor(t, issuer);
  const { callbackPath } = await signIn(harness, issuer);
  const usedCode = new URL(callbackPath, PUBLIC_URL).searchParams.get('code') ?? '';
  // A new sign-in in the same browser, answered with the old code.
  const login = await harness.app.inject({ url: '/auth/login' });
  const state = new URL(String(login.headers.location)).searchParams.get('state') ?? '';
  const replay = await harness.app.inject({
    url: `/auth/callback?code=${encodeURIComponent(usedCode)}&state=${encodeURIComponent(state)}&iss=${encodeURIComponent(issuer.issuer)}`,
    cookies: { co_login: login.cookies.find((c) => c.name === 'co_login')?.value ?? '' },
  });
  assertRefused(replay, 400, /could not be verified/);
});

test('when the ID token is not for us, not from the issuer, expired, for another nonce or badly signed, it is refused', async (t) => {
  const cases: [string, FakeIssuerOptions][] = [
    ['another audience', { tamperIdToken: (claims) => ({ ...claims, aud: 'someone-else' }) }],
    ['another issuer', { tamperIdToken: (claims) => ({ ...claims, iss: 'https://evil.example' }) }],
    [
      'expired',
      {
        tamperIdToken: (claims) => ({ ...claims, iat: claims.iat - 7200, exp: claims.iat - 3600 }),
      },
    ],
    ['a wrong nonce', { tamperIdToken: (claims) => ({ ...claims, nonce: 'not-the-nonce' }) }],
    ['an unknown signing key', { signWithUnknownKey: true }],
  ];
  for (const [name, options] of cases) {
    const issuer = await fakeIssuer(t, options);
    const harness = await appFor(t, issuer);
    assertRefused((await signIn(harness, issuer)).callback, 400, /could not be verified/);
    assert.equal((await harness.db.orm.select().from(sessions)).length, 0, name);
  }
  // The fake's untampered tokens do pass, so the refusals above are the checks at work.
  const honest = await fakeIssuer(t);
  assert.equal((await signIn(await appFor(t, honest), honest)).callback.statusCode, 302);
});

test('when the issuer is down, sign-in shows a clear 502 page, at login or at the callback', async (t) => {
  const fake = await startFakeIssuer(t);
  const issuer = { ...fake, authorize: (url: string) => fake.authorize(url) };
  const harness = await appFor(t, issuer);
  const login = await harness.app.inject({ url: '/auth/login' });
  const callbackUrl = await issuer.authorize(String(login.headers.location));
  await fake.stop();
  const callback = await harness.app.inject({
    url: `${callbackUrl.pathname}${callbackUrl.search}`,
    cookies: { co_login: login.cookies.find((c) => c.name === 'co_login')?.value ?? '' },
  });
  assertRefused(callback, 502, /could not be reached/);

  const fresh = await appFor(t, issuer); // no discovery cached
  const started = Date.now();
  assertRefused(await fresh.app.inject({ url: '/auth/login' }), 502, /could not be reached/);
  assert.ok(Date.now() - started < 5000, 'no hang');
});

test('when sign-in is not configured, /auth/login says so', async (t) => {
  const harness = await buildTestApp(t);
  assertRefused(await harness.app.inject({ url: '/auth/login' }), 503, /not configured/);
});

test('when an email already belongs to another identity, sign-in is refused with 409', async (t) => {
  const issuer = await realProvider(t, [
    { sub: 'sub-new', email: 'taken@example.com', email_verified: true },
  ]);
  const harness = await appFor(t, issuer);
  await harness.db.orm
    .insert(users)
    .values({ email: 'taken@example.com', issuer: 'https://other.example', subject: 'old' });
  const user = await findOrCreateUserByEmail(harness.db.orm, 'taken@example.com');
  await createToken(harness.db.orm, { userId: user.id, name: 'kept', scope: 'write' });
  assertRefused(
    (await signIn(harness, issuer)).callback,
    409,
    /already belongs to another account/,
  );
});

test('when next points off-site, sign-in returns to the home page instead', () => {
  const base = new URL('https://shop.example.com');
  for (const next of [
    'https://evil.example/',
    '//evil.example/x',
    '/\\evil.example',
    '/.//evil.example/x',
    '/..//evil.example',
    '/%2e//evil.example',
    '/a/..//evil.example',
    '/./\\evil.example',
    'javascript:alert(1)',
    'evil',
    undefined,
  ]) {
    assert.equal(safeNextPath(next, base), '/', String(next));
  }
  assert.equal(safeNextPath('/api/get-orders/?page=2#top', base), '/api/get-orders/?page=2#top');
  assert.equal(safeNextPath('/a/../b', base), '/b');
});
