// The measurements: HTTP load with autocannon, the same SQL from a bare pool, and
// what the processes cost (Linux /proc; null where it cannot be read).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import pg from 'pg';
import { DEFAULT_DATABASE_TIMEOUTS } from '../src/db/client.ts';
import { openStatementPool } from '../src/db/statement-pool.ts';
import type { Fixtures, Scenario } from './scenarios.ts';

export interface HttpResult {
  rps: number;
  p50: number;
  p99: number;
  /** Non-2xx answers plus socket errors and timeouts. */
  errors: number;
}

/** How the load signs in: an API token, or a browser's session for the pages. */
export interface Credentials {
  token: string;
  sessionCookie: string;
}

export async function loadHttp(
  baseUrl: string,
  credentials: Credentials,
  scenario: Scenario,
  fixtures: Fixtures,
  options: { connections: number; seconds: number },
): Promise<HttpResult> {
  const headers = scenario.signedInBrowser
    ? { cookie: credentials.sessionCookie }
    : { authorization: `Token ${credentials.token}`, 'content-type': 'application/json' };
  const result = await autocannon({
    url: baseUrl,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        setupRequest: (request) => {
          const next = scenario.request(fixtures);
          return { ...request, ...next, headers: { ...headers, ...next.headers } };
        },
      },
    ],
  });
  return {
    // Answers that did the work, per second; the rest are counted as errors.
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
  };
}

export interface CeilingResult {
  rps: number;
  errors: number;
}

/**
 * The scenario's statements as fast as PostgreSQL runs them: `connections` loops on the
 * service's own statement pool with as many connections (prepared once per connection).
 */
export async function loadCeiling(
  url: string,
  scenario: Scenario,
  fixtures: Fixtures,
  options: { connections: number; seconds: number },
): Promise<CeilingResult | undefined> {
  const { ceiling } = scenario;
  if (ceiling === undefined) return undefined;
  const pool = openStatementPool(url, options.connections, DEFAULT_DATABASE_TIMEOUTS);
  let operations = 0;
  let errors = 0;
  let firstError: unknown;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (performance.now() < deadline) {
          try {
            await ceiling(pool, fixtures);
            operations += 1;
          } catch (error) {
            errors += 1;
            firstError ??= error;
          }
        }
      }),
    );
  } finally {
    await pool.end();
  }
  if (firstError !== undefined) {
    console.warn(`${scenario.name}: ${errors} ceiling errors, the first:`, firstError);
  }
  return { rps: operations / ((performance.now() - started) / 1000), errors };
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** Peak RSS (MB, sampled) and CPU (% of one core) of a process while `work` runs. */
export async function watchProcess<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; rssMb: number | null; cpuPct: number | null }> {
  let peakKb: number | null = null;
  const sample = () => {
    const kb = residentKb(pid);
    if (kb !== null) peakKb = Math.max(peakKb ?? 0, kb);
  };
  const timer = setInterval(sample, 100);
  const cpu = cpuMeter([pid]);
  try {
    sample();
    const result = await work();
    sample();
    return { result, rssMb: peakKb === null ? null : peakKb / 1024, cpuPct: cpu() };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Starts measuring the CPU of some processes; the function it returns gives their
 * total since then, in % of one core. Processes that start later count from zero.
 */
export function cpuMeter(pids: number[] | (() => number[])): () => number | null {
  const list = typeof pids === 'function' ? pids : () => pids;
  const before = new Map(list().map((pid) => [pid, cpuTicks(pid)]));
  const started = performance.now();
  return () => {
    const seconds = (performance.now() - started) / 1000;
    let ticks = 0;
    let seen = false;
    for (const pid of list()) {
      const now = cpuTicks(pid);
      if (now === null) continue;
      seen = true;
      ticks += now - (before.get(pid) ?? 0);
    }
    return seen ? (100 * ticks) / CLOCK_TICKS_PER_SECOND / seconds : null;
  };
}

/** Starts measuring the whole machine's busy CPU; the function gives % of one core since. */
export function machineCpuMeter(): () => number | null {
  const before = machineBusyTicks();
  const started = performance.now();
  return () => {
    const now = machineBusyTicks();
    if (before === null || now === null) return null;
    return (100 * (now - before)) / CLOCK_TICKS_PER_SECOND / ((performance.now() - started) / 1000);
  };
}

/** All CPUs' time not idle (nor waiting for I/O), from the first line of /proc/stat. */
function machineBusyTicks(): number | null {
  const line = readProc('/proc/stat')?.split('\n')[0];
  if (line === undefined) return null;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return user + nice + system + irq + softirq + steal;
}

/** The postmaster and its children (backends, autovacuum, WAL writer …), if local. */
export async function postgresProcesses(url: string): Promise<(() => number[]) | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const postmaster = parentPid(rows[0]?.pid ?? 0);
    if (postmaster === null) return undefined;
    return () => [
      postmaster,
      ...readdirSync('/proc')
        .filter((entry) => /^\d+$/.test(entry))
        .map(Number)
        .filter((pid) => parentPid(pid) === postmaster),
    ];
  } finally {
    await client.end();
  }
}

function residentKb(pid: number): number | null {
  const status = readProc(`/proc/${pid}/status`);
  const match = status === null ? null : /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** Fields of /proc/<pid>/stat after the command's name (which may hold spaces). */
function statFields(pid: number): string[] | null {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat === null ? null : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function parentPid(pid: number): number | null {
  const fields = statFields(pid);
  return fields?.[1] === undefined ? null : Number(fields[1]);
}

/** utime + stime (fields 14 and 15 of proc(5), counted from the state, field 3). */
function cpuTicks(pid: number): number | null {
  const fields = statFields(pid);
  if (fields?.[12] === undefined) return null;
  return Number(fields[11]) + Number(fields[12]);
}

function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // gone, or not Linux
  }
}
