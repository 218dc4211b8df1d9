// The signing ceiling: jose signing an ID-token-sized JWT with RS256, nothing else.
// The private JWK comes in the environment (BENCH_RS256_JWK), the same key both providers use.
import { SignJWT, importJWK } from 'jose';
import { runLoop, secondsArg } from './loop.js';

const jwk = JSON.parse(process.env.BENCH_RS256_JWK ?? '');
const key = await importJWK(jwk, 'RS256');
const now = Math.floor(Date.now() / 1000);
const claims = {
  iss: 'http://127.0.0.1:3000', sub: 'c5b2b1a8-3c1e-4f0e-9d3b-1b2f9a7c6d5e', aud: 'rp01', azp: 'rp01', iat: now, exp: now + 3600,
  auth_time: now, acr: '0', amr: ['pwd'], sid: 'Yk3q0m6b1oVvH2c9Qz0aXw', at_hash: 'x4M6bqY1Yk3q0m6b1oVvHw', name: 'Alice',
  email: 'alice@example.test', email_verified: true, preferred_username: 'alice',
};
await runLoop(secondsArg(), () => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).sign(key));
