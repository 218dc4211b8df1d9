// A round-robin HTTP proxy on 127.0.0.1 in front of several Signoff instances (issue 11 §4): the
// one issuer the browsers see, each request sent to the next instance in turn, like a load
// balancer without stickiness. A bench copy of packages/server/test/helpers/round-robin.ts, with
// kept-alive upstream connections (a load balancer's pool) instead of one connection per request.
//   node servers/round-robin.js PORT TARGET_URL...   (PORT 0: any free port)
// Forked by the harness: it sends { ready: true, port } once it listens.
import { Agent, createServer, request } from 'node:http';

const [portArg, ...targets] = process.argv.slice(2);
if (targets.length === 0) {
  console.error('usage: round-robin.js PORT TARGET_URL...');
  process.exit(2);
}
const upstreams = targets.map((t) => new URL(t));
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

// RFC 9110 §7.6.1: meaningful for one connection only; node frames the forwarded message itself.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);
const endToEnd = (raw) => {
  const out = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  return out;
};

let count = 0;
const server = createServer((req, res) => {
  const target = upstreams[count++ % upstreams.length];
  const fail = (status, message) => {
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' }).end(`${message}\n`);
    else res.destroy();
  };
  const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: endToEnd(req.rawHeaders), agent, timeout: 30_000 });
  upstream.on('response', (up) => {
    res.writeHead(up.statusCode ?? 502, up.statusMessage, endToEnd(up.rawHeaders));
    up.pipe(res);
    up.on('error', () => res.destroy());
  });
  upstream.on('timeout', () => {
    upstream.destroy();
    fail(504, `${target.origin} did not answer`);
  });
  upstream.on('error', (err) => fail(502, `${target.origin}: ${err.message}`));
  req.on('error', () => upstream.destroy());
  req.pipe(upstream);
});
server.keepAliveTimeout = 30_000;
server.listen(Number(portArg), '127.0.0.1', () => process.send?.({ ready: true, port: server.address().port }));
process.on('SIGTERM', () => {
  agent.destroy();
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
