// Token lookups cached in each process, and revocation that still takes effect at
// once everywhere: by NOTIFY from database triggers to every process's listener, and
// by going to the database whenever that listener is not connected.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { TokenCache } from '../src/auth/token-cache.ts';
import { TOKEN_CHANGES_APPLICATION_NAME } from '../src/auth/token-changes.ts';
import {
  authenticateTokenKey,
  hashTokenKey,
  revokeToken,
  touchToken,
  type TokenIdentity,
} from '../src/auth/tokens.ts';
import type { Database } from '../src/db/client.ts';
import { apiTokens, users } from '../src/db/schema.ts';
import {
  buildAnotherApp,
  buildTestApp,
  createTestToken,
  type TestApp,
} from './helpers/build-app.ts';
import { createTestDatabase } from './helpers/database.ts';
import { runCli, startServer } from './helpers/processes.ts';
import { startTcpProxy } from './helpers/tcp-proxy.ts';
import { waitFor } from './helpers/wait-for.ts';

// Authenticated, and answered without a query of its own (404): what such a request
// costs the database is its token lookup.
const NO_QUERY_URL = '/api/no-such-route/';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function statusOf(app: TestApp, key: string, method: 'GET' | 'POST' = 'GET') {
  const response = await app.inject({
    method,
    url: method === 'GET' ? NO_QUERY_URL : '/api/add-customer/',
    headers: { authorization: `Token ${key}` },
    ...(method === 'POST' ? { payload: {} } : {}),
  });
  return response.statusCode;
}

/** How many times `db`'s pool hands out a connection while `run` runs. */
async function databaseUses(db: Database, run: () => Promise<unknown>): Promise<number> {
  let uses = 0;
  const count = () => (uses += 1);
  db.pool.on('acquire', count);
  try {
    await run();
  } finally {
    db.pool.off('acquire', count);
  }
  return uses;
}

/** Uses the key twice: the first use may look it up, the second must come from the cache. */
async function assertCached(app: TestApp, db: Database, key: string, what = 'the token') {
  assert.equal(await statusOf(app, key), 404, `${what} works`);
  const uses = await databaseUses(db, async () => {
    assert.equal(await statusOf(app, key), 404, `${what} works`);
  });
  assert.equal(uses, 0, `${what} is cached: its second use costs no query`);
}

/**
 * Asks `app` with `key` until it refuses it (401, or 403 for a write by a read token),
 * yielding to I/O in between, and fails if that takes 2 s: far less than the cache's
 * 30 s, so the NOTIFY did it. Within one process the request would otherwise run
 * before the notification, already sent, is read from the listener's socket.
 */
async function assertRefusedSoon(
  app: TestApp,
  key: string,
  what: string,
  method: 'GET' | 'POST' = 'GET',
): Promise<void> {
  const refusal = method === 'GET' ? 401 : 403;
  const started = performance.now();
  for (;;) {
    const status = await statusOf(app, key, method);
    if (status === refusal) return;
    assert.equal(status, method === 'GET' ? 404 : 400, `${what}: accepted until refused`);
    assert.ok(performance.now() - started < 2000, `${what}: still accepted 2 s later`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const hearing = (cache: TokenCache) =>
  waitFor('the app to hear of token changes', 10_000, () => cache.trusted);

/** A harness whose cache the test can watch, once its listener is connected. */
async function cachedApp(t: TestContext) {
  const cache = new TokenCache();
  const harness = await buildTestApp(t, { RATE_LIMIT_API: 'off' }, { tokenCache: cache });
  await hearing(cache);
  return { ...harness, cache };
}

async function sql(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

test('when a cached token is used again, it costs no database query', async (t) => {
  const { app, db, cache } = await cachedApp(t);
  const key = await createTestToken(db, { scope: 'read' });
  await assertCached(app, db, key);
  assert.equal(cache.size, 1);
});

test('when made-up tokens are sent, none of them is cached', async (t) => {
  const { app, cache } = await cachedApp(t);
  for (let index = 0; index < 20; index += 1) {
    assert.equal(await statusOf(app, `co_made-up-${index}`), 401);
  }
  assert.equal(cache.size, 0);
});

test('when a token is revoked through another app instance, this one refuses it at once', async (t) => {
  const first = await cachedApp(t);
  const secondCache = new TokenCache();
  const second = await buildAnotherApp(t, first, { tokenCache: secondCache });
  await hearing(secondCache);
  const key = await createTestToken(first.db, { scope: 'write' });
  await assertCached(first.app, first.db, key, 'the token on the first instance');
  await assertCached(second.app, second.db, key, 'the token on the second instance');

  const [row] = await first.db.orm
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, hashTokenKey(key)));
  assert.ok(row);
  await revokeToken(first.db.orm, row.id);
  // Refused as soon as the notification arrives (a few ms), not when the entry's
  // 30 s are up.
  await assertRefusedSoon(second.app, key, 'refused by the other instance');
  await assertRefusedSoon(first.app, key, 'refused by the one that revoked');
});

test('when a token is changed with plain SQL, every cached lookup of it is dropped at once', async (t) => {
  const { app, db, databaseUrl } = await cachedApp(t);
  const revoked = await createTestToken(db, { scope: 'write' });
  const narrowed = await createTestToken(db, { scope: 'write' });
  const deleted = await createTestToken(db, { scope: 'write' });
  for (const key of [revoked, narrowed, deleted]) await assertCached(app, db, key);
  assert.equal(await statusOf(app, narrowed, 'POST'), 400, 'a write token may write');

  await sql(databaseUrl, 'update api_tokens set revoked_at = now() where token_hash = $1', [
    hashTokenKey(revoked),
  ]);
  await assertRefusedSoon(app, revoked, 'revoked');
  await sql(databaseUrl, "update api_tokens set scope = 'read' where token_hash = $1", [
    hashTokenKey(narrowed),
  ]);
  await assertRefusedSoon(app, narrowed, 'now read-only', 'POST');
  await sql(databaseUrl, 'delete from api_tokens where token_hash = $1', [hashTokenKey(deleted)]);
  await assertRefusedSoon(app, deleted, 'deleted');
});

test('when a token’s user changes or is deleted, the cached lookups of their tokens are dropped at once', async (t) => {
  const { app, db, databaseUrl, cache } = await cachedApp(t);
  const email = `cached-${Date.now()}@example.com`;
  const keys = [
    await createTestToken(db, { scope: 'write', email }),
    await createTestToken(db, { scope: 'read', email }),
  ];
  for (const key of keys) await assertCached(app, db, key);
  assert.equal(cache.size, 2);

  await sql(databaseUrl, "update users set role = 'admin' where email = $1", [email]);
  await waitFor('their lookups to be dropped', 1000, () => cache.size === 0);
  for (const key of keys) {
    const uses = await databaseUses(db, async () => assert.equal(await statusOf(app, key), 404));
    assert.equal(uses, 1, 'looked up again, with the user as they are now');
  }
  await db.orm.delete(users).where(eq(users.email, email));
  for (const key of keys) await assertRefusedSoon(app, key, 'its user is gone');
});

test('when a cached token reaches its expiry, it is refused from that moment', async (t) => {
  const { app, db } = await cachedApp(t);
  const expiresAt = new Date(Date.now() + 3000);
  const key = await createTestToken(db, { scope: 'read', expiresAt });
  await assertCached(app, db, key);
  await sleep(expiresAt.getTime() - Date.now() + 1);
  assert.equal(await statusOf(app, key), 401);
});

test('when the app is not hearing of token changes, every lookup goes to the database, and it starts with an empty cache when it hears again', async (t) => {
  const harness = await buildTestApp(t, { RATE_LIMIT_API: 'off' });
  // Only the listener goes through the proxy: cutting it leaves the pool working, and
  // the listener cannot come back until the test restores it.
  const proxy = await startTcpProxy(t, harness.databaseUrl);
  const cache = new TokenCache();
  const { app, db } = await buildAnotherApp(t, harness, { tokenCache: cache }, proxy.url);
  await hearing(cache);
  const revoked = await createTestToken(db, { scope: 'write' });
  const valid = await createTestToken(db, { scope: 'write' });
  await assertCached(app, db, revoked);
  await assertCached(app, db, valid);

  await proxy.cut();
  await waitFor('the app to notice', 5000, () => !cache.trusted);
  // Revoked while nobody listens: its NOTIFY is lost.
  await sql(harness.databaseUrl, 'update api_tokens set revoked_at = now() where token_hash = $1', [
    hashTokenKey(revoked),
  ]);
  assert.equal(await statusOf(app, revoked), 401, 'refused while not hearing');
  for (let use = 0; use < 2; use += 1) {
    const uses = await databaseUses(db, async () => assert.equal(await statusOf(app, valid), 404));
    assert.equal(uses, 1, 'a valid token is looked up at every use');
  }
  assert.equal(cache.size, 0, 'and nothing is kept');

  await proxy.restore();
  await hearing(cache);
  assert.equal(await statusOf(app, revoked), 401, 'still refused when it hears again');
  await assertCached(app, db, valid, 'the valid token, once it hears again');
});

test('when the listener’s backend is terminated and a token revoked meanwhile, it is refused, and the listener comes back with an empty cache', async (t) => {
  const { app, db, cache, databaseUrl } = await cachedApp(t);
  const revoked = await createTestToken(db, { scope: 'write' });
  const valid = await createTestToken(db, { scope: 'write' });
  await assertCached(app, db, revoked);
  await assertCached(app, db, valid);
  const listenerPids = async () =>
    (
      await sql(
        databaseUrl,
        'select pid from pg_stat_activity where application_name = $1 and datname = current_database()',
        [TOKEN_CHANGES_APPLICATION_NAME],
      )
    ).rows.map((row: { pid: number }) => row.pid);
  const [pid] = await listenerPids();
  assert.ok(pid !== undefined, 'the listener is connected');

  await sql(databaseUrl, 'select pg_terminate_backend($1)', [pid]);
  await sql(databaseUrl, 'update api_tokens set revoked_at = now() where token_hash = $1', [
    hashTokenKey(revoked),
  ]);
  await assertRefusedSoon(app, revoked, 'refused');

  await waitFor('a new listener', 10_000, async () => {
    const pids = await listenerPids();
    return pids.length === 1 && pids[0] !== pid && cache.trusted;
  });
  assert.equal(cache.size, 0, 'it starts afresh');
  assert.equal(await statusOf(app, revoked), 401, 'still refused');
  await assertCached(app, db, valid, 'the valid token, with the new listener');
});

test('when PostgreSQL goes away and comes back, the listener reconnects and the cache is used again', async (t) => {
  const harness = await buildTestApp(t, { RATE_LIMIT_API: 'off' });
  const proxy = await startTcpProxy(t, harness.databaseUrl);
  const cache = new TokenCache();
  // Everything through the proxy: the pool and the listener lose the server together.
  const { app, db } = await buildAnotherApp(
    t,
    { ...harness, databaseUrl: proxy.url },
    { tokenCache: cache },
  );
  await hearing(cache);
  const key = await createTestToken(harness.db, { scope: 'read' });
  await assertCached(app, db, key);

  await proxy.cut();
  await waitFor('the app to notice', 5000, () => !cache.trusted);
  assert.equal(cache.size, 0, 'emptied');
  assert.equal(await statusOf(app, key), 503, 'no database, no token lookup');
  await sleep(1500); // a few failed reconnections
  await proxy.restore();
  await hearing(cache);
  await assertCached(app, db, key, 'the token, after the reconnection');
});

test('when a cached token is used for minutes, last_used_at is still written at most once a minute', async (t) => {
  const { db } = await cachedApp(t);
  const key = await createTestToken(db, { scope: 'read' });
  const cache = new TokenCache({ ttlMs: 10 * 60_000 });
  cache.trust(); // no listener here: this is about last_used_at
  const start = Date.now();
  const use = async (secondsLater: number) => {
    const now = new Date(start + secondsLater * 1000);
    return databaseUses(db, async () => {
      const found = await authenticateTokenKey(db.orm, key, { cache, now });
      assert.ok(found);
      await touchToken(db.orm, found.token, now);
    });
  };
  assert.equal(await use(0), 2, 'looked up, and its use written');
  assert.equal(await use(1), 0);
  assert.equal(await use(59), 0);
  const [atOnce, alsoAtOnce] = await Promise.all([use(61), use(61)]);
  assert.equal((atOnce ?? 0) + (alsoAtOnce ?? 0), 1, 'one write a minute later, not one each');
  const [row] = await db.orm
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, hashTokenKey(key)));
  assert.equal(row?.lastUsedAt?.getTime(), start + 61_000);
});

test('when the cache is full, the least recently used token makes room', () => {
  const cache = new TokenCache({ maxEntries: 3 });
  cache.trust();
  const now = new Date();
  const identity = (expiresAt: Date | null = null) =>
    ({ token: { expiresAt }, user: {} }) as unknown as TokenIdentity;
  for (const hash of ['a', 'b', 'c']) cache.remember(hash, identity(), cache.changesSeen, now);
  assert.ok(cache.get('a', now), 'a is used: b is now the least recent');
  cache.remember('d', identity(), cache.changesSeen, now);
  assert.equal(cache.size, 3);
  assert.equal(cache.get('b', now), undefined);
  assert.ok(cache.get('a', now) && cache.get('c', now) && cache.get('d', now));

  const before = cache.changesSeen;
  cache.forget('unrelated');
  cache.remember('e', identity(), before, now);
  assert.equal(cache.get('e', now), undefined, 'a lookup that a change overtook is not kept');
});

test('when a token is revoked with the CLI, two running servers that had it cached refuse it at once', async (t) => {
  const { db, url } = await createTestDatabase(t);
  // A lookup that is not cached waits for the lock below until this timeout, then 503.
  const env = { DATABASE_URL: url, SMS_WORKER: 'off', DATABASE_STATEMENT_TIMEOUT: '2s' };
  const servers = await Promise.all([startServer(t, env), startServer(t, env)]);
  for (const server of servers) {
    await waitFor('the server to hear of token changes', 10_000, () =>
      server.output().includes('hearing of token changes'),
    );
  }
  const key = await createTestToken(db, { scope: 'read' });
  const status = async (baseUrl: string) =>
    (await fetch(`${baseUrl}${NO_QUERY_URL}`, { headers: { authorization: `Token ${key}` } }))
      .status;
  for (const server of servers) assert.equal(await status(server.baseUrl), 404);

  // With api_tokens locked, only a server that has the token cached can answer.
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  try {
    await locker.query('begin');
    await locker.query('lock table api_tokens in access exclusive mode');
    for (const server of servers) {
      assert.equal(await status(server.baseUrl), 404, 'from its cache');
    }
  } finally {
    await locker.end();
  }

  const [row] = await db.orm
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, hashTokenKey(key)));
  assert.ok(row);
  await runCli(['token', 'revoke', row.id], { DATABASE_URL: url });
  for (const server of servers) assert.equal(await status(server.baseUrl), 401);
});
