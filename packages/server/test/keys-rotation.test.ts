/**
 * Signing keys over time (issue 10 §5 and §9), through the real provider: a rotation publishes
 * the next key one JWKS cache lifetime before it signs, and a running provider picks up a
 * rotation made by `signoff keys rotate` in another process; a retired key stops verifying after
 * its publication window; `signoff keys revoke` ends the trust in a key at once; an access token
 * whose token family belongs to another account is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type JWK, type JWTPayload, SignJWT, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';
import { ManualClock, nowSeconds } from '../src/clock.js';
import { openJwk } from '../src/tokens/key-encryption.js';
import { JWKS_MAX_AGE_SECONDS, KEY_RELOAD_SECONDS, ROTATION_LEAD_SECONDS, publicationWindow, revokeSigningKey, rotateSigningKeys } from '../src/tokens/keys.js';
import { type TestProvider, USERS, defaultClients, startProvider } from './helpers/provider.js';
import { WEB, cliConfigFor, exchange, introspect, refresh, runCli, signInFresh, userinfo } from './helpers/session-flows.js';

const jwksKids = async (op: TestProvider): Promise<string[]> => {
  const res = await fetch(`${op.issuer}/jwks`);
  return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
};

/** Signs claims with a key of the provider's store, as one who holds that private key would. */
const forge = async (op: TestProvider, kid: string, claims: JWTPayload): Promise<string> => {
  const stored = await op.provider.store.keyByKid(kid);
  assert.ok(stored);
  const jwk = openJwk(op.provider.kek, kid, stored.privateJwk);
  return new SignJWT(claims).setProtectedHeader({ alg: stored.alg, kid, typ: 'at+jwt' }).sign(await importJWK(jwk as JWK, stored.alg));
};

const signIn = async (op: TestProvider, user: { username: string; password: string }) => {
  const { code } = await signInFresh(op.issuer, WEB, user);
  return exchange(op.issuer, WEB, code);
};

describe('the JWKS cache lifetime sets the rotation lead (issue 10 §5)', () => {
  it('/jwks is cacheable for JWKS_MAX_AGE_SECONDS, and a rotation publishes at least that long ahead', async () => {
    const op = await startProvider();
    try {
      const res = await fetch(`${op.issuer}/jwks`);
      await res.arrayBuffer();
      assert.equal(res.headers.get('cache-control'), `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
      assert.ok(ROTATION_LEAD_SECONDS >= JWKS_MAX_AGE_SECONDS);
    } finally {
      await op.close();
    }
  });
});

describe('a running provider picks up `signoff keys rotate` from another process (issue 10 §5, §9)', () => {
  const clock = new ManualClock();
  let op: TestProvider;
  before(async () => {
    op = await startProvider({}, { clock });
  });
  after(() => op.close());

  it('publishes the next key at once, signs with it only after the lead, and its tokens verify', async () => {
    const first = await signIn(op, USERS.alice);
    const oldKid = decodeProtectedHeader(first.access_token).kid;
    const rotated = await runCli(['keys', 'rotate', '--config', cliConfigFor(op, defaultClients())], { cwd: op.dir });
    assert.equal(rotated.code, 0, rotated.stderr);
    const newKid = /new RS256 signing key (\S+):/.exec(rotated.stdout)?.[1];
    assert.ok(newKid, rotated.stdout);

    const published = await jwksKids(op);
    assert.ok(published.includes(newKid), 'the next key is in the JWKS at once');
    assert.ok(published.includes(oldKid ?? ''), 'the current key too');

    // The CLI dated the rotation by the real clock: bring the provider's clock up to it first.
    clock.advance(Math.max(0, Date.now() - clock.nowMs()) / 1000);
    // Past the provider's reload interval: it holds the next key, but must not sign with it yet.
    clock.advance(KEY_RELOAD_SECONDS + 1);
    const before = await refresh(op.issuer, WEB, first.refresh_token ?? '');
    assert.equal(before.status, 200);
    assert.equal(decodeProtectedHeader(before.body.access_token as string).kid, oldKid, 'the next key signs nothing before its time');

    // One JWKS cache lifetime (plus the margin) after the rotation.
    clock.advance(ROTATION_LEAD_SECONDS);
    const later = await refresh(op.issuer, WEB, before.body.refresh_token as string);
    assert.equal(later.status, 200);
    assert.equal(decodeProtectedHeader(later.body.access_token as string).kid, newKid, 'access tokens are signed with the rotated-in key');
    assert.equal(decodeProtectedHeader(later.body.id_token as string).kid, newKid, 'ID tokens too');
    assert.equal((await userinfo(op.issuer, later.body.access_token as string)).status, 200);
    assert.ok((await jwksKids(op)).includes(oldKid ?? ''), 'the old key stays published for its window');
  });
});

describe('a retired key stops verifying after its publication window (issue 10 §5)', () => {
  const clock = new ManualClock();
  let op: TestProvider;
  before(async () => {
    op = await startProvider({ tokens: { accessTokenTtl: '60s', idTokenTtl: '60s' } }, { clock });
  });
  after(() => op.close());

  it('a token signed by the old key verifies within the window and not after; the key leaves the JWKS', async () => {
    const tokens = await signIn(op, USERS.alice);
    const oldKid = decodeProtectedHeader(tokens.access_token).kid ?? '';
    // A long-lived token signed by the old key: only the key's window can end its trust.
    const claims = decodeJwt(tokens.access_token);
    const forged = await forge(op, oldKid, { ...claims, jti: 'long-lived', exp: nowSeconds(clock) + 86_400 });
    const window = publicationWindow(op.provider.config.tokens);
    assert.equal(window, 120 + JWKS_MAX_AGE_SECONDS, 'the logout token (120 s) is the longest-lived signed token here');

    await rotateSigningKeys(op.provider.store, clock, op.provider.kek, window);
    clock.advance(ROTATION_LEAD_SECONDS + 1);
    assert.equal((await userinfo(op.issuer, forged)).status, 200, 'retired, but within its window');
    assert.ok((await jwksKids(op)).includes(oldKid));

    clock.advance(window);
    const res = await userinfo(op.issuer, forged);
    assert.equal(res.status, 401);
    assert.match(res.wwwAuthenticate ?? '', /invalid_token/);
    assert.equal((await introspect(op.issuer, WEB, forged)).active, false);
    assert.ok(!(await jwksKids(op)).includes(oldKid), 'out of the JWKS');
  });
});

describe('`signoff keys revoke KID` ends the trust in a key at once (issue 10 §5)', () => {
  let op: TestProvider;
  let cfg: string;
  before(async () => {
    op = await startProvider();
    cfg = cliConfigFor(op, defaultClients());
  });
  after(() => op.close());

  it('revoking the signing key: its tokens fail at userinfo and introspection, it leaves the JWKS, a new key signs', async () => {
    const tokens = await signIn(op, USERS.alice);
    const kid = decodeProtectedHeader(tokens.access_token).kid ?? '';
    assert.equal((await userinfo(op.issuer, tokens.access_token)).status, 200);

    // After `--`: a kid is a base64url thumbprint and may begin with '-', which would read as an option.
    const r = await runCli(['keys', 'revoke', '--config', cfg, '--', kid], { cwd: op.dir });
    assert.equal(r.code, 0, r.stderr);
    const replacement = /new RS256 signing key (\S+): signs from now/.exec(r.stdout)?.[1];
    assert.ok(replacement, `the only signing key is replaced at once: ${r.stdout}`);

    const res = await userinfo(op.issuer, tokens.access_token);
    assert.equal(res.status, 401);
    assert.match(res.wwwAuthenticate ?? '', /invalid_token/);
    assert.equal((await introspect(op.issuer, WEB, tokens.access_token)).active, false);
    const kids = await jwksKids(op);
    assert.ok(!kids.includes(kid), 'out of the JWKS');
    assert.ok(kids.includes(replacement));

    const next = await refresh(op.issuer, WEB, tokens.refresh_token ?? '');
    assert.equal(next.status, 200, 'refresh tokens are opaque: the grant survives the key');
    assert.equal(decodeProtectedHeader(next.body.access_token as string).kid, replacement, 'the running provider signs with the replacement at once');
    assert.equal((await userinfo(op.issuer, next.body.access_token as string)).status, 200);

    const list = JSON.parse((await runCli(['keys', 'list', '--json', '--config', cfg], { cwd: op.dir })).stdout) as { kid: string; status: string }[];
    assert.equal(list.find((k) => k.kid === kid)?.status, 'revoked');
  });

  it('an unknown or already revoked kid exits 1 and changes nothing', async () => {
    const before1 = await jwksKids(op);
    const unknown = await runCli(['keys', 'revoke', 'no-such-kid', '--config', cfg], { cwd: op.dir });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no-such-kid/);
    assert.deepEqual(await jwksKids(op), before1);
  });
});

describe('revoking the next key of a rotation leaves the algorithm a signer (issue 10 §5)', () => {
  const clock = new ManualClock();
  let op: TestProvider;
  before(async () => {
    op = await startProvider({}, { clock });
  });
  after(() => op.close());

  it('a new next key, published at once, signs from the revoked one’s time', async () => {
    const { store, kek, config } = op.provider;
    const window = publicationWindow(config.tokens);
    const rotated = (await rotateSigningKeys(store, clock, kek, window)).find((k) => k.alg === 'RS256');
    assert.ok(rotated);
    const { replacement } = await revokeSigningKey(store, clock, kek, rotated.kid, window);
    assert.ok(replacement, 'a new next key');
    assert.equal(replacement.activatesAt, rotated.activatesAt);
    const kids = await jwksKids(op);
    assert.ok(kids.includes(replacement.kid) && !kids.includes(rotated.kid));
    clock.advance(ROTATION_LEAD_SECONDS + 1);
    assert.equal((await op.provider.keys.signingKey('RS256')).kid, replacement.kid);
  });
});

describe('an access token is active only with the token family of its own sub (issue 10 §5)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op.close());

  it('a token signed by the real key naming alice and bob\u2019s family fails at userinfo and introspection', async () => {
    const alice = await signIn(op, USERS.alice);
    const bob = await signIn(op, USERS.bob);
    const aliceClaims = decodeJwt(alice.access_token);
    const bobClaims = decodeJwt(bob.access_token);
    assert.notEqual(aliceClaims.sub, bobClaims.sub);
    const kid = decodeProtectedHeader(alice.access_token).kid ?? '';

    const genuine = await forge(op, kid, { ...aliceClaims, jti: 'genuine-copy' });
    assert.equal((await userinfo(op.issuer, genuine)).status, 200, 'the forging itself yields a valid token');

    const forged = await forge(op, kid, { ...aliceClaims, jti: 'forged', gid: bobClaims.gid, sid: bobClaims.sid });
    const res = await userinfo(op.issuer, forged);
    assert.equal(res.status, 401);
    assert.match(res.wwwAuthenticate ?? '', /invalid_token/);
    assert.equal((await introspect(op.issuer, WEB, forged)).active, false);
  });
});
