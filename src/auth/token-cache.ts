// Token lookups kept in this process's memory: looking a token up in PostgreSQL was
// 17–28 % of the server's busy time. Keyed by the token's SHA-256, as the table is: the
// key itself is never held. Only tokens that exist are kept, so made-up keys cannot grow
// it (and a flood of them is stopped per address before any lookup, rate-limits.ts).
//
// It is trusted only while this process hears of every change: token-changes.ts holds a
// LISTEN connection, and triggers (migrations/0006_token_change_notifications.sql) send
// the hash of each token revoked, changed or deleted, or whose user changed. While that
// connection is down, every lookup goes to the database and nothing is kept; it is
// emptied when it comes back, since changes made meanwhile were not heard.
import type { TokenIdentity } from './tokens.ts';

// NOTIFY already drops a changed token at once: the TTL only bounds how long a change
// that sends no notification can go unseen (triggers bypassed with
// session_replication_role = replica, a listener connection dead but not yet known to
// be). 30 s keeps that short, and still turns a busy token's lookups into one per
// process every 30 s.
export const TOKEN_CACHE_TTL_MS = 30_000;
// A cached lookup is a token row and a user row, well under 2 kB: at most ~20 MB.
// Past the cap the least recently used token goes; it is only looked up again.
export const TOKEN_CACHE_MAX_ENTRIES = 10_000;

interface Entry {
  readonly identity: TokenIdentity;
  readonly cachedAt: number;
}

export class TokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  #trusted = false;
  /**
   * Counts the changes heard (and losses of the listener). A lookup that started before
   * one and ends after it may have read the old row: it is not kept (see remember).
   */
  #changes = 0;

  constructor(options: { ttlMs?: number; maxEntries?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? TOKEN_CACHE_TTL_MS;
    this.#maxEntries = options.maxEntries ?? TOKEN_CACHE_MAX_ENTRIES;
  }

  /** Whether lookups may be answered from here: only while changes are being heard. */
  get trusted(): boolean {
    return this.#trusted;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Where a lookup starts: pass it to remember() with what the database answered. */
  get changesSeen(): number {
    return this.#changes;
  }

  /** The cached identity, unless it is untrusted, stale or past the token's expiry. */
  get(tokenHash: string, now: Date): TokenIdentity | undefined {
    if (!this.#trusted) return undefined;
    const entry = this.#entries.get(tokenHash);
    if (entry === undefined) return undefined;
    const expiresAt = entry.identity.token.expiresAt;
    if (now.getTime() - entry.cachedAt >= this.#ttlMs || (expiresAt !== null && expiresAt <= now)) {
      this.#entries.delete(tokenHash);
      return undefined;
    }
    // Most recently used last: eviction takes from the front.
    this.#entries.delete(tokenHash);
    this.#entries.set(tokenHash, entry);
    return entry.identity;
  }

  /**
   * Keeps a valid identity that the database gave, if no change was heard since the
   * lookup began (`changesSeen` then): a revocation that committed during the lookup
   * may already have been announced, and keeping the older row would outlive it.
   */
  remember(tokenHash: string, identity: TokenIdentity, changesSeen: number, now: Date): void {
    if (!this.#trusted || changesSeen !== this.#changes) return;
    this.#entries.delete(tokenHash);
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(tokenHash, { identity, cachedAt: now.getTime() });
  }

  /** A token changed: drop it. */
  forget(tokenHash: string): void {
    this.#changes += 1;
    this.#entries.delete(tokenHash);
  }

  /** Many tokens changed (TRUNCATE): drop them all. */
  forgetAll(): void {
    this.#changes += 1;
    this.#entries.clear();
  }

  /** Changes are being heard from now on: start afresh, since some may have been missed. */
  trust(): void {
    this.forgetAll();
    this.#trusted = true;
  }

  /** Changes may go unheard (the listener is down): the database answers every lookup. */
  distrust(): void {
    this.#trusted = false;
    this.forgetAll();
  }
}
