// Entry point of `npm start`: config → database → migrations → app → listen.
// close-with-grace owns shutdown: on SIGTERM/SIGINT stop accepting, let in-flight
// requests finish, then close the database (and the embedded server).
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import type { Logger } from 'pino';
import { sweepExpired } from './auth/sessions.ts';
import { openDatabase, runMigrations, type Database } from './db/client.ts';
import { createLogger } from './logger.ts';
import { withSessionSecret } from './secrets.ts';

const SHUTDOWN_GRACE_MS = 10_000;
const SWEEP_INTERVAL_MS = 60 * 60_000;

async function main(config: Config): Promise<void> {
  const logger = createLogger(config);
  const db = await openDatabase(config, logger);
  const app = await buildApp(config, { db, logger });
  const sweeper = setInterval(() => void sweep(db, logger), SWEEP_INTERVAL_MS).unref();

  closeWithGrace({ delay: SHUTDOWN_GRACE_MS, logger }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    clearInterval(sweeper);
    await app.close();
    await db.close();
  });

  try {
    await runMigrations(db.pool);
    await sweep(db, logger);
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    // Stop what we started (the embedded server) before exiting: an orphan would linger.
    clearInterval(sweeper);
    await app.close();
    await db.close();
    throw error;
  }
}

/** Deletes expired sessions and abandoned sign-ins; a failure waits for the next round. */
async function sweep(db: Database, logger: Logger): Promise<void> {
  try {
    const swept = await sweepExpired(db.orm);
    if (swept.sessions + swept.loginAttempts > 0) logger.info(swept, 'expired sessions swept');
  } catch (error) {
    logger.warn({ err: error }, 'could not sweep expired sessions');
  }
}

try {
  await main(await withSessionSecret(loadConfig()));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`customer-orders: configuration error: ${error.message}`);
  } else {
    console.error('customer-orders: could not start:', error);
  }
  process.exit(1);
}
