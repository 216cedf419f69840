// Hears of every change to API tokens and their users (the triggers of
// migrations/0006_token_change_notifications.sql) on a LISTEN connection of its own,
// and drops the changed tokens from this process's TokenCache. The cache is trusted
// only while this connection is up: a notification sent while it is down is lost.
import pg from 'pg';
import type { FastifyBaseLogger } from 'fastify';
import type { TokenCache } from './token-cache.ts';

export const TOKEN_CHANGES_CHANNEL = 'api_tokens';
/** How the connection shows in pg_stat_activity. */
export const TOKEN_CHANGES_APPLICATION_NAME = 'customer-orders token changes';

// A connection that dies quietly (a network cut, a frozen server) would leave the cache
// trusted while changes go unheard, until TCP keep-alive notices (minutes). A query on
// it every few seconds bounds that: PostgreSQL sends the notifications it holds before
// answering, so a heartbeat answered also means nothing was missed up to then. The
// timeout is generous: on a busy database a slow answer must not count as a loss, since
// each loss sends every token lookup to that same database.
const HEARTBEAT_INTERVAL_MS = 5000;
const HEARTBEAT_TIMEOUT_MS = 5000;
const CONNECT_TIMEOUT_MS = 5000;
// Until it is back, every token lookup goes to the database: retry soon, then back off
// so that a long outage does not fill the log.
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

export class TokenChangeListener {
  readonly #databaseUrl: string;
  readonly #cache: TokenCache;
  readonly #logger: FastifyBaseLogger;
  #client: pg.Client | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #retryMs = RETRY_FIRST_MS;
  #closed = false;

  constructor(options: { databaseUrl: string; cache: TokenCache; logger: FastifyBaseLogger }) {
    this.#databaseUrl = options.databaseUrl;
    this.#cache = options.cache;
    this.#logger = options.logger.child({ component: 'token-changes' });
  }

  /** Connects in the background; until it is listening, the cache is not used. */
  start(): void {
    this.#closed = false;
    void this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#heartbeat);
    this.#cache.distrust();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({
      connectionString: this.#databaseUrl,
      application_name: TOKEN_CHANGES_APPLICATION_NAME,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: HEARTBEAT_TIMEOUT_MS,
      keepAlive: true,
    });
    this.#client = client;
    let lost = false;
    // pg may report one failure several ways (an error, then the end): act once.
    const onLost = (error: unknown) => {
      if (lost) return;
      lost = true;
      this.#cache.distrust();
      clearInterval(this.#heartbeat);
      void client.end().catch(() => {});
      if (this.#client === client) this.#client = undefined;
      if (this.#closed) return;
      this.#logger.warn(
        { err: error, retryInMs: this.#retryMs },
        'not hearing of token changes; looking every token up in the database until back',
      );
      this.#retry = setTimeout(() => void this.#connect(), this.#retryMs).unref();
      this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    };
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('the connection closed')));
    client.on('notification', ({ channel, payload }) => {
      if (channel !== TOKEN_CHANGES_CHANNEL) return;
      if (payload === undefined || payload === '*') this.#cache.forgetAll();
      else this.#cache.forget(payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${TOKEN_CHANGES_CHANNEL}`);
    } catch (error) {
      onLost(error);
      return;
    }
    if (lost || this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    // Only now: a change committed before LISTEN took effect was not heard, and trust()
    // empties the cache of anything that could have missed it.
    this.#cache.trust();
    this.#retryMs = RETRY_FIRST_MS;
    this.#logger.info('hearing of token changes: token lookups are cached');
    this.#heartbeat = setInterval(() => {
      client.query('select 1').catch(onLost);
    }, HEARTBEAT_INTERVAL_MS).unref();
  }
}
