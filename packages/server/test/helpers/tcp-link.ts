/**
 * A TCP link on 127.0.0.1 between the provider and its database that a test can cut and restore
 * (issue 11 §2 "Bad situations"): `cut()` resets every connection through it and refuses new ones
 * (a database that went away, or a network that answers with resets); `freeze()` lets nothing
 * through and answers nothing, connections stay open (a network that drops packets);
 * `restore()` lets connections through again (the database is back), frozen ones resuming where
 * they stood. Bytes are copied as they come; nothing is parsed.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';

export interface TcpLink {
  /** The port to connect to instead of the target's. */
  port: number;
  /** `url` with its host and port replaced by the link's. */
  via(url: string): string;
  /** Connections open through the link now. */
  readonly open: number;
  cut(): void;
  freeze(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A link in front of the server a PostgreSQL URL names. */
export const startTcpLinkTo = (url: string): Promise<TcpLink> => {
  const target = new URL(url);
  return startTcpLink({ host: target.hostname, port: Number(target.port || 5432) });
};

export const startTcpLink = async (target: { host: string; port: number }): Promise<TcpLink> => {
  const pairs = new Set<[Socket, Socket]>();
  /** Connections accepted while frozen, never forwarded. */
  const held = new Set<Socket>();
  let state: 'up' | 'cut' | 'frozen' = 'up';
  const server: Server = createServer((inbound) => {
    if (state === 'cut') {
      inbound.resetAndDestroy();
      return;
    }
    if (state === 'frozen') {
      held.add(inbound);
      inbound.on('error', () => inbound.destroy()).on('close', () => held.delete(inbound));
      inbound.pause();
      return;
    }
    const outbound = connect(target.port, target.host);
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    via: (url) => {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    get open() {
      return pairs.size;
    },
    cut: () => {
      state = 'cut';
      for (const s of held) s.resetAndDestroy();
      held.clear();
      for (const [inbound, outbound] of pairs) {
        // An RST to the provider, as a dead peer or a failed-over address would answer.
        if (!inbound.destroyed) inbound.resetAndDestroy();
        outbound.destroy();
      }
      pairs.clear();
    },
    freeze: () => {
      state = 'frozen';
      for (const [inbound, outbound] of pairs) {
        inbound.unpipe(outbound);
        outbound.unpipe(inbound);
        inbound.pause();
        outbound.pause();
      }
    },
    restore: () => {
      if (state === 'frozen') {
        for (const [inbound, outbound] of pairs) {
          inbound.pipe(outbound);
          outbound.pipe(inbound);
        }
      }
      // A connection attempt made while frozen has long given up.
      for (const s of held) s.destroy();
      held.clear();
      state = 'up';
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [inbound, outbound] of pairs) {
          inbound.destroy();
          outbound.destroy();
        }
        for (const s of held) s.destroy();
        server.close(() => resolve());
      }),
  };
};
