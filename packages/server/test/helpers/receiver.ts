/**
 * A relying party's back-channel logout endpoint for tests: a real node:http server on
 * 127.0.0.1 that records every request (arrival and end time, headers, form body) and answers as
 * the test scripts it — a status, a hang, a huge body, a redirect.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type JWTPayload, createLocalJWKSet, jwtVerify } from 'jose';

export interface Received {
  n: number;
  at: number;
  /** When the exchange ended (answered or the provider hung up). */
  endedAt?: number;
  method: string;
  path: string;
  contentType: string;
  /** The request's headers (a pushed SET's Authorization, RFC 8935 §2). */
  headers: IncomingMessage['headers'];
  body: string;
  logoutToken: string;
  /** The provider closed the connection before an answer was sent. */
  aborted: boolean;
}

/** How to answer request number `n` (1-based): a status, or take over the response. */
export type Script = (n: number, req: IncomingMessage, res: ServerResponse) => number | 'hang' | 'custom';

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export const startReceiver = async (script: Script = () => 204, port = 0): Promise<Receiver> => {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  let waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const entry: Received = {
        n: received.length + 1,
        at: Date.now(),
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        headers: req.headers,
        body,
        logoutToken: new URLSearchParams(body).get('logout_token') ?? '',
        aborted: false,
      };
      received.push(entry);
      res.on('close', () => {
        entry.endedAt = Date.now();
        entry.aborted = !res.writableFinished;
      });
      const answer = script(entry.n, req, res);
      if (typeof answer === 'number') res.writeHead(answer).end();
      for (const w of waiters) w();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/backchannel-logout`,
    port: actual,
    received,
    waitFor: (count, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < count) return;
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          resolve(received.slice(0, count));
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== check);
          reject(new Error(`expected ${count} logout request(s) within ${timeoutMs} ms, got ${received.length}`));
        }, timeoutMs);
        waiters.push(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export const eventually = async <T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/**
 * The logout tokens `rx` received after its first `before`, once `count` more arrived, each
 * verified with the issuer's JWKS for `audience` (Back-Channel Logout 1.0 §2.4, typ logout+jwt).
 */
export const verifiedLogoutTokens = async (rx: Receiver, issuer: string, audience: string, before: number, count: number): Promise<JWTPayload[]> => {
  const jwks = createLocalJWKSet((await (await fetch(`${issuer}/jwks`)).json()) as never);
  const got = (await rx.waitFor(before + count, 5000)).slice(before);
  return Promise.all(got.map(async (r) => (await jwtVerify(r.logoutToken, jwks, { issuer, audience, typ: 'logout+jwt' })).payload));
};
