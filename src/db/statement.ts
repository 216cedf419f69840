// The hot paths' SQL: written once, sent as named prepared statements. PostgreSQL
// parses and plans each one once per connection, and nothing builds SQL text per
// request (the query builder spent a quarter to half of the server's CPU doing that).
// Columns are aliased to the row types' names in the SQL, so rows need no mapping.
import type pg from 'pg';

/** The pool, or a connection checked out of it (for a transaction). */
export type SqlClient = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface Statement<Row, Params extends unknown[]> {
  /** At most 63 characters: PostgreSQL's limit for a prepared statement's name. */
  readonly name: string;
  readonly text: string;
  rows(client: SqlClient, ...params: Params): Promise<Row[]>;
}

export function statement<Row extends pg.QueryResultRow, Params extends unknown[] = []>(
  name: string,
  text: string,
): Statement<Row, Params> {
  return {
    name,
    text,
    async rows(client, ...values) {
      const result = await (client as pg.Pool).query<Row>({ name, text, values });
      return result.rows;
    },
  };
}

/** The columns of an outer join's optional side. */
export type Nullable<T> = { [Key in keyof T]: T[Key] | null };
