// A TCP proxy between the app and the real PostgreSQL, which a test can cut (the
// server stopped: connections reset, new ones refused) or freeze (the server hung:
// connections open, nothing answers), then restore; or strand the connections open now
// (a network path that died silently: they never answer again, new ones work).
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import type { Cleanup } from './database.ts';

export interface TcpProxy {
  /** postgres://… URL `target` rewritten to go through the proxy. */
  url: string;
  cut(): Promise<void>;
  freeze(): void;
  restore(): Promise<void>;
  strand(): void;
}

export async function startTcpProxy(cleanup: Cleanup, target: string): Promise<TcpProxy> {
  const targetUrl = new URL(target);
  const pairs = new Set<[Socket, Socket]>();
  let frozen = false;
  const held: Socket[] = []; // connections that arrived while frozen
  const stranded: Socket[] = [];

  const pipe = (client: Socket) => {
    const upstream = connect(Number(targetUrl.port || 5432), targetUrl.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream).pipe(client);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  };

  const stop = ([client, upstream]: [Socket, Socket]) => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  };

  const server = createServer((client) => {
    if (frozen) held.push(client.on('error', () => {}));
    else pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  cleanup.after(() => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    for (const socket of stranded) socket.destroy();
    server.close();
  });

  const proxiedUrl = new URL(target);
  proxiedUrl.hostname = '127.0.0.1';
  proxiedUrl.port = String(port);

  return {
    url: proxiedUrl.href,
    async cut() {
      server.close();
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      for (const client of held.splice(0)) client.destroy();
    },
    freeze() {
      frozen = true;
      for (const pair of pairs) stop(pair);
    },
    strand() {
      for (const pair of pairs) {
        stop(pair);
        // Out of the set that restore() pipes again; still destroyed at cleanup.
        pairs.delete(pair);
        stranded.push(...pair);
      }
    },
    async restore() {
      if (frozen) {
        frozen = false;
        for (const [client, upstream] of pairs) {
          client.pipe(upstream).pipe(client);
        }
        for (const client of held.splice(0)) pipe(client);
        return;
      }
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
  };
}
