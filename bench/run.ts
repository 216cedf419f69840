// `npm run bench`: load on every route of a real server (a child process, as
// `npm start` runs it) next to the database's own limit for the same work (the same
// SQL from a plain connection pool, no HTTP), so each figure says how much of the
// database's capacity the service turns into answers. bench/README.md has the options,
// the meaning of each column and the latest results.
//
// It is a measurement, not a test: it asserts nothing, prints a table and writes JSON.
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { connect, runMigrations } from '../src/db/client.ts';
import { benchDatabase, makeSessionCookie, makeToken, startBenchServer } from './harness.ts';
import {
  cpuMeter,
  loadCeiling,
  machineCpuMeter,
  loadHttp,
  postgresProcesses,
  watchProcess,
} from './measure.ts';
import { SCENARIOS } from './scenarios.ts';
import { ORDERS_PER_CUSTOMER, seed } from './seed.ts';

/** One line of bench/results/*.json. */
interface ResultRow {
  scenario: string;
  connections: number;
  orders: number;
  seconds: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  ceiling_rps: number | null;
  ceiling_errors: number | null;
  share: number | null;
  rss_mb: number | null;
  cpu_pct: number | null;
  postgres_cpu_pct: number | null;
  load_cpu_pct: number;
  /** Everything else on the machine (other people's tests …): above a few %, distrust the row. */
  other_cpu_pct: number | null;
}

interface Options {
  orders: number;
  seconds: number;
  connections: number[];
  only: string | undefined;
  serverEnv: Record<string, string>;
  output: string;
}

function readOptions(): Options {
  const { values } = parseArgs({
    // `npm run bench -- …` hands the same flags to bench/sms.ts, which ignores them.
    options: {
      quick: { type: 'boolean', default: process.env.BENCH_QUICK === '1' },
      orders: { type: 'string', default: process.env.BENCH_ORDERS },
      seconds: { type: 'string', default: process.env.BENCH_SECONDS },
      connections: { type: 'string', default: process.env.BENCH_CONNECTIONS ?? '16,64' },
      scenario: { type: 'string', default: process.env.BENCH_SCENARIO },
      'server-env': {
        type: 'string',
        multiple: true,
        default: (process.env.BENCH_SERVER_ENV ?? '').split(/\s+/).filter(Boolean),
      },
      output: { type: 'string', default: process.env.BENCH_OUTPUT },
    },
  });
  const orders = positiveInteger('--orders', values.orders ?? '100000');
  if (orders % ORDERS_PER_CUSTOMER !== 0) {
    throw new Error(`--orders must be a multiple of ${ORDERS_PER_CUSTOMER}, not ${orders}`);
  }
  const serverEnv = Object.fromEntries(
    values['server-env'].map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--server-env takes NAME=value, not ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  return {
    orders,
    seconds: positiveInteger('--seconds', values.seconds ?? (values.quick ? '3' : '10')),
    connections: values.connections
      .split(',')
      .map((part) => positiveInteger('--connections', part)),
    only: values.scenario,
    serverEnv,
    output:
      values.output ??
      path.join(import.meta.dirname, 'results', values.quick ? 'quick.json' : 'latest.json'),
  };
}

function positiveInteger(flag: string, text: string): number {
  const number = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new Error(`${flag} takes a positive integer, not ${text}`);
  }
  return number;
}

async function main() {
  const options = readOptions();
  const scenarios = SCENARIOS.filter(
    (scenario) => options.only === undefined || scenario.name.includes(options.only),
  );
  const { url, cleanup } = await benchDatabase();
  try {
    const migrate = connect(url, 1, pino({ level: 'warn' }));
    await runMigrations(migrate.pool);
    await migrate.close();
    const seeding = performance.now();
    const fixtures = await seed(url, options.orders);
    console.log(
      `Seeded ${options.orders} orders of ${options.orders / ORDERS_PER_CUSTOMER} customers in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
    );
    const credentials = {
      token: await makeToken(url),
      sessionCookie: await makeSessionCookie(url),
    };
    const postgres = await postgresProcesses(url);
    // The load is one user: lift the per-user rate limit, which would otherwise answer 429.
    const server = await startBenchServer(url, {
      RATE_LIMIT_API: '9999999/1m',
      SMS_WORKER: process.env.SMS_WORKER ?? 'on',
      ...options.serverEnv,
    });
    const pid = server.child.pid;
    if (pid === undefined) throw new Error('the server has no process id');
    const rows: ResultRow[] = [];
    try {
      console.log(
        `${options.seconds} s per run at ${options.connections.join(' and ')} connections, ${scenarios.length} scenarios\n`,
      );
      for (const scenario of scenarios) {
        // A second of load first: the server's JIT and its prepared statements warm up.
        await loadHttp(server.baseUrl, credentials, scenario, fixtures, {
          connections: 8,
          seconds: 1,
        });
        for (const connections of options.connections) {
          const load = { connections, seconds: options.seconds };
          await settle(url);
          const postgresCpu = postgres === undefined ? () => null : cpuMeter(postgres);
          const machineCpu = machineCpuMeter();
          const loadCpu = process.cpuUsage();
          const http = await watchProcess(pid, () =>
            loadHttp(server.baseUrl, credentials, scenario, fixtures, load),
          );
          const loadCpuUsed = process.cpuUsage(loadCpu);
          const serverCpuPct = http.cpuPct ?? 0;
          const postgresCpuPct = postgresCpu();
          const loadCpuPct = (loadCpuUsed.user + loadCpuUsed.system) / 10_000 / options.seconds;
          const machineCpuPct = machineCpu();
          await settle(url);
          const ceiling = await loadCeiling(url, scenario, fixtures, load);
          const row: ResultRow = {
            scenario: scenario.name,
            connections,
            orders: options.orders,
            seconds: options.seconds,
            rps: Math.round(http.result.rps),
            p50_ms: http.result.p50,
            p99_ms: http.result.p99,
            errors: http.result.errors,
            ceiling_rps: ceiling === undefined ? null : Math.round(ceiling.rps),
            ceiling_errors: ceiling?.errors ?? null,
            share: ceiling === undefined ? null : round(http.result.rps / ceiling.rps, 3),
            rss_mb: roundOrNull(http.rssMb),
            cpu_pct: roundOrNull(http.cpuPct),
            postgres_cpu_pct: roundOrNull(postgresCpuPct),
            load_cpu_pct: Math.round(loadCpuPct),
            other_cpu_pct:
              machineCpuPct === null
                ? null
                : Math.max(
                    0,
                    Math.round(machineCpuPct - serverCpuPct - (postgresCpuPct ?? 0) - loadCpuPct),
                  ),
          };
          rows.push(row);
          console.log(formatRow(row));
        }
      }
    } finally {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    }
    console.log();
    console.table(rows.map(tableRow));
    await mkdir(path.dirname(options.output), { recursive: true });
    await writeFile(options.output, `${JSON.stringify(rows, null, 2)}\n`);
    console.log(`Written to ${path.relative(process.cwd(), options.output)}`);
  } finally {
    await cleanup();
  }
}

/**
 * Waits until the database is quiet: requests the server still works on after the
 * load generator hung up, and the SMS worker sending the messages of the orders just
 * made, would otherwise land on the next measurement. With the worker off its backlog
 * never drains: it stops waiting once nothing changes.
 */
async function settle(url: string): Promise<void> {
  const db = connect(url, 1, pino({ level: 'warn' }));
  try {
    let previousDue = Infinity;
    for (let attempt = 0; attempt < 120; attempt += 1) {
      const { rows } = await db.pool.query<{ busy: number; due: number }>(
        `select (select count(*)::int from pg_stat_activity
                 where state = 'active' and backend_type = 'client backend'
                   and pid <> pg_backend_pid()) as busy,
                (select count(*)::int from sms_messages where status in ('pending', 'sending')) as due`,
      );
      const { busy = 0, due = 0 } = rows[0] ?? {};
      if (busy === 0 && (due === 0 || due >= previousDue)) return;
      previousDue = due;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await db.close();
  }
}

/** % of one core that other processes may use before a row is flagged. */
const BUSY_MACHINE_PCT = 20;

function roundOrNull(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

function formatRow(row: ResultRow): string {
  const share = row.share === null ? '' : ` (${Math.round(100 * row.share)} %)`;
  const busy =
    (row.other_cpu_pct ?? 0) > BUSY_MACHINE_PCT
      ? `; other processes used ${row.other_cpu_pct} % CPU: distrust this row`
      : '';
  return `${row.scenario} @${row.connections}: ${row.rps} req/s, p50 ${row.p50_ms} ms, p99 ${row.p99_ms} ms, ${row.errors} errors; ceiling ${row.ceiling_rps ?? '-'}${share}${busy}`;
}

function tableRow(row: ResultRow) {
  return {
    scenario: row.scenario,
    conns: row.connections,
    'req/s': row.rps,
    'p50 ms': row.p50_ms,
    'p99 ms': row.p99_ms,
    errors: row.errors,
    'SQL ceiling/s': row.ceiling_rps ?? '-',
    share: row.share === null ? '-' : `${Math.round(100 * row.share)} %`,
    'RSS MB': row.rss_mb ?? '-',
    'CPU %': row.cpu_pct ?? '-',
    'PG CPU %': row.postgres_cpu_pct ?? '-',
    'other CPU %': row.other_cpu_pct ?? '-',
  };
}

await main();
