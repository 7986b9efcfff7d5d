// Small TCP listeners on 127.0.0.1 for runner-probe tests: a port that only accepts TCP, and a port nothing holds.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP listener that does what a port forward to nothing does: accept, then stay silent (or write junk and close).
 * Returns its port and a closer that destroys every accepted socket first, so close() does not wait on them.
 */
export async function tcpOnlyListener(behaviour: 'silent' | 'junk' = 'silent'): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    if (behaviour === 'junk') s.end('SSH-2.0-OpenSSH_9.6\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = (): Promise<void> =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return { port: (server.address() as AddressInfo).port, close };
}

/** A port nothing listens on: bound, then closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
