import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import * as schema from './schema.ts';

export type Orm = NodePgDatabase<typeof schema>;
/** The ORM handle or an open transaction: queries take either. */
export type Queryable = Orm | Parameters<Parameters<Orm['transaction']>[0]>[0];

export interface Database {
  /** Where it is: for the connections that live outside the pool (LISTEN). */
  readonly url: string;
  readonly pool: pg.Pool;
  readonly orm: Orm;
  /** Closes the pool, then stops the embedded server if this process started it. */
  close(): Promise<void>;
}

const MIGRATIONS_FOLDER = path.join(import.meta.dirname, '..', '..', 'migrations');
// Any fixed number: two processes starting at once must not both run migrations.
const MIGRATION_LOCK_ID = 7_201_946;

export function connect(url: string, poolSize: number, logger: Pick<Logger, 'error'>): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 10_000,
  });
  let closed = false;
  // An idle client losing its connection (server restart) must not crash the process.
  // After close, pool.end() has let go of its clients without waiting for them: an
  // embedded server stopping next may still cut them off, which is expected.
  pool.on('error', (error) => {
    if (!closed) logger.error({ err: error }, 'idle database connection failed');
  });
  const close = async () => {
    closed = true;
    await pool.end();
  };
  return { url, pool, orm: drizzle({ client: pool, schema }), close };
}

/** Connects to DATABASE_URL, or to the embedded server (starting it when needed). */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.databaseUrl !== undefined) {
    return connect(config.databaseUrl, config.databasePoolSize, logger);
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, logger);
  const database = connect(embedded.url, config.databasePoolSize, logger);
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
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const before = await countAppliedMigrations(client);
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    const total = await countAppliedMigrations(client);
    return { applied: (await migrationTags()).slice(before, total), total };
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
    client.release();
  }
}

/** Rows of drizzle's journal table (missing until the first migration), one per migration applied in order. */
async function countAppliedMigrations(client: pg.PoolClient): Promise<number> {
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
