// Development secrets generated into DATA_DIR, so `npm start` needs no setup.
// Production sets them explicitly (config refuses to start without SESSION_SECRET).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.ts';

/** The secret stored in `file`, created (readable by its owner only) when missing. */
export async function readOrCreateSecret(file: string): Promise<string> {
  if (!existsSync(file)) {
    await mkdir(path.dirname(file), { recursive: true });
    // 'wx': when two processes race to create it, the second keeps the first one's.
    const secret = randomBytes(32).toString('base64url');
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(() => {});
  }
  return (await readFile(file, 'utf8')).trim();
}

/** The config with SESSION_SECRET filled in from DATA_DIR when it was not set. */
export async function withSessionSecret(config: Config): Promise<Config> {
  if (config.sessionSecret !== undefined) return config;
  const sessionSecret = await readOrCreateSecret(path.join(config.dataDir, 'session-secret'));
  return Object.freeze({ ...config, sessionSecret });
}
