// Idempotency-Key, with Stripe's semantics, for POSTs that create something: a client
// that sends a request again with the same key (after a timeout, a dropped
// connection) gets the first answer again instead of a second order and a second SMS.
//
// - The key is claimed first, in a statement of its own that commits at once, so a
//   second request with it, in this process or another, sees it running (409).
// - The work and the answer it gives are then written in one transaction: either
//   both are there or neither. Work that must wait for the commit (waking the SMS
//   workers) uses the transaction's afterCommit.
// - A request that fails gives its key back, so the client may try again.
// - Keys are per user, up to 255 characters, kept 24 hours (swept with sessions). A
//   claim whose process died is taken over after a minute: its transaction rolled
//   back, so nothing it did remains.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import type { StatementRunner } from '../db/statement-pool.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** What a POST answers: kept for the repeats of a request with the same key. */
export interface Answer {
  status: number;
  body: unknown;
  /** For a Location header. */
  location?: string;
}

// Longer than REQUEST_TIMEOUT's 30 s by default: a claim this old has no live request.
const ABANDONED_CLAIM = '60 seconds';
const KEPT_FOR = '24 hours';

const CLAIM = `insert into idempotency_keys as k (user_id, key, request_hash) values ($1, $2, $3)
  on conflict (user_id, key) do update
    set request_hash = excluded.request_hash, locked_at = now(), created_at = now(),
      response_status = null, response_body = null, response_location = null
    where k.created_at < now() - interval '${KEPT_FOR}'
      or (k.response_status is null and k.locked_at < now() - interval '${ABANDONED_CLAIM}')
  returning true as "claimed"`;

const FIND = `select request_hash as "requestHash", response_status as "status",
    response_body as "body", response_location as "location"
  from idempotency_keys where user_id = $1 and key = $2`;

const RECORD = `update idempotency_keys
  set response_status = $3, response_body = $4, response_location = $5
  where user_id = $1 and key = $2`;

const RELEASE = `delete from idempotency_keys
  where user_id = $1 and key = $2 and response_status is null`;

/** Deletes the keys older than 24 hours; returns how many. */
export async function sweepIdempotencyKeys(db: Database): Promise<number> {
  const rows = await db.statements.run(
    `delete from idempotency_keys where created_at < now() - interval '${KEPT_FOR}' returning 1`,
    [],
  );
  return rows.length;
}

/**
 * Answers a POST with `work`'s answer; with an Idempotency-Key, runs `work` at most
 * once per key (in a transaction with the answer's record) and answers repeats with
 * the recorded answer, marked `Idempotent-Replayed: true`.
 */
export async function answerIdempotently(
  db: Database,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (db: StatementRunner) => Promise<Answer>,
): Promise<FastifyReply> {
  const key = request.headers[IDEMPOTENCY_HEADER];
  if (key === undefined) return send(reply, await work(db.statements));
  const userId = request.identity?.user.id;
  if (userId === undefined) throw new Error('authenticate() lets no anonymous request through');
  if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new AppError(
      'invalid_idempotency_key',
      'Idempotency-Key must be 1–255 visible ASCII characters, sent once.',
    );
  }
  const requestHash = hashRequest(request);
  const [claim] = await db.statements.run<{ claimed: boolean }>(CLAIM, [userId, key, requestHash]);
  if (claim === undefined) return replay(db, reply, userId, key, requestHash);
  try {
    const answer = await db.statements.transaction(async (transaction) => {
      const answer = await work(transaction);
      const body = JSON.stringify(answer.body);
      await transaction.run(RECORD, [userId, key, answer.status, body, answer.location ?? null]);
      return answer;
    });
    return send(reply, answer);
  } catch (error) {
    await db.statements.run(RELEASE, [userId, key]).catch(() => {});
    throw error;
  }
}

async function replay(
  db: Database,
  reply: FastifyReply,
  userId: string,
  key: string,
  requestHash: string,
): Promise<FastifyReply> {
  const [first] = await db.statements.run<{
    requestHash: string;
    status: number | null;
    body: string | null;
    location: string | null;
  }>(FIND, [userId, key]);
  if (first !== undefined && first.requestHash !== requestHash) {
    throw new AppError(
      'idempotency_key_reused',
      'This Idempotency-Key was used with another request; use a new key for a new request.',
    );
  }
  if (first?.status == null || first.body === null) {
    // Running, or released by a failure a moment ago: either way, try again shortly.
    throw new AppError(
      'idempotency_key_in_use',
      'A request with this Idempotency-Key is still running; try again in a moment.',
    );
  }
  void reply.header('Idempotent-Replayed', 'true');
  const answer: Answer = { status: first.status, body: JSON.parse(first.body) as unknown };
  if (first.location !== null) answer.location = first.location;
  return send(reply, answer);
}

function send(reply: FastifyReply, answer: Answer): FastifyReply {
  if (answer.location !== undefined) void reply.header('Location', answer.location);
  return reply.code(answer.status).send(answer.body);
}

/** The request's method, path and body (keys sorted, so their order does not matter). */
function hashRequest(request: FastifyRequest): string {
  const path = new URL(request.url, 'http://request.invalid').pathname;
  const text = JSON.stringify([request.method, path, request.body], (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)))
      : value,
  );
  return createHash('sha256').update(text).digest('hex');
}
