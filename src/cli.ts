// `customer-orders <command>`: works whether or not the server is running (with the
// embedded database it joins the server's PostgreSQL, or starts it for the command).
// Results go to stdout; logs go to stderr.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import { CsvError } from 'csv-parse';
import {
  TOKEN_SCOPES,
  createToken,
  listTokens,
  revokeToken,
  type TokenScope,
} from './auth/tokens.ts';
import { parseDuration } from './config/duration.ts';
import {
  findOrCreateUserByEmail,
  isPlausibleEmail,
  listUsers,
  setUserDisabled,
  setUserRole,
} from './auth/users.ts';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { SMS_STATUSES, type SmsStatus } from './db/schema.ts';
import { listSmsMessages, retryFailedSms } from './sms/outbox.ts';
import { notifySmsWorkers } from './sms/wake-up.ts';
import { createSmsProvider } from './sms/providers/index.ts';
import { SmsWorker } from './sms/worker.ts';
import { isDatabaseUnavailable, rootCauseMessage } from './db/errors.ts';
import { openDatabase, runMigrations, type Database, type MigrationsRun } from './db/client.ts';
import { AppError } from './core/errors.ts';
import { isUuid, parseInstant } from './core/fields.ts';
import { exportTable, EXPORTED_TABLES, type ExportedTable } from './transfer/export.ts';
import { ImportHeaderError, importTable } from './transfer/import.ts';
import { progressReporter } from './transfer/progress.ts';
import { createLogger } from './observability/logger.ts';

const USAGE = `Usage: customer-orders <command>

Commands:
  migrate                      apply database migrations, naming those applied
  token create --email <email> [--name <name>] [--scope read|write] [--expires-in 30d]
                               create an API token (and the user, if new); the token
                               is printed alone on the last line
  token list [--email <email>] [--json]
                               list tokens (never their secrets)
  token revoke <token-id>      revoke a token at once
  worker                       run the SMS worker alone, until SIGTERM or SIGINT
  sms list [--status pending|sending|sent|delivered|failed] [--limit 50] [--json]
                               list SMS messages, newest first
  sms retry <sms-id>           queue a failed SMS again
  users list [--json]          list staff accounts: role, and whether disabled
  users disable <email>        end the user's sessions and refuse their tokens and
                               sign-in, on every server at once
  users enable <email>         let them sign in again (their tokens work again)
  users role <email> admin|staff
                               change the user's role
  import customers|orders FILE.csv [--send-sms]
                               rows from CSV (a header line naming the API's fields,
                               as export writes them), in batches of 1,000, each one
                               transaction; rows whose id is there are skipped, bad
                               rows reported with their line; orders send no SMS
                               unless --send-sms
  export customers|orders [--since <ISO 8601>]
                               every row as CSV on stdout (> file.csv), ids included,
                               in creation order; --since: only rows changed since
  help                         show this text

Lists are aligned columns; --json prints one JSON array instead, for scripts.
Durations: a number and m (minutes), h, d or w, like 90m, 12h, 30d, 2w.`;

class UsageError extends Error {}
/** The database could not be reached or migrated: one line, since the fix is the user's. */
class UnusableDatabaseError extends Error {}

interface CommandContext {
  db: Database;
  args: string[];
  config: Config;
  logger: Logger;
  /** What main() applied before the command, as every command needs the current schema. */
  migrations: MigrationsRun;
}
/** Resolves to the exit code, or nothing for 0. */
type Command = (context: CommandContext) => Promise<number | void>;

const COMMANDS: Record<string, Command> = {
  migrate: async ({ migrations: { applied, total } }) => {
    console.log(
      applied.length === 0
        ? `Already up to date (${total} migrations).`
        : `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}.`,
    );
  },
  'token create': async ({ db, args }) => {
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
  'token list': async ({ db, args }) => {
    const { values } = parseArgs({
      args,
      options: { email: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    const shown = await listTokens(db.orm, { email: values.email });
    printList(
      shown.map(({ token, email }) => ({
        id: token.id,
        user: email,
        name: token.name,
        scope: token.scope,
        created_at: token.createdAt,
        last_used_at: token.lastUsedAt,
        expires_at: token.expiresAt,
        revoked_at: token.revokedAt,
      })),
      { json: values.json, none: 'No tokens.' },
    );
  },
  worker: async ({ db, config, logger }) => {
    const worker = new SmsWorker({
      databaseUrl: db.url,
      provider: createSmsProvider(config, logger),
      settings: config.sms.worker,
      logger,
      databaseTimeouts: config.databaseTimeouts,
    });
    await worker.start();
    console.log(`SMS worker running (${config.sms.provider}); stop it with Ctrl+C or SIGTERM.`);
    const signal = await new Promise<string>((resolve) => {
      for (const stopSignal of STOP_SIGNALS) process.once(stopSignal, () => resolve(stopSignal));
    });
    exitOnStopSignal(); // a second one does not wait for the messages in flight
    console.log(`${signal}: finishing the messages in flight…`);
    await worker.stop();
  },
  'sms list': async ({ db, args }) => {
    const { values } = parseArgs({
      args,
      options: {
        status: { type: 'string' },
        limit: { type: 'string', default: '50' },
        json: { type: 'boolean', default: false },
      },
    });
    const status = values.status as SmsStatus | undefined;
    if (status !== undefined && !SMS_STATUSES.includes(status)) {
      throw new UsageError(`--status must be one of ${SMS_STATUSES.join(', ')}`);
    }
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
      throw new UsageError('--limit must be 1 to 10000');
    const messages = await listSmsMessages(db.orm, { status, limit });
    printList(
      messages.map((message) => ({
        id: message.id,
        order_id: message.orderId,
        to: message.toNumber,
        status: message.status,
        attempts: message.attempts,
        last_error: message.lastError,
        created_at: message.createdAt,
      })),
      { json: values.json, none: 'No SMS messages.' },
    );
  },
  'sms retry': async ({ db, args }) => {
    const { positionals } = parseArgs({ args, allowPositionals: true });
    const [id] = positionals;
    if (id === undefined || !isUuid(id))
      throw new UsageError('sms retry needs an SMS id (see sms list)');
    const message = await retryFailedSms(db.orm, id);
    if (message !== undefined) await notifySmsWorkers(db.pool);
    if (message === undefined) throw new UsageError(`no failed SMS has the id ${id}`);
    console.log(`SMS ${message.id} to ${message.toNumber} is queued again.`);
  },
  'users list': async ({ db, args }) => {
    const { values } = parseArgs({
      args,
      options: { json: { type: 'boolean', default: false } },
    });
    printList(
      (await listUsers(db.orm)).map((user) => ({
        id: user.id,
        email: user.email,
        name: user.name,
        role: user.role,
        created_at: user.createdAt,
        disabled_at: user.disabledAt,
      })),
      { json: values.json, none: 'No users.' },
    );
  },
  'users disable': async ({ db, args }) => {
    const email = emailArgument(args, 'users disable');
    const user = await setUserDisabled(db.orm, email, true);
    if (user === undefined) throw new UsageError(`no user has the email ${email}`);
    console.log(`${user.email} is disabled: their sessions ended and their tokens are refused.`);
  },
  'users enable': async ({ db, args }) => {
    const email = emailArgument(args, 'users enable');
    const user = await setUserDisabled(db.orm, email, false);
    if (user === undefined) throw new UsageError(`no user has the email ${email}`);
    console.log(`${user.email} is enabled again.`);
  },
  'users role': async ({ db, args }) => {
    const { positionals } = parseArgs({ args, allowPositionals: true });
    const [email, role] = positionals;
    if (email === undefined || (role !== 'admin' && role !== 'staff')) {
      throw new UsageError('users role needs an email and admin or staff');
    }
    const user = await setUserRole(db.orm, email, role);
    if (user === undefined) throw new UsageError(`no user has the email ${email}`);
    console.log(`${user.email} is now ${user.role}.`);
  },
  import: async ({ db, args, config }) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { 'send-sms': { type: 'boolean', default: false } },
    });
    const [table, file] = positionals;
    if (
      (table !== 'customers' && table !== 'orders') ||
      file === undefined ||
      positionals.length > 2
    ) {
      throw new UsageError('import needs customers or orders, and a CSV file');
    }
    if (values['send-sms'] && table !== 'orders') throw new UsageError('--send-sms is for orders');
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      throw new UsageError(`cannot read ${file}`);
    }
    const input = createReadStream(file);
    const progress = progressReporter(process.stderr, size, () => input.bytesRead);
    let result;
    try {
      result = await importTable(db.pool, table, input, {
        sendSms: values['send-sms'],
        currency: config.defaultCurrency,
        smsTemplate: config.sms.template,
        onProgress: (rows) => progress.update(rows),
        onRejected: (line, reason) => {
          progress.done();
          console.error(`${file}:${line}: ${reason}`);
        },
      });
    } catch (error) {
      if (error instanceof ImportHeaderError) throw new UsageError(error.message);
      if (error instanceof CsvError) throw new UsageError(`${file}: ${error.message}`);
      throw error;
    } finally {
      progress.done();
    }
    if (result.imported > 0 && table === 'orders' && values['send-sms']) {
      await notifySmsWorkers(db.pool);
    }
    console.error(
      `Imported ${result.imported} ${table}; skipped ${result.skipped} already there; rejected ${result.rejected}.`,
    );
    return result.rejected > 0 ? 1 : 0;
  },
  export: async ({ db, args }) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { since: { type: 'string' } },
    });
    const [table] = positionals;
    if (!EXPORTED_TABLES.includes(table as ExportedTable) || positionals.length > 1) {
      throw new UsageError(`export needs one of ${EXPORTED_TABLES.join(', ')}`);
    }
    let since: Date | undefined;
    if (values.since !== undefined) {
      try {
        since = parseInstant(values.since);
      } catch {
        throw new UsageError('--since must be an ISO 8601 date or date-time, like 2026-11-29');
      }
    }
    const rows = await exportTable(db.pool, table as ExportedTable, process.stdout, { since });
    console.error(`Exported ${rows} ${table}.`);
  },
  'token revoke': async ({ db, args }) => {
    const { positionals } = parseArgs({ args, allowPositionals: true });
    const [id] = positionals;
    if (id === undefined || !isUuid(id))
      throw new UsageError('token revoke needs a token id (see token list)');
    const token = await revokeToken(db.orm, id);
    console.log(`Token ${token.id} "${token.name}" is revoked.`);
  },
};

/** The one email a command takes, which must be a user's. */
function emailArgument(args: string[], command: string): string {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  const [email] = positionals;
  if (email === undefined || positionals.length > 1 || !isPlausibleEmail(email)) {
    throw new UsageError(`${command} needs one email`);
  }
  return email;
}

type Cell = string | number | Date | null;

/**
 * Rows as plain columns under upper-case headers, aligned for reading, or as one
 * JSON array (dates in ISO 8601, absent values null) for scripts.
 */
function printList(rows: Record<string, Cell>[], options: { json: boolean; none: string }): void {
  if (options.json) {
    console.log(JSON.stringify(rows));
    return;
  }
  const [first] = rows;
  if (first === undefined) {
    console.log(options.none);
    return;
  }
  const keys = Object.keys(first);
  const lines = [
    keys.map((key) => key.toUpperCase().replaceAll('_', ' ')),
    ...rows.map((row) => keys.map((key) => cellText(row[key] ?? null))),
  ];
  const widths = keys.map((_, column) =>
    Math.max(...lines.map((line) => line[column]?.length ?? 0)),
  );
  for (const line of lines) {
    console.log(
      line
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  }
}

function cellText(value: Cell): string {
  if (value === null) return '-';
  if (value instanceof Date) return value.toISOString().replace(/\.\d+Z$/, 'Z');
  return String(value).replace(/\s+/g, ' '); // one line per row, whatever an error message holds
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Ends the command at the next stop signal through process.exit(), whose 'exit'
 * handler stops an embedded PostgreSQL the command started: that server runs in a
 * process group of its own, so a terminal's Ctrl-C no longer stops it directly.
 */
function exitOnStopSignal(): void {
  for (const signal of STOP_SIGNALS)
    process.once(signal, () => process.exit(128 + constants.signals[signal]));
}

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
  // unless asked for more. The worker, a long-running process, logs as configured
  // and handles stop signals itself.
  const isWorker = found.command === COMMANDS.worker;
  const quiet = !isWorker && !['debug', 'trace'].includes(config.logLevel);
  const logger = createLogger({ logLevel: quiet ? 'warn' : config.logLevel }, 2);
  if (!isWorker) exitOnStopSignal();
  const { db, migrations } = await openMigratedDatabase(config, logger);
  try {
    return (await found.command({ db, args: found.args, config, logger, migrations })) ?? 0;
  } finally {
    await db.close();
  }
}

async function openMigratedDatabase(
  config: Config,
  logger: Logger,
): Promise<{ db: Database; migrations: MigrationsRun }> {
  let db: Database | undefined;
  try {
    db = await openDatabase(config, logger);
    return { db, migrations: await runMigrations(db.pool) };
  } catch (error) {
    await db?.close().catch(() => {});
    const url = config.databaseUrl === undefined ? undefined : new URL(config.databaseUrl);
    const where =
      url === undefined
        ? `the embedded database in ${config.dataDir}`
        : `the database at ${url.host}${url.pathname}`;
    // A refused connection to a host with several addresses is an AggregateError with no message.
    const reason =
      error instanceof Error
        ? error.message || String((error as { code?: unknown }).code)
        : String(error);
    throw new UnusableDatabaseError(`cannot use ${where}: ${reason}`);
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
  } else if (error instanceof UnusableDatabaseError) {
    console.error(`customer-orders: ${error.message}`);
    process.exitCode = 1;
  } else if (isDatabaseUnavailable(error)) {
    // The database went away during the command.
    console.error(`customer-orders: the database stopped answering: ${rootCauseMessage(error)}`);
    process.exitCode = 1;
  } else {
    console.error('customer-orders:', error);
    process.exitCode = 1;
  }
}
