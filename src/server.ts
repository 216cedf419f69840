// Entry point of `npm start`: config → database → migrations → app → listen.
// close-with-grace owns shutdown: on SIGTERM/SIGINT stop accepting, let in-flight
// requests finish, then close the database (and the embedded server).
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, runMigrations } from './db/client.ts';
import { createLogger } from './logger.ts';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(config: Config): Promise<void> {
  const logger = createLogger(config);
  const db = await openDatabase(config, logger);
  const app = await buildApp(config, { db, logger });

  closeWithGrace({ delay: SHUTDOWN_GRACE_MS, logger }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await app.close();
    await db.close();
  });

  await runMigrations(db.pool);
  await app.listen({ host: config.host, port: config.port });
}

try {
  await main(loadConfig());
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`customer-orders: configuration error: ${error.message}`);
  } else {
    console.error('customer-orders: could not start:', error);
  }
  process.exit(1);
}
