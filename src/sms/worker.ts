// Drains the SMS outbox. Any number of workers, in any number of processes, can run
// against one database: each claims due rows with FOR UPDATE SKIP LOCKED and holds
// them under a lease (next_attempt_at), so no two send the same message at once.
// A message whose worker died is taken again within seconds (worker-liveness.ts).
import { randomInt } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DatabaseTimeouts, SmsWorkerSettings } from '../config/config.ts';
import { connect, type Database } from '../db/client.ts';
import { applyKeptDeliveryReport, forgetUnmatchedDeliveryReports } from './delivery-reports.ts';
import { SMS_CHANNEL } from './outbox.ts';
import { releaseClaimsOfGoneWorkers, sendEndsWithinMs, takeWorkerLock } from './worker-liveness.ts';
import type { SendResult, SmsProvider } from './providers/provider.ts';

// Its own pool, apart from the API's: with 32 sends in flight, their outcomes queued
// for the API's 10 connections ahead of requests. Each query here is short (claim,
// record), so a few connections keep up with SMS_CONCURRENCY sends.
const POOL_SIZE = 4;

interface ClaimedSms {
  id: string;
  to_number: string;
  body: string;
  attempts: number;
}

export class SmsWorker {
  readonly #db: Database;
  readonly #provider: SmsProvider;
  readonly #settings: SmsWorkerSettings;
  readonly #logger: Logger;
  readonly #databaseUrl: string;
  /** This worker's key: held as an advisory lock while it lives, recorded on its claims. */
  readonly #key = randomInt(1, 2 ** 31);
  #listener: pg.Client | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #recoveryTimer: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  #drainAgain = false;
  /** Set at start and by each poll: the next round also sweeps (see #sweep). */
  #sweepDue = true;
  #stopped = false;

  constructor(options: {
    databaseUrl: string;
    provider: SmsProvider;
    settings: SmsWorkerSettings;
    logger: Logger;
    /** The server's; the defaults otherwise. */
    databaseTimeouts?: DatabaseTimeouts;
  }) {
    this.#databaseUrl = options.databaseUrl;
    this.#provider = options.provider;
    this.#settings = options.settings;
    this.#logger = options.logger.child({ component: 'sms-worker' });
    this.#db = connect(options.databaseUrl, POOL_SIZE, this.#logger, options.databaseTimeouts);
  }

  /** Listens for new orders and polls as a fallback; sends what is due at once. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#listen();
    this.#pollTimer = setInterval(() => {
      this.#sweepDue = true;
      this.wake();
    }, this.#settings.pollIntervalMs);
    this.#pollTimer.unref();
    this.wake();
    this.#logger.info({ provider: this.#provider.name }, 'SMS worker started');
  }

  /** Stops claiming; waits for the messages in flight, then closes its connections. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#pollTimer);
    clearTimeout(this.#recoveryTimer);
    await this.#draining;
    // Last: the lock it holds keeps other workers off the messages in flight.
    await this.#listener?.end().catch(() => {});
    this.#listener = undefined;
    if (!this.#db.pool.ending) await this.#db.close();
  }

  /** Drains now; if a drain is running, it goes round once more when done. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#draining !== undefined) {
      this.#drainAgain = true;
      return;
    }
    this.#draining = this.#drain()
      .catch((error: unknown) => this.#logger.error({ err: error }, 'SMS worker round failed'))
      .finally(() => {
        this.#draining = undefined;
        if (this.#drainAgain) {
          this.#drainAgain = false;
          this.wake();
        }
      });
  }

  /** Sweeps, then sends every due message until none is left, and waits for it. */
  async drain(): Promise<void> {
    this.#sweepDue = true;
    await this.#drain();
  }

  /**
   * Keeps up to `concurrency` sends in flight, claiming more as each one finishes
   * (rather than batch by batch, which would wait for the slowest of each batch).
   */
  async #drain(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    try {
      if (this.#sweepDue) {
        this.#sweepDue = false;
        await this.#sweep();
      }
      await this.#failAbandoned();
      for (;;) {
        const room = this.#settings.concurrency - inFlight.size;
        const claimed =
          room > 0 && !this.#stopped
            ? await this.#claim(Math.min(room, this.#settings.batchSize))
            : [];
        for (const sms of claimed) {
          const sending: Promise<void> = this.#send(sms)
            .catch((error: unknown) =>
              this.#logger.error({ err: error, smsId: sms.id }, 'could not record an SMS outcome'),
            )
            .finally(() => inFlight.delete(sending));
          inFlight.add(sending);
        }
        if (inFlight.size === 0 && claimed.length === 0) return;
        // Claim again at once while there was work and room; else wait for a send to end.
        if (claimed.length === 0 || inFlight.size >= this.#settings.concurrency) {
          await Promise.race(inFlight);
        }
      }
    } finally {
      // Even when a claim fails (the database went away), the sends already started
      // finish and are recorded before this round ends: stop() waits for this.
      await Promise.allSettled(inFlight);
    }
  }

  /**
   * A message whose lease ran out with every attempt used was being sent when its
   * worker died, each time: give up on it rather than claim it forever.
   */
  async #failAbandoned(): Promise<void> {
    await this.#db.pool.query({
      name: 'fail_abandoned_sms',
      text: `update sms_messages
             set status = 'failed', claimed_by = null, updated_at = now(),
                 last_error = coalesce(last_error, 'its worker stopped during every attempt')
             where status = 'sending' and next_attempt_at <= now() and attempts >= $1`,
      values: [this.#settings.maxAttempts],
    });
  }

  /** Upkeep that can wait for a poll: every round would slow the hand-off of new orders. */
  async #sweep(): Promise<void> {
    await this.#releaseClaimsOfGoneWorkers();
    await this.#failMessagesOfDeletedOrders();
    await forgetUnmatchedDeliveryReports(this.#db.orm);
  }

  /** Takes the messages of workers that are gone, waking up when they are due. */
  async #releaseClaimsOfGoneWorkers(): Promise<void> {
    const dueInMs = await releaseClaimsOfGoneWorkers(this.#db.pool);
    if (dueInMs.length === 0) return;
    this.#logger.warn({ messages: dueInMs.length }, 'SMS claimed by a worker that is gone');
    clearTimeout(this.#recoveryTimer);
    this.#recoveryTimer = setTimeout(() => this.wake(), Math.min(...dueInMs)).unref();
  }

  /**
   * A due message whose order was deleted is not sent (the claim skips it): pending,
   * or left `sending` by a worker that is gone.
   */
  async #failMessagesOfDeletedOrders(): Promise<void> {
    await this.#db.pool.query({
      name: 'fail_sms_of_deleted_orders',
      text: `update sms_messages
             set status = 'failed', claimed_by = null, updated_at = now(),
                 last_error = case status
                   when 'pending' then 'its order was deleted before it was sent'
                   else 'its order was deleted while its worker, now gone, was sending it'
                 end
             where status in ('pending', 'sending') and next_attempt_at <= now()
               and not exists (select from orders where orders.id = sms_messages.order_id)`,
    });
  }

  async #claim(limit: number): Promise<ClaimedSms[]> {
    // MATERIALIZED: the CTE runs once, so LIMIT bounds the rows locked; as a plain
    // `id in (subquery)` the planner may rescan the subquery and lock more than it takes.
    const { rows } = await this.#db.pool.query<ClaimedSms>({
      name: 'claim_sms',
      text: `with due as materialized (
               select id from sms_messages
               where status in ('pending', 'sending') and next_attempt_at <= now()
                 and exists (select from orders where orders.id = sms_messages.order_id)
               order by next_attempt_at
               limit $1
               for update skip locked)
             update sms_messages
             set status = 'sending', attempts = attempts + 1,
                 next_attempt_at = now() + $2 * interval '1 millisecond',
                 claimed_by = $3, send_ends_by = now() + $4 * interval '1 millisecond',
                 updated_at = now()
             from due
             where sms_messages.id = due.id
             returning sms_messages.id, to_number, body, attempts`,
      values: [
        limit,
        this.#settings.leaseMs,
        this.#key,
        sendEndsWithinMs(this.#settings.sendTimeoutMs),
      ],
    });
    return rows;
  }

  async #send(sms: ClaimedSms): Promise<void> {
    let result: SendResult;
    try {
      result = await this.#provider.send(
        { to: sms.to_number, body: sms.body },
        AbortSignal.timeout(this.#settings.sendTimeoutMs),
      );
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : describe(error);
      result = { outcome: 'retry', error: `could not reach the gateway: ${reason}` };
    }
    await this.#record(sms, result);
  }

  async #record(sms: ClaimedSms, result: SendResult): Promise<void> {
    // `attempts` in the condition: if our lease ran out and another worker claimed the
    // message meanwhile, its outcome is the one to keep.
    const ours = [sms.id, sms.attempts];
    if (result.outcome === 'sent') {
      const { rowCount } = await this.#db.pool.query({
        name: 'record_sms_sent',
        text: `update sms_messages
               set status = 'sent', claimed_by = null, provider = $3, provider_message_id = $4,
                   cost = $5,
                   last_error = null, sent_at = now(), updated_at = now()
               where id = $1 and attempts = $2 and status = 'sending'`,
        values: [
          ...ours,
          this.#provider.name,
          result.providerMessageId ?? null,
          result.cost ?? null,
        ],
      });
      if (rowCount === 0) {
        this.#logger.warn(
          { smsId: sms.id },
          'SMS sent after its lease ended; another worker had claimed it',
        );
        return;
      }
      this.#logger.info({ smsId: sms.id, attempts: sms.attempts }, 'SMS sent');
      if (result.providerMessageId === undefined) return;
      // After the send is recorded (committed), never before: see delivery-reports.ts.
      const reported = await applyKeptDeliveryReport(
        this.#db.orm,
        this.#provider.name,
        result.providerMessageId,
      );
      if (reported !== undefined) {
        this.#logger.info({ smsId: sms.id, status: reported }, 'kept delivery report applied');
      }
      return;
    }
    // A refused API key is kept (not dropped) however long it takes to fix it.
    const keepTrying = result.outcome === 'retry' && result.keepTrying === true;
    const finalFailure =
      result.outcome === 'failed' || (sms.attempts >= this.#settings.maxAttempts && !keepTrying);
    const delayMs = finalFailure ? 0 : backoffMs(sms.attempts, this.#settings);
    await this.#db.pool.query({
      name: 'record_sms_failure',
      text: `update sms_messages
             set status = $3, claimed_by = null, last_error = $4, provider = $5,
                 next_attempt_at = now() + $6 * interval '1 millisecond', updated_at = now()
             where id = $1 and attempts = $2 and status = 'sending'`,
      values: [
        ...ours,
        finalFailure ? 'failed' : 'pending',
        result.error,
        this.#provider.name,
        delayMs,
      ],
    });
    const log = { smsId: sms.id, attempts: sms.attempts, reason: result.error };
    if (finalFailure) this.#logger.error(log, 'SMS failed for good');
    else if (keepTrying)
      this.#logger.error(
        { ...log, retryInMs: delayMs },
        'SMS gateway refuses our credentials; will retry',
      );
    else this.#logger.warn({ ...log, retryInMs: delayMs }, 'SMS not sent; will retry');
  }

  /** A dedicated connection for LISTEN; reconnects after a failure, polling covers the gap. */
  async #listen(): Promise<void> {
    if (this.#stopped) return;
    const client = new pg.Client({ connectionString: this.#databaseUrl });
    client.on('notification', () => this.wake());
    // pg can report one failure twice (the FATAL message, then the close): reconnect once.
    client.once('error', (error) => {
      client.on('error', () => {});
      void client.end().catch(() => {});
      if (this.#stopped) return;
      this.#logger.warn({ err: error }, 'SMS worker lost its LISTEN connection; reconnecting');
      this.#listener = undefined;
      setTimeout(() => void this.#listen().catch(() => {}), 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`listen ${SMS_CHANNEL}`);
      // The same key after a reconnect: this worker's claims are still its own.
      if (!(await takeWorkerLock(client, this.#key))) {
        // Its previous connection is not gone yet on the server's side, and holds it
        // for us meanwhile. When it goes, other workers take our messages only once
        // their sends must have ended: safe, only sooner than the lease.
        this.#logger.warn('SMS worker could not take its lock again (its old connection has it)');
      }
      if (this.#stopped) {
        await client.end();
        return;
      }
      this.#listener = client;
      this.wake(); // what was queued while we were not listening
    } catch (error) {
      this.#logger.warn({ err: error }, 'SMS worker could not LISTEN; polling only for now');
      await client.end().catch(() => {});
      setTimeout(() => void this.#listen().catch(() => {}), 5000).unref();
    }
  }
}

/** Exponential backoff with jitter: base·2^(n−1), capped, then between half and all of it. */
export function backoffMs(
  attempt: number,
  settings: Pick<SmsWorkerSettings, 'retryBaseMs' | 'retryCapMs'>,
): number {
  const ceiling = Math.min(
    settings.retryCapMs,
    settings.retryBaseMs * 2 ** Math.max(0, attempt - 1),
  );
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
