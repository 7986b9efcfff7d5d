// What the machine running nodegate sees of a node from outside: is a TCP port answering (the read-only port)?
import { connect } from 'node:net';

export type PortState = 'open' | 'refused' | 'timeout';

/** One TCP connect, closed at once; anything but a handshake or a refusal counts as not answering. */
export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<PortState> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (state: PortState) => {
      socket.destroy();
      resolve(state);
    };
    socket.setTimeout(timeoutMs, () => done('timeout'));
    socket.once('connect', () => done('open'));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'timeout'));
  });
}
