/**
 * A round-robin HTTP proxy on 127.0.0.1 in front of several provider instances (issue 11 §3): the
 * one issuer the relying parties and browsers see, each request sent to the next instance in turn,
 * like a load balancer without stickiness. Requests and responses are streamed; the Host header
 * and every other end-to-end header go through unchanged, Set-Cookie lines one by one (rawHeaders).
 * It records which instance served each request, so a test can assert that a step really ran on
 * another instance than the one before it. Bounded: an upstream that does not answer within
 * `timeoutMs` gets a 504, one that refuses the connection a 502, and only the latest `keep`
 * records are kept.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { Socket } from 'node:net';

export interface Routed {
  n: number;
  /** Index into the proxy's targets. */
  target: number;
  method: string;
  /** Path and query as the client sent them. */
  path: string;
  /** The upstream's status, or 502/504 when it gave none. */
  status?: number;
  location?: string;
}

export interface RoundRobin {
  /** The proxy's base URL: the issuer. */
  url: string;
  /** Base URLs of the instances, by index. */
  targets: string[];
  /** Every request so far (the latest `keep`), in arrival order. */
  log: Routed[];
  /** The index of the instance the next request goes to. */
  readonly next: number;
  close(): Promise<void>;
}

// RFC 9110 §7.6.1: meaningful for one connection only; node frames the forwarded message itself.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

/** A rawHeaders list (name, value, name, value …) without the hop-by-hop headers. */
const endToEnd = (raw: string[]): string[] => {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has((raw[i] as string).toLowerCase())) out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
};

/** Starts the proxy on `port` (0: any free one) in front of `targets` (base URLs such as http://127.0.0.1:4001). */
export const startRoundRobin = async (port: number, targets: string[], opts: { timeoutMs?: number; keep?: number } = {}): Promise<RoundRobin> => {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const keep = opts.keep ?? 10_000;
  const log: Routed[] = [];
  let count = 0;
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const target = count % targets.length;
    const entry: Routed = { n: ++count, target, method: req.method ?? 'GET', path: req.url ?? '/' };
    log.push(entry);
    if (log.length > keep) log.splice(0, log.length - keep);
    const fail = (status: number, message: string) => {
      entry.status ??= status;
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' }).end(`${message}\n`);
      else res.destroy();
    };
    const base = new URL(targets[target] as string);
    const upstream = request({
      host: base.hostname,
      port: base.port,
      method: req.method,
      path: req.url,
      headers: endToEnd(req.rawHeaders) as unknown as Record<string, string>,
      timeout: timeoutMs,
      agent: false,
    });
    upstream.on('response', (up) => {
      entry.status = up.statusCode ?? 0;
      const location = up.headers.location;
      if (location !== undefined) entry.location = location;
      res.writeHead(up.statusCode ?? 502, up.statusMessage, endToEnd(up.rawHeaders));
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    upstream.on('timeout', () => {
      upstream.destroy();
      fail(504, `instance ${target} did not answer within ${timeoutMs} ms`);
    });
    upstream.on('error', (err) => fail(502, `instance ${target}: ${err.message}`));
    req.on('error', () => upstream.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const server: Server = createServer({ requestTimeout: timeoutMs * 2, headersTimeout: timeoutMs }, forward);
  server.maxConnections = 256;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actual}`,
    targets,
    log,
    get next() {
      return count % targets.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};
