// Child processes for tests that need the real thing: the server as `npm start`
// runs it, and the CLI.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { freePort } from '../../src/free-port.ts';
import type { Cleanup } from './database.ts';

const execFileAsync = promisify(execFile);

export interface RunningServer {
  process: ChildProcess;
  baseUrl: string;
  output: () => string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `node src/server.ts` and waits until /healthz answers. */
export async function startServer(
  cleanup: Cleanup,
  env: Record<string, string>,
): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['src/server.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  cleanup.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    process: child,
    baseUrl,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
}

/** Runs the customer-orders command; rejects (with code, stdout, stderr) on a non-zero exit. */
export function runCli(args: string[], env: Record<string, string>) {
  return execFileAsync(process.execPath, ['bin/customer-orders.js', ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
  });
}
