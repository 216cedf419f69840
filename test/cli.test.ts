// The `customer-orders` command, run as a user runs it: a child process on a real database.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { users } from '../src/db/schema.ts';
import { adminQuery, databaseUrl as urlOfDatabase } from './helpers/postgres-admin.ts';
import { buildTestApp } from './helpers/build-app.ts';
import { addCustomer, addOrder } from './helpers/factories.ts';
import { runCli } from './helpers/processes.ts';
import { signedIn } from './helpers/sessions.ts';
import { waitFor } from './helpers/wait-for.ts';

const harness = await buildTestApp({ after });
const { app, auth, databaseUrl } = harness;
const cli = (...args: string[]) => runCli(args, { DATABASE_URL: databaseUrl });

const listCustomers = (headers: Record<string, string>) =>
  app.inject({ url: '/api/get-customers/', headers });
const addCustomerWith = (headers: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url: '/api/add-customer/',
    headers,
    payload: { name: 'x', phone_number: '+254701000001' },
  });

test('when the CLI creates a token, it prints it alone on the last line and the API takes it', async () => {
  const { stdout } = await cli(
    'token',
    'create',
    '--email',
    'Clerk@Example.com',
    '--name',
    'laptop',
    '--scope',
    'read',
    '--expires-in',
    '30d',
  );
  const key = stdout.trim().split('\n').at(-1) ?? '';
  assert.match(key, /^co_\S+$/);
  assert.match(stdout, /read scope, expires 20\d\d-/);
  const headers = { authorization: `Token ${key}` };
  assert.equal((await listCustomers(headers)).statusCode, 200);
  assert.equal((await addCustomerWith(headers)).statusCode, 403);

  const listing = (await cli('token', 'list', '--email', 'clerk@example.com')).stdout;
  assert.match(listing, /laptop/);
  assert.doesNotMatch(listing, new RegExp(key.slice(3)));
  const id = /([0-9a-f-]{36}).*laptop/.exec(listing)?.[1];
  assert.ok(id, listing);
  const revoked = await cli('token', 'revoke', id);
  assert.match(revoked.stdout, /revoked/);
  assert.equal((await listCustomers(headers)).statusCode, 401);
});

test('when the CLI disables a user, their session and token are refused at once; enabled, the token works again', async () => {
  const email = `disable-me-${process.pid}@example.com`;
  const session = await signedIn(harness, email);
  const { stdout } = await cli('token', 'create', '--email', email);
  const token = { authorization: `Token ${stdout.trim().split('\n').at(-1) ?? ''}` };
  const browser = { cookie: session.cookie };
  // Both in use, so the token's lookup is in this process's cache.
  assert.equal((await listCustomers(token)).statusCode, 200);
  assert.equal((await listCustomers(browser)).statusCode, 200);

  assert.match((await cli('users', 'disable', email.toUpperCase())).stdout, /is disabled/);
  await waitFor(
    'the token refused',
    5000,
    async () => (await listCustomers(token)).statusCode === 401,
  );
  assert.equal((await listCustomers(browser)).statusCode, 401);
  const listed = JSON.parse((await cli('users', 'list', '--json')).stdout) as {
    email: string;
    disabled_at: string | null;
  }[];
  assert.ok(listed.find((user) => user.email === email)?.disabled_at);

  await cli('users', 'enable', email);
  await waitFor(
    'the token taken again',
    5000,
    async () => (await listCustomers(token)).statusCode === 200,
  );
  // The session ended for good; sign-in makes a new one.
  assert.equal((await listCustomers(browser)).statusCode, 401);

  assert.match((await cli('users', 'role', email, 'admin')).stdout, /is now admin/);
  const [user] = await harness.db.orm.select().from(users).where(eq(users.email, email));
  assert.equal(user?.role, 'admin');
});

test('when the CLI is given bad arguments, it explains and exits 2', async () => {
  for (const args of [
    ['token', 'create'],
    ['token', 'create', '--email', 'a@b.co', '--scope', 'admin'],
    ['token', 'create', '--email', 'a@b.co', '--expires-in', 'soon'],
    ['token', 'revoke', 'not-an-id'],
    ['token', 'revoke', '0b811f4f-7116-4502-93d8-30d8fced278c'],
    ['users', 'disable'],
    ['users', 'disable', 'nobody-here@example.com'],
    ['users', 'role', 'a@b.co', 'owner'],
    ['frobnicate'],
  ]) {
    await assert.rejects(cli(...args), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2, args.join(' '));
      assert.match(error.stderr, /\S/);
      return true;
    });
  }
});

test('when the database is unreachable, it says so in one line and exits 1', async () => {
  for (const args of [['token', 'list'], ['migrate'], ['sms', 'list']]) {
    await assert.rejects(
      runCli(args, { DATABASE_URL: 'postgres://x@127.0.0.1:1/x' }),
      (error: { code: number; stdout: string; stderr: string }) => {
        assert.equal(error.code, 1, args.join(' '));
        assert.equal(error.stdout, '');
        assert.match(
          error.stderr,
          /^customer-orders: cannot use the database at 127\.0\.0\.1:1\/x: [^\n]*ECONNREFUSED[^\n]*\n$/,
        );
        return true;
      },
    );
  }
});

test('when the CLI migrates, it names the migrations it applied, or says none were needed', async (t) => {
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL ?? '';
  const name = `customer_orders_test_empty_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  t.after(() => adminQuery(adminUrl, `drop database if exists ${name} with (force)`));
  const migrate = () => runCli(['migrate'], { DATABASE_URL: urlOfDatabase(adminUrl, name) });

  const journal = JSON.parse(await readFile('migrations/meta/_journal.json', 'utf8')) as {
    entries: { tag: string }[];
  };
  const tags = journal.entries.map((entry) => entry.tag);
  assert.ok(tags.length >= 3 && tags[0] === '0000_init');
  assert.equal(
    (await migrate()).stdout,
    `Applied ${tags.length} migrations: ${tags.join(', ')}.\n`,
  );
  assert.equal((await migrate()).stdout, `Already up to date (${tags.length} migrations).\n`);
});

test('when the CLI lists tokens or SMS messages, it prints aligned columns, or JSON with --json', async () => {
  const email = `lister-${randomBytes(4).toString('hex')}@example.com`;
  await cli('token', 'create', '--email', email, '--name', 'first');
  await cli('token', 'create', '--email', email, '--name', 'a longer name');
  const customer = await addCustomer(app, auth);
  await addOrder(app, auth, customer.id);
  await addOrder(app, auth, customer.id);

  for (const [list, header] of [
    [['token', 'list', '--email', email], 'ID'],
    [['sms', 'list', '--limit', '2'], 'ID'],
  ] as const) {
    const lines = (await cli(...list)).stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.ok(lines[0]?.startsWith(`${header} `), lines[0]);
    assert.doesNotMatch(lines.join('\n'), /\(index\)|'|│|┌/);
    // Every column starts where its header does (headers may hold one space, like LAST USED).
    const starts = [...(lines[0] ?? '').matchAll(/\S+( \S+)*/g)].map((header) => header.index);
    for (const line of lines.slice(1)) {
      for (const start of starts)
        assert.match(line.slice(Math.max(start - 1, 0), start + 1), /^( |)\S$/, line);
    }

    const parsed = JSON.parse((await cli(...list, '--json')).stdout) as { id: string }[];
    assert.equal(parsed.length, 2);
    assert.deepEqual(
      parsed.map((row) => row.id),
      lines.slice(1).map((line) => line.split(' ')[0]),
    );
  }
  const [token] = JSON.parse((await cli('token', 'list', '--email', email, '--json')).stdout);
  assert.equal(token.user, email);
  assert.equal(token.name, 'first');
  assert.equal(token.last_used_at, null);
  assert.match(token.created_at, /^20\d\d-\d\d-\d\dT/);
});
