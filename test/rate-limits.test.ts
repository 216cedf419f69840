// Rate limits as an attacker meets them: one quota per principal however the
// credential is spelled, and floods of bad or missing credentials stopped per address
// before they cost a database lookup.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp, createTestToken, type TestHarness } from './helpers/build-app.ts';
import { signedIn } from './helpers/sessions.ts';

async function statuses(harness: TestHarness, headersList: Record<string, string>[]) {
  const answers = [];
  for (const headers of headersList) {
    answers.push((await harness.app.inject({ url: '/api/get-customers/', headers })).statusCode);
  }
  return answers;
}

/** How many times the app takes a connection from its pool while `run` runs. */
async function databaseUses(harness: TestHarness, run: () => Promise<unknown>): Promise<number> {
  let uses = 0;
  const count = () => (uses += 1);
  harness.db.pool.on('acquire', count);
  try {
    await run();
  } finally {
    harness.db.pool.off('acquire', count);
  }
  return uses;
}

test('when one token is sent spelled four ways, the four share one quota', async (t) => {
  const limited = await buildTestApp(t, { RATE_LIMIT_API: '4/1m' });
  const key = await createTestToken(limited.db, { scope: 'read' });
  const spellings = [
    `Token ${key}`,
    `token ${key}`,
    `Bearer ${key}`,
    `Token  ${key}`,
    `Token ${key}`,
  ];
  assert.deepEqual(
    await statuses(
      limited,
      spellings.map((authorization) => ({ authorization })),
    ),
    [200, 200, 200, 200, 429],
  );
});

test('when two sessions of one user call, they share the user’s quota', async (t) => {
  const limited = await buildTestApp(t, { RATE_LIMIT_API: '3/1m' });
  const first = await signedIn(limited, 'quota@example.com');
  const second = await signedIn(limited, 'quota@example.com');
  const other = await signedIn(limited, 'someone-else@example.com');
  assert.deepEqual(
    await statuses(limited, [
      { cookie: first.cookie },
      { cookie: second.cookie },
      { cookie: first.cookie },
      { cookie: second.cookie },
      { cookie: other.cookie },
    ]),
    [200, 200, 200, 429, 200],
  );
});

test('when 30 made-up tokens come from one address, they get 429 without a database lookup each', async (t) => {
  const limited = await buildTestApp(t, { RATE_LIMIT_API: '5/1m' });
  const madeUp = Array.from({ length: 30 }, (_, index) => ({
    authorization: `${index % 2 === 0 ? 'Token' : 'Bearer'} co_made-up-${index}`,
  }));
  let answers: number[] = [];
  const uses = await databaseUses(limited, async () => {
    answers = await statuses(limited, madeUp);
  });
  assert.deepEqual(answers, [...Array(5).fill(401), ...Array(25).fill(429)]);
  assert.equal(uses, 5, 'only the first five looked their token up');

  const throttled = await limited.app.inject({
    url: '/api/get-customers/',
    headers: { authorization: 'Token co_another' },
  });
  assert.equal(throttled.statusCode, 429);
  assert.ok(Number(throttled.headers['retry-after']) > 0);
  assert.match(
    throttled.json().detail,
    /^Request was throttled\. Expected available in \d+ seconds\.$/,
  );
});

test('when made-up session cookies or no credentials flood in, the address is throttled too', async (t) => {
  const limited = await buildTestApp(t, { RATE_LIMIT_API: '3/1m' });
  const answers = await statuses(limited, [
    { cookie: 'sessionid=made-up-1' },
    {},
    { cookie: 'sessionid=made-up-2' },
    { cookie: 'sessionid=made-up-3' },
    {},
  ]);
  assert.deepEqual(answers, [401, 401, 401, 429, 429]);
  assert.equal(
    (await limited.app.inject({ url: '/healthz' })).statusCode,
    200,
    'probes are never limited',
  );
});

test('when an address has failed, a different address is not throttled', async (t) => {
  const limited = await buildTestApp(t, { RATE_LIMIT_API: '1/1m' });
  const from = (remoteAddress: string, authorization: string) =>
    limited.app.inject({ url: '/api/get-customers/', remoteAddress, headers: { authorization } });
  assert.equal((await from('10.0.0.1', 'Token co_bad')).statusCode, 401);
  assert.equal((await from('10.0.0.1', 'Token co_bad')).statusCode, 429);
  assert.equal((await from('10.0.0.2', limited.auth.authorization)).statusCode, 200);
});

test('when RATE_LIMIT_API is off or huge, nothing is throttled', async (t) => {
  for (const setting of ['off', '100000000000/1s']) {
    const unlimited = await buildTestApp(t, { RATE_LIMIT_API: setting });
    const answers = await statuses(unlimited, Array(30).fill({ authorization: 'Token co_bad' }));
    assert.deepEqual(answers, Array(30).fill(401), setting);
  }
});

test('when behind a trusted proxy, the address is the one the proxy saw, not one the client wrote', async (t) => {
  const proxied = await buildTestApp(t, { RATE_LIMIT_API: '5/1m', TRUST_PROXY: 'true' });
  const answers = [];
  for (let index = 0; index < 30; index += 1) {
    const response = await proxied.app.inject({
      url: '/api/get-customers/',
      remoteAddress: '127.0.0.1',
      headers: {
        authorization: `Token co_made-up-${index}`,
        // What an appending proxy sends: the client's own claim, then the address it saw.
        'x-forwarded-for': `10.9.8.${index}, 203.0.113.7`,
      },
    });
    answers.push(response.statusCode);
  }
  assert.deepEqual(answers, [...Array(5).fill(401), ...Array(25).fill(429)]);

  const victim = await proxied.app.inject({
    url: '/api/get-customers/',
    remoteAddress: '127.0.0.1',
    headers: { ...proxied.auth, 'x-forwarded-for': '203.0.113.99' },
  });
  assert.equal(victim.statusCode, 200, 'another client of the proxy is not throttled');
});
