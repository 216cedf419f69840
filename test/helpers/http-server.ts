import { once } from 'node:events';
import type { Server } from 'node:http';

/** Stops listening and drops open connections, including requests left hanging on purpose. */
export async function stopHttpServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}
