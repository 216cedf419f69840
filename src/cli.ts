// `customer-orders <command>`: works whether or not the server is running (with the
// embedded database it joins the server's PostgreSQL, or starts it for the command).
// Results go to stdout; logs go to stderr.
import { parseArgs } from 'node:util';
import {
  TOKEN_SCOPES,
  createToken,
  listTokens,
  revokeToken,
  type TokenScope,
} from './auth/tokens.ts';
import { parseDuration } from './duration.ts';
import { findOrCreateUserByEmail, isPlausibleEmail } from './auth/users.ts';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { SMS_STATUSES, type SmsStatus } from './db/schema.ts';
import { listSmsMessages, retryFailedSms } from './sms/outbox.ts';
import { notifySmsWorkers } from './sms/wake-up.ts';
import { createSmsProvider } from './sms/providers/index.ts';
import { SmsWorker } from './sms/worker.ts';
import { openDatabase, runMigrations, type Database } from './db/client.ts';
import { AppError } from './errors.ts';
import { isUuid } from './fields.ts';
import { createLogger } from './logger.ts';

const USAGE = `Usage: customer-orders <command>

Commands:
  migrate                      apply database migrations
  token create --email <email> [--name <name>] [--scope read|write] [--expires-in 30d]
                               create an API token (and the user, if new); the token
                               is printed alone on the last line
  token list [--email <email>] list tokens (never their secrets)
  token revoke <token-id>      revoke a token at once
  worker                       run the SMS worker alone, until SIGTERM or SIGINT
  sms list [--status pending|sending|sent|delivered|failed] [--limit 50]
                               list SMS messages, newest first
  sms retry <sms-id>           queue a failed SMS again
  help                         show this text

Durations: a number and m (minutes), h, d or w, like 90m, 12h, 30d, 2w.`;

class UsageError extends Error {}

type Command = (db: Database, args: string[], config: Config, logger: Logger) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  migrate: async () => {
    // openDatabase + runMigrations in main() already did the work.
    console.log('Migrations are up to date.');
  },
  'token create': async (db, args) => {
    const { values } = parseArgs({
      args,
      options: {
        email: { type: 'string' },
        name: { type: 'string', default: 'cli' },
        scope: { type: 'string', default: 'write' },
        'expires-in': { type: 'string' },
      },
    });
    const email = values.email ?? '';
    if (!isPlausibleEmail(email)) throw new UsageError('token create needs --email <email>');
    const scope = values.scope as TokenScope;
    if (!TOKEN_SCOPES.includes(scope)) throw new UsageError('--scope must be read or write');
    let expiresAt: Date | undefined;
    if (values['expires-in'] !== undefined) {
      const lifetimeMs = parseDuration(values['expires-in']);
      if (lifetimeMs === undefined)
        throw new UsageError('--expires-in must look like 90m, 12h, 30d or 2w');
      expiresAt = new Date(Date.now() + lifetimeMs);
    }
    const user = await findOrCreateUserByEmail(db.orm, email);
    const { token, key } = await createToken(db.orm, {
      userId: user.id,
      name: values.name,
      scope,
      expiresAt,
    });
    const expiry = expiresAt === undefined ? 'never expires' : `expires ${expiresAt.toISOString()}`;
    console.log(
      `Created token ${token.id} "${token.name}" for ${user.email}: ${scope} scope, ${expiry}.`,
    );
    console.log('Keep it secret; it is shown only this once:');
    console.log(key);
  },
  'token list': async (db, args) => {
    const { values } = parseArgs({ args, options: { email: { type: 'string' } } });
    const shown = await listTokens(db.orm, { email: values.email });
    if (shown.length === 0) {
      console.log('No tokens.');
      return;
    }
    console.table(
      shown.map(({ token, email }) => ({
        id: token.id,
        user: email,
        name: token.name,
        scope: token.scope,
        created: token.createdAt.toISOString(),
        'last used': token.lastUsedAt?.toISOString() ?? 'never',
        expires: token.expiresAt?.toISOString() ?? 'never',
        revoked: token.revokedAt?.toISOString() ?? 'no',
      })),
    );
  },
  worker: async (db, _args, config, logger) => {
    const worker = new SmsWorker({
      databaseUrl: db.url,
      provider: createSmsProvider(config, logger),
      settings: config.sms.worker,
      logger,
    });
    await worker.start();
    console.log(`SMS worker running (${config.sms.provider}); stop it with Ctrl+C or SIGTERM.`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    console.log(`${signal}: finishing the messages in flight…`);
    await worker.stop();
  },
  'sms list': async (db, args) => {
    const { values } = parseArgs({
      args,
      options: { status: { type: 'string' }, limit: { type: 'string', default: '50' } },
    });
    const status = values.status as SmsStatus | undefined;
    if (status !== undefined && !SMS_STATUSES.includes(status)) {
      throw new UsageError(`--status must be one of ${SMS_STATUSES.join(', ')}`);
    }
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
      throw new UsageError('--limit must be 1 to 10000');
    const messages = await listSmsMessages(db.orm, { status, limit });
    if (messages.length === 0) {
      console.log('No SMS messages.');
      return;
    }
    console.table(
      messages.map((message) => ({
        id: message.id,
        order: message.orderId,
        to: message.toNumber,
        status: message.status,
        attempts: message.attempts,
        'last error': message.lastError ?? '',
        created: message.createdAt.toISOString(),
      })),
    );
  },
  'sms retry': async (db, args) => {
    const { positionals } = parseArgs({ args, allowPositionals: true });
    const [id] = positionals;
    if (id === undefined || !isUuid(id))
      throw new UsageError('sms retry needs an SMS id (see sms list)');
    const message = await retryFailedSms(db.orm, id);
    if (message !== undefined) await notifySmsWorkers(db.pool);
    if (message === undefined) throw new UsageError(`no failed SMS has the id ${id}`);
    console.log(`SMS ${message.id} to ${message.toNumber} is queued again.`);
  },
  'token revoke': async (db, args) => {
    const { positionals } = parseArgs({ args, allowPositionals: true });
    const [id] = positionals;
    if (id === undefined || !isUuid(id))
      throw new UsageError('token revoke needs a token id (see token list)');
    const token = await revokeToken(db.orm, id);
    console.log(`Token ${token.id} "${token.name}" is revoked.`);
  },
};

function findCommand(argv: string[]): { command: Command; args: string[] } | undefined {
  const [first = 'help', second = ''] = argv;
  const twoWords = COMMANDS[`${first} ${second}`];
  if (twoWords !== undefined) return { command: twoWords, args: argv.slice(2) };
  const oneWord = COMMANDS[first];
  return oneWord === undefined ? undefined : { command: oneWord, args: argv.slice(1) };
}

async function main(argv: string[]): Promise<number> {
  const found = findCommand(argv);
  if (found === undefined) {
    const asked = argv[0] === undefined || ['help', '--help', '-h'].includes(argv[0]);
    (asked ? console.log : console.error)(USAGE);
    return asked ? 0 : 2;
  }
  const config = loadConfig();
  // A command's own output is what matters on a terminal: it logs warnings only,
  // unless asked for more. The worker, a long-running process, logs as configured.
  const quiet = found.command !== COMMANDS.worker && !['debug', 'trace'].includes(config.logLevel);
  const logger = createLogger({ logLevel: quiet ? 'warn' : config.logLevel }, 2);
  const db = await openDatabase(config, logger);
  try {
    await runMigrations(db.pool);
    await found.command(db, found.args, config, logger);
    return 0;
  } finally {
    await db.close();
  }
}

/** parseArgs refusing an unknown or malformed option (a TypeError with an ERR_PARSE_ARGS_ code). */
function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || error instanceof AppError || isParseArgsError(error)) {
    console.error(`customer-orders: ${error.message}`);
    process.exitCode = 2;
  } else if (error instanceof ConfigError) {
    console.error(`customer-orders: configuration error: ${error.message}`);
    process.exitCode = 1;
  } else {
    console.error('customer-orders:', error);
    process.exitCode = 1;
  }
}
