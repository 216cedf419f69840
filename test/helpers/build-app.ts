import pino from 'pino';
import { buildApp, type AppDependencies } from '../../src/app.ts';
import { createToken, type TokenScope } from '../../src/auth/tokens.ts';
import { findOrCreateUserByEmail } from '../../src/auth/users.ts';
import { parseConfig, type Config } from '../../src/config/config.ts';
import { connect, type Database } from '../../src/db/client.ts';
import { createTestDatabase, type Cleanup } from './database.ts';
import { checkResponsesAgainstDocument } from './documented-responses.ts';

export type TestApp = Awaited<ReturnType<typeof buildApp>>;

export interface TestHarness {
  app: TestApp;
  db: Database;
  config: Config;
  databaseUrl: string;
  /** `Authorization` header of a write token for a test user. */
  auth: { authorization: string };
}

/**
 * The production app on a database of the test's own, closed when the test ends.
 * Every answer it gives is checked against its OpenAPI document (documented-responses.ts).
 */
export async function buildTestApp(
  cleanup: Cleanup,
  env: Record<string, string> = {},
  deps: Partial<AppDependencies> = {},
): Promise<TestHarness> {
  const { db, url } = await createTestDatabase(cleanup);
  const config = parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    SESSION_SECRET: 'test-session-secret-of-at-least-32-characters',
    ...env,
  });
  const app = await buildApp(config, { db, logger: pino({ level: config.logLevel }), ...deps });
  cleanup.after(() => app.close());
  checkResponsesAgainstDocument(app, cleanup);
  const key = await createTestToken(db, { scope: 'write' });
  return { app, db, config, databaseUrl: url, auth: { authorization: `Token ${key}` } };
}

/**
 * One more instance of the app on the harness's database, as a second server would be;
 * its LISTEN connections go to `listenerUrl` when given (a proxy the test can cut).
 */
export async function buildAnotherApp(
  cleanup: Cleanup,
  harness: TestHarness,
  deps: Partial<AppDependencies> = {},
  listenerUrl?: string,
): Promise<{ app: TestApp; db: Database }> {
  const logger = pino({ level: harness.config.logLevel });
  const db = connect(harness.databaseUrl, 10, logger);
  const app = await buildApp(harness.config, {
    db: listenerUrl === undefined ? db : { ...db, url: listenerUrl },
    logger,
    ...deps,
  });
  cleanup.after(async () => {
    await app.close();
    await db.close();
  });
  checkResponsesAgainstDocument(app, cleanup);
  return { app, db };
}

let userCounter = 0;

export async function createTestToken(
  db: Database,
  options: { scope: TokenScope; expiresAt?: Date; email?: string },
): Promise<string> {
  const email = options.email ?? `user-${process.pid}-${++userCounter}@example.com`;
  const user = await findOrCreateUserByEmail(db.orm, email);
  const { key } = await createToken(db.orm, {
    userId: user.id,
    name: 'test',
    scope: options.scope,
    expiresAt: options.expiresAt,
  });
  return key;
}
