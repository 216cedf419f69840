// Numbered pages (`?page=N`, `?page=last`) that cost the same at a million rows as at
// a hundred, except in the middle. One statement reads the exact total (row_counts,
// kept by triggers: a few rows, not a count(*) of the table) and the page, in one
// snapshot, so total and rows agree. The page is found on the narrow
// (created_at, id) index first and only its rows are read and joined; pages in the
// back half are counted from the end (a backward index scan), so the last page costs
// what the first does and the dearest page is the middle one.

import type { StatementRunner } from './statement-pool.ts';
import type { Nullable, Statement } from './statement.ts';

/** Rows a page: the original API's, whose clients count on it. */
export const OFFSET_PAGE_SIZE = 10;

/** A page as `offsetPageSql`'s statements answer it: the total, the page number, its rows. */
export interface OffsetPageRow {
  /** bigint, as text. */
  total: string;
  page: string;
}

/** One page: the total, the page's number (that of the last page for 'last') and its rows. */
export interface OffsetPage<Row> {
  total: number;
  page: number;
  rows: Row[];
}

/** Runs a statement made with `offsetPageSql` for `page` (1-based, or 'last'). */
export async function readOffsetPage<Row extends { id: string }>(
  statement: Statement<OffsetPageRow & Nullable<Row>, [page: number]>,
  db: StatementRunner,
  page: number | 'last',
): Promise<OffsetPage<Row>> {
  const rows = await statement.rows(db, page === 'last' ? 0 : page);
  const [first] = rows;
  return {
    total: Number(first?.total ?? 0),
    page: Number(first?.page ?? 1),
    // A page without rows is one row whose columns are null; any other row has them all.
    rows: rows.filter((row) => row.id !== null) as unknown as Row[],
  };
}

/**
 * SQL for one page of `table` in (created_at, id) order. Parameter: $1 the page
 * number (1-based; 0 asks for the last page). The page size is a constant in the
 * text: it tells the planner that a page is a few rows, to be joined by index lookups
 * rather than by hashing the whole table. Every row carries the
 * total and the page number; a page with no rows is one row with only those two (the
 * `columns`, which read the table as `t`, are null).
 */
export function offsetPageSql(options: {
  table: 'customers' | 'orders';
  columns: string;
  /** Joins added to each row of the page (after the page is chosen). */
  joins?: string;
}): string {
  const { table, columns, joins = '' } = options;
  const size = OFFSET_PAGE_SIZE;
  return `
    with wanted as (
      select n, number, (number - 1) * ${size} as first, least(number * ${size}, n) as stop
      from (
        select n, case when $1::bigint = 0 then greatest((n + ${size} - 1) / ${size}, 1) else $1::bigint end as number
        from (select coalesce(sum(count), 0)::bigint as n from row_counts where table_name = '${table}') as counted
      ) as page
    ), ids as (
      (select id from ${table}
       where (select first * 2 < n from wanted)
       order by created_at, id
       offset (select first from wanted) limit ${size})
      union all
      (select id from (
         select id, created_at from ${table}
         where (select first * 2 >= n from wanted)
         order by created_at desc, id desc
         offset (select n - stop from wanted) limit ${size}) as back
       -- a last page that is not full: the rows before it are not its own
       order by created_at desc, id desc
       limit (select greatest(stop - first, 0) from wanted))
    )
    select wanted.n as total, wanted.number as page, ${columns}
    from wanted left join (ids join ${table} t using (id) ${joins}) on true
    order by t.created_at, t.id`;
}
