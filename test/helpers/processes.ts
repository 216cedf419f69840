// Child processes for tests that need the real thing: the server as `npm start`
// runs it, and the CLI.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { freePort } from '../../src/db/free-port.ts';
import type { Cleanup } from './database.ts';

const execFileAsync = promisify(execFile);

export interface RunningProcess {
  process: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `node <args>`, its output collected, SIGKILLed after the test if still running. */
function startProcess(
  cleanup: Cleanup,
  args: string[],
  env: Record<string, string>,
): RunningProcess {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  cleanup.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    process: child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
}

/** Waits until `ready` holds, failing early if the process exits. */
async function waitUntil(started: RunningProcess, what: string, ready: () => Promise<boolean>) {
  const deadline = Date.now() + 60_000;
  while (!(await ready())) {
    if (started.process.exitCode !== null)
      throw new Error(`${what} exited early:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`${what} did not start:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts `node src/server.ts` and waits until /healthz answers. */
export async function startServer(
  cleanup: Cleanup,
  env: Record<string, string>,
): Promise<RunningProcess & { baseUrl: string }> {
  const port = await freePort();
  const server = startProcess(cleanup, ['src/server.ts'], {
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    ...env,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil(server, 'the server', async () => {
    const response = await fetch(`${baseUrl}/healthz`).catch(() => undefined);
    return response?.ok === true;
  });
  return { ...server, baseUrl };
}

/** Starts `customer-orders worker` and waits until it says it is running. */
export async function startWorker(
  cleanup: Cleanup,
  env: Record<string, string>,
): Promise<RunningProcess> {
  const worker = startProcess(cleanup, ['bin/customer-orders.js', 'worker'], env);
  await waitUntil(worker, 'the worker', async () => worker.output().includes('SMS worker running'));
  return worker;
}

/** Runs the customer-orders command; rejects (with code, stdout, stderr) on a non-zero exit. */
export function runCli(args: string[], env: Record<string, string>) {
  return execFileAsync(process.execPath, ['bin/customer-orders.js', ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    maxBuffer: 64 * 1024 * 1024, // exports print whole tables
  });
}
