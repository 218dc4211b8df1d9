// Back-channel logout receivers (OpenID Connect Back-Channel Logout 1.0 §2.5, §2.6), run as a
// child process of the harness. Every logout token is verified with jose against its issuer's
// JWKS before it counts; each result goes to the parent over IPC with the time it completed.
//
//   POST /bcl/<provider>/<client_id>   verify, answer 200 (or 400 and report the failure)
//   POST /hang/<provider>/<client_id>  never answer (a client whose endpoint hangs)
//
// The parent sends { issuers: { <provider>: { issuer, jwksUri } } } once the providers run.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const BCL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const now = () => performance.timeOrigin + performance.now();

const issuers = new Map();
const hanging = new Set();

process.on('message', (m) => {
  if (m.issuers) {
    for (const [name, { issuer, jwksUri }] of Object.entries(m.issuers)) {
      issuers.set(name, { issuer, jwks: createRemoteJWKSet(new URL(jwksUri), { cacheMaxAge: 10 * 60_000 }) });
    }
    process.send({ configured: true });
  }
});

/** §2.6: a valid signature from the issuer, aud = this client, the event, a sid or sub, no nonce. */
const verify = async (provider, clientId, token) => {
  const from = issuers.get(provider);
  if (!from) throw new Error(`no issuer configured for ${provider}`);
  const { payload, protectedHeader } = await jwtVerify(token, from.jwks, {
    issuer: from.issuer,
    audience: clientId,
    algorithms: ['RS256'],
    requiredClaims: ['iat', 'jti'],
  });
  if (protectedHeader.typ !== undefined && protectedHeader.typ !== 'logout+jwt') throw new Error(`typ ${protectedHeader.typ}`);
  if (!payload.events || typeof payload.events[BCL_EVENT] !== 'object') throw new Error('no back-channel logout event');
  if (payload.sid === undefined && payload.sub === undefined) throw new Error('neither sid nor sub');
  if ('nonce' in payload) throw new Error('a nonce is present');
  return payload;
};

const readBody = (req) =>
  new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });

const server = createServer(async (req, res) => {
  const [, kind, provider, clientId] = (req.url ?? '').split('/');
  if (req.method !== 'POST' || !provider || !clientId || (kind !== 'bcl' && kind !== 'hang')) {
    res.writeHead(404).end();
    return;
  }
  if (kind === 'hang') {
    hanging.add(res);
    process.send({ hung: true, provider, clientId, at: now() });
    return;
  }
  const body = await readBody(req);
  const token = new URLSearchParams(body).get('logout_token') ?? '';
  try {
    const payload = await verify(provider, clientId, token);
    process.send({ verified: true, provider, clientId, sid: payload.sid, sub: payload.sub, jti: payload.jti, at: now() });
    res.writeHead(200, { 'cache-control': 'no-store' }).end();
  } catch (err) {
    process.send({ verified: false, provider, clientId, error: String(err?.message ?? err), at: now() });
    res.writeHead(400, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"error":"invalid_request"}');
  }
});

server.keepAliveTimeout = 30_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => process.send({ ready: true, port: server.address().port }));
process.on('SIGTERM', () => {
  for (const res of hanging) res.destroy();
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
