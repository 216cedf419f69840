import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { createToken, type TokenScope } from '../../src/auth/tokens.ts';
import { findOrCreateUserByEmail } from '../../src/auth/users.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { createTestDatabase, type Cleanup } from './database.ts';

export type TestApp = Awaited<ReturnType<typeof buildApp>>;

export interface TestHarness {
  app: TestApp;
  db: Database;
  config: Config;
  databaseUrl: string;
  /** `Authorization` header of a write token for a test user. */
  auth: { authorization: string };
}

/** The production app on a database of the test's own, closed when the test ends. */
export async function buildTestApp(
  cleanup: Cleanup,
  env: Record<string, string> = {},
): Promise<TestHarness> {
  const { db, url } = await createTestDatabase(cleanup);
  const config = parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    SESSION_SECRET: 'test-session-secret-of-at-least-32-characters',
    ...env,
  });
  const app = await buildApp(config, { db, logger: pino({ level: config.logLevel }) });
  cleanup.after(() => app.close());
  const key = await createTestToken(db, { scope: 'write' });
  return { app, db, config, databaseUrl: url, auth: { authorization: `Token ${key}` } };
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
