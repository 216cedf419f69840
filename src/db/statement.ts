// The hot paths' SQL: written once, sent as prepared statements on the pipelining
// statement pool (db/statement-pool.ts). PostgreSQL parses and plans each one once per
// connection, and nothing builds SQL text per request (the query builder spent a
// quarter to half of the server's CPU doing that). Columns are aliased to the row
// types' names in the SQL, so rows need no mapping.
import type { StatementRunner } from './statement-pool.ts';

export interface Statement<Row, Params extends unknown[]> {
  readonly text: string;
  rows(db: StatementRunner, ...params: Params): Promise<Row[]>;
}

export function statement<Row, Params extends unknown[] = []>(
  text: string,
): Statement<Row, Params> {
  return { text, rows: (db, ...values) => db.run<Row>(text, values) };
}

/** The columns of an outer join's optional side. */
export type Nullable<T> = { [Key in keyof T]: T[Key] | null };
