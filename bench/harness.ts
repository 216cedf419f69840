// What benchmarks share: a database of their own (never someone's data), a server
// process as `npm start` runs it, and a token.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createSession } from '../src/auth/sessions.ts';
import { createToken } from '../src/auth/tokens.ts';
import { findOrCreateUserByEmail } from '../src/auth/users.ts';
import { connect } from '../src/db/client.ts';
import { freePort } from '../src/db/free-port.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { adminQuery, databaseUrl } from '../test/helpers/postgres-admin.ts';

const logger = pino({ level: 'warn' });

/** A throwaway database on BENCH_DATABASE_URL's server, or a throwaway embedded PostgreSQL. */
export async function benchDatabase(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  if (process.env.BENCH_DATABASE_URL) {
    // A database of its own on that server, dropped afterwards: never someone's data.
    const admin = process.env.BENCH_DATABASE_URL;
    const name = `customer_orders_bench_${process.pid}`;
    await adminQuery(admin, `create database ${name}`);
    return {
      url: databaseUrl(admin, name),
      cleanup: () => adminQuery(admin, `drop database if exists ${name} with (force)`),
    };
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'customer-orders-bench-'));
  await chmod(dataDir, 0o755);
  const embedded = await startEmbeddedPostgres(dataDir, logger);
  return {
    url: embedded.url,
    cleanup: async () => {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function makeToken(url: string): Promise<string> {
  const db = connect(url, 1, logger);
  try {
    const user = await findOrCreateUserByEmail(db.orm, 'bench@example.com');
    return (await createToken(db.orm, { userId: user.id, name: 'bench', scope: 'write' })).key;
  } finally {
    await db.close();
  }
}

/** A signed-in browser's cookies, for the dashboard's pages (which take no API token). */
export async function makeSessionCookie(url: string): Promise<string> {
  const db = connect(url, 1, logger);
  try {
    const user = await findOrCreateUserByEmail(db.orm, 'bench@example.com');
    const { id } = await createSession(db.orm, {
      userId: user.id,
      userAgent: 'bench',
      policy: { idleTimeoutMs: 86_400_000, maxAgeMs: 86_400_000 },
    });
    return `sessionid=${id}`;
  } finally {
    await db.close();
  }
}

/**
 * The server as `npm start` runs it (its Node.js options, its entry), without npm in
 * between; `node --max-semi-space-size=8 … bin/server.js` → those arguments.
 */
export function startCommandArguments(): string[] {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as {
    scripts: { start: string };
  };
  const [node, ...args] = scripts.start.split(' ');
  if (node !== 'node' || scripts.start.includes('&&')) {
    throw new Error(`the start script is no longer one node command: ${scripts.start}`);
  }
  return args;
}

/** The server as `npm start` runs it, on a free port; resolves once /healthz answers. */
export async function startBenchServer(url: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, startCommandArguments(), {
    env: {
      ...process.env,
      DATABASE_URL: url,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if ((await fetch(`${baseUrl}/healthz`).catch(() => undefined))?.ok) return { child, baseUrl };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not start');
}
