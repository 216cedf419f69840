// Entry point of `npm start`: config → database → migrations → app → listen, and
// the SMS worker in the same process unless --no-worker or SMS_WORKER=off.
// close-with-grace owns shutdown: on SIGTERM/SIGINT stop accepting, let in-flight
// requests finish, then close the database (and the embedded server, which also
// stops when the grace period ends or a second signal forces the exit).
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import type { Logger } from 'pino';
import { sweepExpired } from './auth/sessions.ts';
import { sweepIdempotencyKeys } from './http/idempotency.ts';
import { openDatabase, runMigrations, type Database } from './db/client.ts';
import { createLogger } from './observability/logger.ts';
import { withSessionSecret } from './config/secrets.ts';
import { createSmsProvider } from './sms/providers/index.ts';
import { SmsWorker } from './sms/worker.ts';

const SWEEP_INTERVAL_MS = 60 * 60_000;

async function main(config: Config, options: { worker: boolean }): Promise<void> {
  const logger = createLogger(config);
  // Installed first, so that a signal during start-up also ends in process.exit(),
  // which stops an embedded PostgreSQL already started (see db/embedded.ts).
  let stop = async (): Promise<void> => {};
  // Long enough for a send that just started to time out and be recorded (requests
  // in flight need far less); 15 s by default. Past it, the process exits regardless.
  const grace = config.sms.worker.sendTimeoutMs + 5000;
  closeWithGrace({ delay: grace, logger }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await stop();
  });

  const db = await openDatabase(config, logger);
  const app = await buildApp(config, { db, logger });
  const sweeper = setInterval(() => void sweep(db, logger), SWEEP_INTERVAL_MS).unref();
  const worker = options.worker
    ? new SmsWorker({
        databaseUrl: db.url,
        provider: createSmsProvider(config, logger),
        settings: config.sms.worker,
        logger,
        databaseTimeouts: config.databaseTimeouts,
      })
    : undefined;

  stop = async () => {
    clearInterval(sweeper);
    // At once: the server stops taking requests, the worker stops claiming; both let
    // what is in flight finish (and the worker record it) before the database closes.
    await Promise.all([app.close(), worker?.stop()]);
    await db.close();
  };

  try {
    await runMigrations(db.pool);
    await sweep(db, logger);
    await app.listen({ host: config.host, port: config.port });
    await worker?.start();
  } catch (error) {
    // Stop what we started (the embedded server) before exiting: an orphan would linger.
    await stop();
    throw error;
  }
}

/** Deletes expired sessions, abandoned sign-ins and old idempotency keys; a failure waits for the next round. */
async function sweep(db: Database, logger: Logger): Promise<void> {
  try {
    const swept = {
      ...(await sweepExpired(db.orm)),
      idempotencyKeys: await sweepIdempotencyKeys(db),
    };
    if (Object.values(swept).some((count) => count > 0)) logger.info(swept, 'expired rows swept');
  } catch (error) {
    logger.warn({ err: error }, 'could not sweep expired sessions');
  }
}

try {
  const config = await withSessionSecret(loadConfig());
  // `npm start -- --no-worker` (or SMS_WORKER=off): an API-only process, for setups
  // that run `customer-orders worker` separately.
  await main(config, { worker: config.sms.workerEnabled && !process.argv.includes('--no-worker') });
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`customer-orders: configuration error: ${error.message}`);
  } else {
    // One line on a terminal; the whole error (stack, causes) with LOG_LEVEL=debug.
    console.error(`customer-orders: could not start: ${rootCauseChain(error)}`);
    if (['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '')) console.error(error);
  }
  process.exit(1);
}

/** "the embedded … did not start: initdb: error: could not access …", causes included. */
function rootCauseChain(error: unknown): string {
  const messages: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) {
    messages.push(current.message.split('\n')[0] ?? '');
  }
  return messages.length > 0 ? messages.join(': ') : String(error);
}
