// The API tokens page over HTTP, as a browser without JavaScript uses it: the list
// (never a secret in it), making a token (its secret shown once, in the POST's
// answer only), every kind of bad input, revoking, CSRF, and another user's token.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { createToken, listUserTokens } from '../src/auth/tokens.ts';
import { findOrCreateUserByEmail } from '../src/auth/users.ts';
import { buildTestApp } from './helpers/build-app.ts';
import { getPage, postForm, textOf } from './helpers/pages.ts';
import { CSRF, signedIn } from './helpers/sessions.ts';

const harness = await buildTestApp({ after });
const { app, db } = harness;

/** A user of the test's own, signed in, and what their tokens are. */
async function someone() {
  const session = await signedIn(harness, `tokens-${randomUUID()}@example.com`);
  return { ...session, tokens: () => listUserTokens(db.orm, session.userId) };
}

const SECRET = /co_[A-Za-z0-9_-]{43}/;
const DAY_MS = 86_400_000;

test('when no one is signed in, the tokens page and its forms send them to sign in', async (t) => {
  const withSignIn = await buildTestApp(t, { OIDC_CLIENT_ID: 'id', OIDC_CLIENT_SECRET: 'secret' });
  const page = await getPage(withSignIn.app, '/tokens');
  assert.equal(page.statusCode, 303);
  assert.equal(page.headers.location, `/auth/login?next=${encodeURIComponent('/tokens')}`);
  const byToken = await getPage(withSignIn.app, '/tokens', undefined, withSignIn.auth);
  assert.equal(byToken.statusCode, 303, 'an API token signs no one in to the pages');
  const post = await postForm(withSignIn.app, '/tokens', undefined, { name: 'x' });
  assert.equal(post.statusCode, 303);
  const revoke = await postForm(withSignIn.app, `/tokens/${randomUUID()}/revoke`, undefined, {});
  assert.equal(revoke.statusCode, 303);
});

test('when someone has no tokens, the page says so and how to make one', async () => {
  const me = await someone();
  const page = await getPage(app, '/tokens', me.cookie);
  assert.equal(page.statusCode, 200);
  assert.equal(page.headers['cache-control'], 'no-store');
  const text = textOf(page.body);
  assert.match(text, /No tokens yet: make one to use the API from scripts/);
  assert.match(page.body, /aria-current="page"\s*>API tokens</);
  assert.match(page.body, /<label for="field-name">Name<\/label>/);
  assert.match(page.body, new RegExp(`name="csrfmiddlewaretoken" value="${CSRF}"`));
});

test('when a token is made, the answer shows its secret once, and no later page shows it', async () => {
  const me = await someone();
  const made = await postForm(app, '/tokens', me.cookie, {
    name: '  stock sync  ',
    scope: 'read',
    expiry: '30d',
  });
  assert.equal(made.statusCode, 201, made.body);
  assert.equal(made.headers['cache-control'], 'no-store');
  assert.equal(made.headers.location, undefined, 'no redirect: the secret is in this answer');
  assert.equal(
    made.cookies.find((cookie) => cookie.name === 'co_flash'),
    undefined,
    'never in a cookie',
  );
  const key = SECRET.exec(made.body)?.[0];
  assert.ok(key, 'the secret is on the page');
  assert.match(made.body, new RegExp(`<input id="new-token-key" value="${key}" readonly`));
  assert.match(
    textOf(made.body),
    new RegExp(`curl http://localhost:\\d+/api/v1/me -H &#34;Authorization: Token ${key}&#34;`),
  );
  assert.match(made.body, /data-copy="new-token-key"/);
  assert.match(textOf(made.body), /Token “stock sync” made\. Copy its secret now/);

  const [token] = await me.tokens();
  assert.equal(token?.name, 'stock sync');
  assert.equal(token?.scope, 'read');
  const expiresIn = (token?.expiresAt?.getTime() ?? 0) - Date.now();
  assert.ok(Math.abs(expiresIn - 30 * DAY_MS) < 60_000, 'expires in 30 days');

  // The key works, as the v1 API's own tokens do.
  const me1 = await app.inject({ url: '/api/v1/me', headers: { authorization: `Token ${key}` } });
  assert.equal(me1.statusCode, 200);
  assert.equal(me1.json<{ auth: { token_id: string } }>().auth.token_id, token?.id);

  const list = await getPage(app, '/tokens', me.cookie);
  assert.equal(list.statusCode, 200);
  assert.ok(!list.body.includes(key), 'the list never shows a secret');
  assert.doesNotMatch(list.body, SECRET);
  const text = textOf(list.body);
  assert.match(
    text,
    /stock sync Read \d[^|]* UTC \d[^|]* UTC \d[^|]* UTC active/,
    'created, last used (just now) and expiry',
  );
});

test('when the expiry is a choice, it is the service’s: never, 90 days, or a date (00:00 UTC)', async () => {
  const me = await someone();
  const tomorrow = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10);
  const answers = [
    await postForm(app, '/tokens', me.cookie, { name: 'forever', scope: 'write' }),
    await postForm(app, '/tokens', me.cookie, { name: 'quarter', scope: 'write', expiry: '90d' }),
    await postForm(app, '/tokens', me.cookie, {
      name: 'dated',
      expiry: 'date',
      expires_at: tomorrow,
    }),
  ];
  assert.deepEqual(
    answers.map((answer) => answer.statusCode),
    [201, 201, 201],
  );
  const tokens = await me.tokens();
  assert.deepEqual(
    tokens.map((token) => [token.name, token.scope]),
    [
      ['forever', 'write'],
      ['quarter', 'write'],
      ['dated', 'read'],
    ],
  );
  assert.equal(tokens[0]?.expiresAt, null);
  assert.ok(Math.abs((tokens[1]?.expiresAt?.getTime() ?? 0) - Date.now() - 90 * DAY_MS) < 60_000);
  assert.equal(tokens[2]?.expiresAt?.toISOString(), `${tomorrow}T00:00:00.000Z`);
});

test('when the form has bad input, it comes back (400) with the message by the field, and no token is made', async () => {
  const me = await someone();
  const yesterday = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
  const today = new Date().toISOString().slice(0, 10);
  const cases: { fields: Record<string, string>; field: string; message: string }[] = [
    { fields: { name: '' }, field: 'name', message: 'This field may not be blank.' },
    { fields: { name: '   ' }, field: 'name', message: 'This field may not be blank.' },
    {
      fields: { name: 'x'.repeat(101) },
      field: 'name',
      message: 'Ensure this field has no more than 100 characters.',
    },
    {
      fields: { name: 'old', expiry: 'date', expires_at: yesterday },
      field: 'expires_at',
      message: 'Must be in the future.',
    },
    {
      fields: { name: 'today', expiry: 'date', expires_at: today },
      field: 'expires_at',
      message: 'Must be in the future.',
    },
    {
      fields: { name: 'no date', expiry: 'date', expires_at: '' },
      field: 'expires_at',
      message: 'Enter a date',
    },
    {
      fields: { name: 'odd', expiry: 'tomorrow' },
      field: 'expiry',
      message: 'Choose when it expires.',
    },
    { fields: { name: 'odd', scope: 'admin' }, field: 'scope', message: 'Choose read or write.' },
  ];
  for (const { fields, field, message } of cases) {
    const answer = await postForm(app, '/tokens', me.cookie, fields);
    assert.equal(answer.statusCode, 400, JSON.stringify(fields));
    assert.equal(answer.headers['cache-control'], 'no-store');
    assert.match(answer.body, /<title>Error: API tokens/);
    assert.match(answer.body, /<div class="error-summary" role="alert"/);
    const byField = new RegExp(
      `id="field-${field}-error"[^>]*>\\s*[^<]*${message.replace(/[.]/g, '\\.')}`,
    );
    if (field === 'expiry') {
      assert.match(answer.body, new RegExp(`<p class="field-error">${message}`), field);
    } else {
      assert.match(answer.body, byField, `${field}: ${message}`);
    }
    assert.doesNotMatch(answer.body, SECRET, 'no secret on a refused form');
    if (fields.name !== undefined && fields.name.trim() !== '' && fields.name.length <= 100) {
      assert.match(
        answer.body,
        new RegExp(`id="field-name"\\s+name="name"\\s+type="text"\\s+value="${fields.name}"`),
        'what was typed is kept',
      );
    }
  }
  assert.deepEqual(await me.tokens(), [], 'nothing made');
});

test('when the form comes without the CSRF token, or with a wrong one, it is refused and nothing changes', async () => {
  const me = await someone();
  const missing = await postForm(app, '/tokens', me.cookie, { name: 'x' }, { csrf: false });
  assert.equal(missing.statusCode, 403);
  assert.match(missing.body, /<h1>This form has expired<\/h1>/);
  const wrong = await postForm(app, '/tokens', me.cookie.replace(CSRF, CSRF.toLowerCase()), {
    name: 'x',
  });
  assert.equal(wrong.statusCode, 403);
  assert.deepEqual(await me.tokens(), []);

  const { token } = await createToken(db.orm, { userId: me.userId, name: 'kept', scope: 'read' });
  const revoke = await postForm(app, `/tokens/${token.id}/revoke`, me.cookie, {}, { csrf: false });
  assert.equal(revoke.statusCode, 403);
  assert.equal((await me.tokens())[0]?.revokedAt, null, 'not revoked');
});

test('when a token is revoked, it redirects with a message, the list says so and the key is refused at once', async () => {
  const me = await someone();
  const { token, key } = await createToken(db.orm, {
    userId: me.userId,
    name: 'laptop',
    scope: 'write',
  });
  const auth = { authorization: `Token ${key}` };
  assert.equal((await app.inject({ url: '/api/v1/me', headers: auth })).statusCode, 200);

  const listed = await getPage(app, '/tokens', me.cookie);
  assert.match(listed.body, new RegExp(`action="/tokens/${token.id}/revoke"`));
  assert.match(textOf(listed.body), /Revoke token “laptop”/);

  const revoked = await postForm(app, `/tokens/${token.id}/revoke`, me.cookie, {});
  assert.equal(revoked.statusCode, 303);
  assert.equal(revoked.headers.location, '/tokens');
  const flash = revoked.cookies.find((cookie) => cookie.name === 'co_flash');
  assert.ok(flash);
  assert.equal((await app.inject({ url: '/api/v1/me', headers: auth })).statusCode, 401);

  const page = await getPage(app, '/tokens', `${me.cookie}; co_flash=${flash.value}`);
  assert.match(
    page.body,
    /<p class="flash" role="status">Token “laptop” revoked: it no longer works.<\/p>/,
  );
  assert.match(textOf(page.body), /laptop .* revoked/);
  assert.doesNotMatch(
    page.body,
    new RegExp(`action="/tokens/${token.id}/revoke"`),
    'no second revoke button',
  );

  const again = await postForm(app, `/tokens/${token.id}/revoke`, me.cookie, {});
  assert.equal(again.statusCode, 303, 'revoking twice is fine');
});

test('when someone revokes another user’s token, or one that does not exist, it is a 404 page and nothing changes', async () => {
  const me = await someone();
  const other = await findOrCreateUserByEmail(db.orm, `other-${randomUUID()}@example.com`);
  const { token, key } = await createToken(db.orm, {
    userId: other.id,
    name: 'theirs',
    scope: 'write',
  });
  for (const id of [token.id, randomUUID(), 'not-a-uuid']) {
    const answer = await postForm(app, `/tokens/${id}/revoke`, me.cookie, {});
    assert.equal(answer.statusCode, 404, id);
    assert.match(answer.body, /<h1>Page not found<\/h1>/);
    assert.match(textOf(answer.body), /You have no token with this id/);
  }
  const theirs = await listUserTokens(db.orm, other.id);
  assert.equal(theirs[0]?.revokedAt, null);
  const mine = await getPage(app, '/tokens', me.cookie);
  assert.doesNotMatch(mine.body, /theirs/, 'another user’s tokens are not listed');
  const stillWorks = await app.inject({
    url: '/api/v1/me',
    headers: { authorization: `Token ${key}` },
  });
  assert.equal(stillWorks.statusCode, 200);
});

test('when a token has expired, the list says so and offers to revoke it still', async () => {
  const me = await someone();
  const { token } = await createToken(db.orm, {
    userId: me.userId,
    name: 'old one',
    scope: 'read',
    expiresAt: new Date(Date.now() + 1000),
  });
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const page = await getPage(app, '/tokens', me.cookie);
  assert.match(textOf(page.body), /old one .* expired/);
  assert.match(page.body, new RegExp(`action="/tokens/${token.id}/revoke"`));
});
