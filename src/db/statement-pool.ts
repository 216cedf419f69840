// The connections the hot statements run on (db/statement.ts): porsager's `postgres`,
// which pipelines. Under load it writes the queries of many concurrent requests to a
// connection at once, where node-postgres sends one query, waits for its answer and
// only then sends the next; on this project's benchmark that made the reads by id
// 1.4–1.9× faster at 64 connections (bench/README.md, "The driver"). Everything else
// (Drizzle, migrations, LISTEN) stays on node-postgres.
import postgres from 'postgres';
import type { DatabaseTimeouts } from '../config/config.ts';

/** Where a service's statements run: the pool, or one connection in a transaction. */
export interface StatementRunner {
  /** Runs one statement (prepared once per connection) and resolves to its rows. */
  run<Row>(text: string, values: readonly unknown[], options?: RunOptions): Promise<Row[]>;
  /**
   * Calls `work` once what was written through this runner is committed: at once on
   * the pool (each statement commits by itself), after COMMIT in a transaction, and
   * never if the transaction rolls back. For what others must not see too early,
   * like waking the SMS workers for a new order.
   */
  afterCommit(work: () => void): void;
}

export interface RunOptions {
  /**
   * Plan the statement with these values each time, as an unnamed statement. A named
   * one gets a generic plan after its fifth run, which cannot know how many rows a
   * search matches: for `name ilike '%…%'` it walked the customers in creation order
   * and filtered them (9,999 rows read for one found, 22 ms at 10,000 customers) where
   * the trigram index takes 2 ms (bench/README.md, "The resource API").
   */
  planWithValues?: boolean;
}

export interface StatementPool extends StatementRunner {
  /** Runs `work` on one connection in a transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (transaction: StatementRunner) => Promise<T>): Promise<T>;
  /** Closes the connections, letting queries already sent finish (or time out). */
  end(): Promise<void>;
}

/** The error code when the database did not answer at all, not even statement_timeout's cancellation. */
export const QUERY_TIMEOUT = 'QUERY_TIMEOUT';

// How much longer than statement_timeout we wait for PostgreSQL's own cancellation
// before deciding the server (or the network to it) is not answering at all.
export const QUERY_TIMEOUT_MARGIN_MS = 1000;

// Connections idle this long are closed (node-postgres's pool closes them after 10 s).
const IDLE_TIMEOUT_SECONDS = 30;

// postgres.js's own serializer turns every timestamp parameter into a JavaScript
// Date, even one given as text, which drops its microseconds (a cursor naming a row
// would then compare below that row). Text goes through as it is; Dates as ISO.
const PRECISE_TIMESTAMPS = {
  to: 1184,
  from: [1082, 1114, 1184],
  serialize: (value: Date | string) => (value instanceof Date ? value.toISOString() : value),
  parse: (text: string) => new Date(text),
};

export function openStatementPool(
  url: string,
  size: number,
  timeouts: DatabaseTimeouts,
): StatementPool {
  const open = () =>
    postgres(url, {
      max: size,
      connect_timeout: timeouts.connectMs / 1000,
      idle_timeout: IDLE_TIMEOUT_SECONDS,
      // A slow statement is cancelled by the server…
      connection: { statement_timeout: timeouts.statementMs },
      // No statement takes an array: looking up the array types at connect would be
      // a round trip for nothing.
      fetch_types: false,
      onnotice: () => {},
      types: { date: PRECISE_TIMESTAMPS },
    });
  let connections = open();
  const answerWithinMs = timeouts.statementMs + QUERY_TIMEOUT_MARGIN_MS;

  // …and a server that does not answer at all (hung, or the network gone) by us:
  // postgres.js would wait for ever.
  async function answerInTime<Answer>(
    query: PromiseLike<Answer>,
    sentOn: postgres.Sql,
  ): Promise<Answer> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const message = `the database did not answer within ${answerWithinMs} ms`;
        reject(Object.assign(new Error(message), { code: QUERY_TIMEOUT }));
      }, answerWithinMs);
    });
    try {
      return await Promise.race([query, timeout]);
    } catch (error) {
      // The connections are stuck behind the query that got no answer, and so are the
      // queries pipelined after it: drop them all and start afresh, once.
      if ((error as { code?: unknown }).code === QUERY_TIMEOUT && sentOn === connections) {
        connections = open();
        void sentOn.end({ timeout: 0 });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  const run = <Row>(
    sql: Pick<typeof connections, 'unsafe'>,
    sentOn: postgres.Sql,
    text: string,
    values: readonly unknown[],
    options: RunOptions = {},
  ): Promise<Row[]> =>
    answerInTime(
      sql.unsafe(text, values as postgres.ParameterOrJSON<never>[], {
        prepare: options.planWithValues !== true,
      }) as PromiseLike<Row[]>,
      sentOn,
    );

  return {
    run: (text, values, options) => run(connections, connections, text, values, options),
    afterCommit: (work) => work(),
    // With postgres.js's begin(), which sends BEGIN as a query on a pooled connection
    // and keeps that connection for the work. Not with reserve(): on a pool with no
    // connection open yet (at start, or after the idle ones closed), reserve() waits
    // for ever (porsager/postgres#751, unfixed in 3.4.9; test/statement-pool.test.ts).
    // BEGIN, and COMMIT or ROLLBACK, get the same time to answer as every statement.
    async transaction(work) {
      const sentOn = connections;
      const committed: (() => void)[] = [];
      let begun!: () => void;
      const beginAnswered = new Promise<void>((resolve) => (begun = resolve));
      let workSettled!: () => void;
      const workDone = new Promise<void>((resolve) => (workSettled = resolve));
      const transactionDone = sentOn.begin(async (sql) => {
        begun();
        try {
          return await work({
            run: (text, values, options) => run(sql, sentOn, text, values, options),
            afterCommit: (after) => committed.push(after),
          });
        } finally {
          workSettled();
        }
      });
      await answerInTime(Promise.race([beginAnswered, transactionDone]), sentOn);
      await Promise.race([workDone, transactionDone]);
      const result = await answerInTime(transactionDone, sentOn);
      for (const after of committed) after();
      return result as Awaited<ReturnType<typeof work>>;
    },
    end: () => connections.end({ timeout: answerWithinMs / 1000 }),
  };
}
