// `customer-orders import customers|orders FILE.csv`: CSV in the export's shape (a
// header line naming the API's fields), streamed and checked row by row with the
// same rules as the APIs, inserted a batch at a time, each batch one transaction.
// A crash loses at most the batch in flight, and a re-run skips the rows already
// there (by id), so an import can simply be run again.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type pg from 'pg';
import {
  checkUuid,
  cleanText,
  FieldRuleError,
  normalizePhoneNumber,
  parseAmount,
  parseInstant,
} from '../core/fields.ts';
import { orderSmsText } from '../sms/message.ts';

export type ImportedTable = 'customers' | 'orders';

export interface ImportOptions {
  /** Queue each imported order's SMS, as a new order would (off: imported orders are history). */
  sendSms: boolean;
  currency: string;
  smsTemplate: string | undefined;
  /** Called after each batch: rows read so far. */
  onProgress?: (rowsRead: number) => void;
  /** A row refused, with the line of the file it ends on and why. */
  onRejected: (line: number, reason: string) => void;
  batchRows?: number;
}

export interface ImportResult {
  imported: number;
  /** Rows whose id is already there (an earlier run of the same file). */
  skipped: number;
  rejected: number;
}

/** The header does not fit the table: nothing is imported. */
export class ImportHeaderError extends Error {}

const COLUMNS = {
  customers: { required: ['name', 'phone_number'], optional: ['id', 'created_at', 'updated_at'] },
  orders: {
    required: ['customer_id', 'item', 'amount'],
    optional: ['id', 'currency', 'created_at', 'updated_at'],
  },
} as const;

type Row = Record<string, string>;
interface Checked {
  line: number;
  values: Record<string, string | null>;
}

/** A time as written, once checked: the text keeps its microseconds, a Date would not. */
function instant(value: string): string {
  parseInstant(value);
  return value;
}

function currencyCode(value: string): string {
  if (!/^[A-Z]{3}$/.test(value))
    throw new FieldRuleError('A three-letter ISO 4217 code, like KES.');
  return value;
}

const RULES: Record<ImportedTable, Record<string, (value: string) => string>> = {
  customers: {
    id: checkUuid,
    name: cleanText,
    phone_number: normalizePhoneNumber,
    created_at: instant,
    updated_at: instant,
  },
  orders: {
    id: checkUuid,
    customer_id: checkUuid,
    item: (value) => cleanText(value),
    amount: (value) => parseAmount(value),
    currency: currencyCode,
    created_at: instant,
    updated_at: instant,
  },
};

export async function importTable(
  pool: pg.Pool,
  table: ImportedTable,
  input: Readable,
  options: ImportOptions,
): Promise<ImportResult> {
  const batchRows = options.batchRows ?? 1000;
  const result: ImportResult = { imported: 0, skipped: 0, rejected: 0 };
  const reject = (line: number, reason: string) => {
    result.rejected += 1;
    options.onRejected(line, reason);
  };
  const parser = input.pipe(
    parse({ columns: (header: string[]) => checkHeader(table, header), bom: true, info: true }),
  );
  let batch: Checked[] = [];
  let rowsRead = 0;
  const flush = async () => {
    const counts = await insertBatch(pool, table, batch, options, reject);
    result.imported += counts.imported;
    result.skipped += counts.skipped;
    batch = [];
    options.onProgress?.(rowsRead);
  };
  for await (const { record, info } of parser as AsyncIterable<{
    record: Row;
    info: { lines: number };
  }>) {
    rowsRead += 1;
    const checked = checkRow(table, record);
    if (typeof checked === 'string') reject(info.lines, checked);
    else batch.push({ line: info.lines, values: checked });
    if (batch.length >= batchRows) await flush();
  }
  await flush();
  return result;
}

function checkHeader(table: ImportedTable, header: string[]): string[] {
  const { required, optional } = COLUMNS[table];
  const known: readonly string[] = [...required, ...optional];
  const unknown = header.filter((name) => !known.includes(name));
  const missing = required.filter((name) => !header.includes(name));
  if (unknown.length > 0 || missing.length > 0) {
    const problems = [
      ...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []),
      ...(unknown.length > 0 ? [`unknown ${unknown.join(', ')}`] : []),
    ];
    throw new ImportHeaderError(
      `the header line of a ${table} file names ${known.join(', ')} (${problems.join('; ')})`,
    );
  }
  return header;
}

/** The row's values, checked and normalised (null: absent), or why it is refused. */
function checkRow(table: ImportedTable, record: Row): Record<string, string | null> | string {
  const values: Record<string, string | null> = {};
  const problems: string[] = [];
  for (const [field, rule] of Object.entries(RULES[table])) {
    const value = record[field];
    if (value === undefined || value === '') {
      values[field] = null;
      if ((COLUMNS[table].required as readonly string[]).includes(field)) {
        problems.push(`${field}: This field is required.`);
      }
      continue;
    }
    try {
      values[field] = rule(value);
    } catch (error) {
      if (!(error instanceof FieldRuleError)) throw error;
      problems.push(`${field}: ${error.message}`);
    }
  }
  return problems.length > 0 ? problems.join(' ') : values;
}

const column = (rows: Checked[], field: string) => rows.map((row) => row.values[field] ?? null);

async function insertBatch(
  pool: pg.Pool,
  table: ImportedTable,
  batch: Checked[],
  options: ImportOptions,
  reject: (line: number, reason: string) => void,
): Promise<{ imported: number; skipped: number }> {
  // A row without an id gets a new one; a second row with the same id is refused.
  const seen = new Map<string, number>();
  const unique = batch.filter((row) => {
    const id = (row.values.id ??= randomUUID());
    const first = seen.get(id);
    if (first !== undefined) reject(row.line, `id: The row on line ${first} has this id too.`);
    else seen.set(id, row.line);
    return first === undefined;
  });
  if (unique.length === 0) return { imported: 0, skipped: 0 };
  const client = await pool.connect();
  try {
    await client.query('begin');
    const counts =
      table === 'customers'
        ? await insertCustomers(client, unique, reject)
        : await insertOrders(client, unique, options, reject);
    await client.query('commit');
    return counts;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The ids of `rows` that are already in `table`. */
async function existing(client: pg.PoolClient, table: string, ids: (string | null)[]) {
  const { rows } = await client.query<{ id: string }>(
    `select id::text from ${table} where id = any($1::uuid[])`,
    [ids],
  );
  return new Set(rows.map((row) => row.id));
}

async function insertCustomers(
  client: pg.PoolClient,
  batch: Checked[],
  reject: (line: number, reason: string) => void,
) {
  const already = await existing(client, 'customers', column(batch, 'id'));
  const fresh = batch.filter((row) => !already.has(row.values.id ?? ''));
  const { rows } = await client.query<{ id: string }>(
    `insert into customers (id, name, phone_number, created_at, updated_at)
     select id, name, phone_number, coalesce(created_at, now()), coalesce(updated_at, created_at, now())
     from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
       as t(id, name, phone_number, created_at, updated_at)
     on conflict do nothing
     returning id::text`,
    ['id', 'name', 'phone_number', 'created_at', 'updated_at'].map((field) => column(fresh, field)),
  );
  const inserted = new Set(rows.map((row) => row.id));
  for (const row of fresh) {
    if (!inserted.has(row.values.id ?? '')) {
      reject(row.line, 'phone_number: A customer with this phone number already exists.');
    }
  }
  return { imported: inserted.size, skipped: batch.length - fresh.length };
}

async function insertOrders(
  client: pg.PoolClient,
  batch: Checked[],
  options: ImportOptions,
  reject: (line: number, reason: string) => void,
) {
  const already = await existing(client, 'orders', column(batch, 'id'));
  const { rows: customers } = await client.query<{ id: string; name: string; phone: string }>(
    `select id::text, name, phone_number as phone from customers where id = any($1::uuid[])`,
    [column(batch, 'customer_id')],
  );
  const customerById = new Map(customers.map((customer) => [customer.id, customer]));
  const fresh: Checked[] = [];
  for (const row of batch) {
    if (already.has(row.values.id ?? '')) continue;
    if (customerById.has(row.values.customer_id ?? '')) fresh.push(row);
    else reject(row.line, 'customer_id: There is no customer with this id.');
  }
  for (const row of fresh) row.values.currency ??= options.currency;
  const fields = ['id', 'customer_id', 'item', 'amount', 'currency', 'created_at', 'updated_at'];
  const { rowCount } = await client.query(
    `insert into orders (id, customer_id, item, amount, currency, created_at, updated_at)
     select id, customer_id, item, amount, currency, coalesce(created_at, now()),
       coalesce(updated_at, created_at, now())
     from unnest($1::uuid[], $2::uuid[], $3::text[], $4::numeric[], $5::text[],
       $6::timestamptz[], $7::timestamptz[])
       as t(id, customer_id, item, amount, currency, created_at, updated_at)`,
    fields.map((field) => column(fresh, field)),
  );
  if (options.sendSms && fresh.length > 0) {
    const messages = fresh.map((row) => {
      const customer = customerById.get(row.values.customer_id ?? '');
      const text = orderSmsText(
        {
          orderId: row.values.id ?? '',
          customerName: customer?.name ?? '',
          item: row.values.item ?? '',
          amount: row.values.amount ?? '',
          currency: row.values.currency ?? options.currency,
        },
        options.smsTemplate,
      );
      return [row.values.id, customer?.phone, text];
    });
    await client.query(
      `insert into sms_messages (order_id, to_number, body)
       select * from unnest($1::uuid[], $2::text[], $3::text[])`,
      [0, 1, 2].map((index) => messages.map((message) => message[index])),
    );
  }
  const skipped = batch.filter((row) => already.has(row.values.id ?? '')).length;
  return { imported: rowCount ?? 0, skipped };
}
