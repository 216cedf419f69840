// `customer-orders export customers|orders`: every row as CSV, streamed a batch at a
// time in creation order, so memory stays flat whatever the table's size. Columns are
// named as the API's fields, ids included, times in UTC to the microsecond, amounts
// as decimals: an export imports back as it was.
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type pg from 'pg';
import { csvLine } from './csv.ts';

// Microseconds, as PostgreSQL keeps them: a JavaScript Date would drop them.
const UTC_TIME = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const TABLES = {
  customers: {
    columns: ['id', 'name', 'phone_number', 'created_at', 'updated_at'],
    select: `id::text, name, phone_number, ${UTC_TIME('created_at')}, ${UTC_TIME('updated_at')}`,
  },
  orders: {
    columns: ['id', 'customer_id', 'item', 'amount', 'currency', 'created_at', 'updated_at'],
    select: `id::text, customer_id::text, item, amount::text, currency, ${UTC_TIME('created_at')}, ${UTC_TIME('updated_at')}`,
  },
} as const;

export type ExportedTable = keyof typeof TABLES;
export const EXPORTED_TABLES = Object.keys(TABLES) as ExportedTable[];

const BATCH_ROWS = 5000;

/**
 * Writes `table` to `out` as CSV, a header line first. With `since`, only the rows
 * changed (or made) at or after it. Resolves to the number of rows written.
 */
export async function exportTable(
  pool: pg.Pool,
  table: ExportedTable,
  out: Writable,
  options: { since?: Date | undefined } = {},
): Promise<number> {
  const { columns, select } = TABLES[table];
  await write(out, csvLine(columns));
  let after: { createdAt: string; id: string } | undefined;
  let written = 0;
  for (;;) {
    const conditions = ["updated_at >= coalesce($1::timestamptz, '-infinity')"];
    if (after !== undefined) conditions.push('(created_at, id) > ($2::timestamptz, $3::uuid)');
    // The key is carried as text, microseconds and all, for the next batch's start.
    const { rows } = await pool.query<{ row: string[]; key: string }>({
      text: `select array[${select}] as row, created_at::text as key
        from ${table} where ${conditions.join(' and ')}
        order by created_at, id limit ${BATCH_ROWS}`,
      values: [options.since ?? null, ...(after ? [after.createdAt, after.id] : [])],
    });
    await write(out, rows.map(({ row }) => csvLine(row)).join(''));
    written += rows.length;
    const last = rows.at(-1);
    if (last === undefined || rows.length < BATCH_ROWS) return written;
    after = { createdAt: last.key, id: last.row[0] ?? '' };
  }
}

/** Writes, waiting when the reader is slower than the database. */
async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}
