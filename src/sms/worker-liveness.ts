// How workers tell that the worker holding a message is gone, so that its messages
// go out within seconds instead of when their lease ends (SMS_LEASE, 2 minutes).
//
// While a worker lives, its LISTEN connection (which lives as long as it does) holds
// a session advisory lock on a random key of its own, and each claim records that
// key. A random key, not the connection's backend pid: the server may give that pid
// to another connection later. After a reconnect the worker takes the same key again.
//
// No lock means the worker was killed, or only lost that connection and may still
// be sending: so its messages are taken at the moment their send must have ended
// (SMS_SEND_TIMEOUT after the claim) and been recorded, not at once. The claimer
// writes that moment (send_ends_by) with its own timeout, which may not be ours.
import type pg from 'pg';

// The advisory locks (namespace, key) that say "this worker is alive".
const WORKER_LOCK_NAMESPACE = 7_201_947;
// After its send timed out, how long a live worker may take to record the outcome.
const RECORD_MARGIN_MS = 2000;

/** How long after its claim a live worker has ended a send and recorded it, at the latest. */
export function sendEndsWithinMs(sendTimeoutMs: number): number {
  return sendTimeoutMs + RECORD_MARGIN_MS;
}

/** Takes the worker's lock on its long-lived connection; false if another session has it. */
export async function takeWorkerLock(client: pg.Client, key: number): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>(
    'select pg_try_advisory_lock($1, $2) as locked',
    [WORKER_LOCK_NAMESPACE, key],
  );
  return rows[0]?.locked === true;
}

/**
 * Ends the lease of the messages whose worker holds no lock at the moment their send
 * must have ended. Returns in how many milliseconds each becomes due.
 */
export async function releaseClaimsOfGoneWorkers(pool: pg.Pool): Promise<number[]> {
  const { rows } = await pool.query<{ due_in_ms: number }>({
    name: 'release_sms_of_gone_workers',
    text: `update sms_messages
           set next_attempt_at = send_ends_by, claimed_by = null
           where status = 'sending' and claimed_by is not null and next_attempt_at > send_ends_by
             and not exists (
               select from pg_locks
               where locktype = 'advisory' and objsubid = 2 and granted
                 and database = (select oid from pg_database where datname = current_database())
                 and classid = $1 and objid = claimed_by)
           returning greatest(0, extract(epoch from next_attempt_at - now()) * 1000)::integer
                     as due_in_ms`,
    values: [WORKER_LOCK_NAMESPACE],
  });
  return rows.map((row) => row.due_in_ms);
}
