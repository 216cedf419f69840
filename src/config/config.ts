// The only reader of process.env. Every variable is checked here, once, at start:
// a bad value stops the process with one line naming it, never later at a request.
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parseDuration } from './duration.ts';

export type SmsProviderName = 'africastalking' | 'log';

export interface Config {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  readonly publicUrl: URL;
  /** Longest time a client may take to send a whole request; then 408. */
  readonly requestTimeoutMs: number;
  /** Host names requests may be for (Django's ALLOWED_HOSTS patterns), lower-case. */
  readonly allowedHosts: readonly string[];
  /**
   * Which X-Forwarded-* to believe: none (false), the last N hops (the proxies in
   * front of us), or those sent by these addresses or CIDR ranges.
   */
  readonly trustProxy: false | number | readonly string[];
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  readonly databaseTimeouts: DatabaseTimeouts;
  readonly dataDir: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly defaultCurrency: string;
  readonly oidc: {
    readonly issuer: URL;
    readonly clientId: string | undefined;
    readonly clientSecret: string | undefined;
    readonly allowedEmails: readonly string[];
    readonly allowedEmailDomains: readonly string[];
  };
  readonly sessionSecret: string | undefined;
  readonly session: {
    /** A session unused for this long ends; each use renews it. */
    readonly idleTimeoutMs: number;
    /** A session ends this long after sign-in, used or not. */
    readonly maxAgeMs: number;
  };
  /** Undefined when set to `off`. */
  readonly rateLimits: {
    readonly api: RateLimit | undefined;
    readonly login: RateLimit | undefined;
  };
  readonly sms: {
    readonly provider: SmsProviderName;
    readonly atUsername: string;
    readonly atApiKey: string | undefined;
    readonly atSenderId: string | undefined;
    readonly atBaseUrl: URL;
    /** Shared secret the delivery-report webhook requires (in its URL or a header). */
    readonly atCallbackSecret: string | undefined;
    /** Overrides the default text; placeholders {name} {item} {amount} {currency} {order_id}. */
    readonly template: string | undefined;
    /** Run the worker inside the server process. */
    readonly workerEnabled: boolean;
    readonly worker: SmsWorkerSettings;
  };
}

export interface SmsWorkerSettings {
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  readonly sendTimeoutMs: number;
  readonly concurrency: number;
  readonly batchSize: number;
  /** How often to look for due messages when no notification comes. */
  readonly pollIntervalMs: number;
  /** How long a claimed message stays with its worker before others may take it. */
  readonly leaseMs: number;
}

export interface DatabaseTimeouts {
  /** Longest wait for a connection, new or from the pool. */
  readonly connectMs: number;
  /** Longest run of one statement; PostgreSQL cancels it, and we stop waiting too. */
  readonly statementMs: number;
}

export interface RateLimit {
  readonly max: number;
  readonly windowMs: number;
}

export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.variable = variable;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const NODE_ENVS = ['development', 'production', 'test'] as const;
const AT_LIVE_URL = 'https://api.africastalking.com/version1';
const AT_SANDBOX_URL = 'https://api.sandbox.africastalking.com/version1';

/** Reads `.env` (when present) into process.env, then validates the environment. */
export function loadConfig(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return parseConfig(process.env);
}

/** Validates an environment into a frozen Config; throws ConfigError naming the variable. */
export function parseConfig(env: Env): Config {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const nodeEnv = oneOf(read, 'NODE_ENV', NODE_ENVS, 'development');
  const port = integer(read, 'PORT', 8000, 0, 65535);
  const publicUrl = url(read, 'PUBLIC_URL', `http://localhost:${port}`);
  if (publicUrl.pathname !== '/' || publicUrl.search !== '') {
    throw new ConfigError(
      'PUBLIC_URL',
      'must be an origin without a path, like https://shop.example.com',
    );
  }

  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }

  const oidcIssuer = url(read, 'OIDC_ISSUER', 'https://accounts.google.com');
  if (oidcIssuer.protocol === 'http:' && !isLoopback(oidcIssuer.hostname)) {
    throw new ConfigError(
      'OIDC_ISSUER',
      'http:// is accepted only for loopback hosts; use https://',
    );
  }

  const sessionSecret = read('SESSION_SECRET');
  if (nodeEnv === 'production' && sessionSecret === undefined) {
    throw new ConfigError('SESSION_SECRET', 'is required when NODE_ENV=production');
  }
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters');
  }

  const atApiKey = read('AT_API_KEY');
  const atUsername = read('AT_USERNAME') ?? 'sandbox';
  const smsProvider = oneOf(
    read,
    'SMS_PROVIDER',
    ['africastalking', 'log'] as const,
    atApiKey === undefined ? 'log' : 'africastalking',
  );
  if (smsProvider === 'africastalking' && atApiKey === undefined) {
    throw new ConfigError('AT_API_KEY', 'is required when SMS_PROVIDER=africastalking');
  }
  // The official SDK compares the sandbox username case-insensitively; so do we.
  const atDefaultUrl = atUsername.toLowerCase() === 'sandbox' ? AT_SANDBOX_URL : AT_LIVE_URL;

  const currency = read('DEFAULT_CURRENCY') ?? 'KES';
  const callbackSecret = read('AT_CALLBACK_SECRET');
  if (callbackSecret !== undefined && callbackSecret.length < 16) {
    throw new ConfigError('AT_CALLBACK_SECRET', 'must be at least 16 characters');
  }
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new ConfigError('DEFAULT_CURRENCY', 'must be a three-letter ISO 4217 code such as KES');
  }

  const smsSendTimeoutMs = duration(read, 'SMS_SEND_TIMEOUT', '10s');
  const smsLeaseMs = duration(read, 'SMS_LEASE', '2m');
  // A send must end (and be recorded) well inside its lease: past the lease another
  // worker may claim the message and send it again.
  if (smsLeaseMs < 2 * smsSendTimeoutMs) {
    throw new ConfigError('SMS_LEASE', 'must be at least twice SMS_SEND_TIMEOUT');
  }

  return deepFreeze({
    nodeEnv,
    host: read('HOST') ?? '0.0.0.0',
    port,
    publicUrl,
    allowedHosts: allowedHosts(read, publicUrl, nodeEnv),
    requestTimeoutMs: duration(read, 'REQUEST_TIMEOUT', '30s'),
    trustProxy: trustProxy(read),
    databaseUrl,
    databasePoolSize: integer(read, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    databaseTimeouts: {
      connectMs: duration(read, 'DATABASE_CONNECT_TIMEOUT', '5s'),
      statementMs: duration(read, 'DATABASE_STATEMENT_TIMEOUT', '10s'),
    },
    dataDir: path.resolve(read('DATA_DIR') ?? 'data'),
    logLevel: oneOf(read, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    defaultCurrency: currency,
    oidc: {
      issuer: oidcIssuer,
      clientId: read('OIDC_CLIENT_ID'),
      clientSecret: read('OIDC_CLIENT_SECRET'),
      allowedEmails: list(read('ALLOWED_EMAILS')),
      allowedEmailDomains: list(read('ALLOWED_EMAIL_DOMAINS')),
    },
    sessionSecret,
    session: {
      idleTimeoutMs: duration(read, 'SESSION_IDLE_TIMEOUT', '2w'),
      maxAgeMs: duration(read, 'SESSION_MAX_AGE', '30d'),
    },
    rateLimits: {
      api: rateLimit(read, 'RATE_LIMIT_API', '1200/1m'),
      login: rateLimit(read, 'RATE_LIMIT_LOGIN', '20/1m'),
    },
    sms: {
      provider: smsProvider,
      atUsername,
      atApiKey,
      atSenderId: read('AT_SENDER_ID'),
      atBaseUrl: url(read, 'AT_BASE_URL', atDefaultUrl),
      atCallbackSecret: callbackSecret,
      template: read('SMS_TEMPLATE'),
      workerEnabled: boolean(read, 'SMS_WORKER', true),
      worker: {
        maxAttempts: integer(read, 'SMS_MAX_ATTEMPTS', 8, 1, 100),
        retryBaseMs: duration(read, 'SMS_RETRY_BASE', '30s'),
        retryCapMs: duration(read, 'SMS_RETRY_CAP', '30m'),
        sendTimeoutMs: smsSendTimeoutMs,
        concurrency: integer(read, 'SMS_CONCURRENCY', 32, 1, 1000),
        batchSize: integer(read, 'SMS_BATCH_SIZE', 50, 1, 1000),
        pollIntervalMs: duration(read, 'SMS_POLL_INTERVAL', '5s'),
        leaseMs: smsLeaseMs,
      },
    },
  });
}

type Reader = (name: string) => string | undefined;

function oneOf<const T extends string>(
  read: Reader,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = read(name);
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
}

function integer(read: Reader, name: string, fallback: number, min: number, max: number): number {
  const value = read(name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return parsed;
}

function boolean(read: Reader, name: string, fallback: boolean): boolean {
  const value = read(name);
  if (value === undefined) return fallback;
  const flag = booleanWord(value);
  if (flag === undefined) throw new ConfigError(name, `must be true or false (got "${value}")`);
  return flag;
}

/** true for 1/true/yes/on, false for 0/false/no/off (any case), else undefined. */
function booleanWord(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  return undefined;
}

function url(read: Reader, name: string, fallback: string): URL {
  const value = read(name) ?? fallback;
  if (!URL.canParse(value)) throw new ConfigError(name, `is not a valid URL (got "${value}")`);
  const parsed = new URL(value);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(name, 'must be an http:// or https:// URL');
  }
  return parsed;
}

function duration(read: Reader, name: string, fallback: string): number {
  const value = read(name) ?? fallback;
  const parsed = parseDuration(value);
  if (parsed === undefined) {
    throw new ConfigError(name, `must be a duration like 30m, 12h, 14d or 2w (got "${value}")`);
  }
  return parsed;
}

/** `<requests>/<duration>`, like 1200/1m, or `off`. Any count: benchmarks set huge ones. */
function rateLimit(read: Reader, name: string, fallback: string): RateLimit | undefined {
  const value = read(name) ?? fallback;
  if (value.toLowerCase() === 'off') return undefined;
  const [count = '', window = ''] = value.split('/');
  const windowMs = parseDuration(window);
  if (!/^\d+$/.test(count) || Number(count) < 1 || windowMs === undefined) {
    throw new ConfigError(
      name,
      `must look like 1200/1m (requests per duration) or off (got "${value}")`,
    );
  }
  // Past 2^53 a count is no limit at all; keep it a safe integer for the counters.
  return { max: Math.min(Number(count), Number.MAX_SAFE_INTEGER), windowMs };
}

/**
 * TRUST_PROXY: `true` means the one proxy in front of us, never "believe every hop":
 * the leftmost X-Forwarded-For entry is whatever the client wrote, and the address is
 * what rate limits count by.
 */
function trustProxy(read: Reader): Config['trustProxy'] {
  const value = read('TRUST_PROXY');
  if (value === undefined) return false;
  if (/^\d{1,2}$/.test(value)) return Number(value) === 0 ? false : Number(value);
  const flag = booleanWord(value);
  if (flag !== undefined) return flag ? 1 : false;
  const addresses = list(value);
  if (!addresses.every(isAddressOrRange)) {
    throw new ConfigError(
      'TRUST_PROXY',
      `must be true, false, a number of proxies, or their addresses like 10.0.0.0/8 (got "${value}")`,
    );
  }
  return addresses;
}

function isAddressOrRange(text: string): boolean {
  const [address = '', prefix, extra] = text.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * ALLOWED_HOSTS, or by default PUBLIC_URL's host, plus the loopback names outside
 * production (so that http://127.0.0.1:8000 works on a developer's machine).
 */
function allowedHosts(read: Reader, publicUrl: URL, nodeEnv: Config['nodeEnv']): string[] {
  const listed = list(read('ALLOWED_HOSTS'));
  if (listed.length > 0) return listed;
  const hosts = [publicUrl.hostname];
  if (nodeEnv !== 'production') hosts.push('localhost', '127.0.0.1', '[::1]');
  return [...new Set(hosts)];
}

function list(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null && !(child instanceof URL)) deepFreeze(child);
  }
  return Object.freeze(value);
}
