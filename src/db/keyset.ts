// Cursor (keyset) pages: a page starts after the sort key and id of the row that ended
// the page before it, `WHERE (sort, id) > (…) ORDER BY sort, id LIMIT n`, which an
// index on (sort, id) answers by reading n rows, however deep the page. Rows inserted
// meanwhile are never skipped or repeated: a position is a value, not a count.
// Cursors are opaque to clients (base64url of JSON) and checked when read back, so
// a forged one is a 400, never a failed cast in PostgreSQL.
import { AppError } from '../core/errors.ts';
import { isUuid } from '../core/fields.ts';
import type { RunOptions, StatementRunner } from './statement-pool.ts';

/** What a list is ordered by; the row's id always breaks ties. */
export interface SortKey {
  /** The SQL expression, on the list's table aliased `t`. */
  readonly column: string;
  readonly type: 'timestamptz' | 'numeric';
}

export interface Ordering {
  /** As the client writes it, like `-created_at`. */
  readonly name: string;
  readonly key: SortKey;
  readonly direction: 'asc' | 'desc';
}

/** Where a page starts: after (or, for a previous page, before) a row's sort key and id. */
export interface Position {
  readonly key: string;
  readonly id: string;
  readonly backward: boolean;
  /** The row at the position belongs to the page too (a page that came back empty). */
  readonly inclusive: boolean;
}

/** Numbered query parameters ($1, $2…) in the order their SQL is written. */
export class SqlParameters {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** For `LIKE` patterns: the text as it is, its wildcards and escape character escaped. */
export const likeLiteral = (text: string) =>
  text.replace(/[\\%_]/g, (character) => `\\${character}`);

export interface KeysetQuery {
  /** Columns to read, from `t` and the joins. */
  readonly select: string;
  /** The table aliased `t`, and any joins. */
  readonly from: string;
  /** Conditions ANDed, with placeholders from `parameters`. */
  readonly where: readonly string[];
  readonly parameters: SqlParameters;
  readonly ordering: Ordering;
  readonly limit: number;
  readonly position: Position | undefined;
}

/** A count or list statement of a search: filtered ones are planned with their values. */
export interface SearchStatement {
  text: string;
  values: unknown[];
  options: RunOptions;
}

/** Filters' values tell how many rows they match; a generic plan would guess. */
export function planOptions(where: readonly string[]): RunOptions {
  return { planWithValues: where.length > 0 };
}

/** A page as a client gets it: its rows, and the opaque cursors of the pages beside it. */
export interface CursorPage<Row> {
  rows: Row[];
  next: string | undefined;
  previous: string | undefined;
}

export interface KeysetPage<Row> {
  rows: Row[];
  next: Position | undefined;
  previous: Position | undefined;
}

/** The sort key as text that casts back exactly (timestamps to the microsecond, in UTC). */
function keyText(key: SortKey): string {
  return key.type === 'timestamptz'
    ? `to_char(${key.column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    : `${key.column}::text`;
}

export async function readKeysetPage<Row extends { id: string }>(
  db: StatementRunner,
  query: KeysetQuery,
): Promise<KeysetPage<Row>> {
  const { ordering, position, limit } = query;
  const parameters = query.parameters;
  const backward = position?.backward ?? false;
  // A previous page is read in the opposite order from its far end, then turned round.
  const ascending = (ordering.direction === 'asc') !== backward;
  const where = [...query.where];
  if (position !== undefined) {
    const operator = (ascending ? '>' : '<') + (position.inclusive ? '=' : '');
    const key = `${parameters.add(position.key)}::${ordering.key.type}`;
    where.push(
      `(${ordering.key.column}, t.id) ${operator} (${key}, ${parameters.add(position.id)}::uuid)`,
    );
  }
  const order = ascending ? 'asc' : 'desc';
  const text = `select ${query.select}, ${keyText(ordering.key)} as "sortKey"
    from ${query.from}
    ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
    order by ${ordering.key.column} ${order}, t.id ${order}
    limit ${parameters.add(limit + 1)}`;
  const found = await db.run<Row & { sortKey: string }>(
    text,
    parameters.values,
    planOptions(query.where),
  );
  const more = found.length > limit;
  const rows = found.slice(0, limit);
  if (backward) rows.reverse();
  const first = rows[0];
  const last = rows.at(-1);
  const after = (row: Row & { sortKey: string }) =>
    ({ key: row.sortKey, id: row.id, backward: false, inclusive: false }) as const;
  const before = (row: Row & { sortKey: string }) =>
    ({ key: row.sortKey, id: row.id, backward: true, inclusive: false }) as const;
  // From an empty page, the way back includes the row the cursor named.
  const turnedBack = position && { ...position, backward: !position.backward, inclusive: true };
  const page = rows.map(({ sortKey: _, ...row }) => row as unknown as Row);
  if (backward) {
    return {
      rows: page,
      previous: more && first ? before(first) : undefined,
      next: last ? after(last) : turnedBack,
    };
  }
  return {
    rows: page,
    next: more && last ? after(last) : undefined,
    previous: position === undefined ? undefined : first ? before(first) : turnedBack,
  };
}

/** An opaque cursor for `position` in a list ordered by `ordering`. */
export function encodeCursor(position: Position, ordering: Ordering): string {
  const { key, id, backward, inclusive } = position;
  const fields = [ordering.name, key, id, backward ? 'p' : 'n', inclusive ? 1 : 0];
  return Buffer.from(JSON.stringify(fields)).toString('base64url');
}

const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const NUMERIC_KEY = /^-?\d{1,20}(\.\d{1,10})?$/;

/** The position a cursor names; a 400 if it was not made by `encodeCursor` for this ordering. */
export function decodeCursor(cursor: string, ordering: Ordering): Position {
  const invalid = () =>
    new AppError(
      'invalid_cursor',
      'The cursor is not valid for this list and ordering; start again from the first page.',
    );
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(fields) || fields.length !== 5) throw invalid();
  const [name, key, id, direction, inclusive] = fields as unknown[];
  const keyPattern = ordering.key.type === 'timestamptz' ? TIMESTAMP_KEY : NUMERIC_KEY;
  if (
    name !== ordering.name ||
    typeof key !== 'string' ||
    !keyPattern.test(key) ||
    (ordering.key.type === 'timestamptz' && !isRealInstant(key)) ||
    typeof id !== 'string' ||
    !isUuid(id) ||
    (direction !== 'n' && direction !== 'p') ||
    (inclusive !== 0 && inclusive !== 1)
  ) {
    throw invalid();
  }
  return { key, id, backward: direction === 'p', inclusive: inclusive === 1 };
}

/** A calendar date and time that exists (no 31 February): it survives a round trip. */
function isRealInstant(key: string): boolean {
  const date = new Date(`${key.slice(0, 19)}Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 19) === key.slice(0, 19);
}
