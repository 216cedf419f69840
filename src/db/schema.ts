// The single source of the tables. `npm run db:generate` turns changes here into a
// new SQL file under migrations/, which is committed and reviewed like code.
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  char,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    // E.164, normalised by libphonenumber-js before it gets here.
    phoneNumber: text('phone_number').notNull().unique(),
    ...timestamps,
  },
  (table) => [
    index('customers_created_at_id_idx').on(table.createdAt, table.id),
    // The resource API's search: part of the name in any case (trigrams; the
    // extension is created by migration 0007), and the start of the phone number.
    index('customers_name_trgm_idx').using('gin', table.name.op('gin_trgm_ops')),
    index('customers_phone_number_prefix_idx').on(table.phoneNumber.op('text_pattern_ops')),
    check('customers_name_length', sql`char_length(${table.name}) between 1 and 100`),
    check('customers_phone_number_e164', sql`${table.phoneNumber} ~ '^\\+[1-9][0-9]{6,14}$'`),
  ],
);

export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // RESTRICT: a customer with orders is deleted only on purpose (?force=true
    // deletes the orders first, in the same transaction).
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    item: text('item').notNull(),
    // Read back by node-postgres as a string: money never becomes a JS float.
    amount: numeric('amount', { precision: 12, scale: 2 }).notNull(),
    currency: char('currency', { length: 3 }).notNull().default('KES'),
    ...timestamps,
  },
  (table) => [
    index('orders_created_at_id_idx').on(table.createdAt, table.id),
    index('orders_customer_id_created_at_id_idx').on(table.customerId, table.createdAt, table.id),
    // The resource API's ordering and range by amount, and its search in items.
    index('orders_amount_id_idx').on(table.amount, table.id),
    index('orders_item_trgm_idx').using('gin', table.item.op('gin_trgm_ops')),
    check('orders_item_length', sql`char_length(${table.item}) between 1 and 100`),
    check('orders_amount_positive', sql`${table.amount} > 0`),
    check('orders_currency_code', sql`${table.currency} ~ '^[A-Z]{3}$'`),
  ],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // OpenID Connect identity (issuer + subject); null for users made by the CLI
    // until they first sign in.
    issuer: text('issuer'),
    subject: text('subject'),
    email: text('email').notNull(),
    name: text('name'),
    role: text('role', { enum: ['admin', 'staff'] })
      .notNull()
      .default('staff'),
    // Set by `customer-orders users disable`: the user's sessions and tokens are
    // refused from the next request on, and sign-in too, until enabled again.
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('users_issuer_subject_key').on(table.issuer, table.subject),
    uniqueIndex('users_email_key').on(sql`lower(${table.email})`),
    check('users_role_known', sql`${table.role} in ('admin', 'staff')`),
  ],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    // SHA-256 of the key, hex. The key itself is shown once and never stored:
    // a leaked table does not leak working credentials.
    tokenHash: text('token_hash').notNull().unique(),
    scope: text('scope', { enum: ['read', 'write'] })
      .notNull()
      .default('write'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [
    index('api_tokens_user_id_idx').on(table.userId),
    check('api_tokens_scope_known', sql`${table.scope} in ('read', 'write')`),
  ],
);

/**
 * How many rows customers and orders hold, kept exact by statement-level triggers in
 * the same transaction as every insert, delete and truncate (migration 0005), so the
 * original API's `count` costs a few rows instead of a count(*) over the table. Each
 * table's count is split over shards (one per backend, by pid) that are summed when
 * read: one row would make every concurrent writer wait for the previous commit.
 */
export const rowCounts = pgTable(
  'row_counts',
  {
    tableName: text('table_name').notNull(),
    shard: smallint('shard').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.tableName, table.shard] })],
);

export type CustomerRow = typeof customers.$inferSelect;
export type OrderRow = typeof orders.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;

export const sessions = pgTable(
  'sessions',
  {
    // SHA-256 of the session id in the `sessionid` cookie: a leaked table cannot be
    // replayed as cookies.
    idHash: text('id_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userAgent: text('user_agent'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    // The earlier of (last use + idle timeout) and (sign-in + maximum age).
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('sessions_user_id_idx').on(table.userId),
    index('sessions_expires_at_idx').on(table.expiresAt),
  ],
);

/**
 * A sign-in between /auth/login and /auth/callback: what the callback must check
 * (state, nonce, PKCE verifier). Deleted when used, so a state works once.
 */
export const loginAttempts = pgTable(
  'login_attempts',
  {
    // SHA-256 of the OAuth `state`, which the browser also holds in a cookie.
    stateHash: text('state_hash').primaryKey(),
    nonce: text('nonce').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    // Where to go after sign-in: a same-origin path, checked before it was stored.
    nextPath: text('next_path').notNull().default('/'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('login_attempts_expires_at_idx').on(table.expiresAt)],
);

export type SessionRow = typeof sessions.$inferSelect;

export const SMS_STATUSES = ['pending', 'sending', 'sent', 'delivered', 'failed'] as const;
export type SmsStatus = (typeof SMS_STATUSES)[number];

/**
 * The SMS outbox and the record of each message at once: a row is written in the
 * same transaction as its order, and workers claim due rows with FOR UPDATE SKIP
 * LOCKED. pending → sending (leased) → sent → delivered, or failed; a retryable
 * failure goes back to pending with a later next_attempt_at.
 */
export const smsMessages = pgTable(
  'sms_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // The order's id, kept after the order is deleted (so no foreign key): an SMS that
    // went to a real person stays on record. Unique: one SMS per order.
    orderId: uuid('order_id').notNull().unique(),
    toNumber: text('to_number').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: SMS_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    // When a worker may take it next. While `sending`, the end of the claiming
    // worker's lease: past it, that worker is presumed dead and the row is due again.
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    // While `sending`: the worker that holds it (the key of the advisory lock that
    // worker holds while it lives, see sms/worker-liveness.ts; null once its outcome
    // is recorded), and when its send has ended and been recorded at the latest. If
    // that worker is gone, the message is taken again then, not when the lease ends.
    // (A worker of an older version claims without setting them: its lease applies.)
    claimedBy: integer('claimed_by'),
    sendEndsBy: timestamp('send_ends_by', { withTimezone: true }),
    provider: text('provider'),
    providerMessageId: text('provider_message_id'),
    // As the gateway reports it: "KES 0.8000".
    cost: text('cost'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (table) => [
    // What workers scan: only the rows that may still need sending.
    index('sms_messages_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.status} in ('pending', 'sending')`),
    index('sms_messages_status_idx').on(table.status, table.createdAt),
    uniqueIndex('sms_messages_provider_message_id_key').on(table.provider, table.providerMessageId),
    check(
      'sms_messages_status_known',
      sql`${table.status} in ('pending', 'sending', 'sent', 'delivered', 'failed')`,
    ),
  ],
);

export type SmsMessageRow = typeof smsMessages.$inferSelect;

/**
 * Final delivery reports that came before their message's send was recorded: the
 * gateway may report delivery before our worker has written the message id it
 * answered. Applied when the send is recorded; forgotten after a day if it never is
 * (an id we never sent, such as another app's on the same account).
 */
export const smsEarlyDeliveryReports = pgTable(
  'sms_early_delivery_reports',
  {
    provider: text('provider').notNull(),
    providerMessageId: text('provider_message_id').notNull(),
    // What the report makes of a sent message.
    status: text('status', { enum: ['delivered', 'failed'] }).notNull(),
    lastError: text('last_error'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.provider, table.providerMessageId] }),
    index('sms_early_delivery_reports_received_at_idx').on(table.receivedAt),
    check(
      'sms_early_delivery_reports_status_known',
      sql`${table.status} in ('delivered', 'failed')`,
    ),
  ],
);

/**
 * Idempotency-Key on the resource API's POSTs (http/idempotency.ts): per caller and
 * key, the request it was first used with and, once that committed, its answer, kept
 * 24 hours. A row without an answer is a request still running (or one whose process
 * died: it is taken over after a minute).
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid('user_id').notNull(),
    key: text('key').notNull(),
    // SHA-256 of the method, path and body: the same key with another request is a 422.
    requestHash: text('request_hash').notNull(),
    lockedAt: timestamp('locked_at', { withTimezone: true }).notNull().defaultNow(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    responseLocation: text('response_location'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.key] }),
    index('idempotency_keys_created_at_idx').on(table.createdAt),
  ],
);
