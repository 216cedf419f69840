// The OpenAPI document exactly as the code generates it, for the repository's
// openapi.json: `npm run openapi` (scripts/write-openapi.ts) writes it, and
// test/openapi.test.ts fails when the committed file is not what this returns.
import path from 'node:path';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import { parseConfig } from '../src/config/config.ts';
import { connect } from '../src/db/client.ts';
import { openApiDocumentText } from '../src/http/openapi.ts';

export const OPENAPI_FILE = path.join(import.meta.dirname, '..', 'openapi.json');

// Fixed, so that the document is the same on every machine: only PUBLIC_URL (the
// document's server) shows in it. The database is never queried: building the app
// and its document needs none, and the one connection the app opens by itself (for
// token changes) fails quietly and is closed with the app.
const ENVIRONMENT = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  PUBLIC_URL: 'http://localhost:8000',
  DATABASE_URL: 'postgres://openapi@127.0.0.1:9/not-used',
  SESSION_SECRET: 'openapi-document-only-not-a-secret-0000',
};

/** The document's text, as openapi.json holds it. */
export async function generateOpenApiText(): Promise<string> {
  const config = parseConfig(ENVIRONMENT);
  const logger = pino({ level: 'silent' });
  const db = connect(ENVIRONMENT.DATABASE_URL, 1, logger);
  const app = await buildApp(config, { db, logger });
  try {
    await app.ready();
    return openApiDocumentText(app);
  } finally {
    await app.close();
    await db.close();
  }
}
