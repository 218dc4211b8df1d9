// The signing ceiling: jose signing an ID-token-sized JWT, nothing else. BENCH_SIGN_ALG picks
// the algorithm (RS256 by default; ES256, EdDSA). RS256 uses the private JWK in the environment
// (BENCH_RS256_JWK), the same key both providers use; the others a fresh key (P-256, Ed25519):
// their signing cost does not depend on which key.
import { SignJWT, generateKeyPair, importJWK } from 'jose';
import { runLoop, secondsArg } from './loop.js';

const alg = process.env.BENCH_SIGN_ALG || 'RS256';
let key, kid;
if (alg === 'RS256') {
  const jwk = JSON.parse(process.env.BENCH_RS256_JWK ?? '');
  key = await importJWK(jwk, 'RS256');
  kid = jwk.kid;
} else if (alg === 'ES256' || alg === 'EdDSA') {
  ({ privateKey: key } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {}));
  kid = `bench-${alg}`;
} else {
  throw new Error(`BENCH_SIGN_ALG: no algorithm ${alg} (RS256, ES256, EdDSA)`);
}
const now = Math.floor(Date.now() / 1000);
const claims = {
  iss: 'http://127.0.0.1:3000', sub: 'c5b2b1a8-3c1e-4f0e-9d3b-1b2f9a7c6d5e', aud: 'rp01', azp: 'rp01', iat: now, exp: now + 3600,
  auth_time: now, acr: '0', amr: ['pwd'], sid: 'Yk3q0m6b1oVvH2c9Qz0aXw', at_hash: 'x4M6bqY1Yk3q0m6b1oVvHw', name: 'Alice',
  email: 'alice@example.test', email_verified: true, preferred_username: 'alice',
};
await runLoop(secondsArg(), () => new SignJWT(claims).setProtectedHeader({ alg, kid }).sign(key));
