import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config, DatabaseTimeouts } from '../config/config.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import { isQueryReadTimeout } from './errors.ts';
import * as schema from './schema.ts';
import {
  openStatementPool,
  QUERY_TIMEOUT_MARGIN_MS,
  type StatementPool,
} from './statement-pool.ts';

export type Orm = NodePgDatabase<typeof schema>;
/** The ORM handle or an open transaction: queries take either. */
export type Queryable = Orm | Parameters<Parameters<Orm['transaction']>[0]>[0];

export interface Database {
  /** Where it is: for the connections that live outside the pool (LISTEN). */
  readonly url: string;
  /** The hot paths' prepared statements (db/statement.ts), pipelined. */
  readonly statements: StatementPool;
  /** node-postgres, for everything else: Drizzle, transactions, ad-hoc SQL. */
  readonly pool: pg.Pool;
  readonly orm: Orm;
  /** Closes the pool, then stops the embedded server if this process started it. */
  close(): Promise<void>;
}

const MIGRATIONS_FOLDER = path.join(import.meta.dirname, '..', '..', 'migrations');
// Any fixed number: two processes starting at once must not both run migrations.
const MIGRATION_LOCK_ID = 7_201_946;

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 5000, statementMs: 10_000 };

export function connect(
  url: string,
  poolSize: number,
  logger: Pick<Logger, 'error'>,
  timeouts: DatabaseTimeouts = DEFAULT_DATABASE_TIMEOUTS,
): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Also bounds the wait for a free connection when all are busy.
    connectionTimeoutMillis: timeouts.connectMs,
    // A slow statement is cancelled by the server…
    statement_timeout: timeouts.statementMs,
    // …and a server that does not answer at all (hung, or the network gone) by us.
    query_timeout: timeouts.statementMs + QUERY_TIMEOUT_MARGIN_MS,
    keepAlive: true,
  });
  // pg keeps a connection whose query timed out waiting for that answer: a
  // transaction's ROLLBACK would then wait as long again, and the pool would hand the
  // stuck connection to the next request. Closing it makes both fail at once.
  pool.on('connect', (client) => {
    // A connection that dies while a request holds it (in a transaction) fails that
    // request's queries, which answer 503; pg also emits 'error' on the client, and
    // with no listener there (the pool listens only to idle ones) the process crashes.
    client.on('error', () => {});
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const result = query(...args);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if (isQueryReadTimeout(error)) void client.end().catch(() => {});
        });
      }
      return result;
    }) as typeof client.query;
  });
  let closed = false;
  // An idle client losing its connection (server restart) must not crash the process.
  // After close, pool.end() has let go of its clients without waiting for them: an
  // embedded server stopping next may still cut them off, which is expected.
  pool.on('error', (error) => {
    if (!closed) logger.error({ err: error }, 'idle database connection failed');
  });
  const statements = openStatementPool(url, poolSize, timeouts);
  const close = async () => {
    closed = true;
    await Promise.all([statements.end(), pool.end()]);
  };
  const orm = withSafeTransactions(drizzle({ client: pool, schema }), pool);
  return { url, statements, pool, orm, close };
}

/**
 * Drizzle's transaction() on a pool sends BEGIN before the try/finally that releases
 * the connection: a BEGIN that fails (the connection died or hung) leaks it, and a
 * few such failures leave the pool empty for good. Here the connection is checked out
 * and always released by us; drizzle runs the transaction on it (a drizzle instance
 * without the schema costs about 4 µs to make).
 */
function withSafeTransactions(orm: Orm, pool: pg.Pool): Orm {
  orm.transaction = async (run: Parameters<Orm['transaction']>[0], config) => {
    const client = await pool.connect();
    try {
      return await drizzle({ client }).transaction(run as never, config);
    } finally {
      client.release();
    }
  };
  return orm;
}

/** Connects to DATABASE_URL, or to the embedded server (starting it when needed). */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.databaseUrl !== undefined) {
    return connect(config.databaseUrl, config.databasePoolSize, logger, config.databaseTimeouts);
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, logger);
  const database = connect(embedded.url, config.databasePoolSize, logger, config.databaseTimeouts);
  return {
    ...database,
    close: async () => {
      await database.close();
      await embedded.stop();
    },
  };
}

export interface MigrationsRun {
  /** Tags of the migrations this run applied (like 0001_sessions), oldest first. */
  readonly applied: string[];
  /** Migrations applied to the database, in all. */
  readonly total: number;
}

/** Applies the committed migrations, holding an advisory lock so concurrent starts take turns. */
export async function runMigrations(pool: pg.Pool): Promise<MigrationsRun> {
  // A connection of their own, without the request timeouts: a migration may rightly
  // run for minutes (an index on a large table).
  const client = new pg.Client({
    ...pool.options,
    statement_timeout: undefined,
    query_timeout: undefined,
  });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const before = await countAppliedMigrations(client);
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    const total = await countAppliedMigrations(client);
    return { applied: (await migrationTags()).slice(before, total), total };
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
    await client.end();
  }
}

/** Rows of drizzle's journal table (missing until the first migration), one per migration applied in order. */
async function countAppliedMigrations(client: pg.Client): Promise<number> {
  const table = await client.query<{ exists: boolean }>(
    "select to_regclass('drizzle.__drizzle_migrations') is not null as exists",
  );
  if (table.rows[0]?.exists !== true) return 0;
  const { rows } = await client.query<{ count: number }>(
    'select count(*)::int as count from drizzle.__drizzle_migrations',
  );
  return rows[0]?.count ?? 0;
}

/** The committed migrations' tags, in the order drizzle applies them. */
async function migrationTags(): Promise<string[]> {
  const journal = JSON.parse(
    await readFile(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'),
  ) as { entries: { tag: string }[] };
  return journal.entries.map((entry) => entry.tag);
}
