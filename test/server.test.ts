// The server as `npm start` runs it: a child process, real signals.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from '../src/db/free-port.ts';
import { createTestDatabase } from './helpers/database.ts';
import { runCli, startServer, startWorker } from './helpers/processes.ts';

test('when Node.js is older than 24, npm start, npm test and the CLI each say so in one line', (t) => {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as {
    scripts: Record<string, string>;
  };
  // A real old Node.js when the machine has one (Debian's is 20): it shows the check
  // runs before any .ts file loads. Else this one, claiming to be 20.
  const oldNode = findOldNode();
  const env = oldNode
    ? { ...process.env, PATH: `${path.dirname(oldNode)}:${process.env.PATH}` }
    : {
        ...process.env,
        NODE_OPTIONS:
          "--import=data:text/javascript,Object.defineProperty(process.versions,'node',{value:'20.0.0'})",
      };
  t.diagnostic(oldNode ? `old Node.js: ${oldNode}` : 'no old Node.js here: faking 20.0.0');
  for (const command of [scripts.start, scripts.test, 'node bin/customer-orders.js token list']) {
    const result = spawnSync('sh', ['-c', command ?? 'false'], {
      env,
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 1, command);
    assert.match(
      result.stderr,
      /^customer-orders needs Node\.js 24 or newer \(this is 20\.[^\n]*nodejs\.org[^\n]*\n$/,
      command,
    );
  }
});

/** A `node` older than 24 on this machine, if any. */
function findOldNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate)) continue;
    const major = Number(
      execFileSync(candidate, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }),
    );
    if (major < 24) return candidate;
  }
  return undefined;
}

test('when a variable is invalid, it exits 1 with one line naming it', () => {
  for (const [name, value] of [
    ['PORT', 'eighty'],
    ['PUBLIC_URL', 'not a url'],
    ['OIDC_ISSUER', 'http://accounts.example.com'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://localhost/db'],
  ] as const) {
    const result = spawnSync(process.execPath, ['src/server.ts'], {
      env: { ...process.env, [name]: value },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 1, name);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? '', new RegExp(`configuration error: ${name}`));
  }
});

test('when SIGTERM arrives during a request, the request finishes and the process exits 0', async (t) => {
  const { url } = await createTestDatabase(t);
  const server = await startServer(t, { DATABASE_URL: url });
  const { stdout } = await runCli(['token', 'create', '--email', 'ops@example.com'], {
    DATABASE_URL: url,
  });
  const key = stdout.trim().split('\n').at(-1);

  // Hold a lock so the next list request waits inside the server.
  const blocker = new pg.Client({ connectionString: url });
  await blocker.connect();
  blocker.on('error', () => {}); // the database is dropped (with force) after the test
  t.after(() => blocker.end());
  await blocker.query('begin; lock table customers in access exclusive mode');
  const inFlight = fetch(`${server.baseUrl}/api/get-customers/`, {
    headers: { authorization: `Token ${key}` },
  });
  await new Promise((resolve) => setTimeout(resolve, 300));

  const exitCode = server.stop('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  await blocker.query('commit');

  const response = await inFlight;
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { count: number }).count, 0);
  assert.equal(await exitCode, 0, server.output());
  assert.match(server.output(), /shutting down/);
});

test('when DATABASE_URL is unset, it runs its own PostgreSQL, shares it with the CLI and stops it on exit', async (t) => {
  const dataDir = await embeddedDataDir(t);
  const env = { DATABASE_URL: '', DATA_DIR: dataDir };

  const first = await startServer(t, env);
  // The CLI joins the running server's database rather than starting another.
  const { stdout } = await runCli(['token', 'create', '--email', 'owner@example.com'], env);
  const key = stdout.trim().split('\n').at(-1);
  const headers = { authorization: `Token ${key}`, 'content-type': 'application/json' };
  const created = await fetch(`${first.baseUrl}/api/add-customer/`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'kept', phone_number: '+254701036054' }),
  });
  assert.equal(created.status, 201);
  assert.equal(await first.stop('SIGTERM'), 0);
  assert.equal(postgresRunningIn(dataDir), false, 'the embedded server stopped with the app');

  // A second start reuses the cluster: the data and the token are still there.
  const second = await startServer(t, env);
  const listed = await fetch(`${second.baseUrl}/api/get-customers/`, { headers });
  assert.equal(listed.status, 200);
  assert.deepEqual(
    ((await listed.json()) as { results: { name: string }[] }).results.map((c) => c.name),
    ['kept'],
  );

  // A crash (SIGKILL) leaves PostgreSQL running with no owner; the next start adopts
  // it, and stops it when it exits.
  assert.equal(await second.stop('SIGKILL'), null);
  assert.equal(postgresRunningIn(dataDir), true);
  const third = await startServer(t, env);
  assert.equal((await fetch(`${third.baseUrl}/readyz`)).status, 200);
  assert.equal(await third.stop('SIGTERM'), 0);
  assert.equal(postgresRunningIn(dataDir), false, 'the adopted server stopped with the app');
});

test('when the CLI started the embedded PostgreSQL and a server joined it, the CLI leaving does not stop it', async (t) => {
  const dataDir = await embeddedDataDir(t);
  const env = { DATABASE_URL: '', DATA_DIR: dataDir };
  const worker = await startWorker(t, env); // starts the embedded server
  const server = await startServer(t, env); // joins it
  assert.equal(await worker.stop('SIGTERM'), 0);
  assert.equal(postgresRunningIn(dataDir), true, 'still used by the server');
  assert.equal((await fetch(`${server.baseUrl}/readyz`)).status, 200);
  assert.equal(await server.stop('SIGTERM'), 0);
  assert.equal(postgresRunningIn(dataDir), false, 'the last user stopped it');
});

test('when the port is taken, it exits 1 and stops the PostgreSQL it started', async (t) => {
  const dataDir = await embeddedDataDir(t);
  const blocker = createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.after(() => blocker.close());
  const { port } = blocker.address() as AddressInfo;
  const result = spawnSync(process.execPath, ['src/server.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /EADDRINUSE/);
  assert.equal(postgresRunningIn(dataDir), false);
});

test('when the server exits before a slow request ends, it stops its PostgreSQL all the same', async (t) => {
  const dataDir = await embeddedDataDir(t);
  // The grace period is SMS_SEND_TIMEOUT + 5 s: 6 s here.
  const env = { DATABASE_URL: '', DATA_DIR: dataDir, SMS_SEND_TIMEOUT: '1s' };

  await t.test(
    'when a second signal comes during the grace period, it exits 1 at once',
    async () => {
      const server = await startServer(t, env);
      await holdRequestOpen(t, server.baseUrl);
      const exitCode = server.stop('SIGTERM');
      await sleep(300);
      server.process.kill('SIGTERM');
      assert.equal(await exitCode, 1, server.output());
      assert.equal(postgresRunningIn(dataDir), false, server.output());
    },
  );

  await t.test('when the grace period ends, it exits 1', async (subtest) => {
    const server = await startServer(t, env);
    await holdRequestOpen(t, server.baseUrl);
    const signalled = Date.now();
    const exitCode = await server.stop('SIGTERM');
    const elapsed = Date.now() - signalled;
    subtest.diagnostic(`SIGTERM to exit: ${elapsed} ms`);
    assert.equal(exitCode, 1, server.output());
    assert.ok(elapsed >= 6000 && elapsed < 9000, `exited after ${elapsed} ms`);
    assert.equal(postgresRunningIn(dataDir), false, server.output());
  });
});

test('when Ctrl-C reaches the terminal’s process group, only the app hears it: it stops PostgreSQL itself and logs no error', async (t) => {
  const dataDir = await embeddedDataDir(t);
  // node alone, and under npm (npm → sh → node: npm passes Ctrl-C on to the shell).
  for (const command of [
    ['node', 'src/server.ts'],
    ['npm', 'start'],
  ]) {
    await t.test(command.join(' '), async (subtest) => {
      const job = await startAsTerminalJob(subtest, command, {
        DATABASE_URL: '',
        DATA_DIR: dataDir,
      });
      assert.equal((await fetch(`${job.baseUrl}/readyz`)).status, 200); // a pooled connection
      process.kill(-job.pid, 'SIGINT');
      await job.exited;
      assert.match(job.output(), /"signal":"SIGINT","msg":"shutting down"/);
      assert.doesNotMatch(job.output(), /"level":50/);
      assert.equal(postgresRunningIn(dataDir), false, job.output());
    });
  }
});

test('when SIGTERM comes during start-up, it stops the PostgreSQL it has started', async (t) => {
  const dataDir = await embeddedDataDir(t);
  const server = spawn(process.execPath, ['src/server.ts'], {
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0' },
    stdio: 'ignore',
  });
  const exitCode = once(server, 'exit');
  t.after(() => server.kill('SIGKILL'));
  // PostgreSQL is up; the app is still creating its database and migrating it.
  while (!postgresRunningIn(dataDir) && server.exitCode === null) await sleep(10);
  server.kill('SIGTERM');
  await exitCode;
  assert.equal(postgresRunningIn(dataDir), false);
});

/** A slow client: a request whose headers never end, so the server cannot finish it. */
async function holdRequestOpen(t: TestContext, baseUrl: string): Promise<void> {
  const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1');
  socket.on('error', () => {});
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
  await sleep(200);
}

/**
 * A command as a terminal starts a job: the leader of a process group of its own,
 * which Ctrl-C signals as a whole. Waits until the server answers /healthz.
 */
async function startAsTerminalJob(
  t: TestContext,
  [command = '', ...args]: string[],
  env: Record<string, string>,
) {
  const port = await freePort();
  const job = spawn(command, args, {
    env: {
      ...process.env,
      PATH: `${path.dirname(process.execPath)}:${process.env.PATH}`, // this Node, for npm too
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = job.pid ?? 0;
  let output = '';
  job.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  job.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(job, 'exit');
  t.after(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // the whole group has exited
    }
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  while (!(await fetch(`${baseUrl}/healthz`).catch(() => undefined))?.ok) {
    assert.equal(job.exitCode, null, output);
    await sleep(100);
  }
  return { pid, baseUrl, exited, output: () => output };
}

/** A temporary DATA_DIR; afterwards, a PostgreSQL a failed test left running there is stopped. */
async function embeddedDataDir(t: TestContext): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'customer-orders-server-'));
  await chmod(dataDir, 0o755); // as root, PostgreSQL runs as another user
  t.after(async () => {
    const pid = postmasterPid(dataDir);
    if (pid !== undefined && postgresRunningIn(dataDir)) process.kill(pid, 'SIGQUIT');
    // A PostgreSQL on its way out may still write a file there: try again for 2 s.
    await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });
  return dataDir;
}

/** Whether the postmaster recorded in the cluster's postmaster.pid is alive. */
function postgresRunningIn(dataDir: string): boolean {
  const pid = postmasterPid(dataDir);
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function postmasterPid(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  return existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
}

test('when the server cannot start, it says why in one line and exits 1', () => {
  const result = spawnSync(process.execPath, ['src/server.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing',
      LOG_LEVEL: 'warn',
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 1);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(
    lines[0] ?? '',
    /^customer-orders: could not start: connect ECONNREFUSED 127\.0\.0\.1:1$/,
  );
});
