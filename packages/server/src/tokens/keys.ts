import { type JWK, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { type KeyEncryptionKey, isSealed, openJwk, sealJwk } from './key-encryption.js';
import type { KeyStore, SigningKey } from './key-store.js';
import { LOGOUT_TOKEN_TTL_SECONDS } from './lifetimes.js';
import { type AccessTokenKey, deriveAccessTokenKey } from './opaque-access-token.js';

export type Alg = SigningKey['alg'];
export const ALGS: readonly Alg[] = ['RS256', 'ES256'];
type KeyLike = Awaited<ReturnType<typeof importJWK>>;
/** The keys as read from the store, when, and the store's `keysVersion` just before the read. */
type Loaded = { keys: SigningKey[]; loadedAt: number; version: number | undefined };

/** `Cache-Control: max-age` of the JWKS response: how long a relying party may hold a copy. */
export const JWKS_MAX_AGE_SECONDS = 60;
/** How often a running provider rereads the keys it signs with (`signoff keys rotate` elsewhere). */
export const KEY_RELOAD_SECONDS = 10;
/**
 * A rotated-in key is published this long before it signs (OIDC Core §10.1.1): the JWKS is read
 * from the store at each request, so every provider publishes the key at once, and one JWKS cache
 * lifetime later every relying party's copy holds it; 10 s more absorb clock differences
 * between the host that rotated and the providers.
 */
export const ROTATION_LEAD_SECONDS = JWKS_MAX_AGE_SECONDS + 10;

/**
 * How long a key stays published and trusted after it stops signing: until the longest-lived
 * token it signed has expired (ID token, access token, logout token — refresh tokens and codes
 * are opaque, not signed), plus one JWKS cache lifetime of leeway for relying parties' clocks.
 */
export const publicationWindow = (tokens: { idTokenTtl: number; accessTokenTtl: number }): number =>
  Math.max(tokens.idTokenTtl, tokens.accessTokenTtl, LOGOUT_TOKEN_TTL_SECONDS) + JWKS_MAX_AGE_SECONDS;

export type KeyStatus = 'next' | 'current' | 'published' | 'retired' | 'revoked';

/** Where a key stands at `now`: only `current` keys sign; `next`, `current` and `published` are in the JWKS and verify. */
export const keyStatus = (k: SigningKey, now: number): KeyStatus => {
  if (k.revokedAt !== undefined) return 'revoked';
  if ((k.activatesAt ?? k.createdAt) > now) return 'next';
  if (k.retiredAt === undefined || k.retiredAt > now) return 'current';
  return (k.publishUntil ?? 0) > now ? 'published' : 'retired';
};

const isTrusted = (k: SigningKey, now: number): boolean => {
  const status = keyStatus(k, now);
  return status === 'next' || status === 'current' || status === 'published';
};

/** The key that signs for `alg` at `now`: of the current ones, the one activated last. */
const signerOf = (keys: readonly SigningKey[], alg: Alg, now: number): SigningKey | undefined =>
  keys
    .filter((k) => k.alg === alg && keyStatus(k, now) === 'current')
    .sort((a, b) => (b.activatesAt ?? b.createdAt) - (a.activatesAt ?? a.createdAt))[0];

/** A new key pair whose private half is sealed under the KEK; it signs from `activatesAt`. */
export const generateSigningKey = async (alg: Alg, now: number, kek: KeyEncryptionKey, activatesAt = now): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'RS256' ? { modulusLength: 2048, extractable: true } : { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    alg,
    privateJwk: { ...sealJwk(kek, kid, { ...(await exportJWK(privateKey)), kid, alg }) },
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
    createdAt: now,
    ...(activatesAt !== now ? { activatesAt } : {}),
  };
};

/**
 * Seals private keys an earlier version stored in plain, and checks that every sealed key opens
 * under this KEK — so a wrong KEK stops start-up, naming its source, instead of failing later.
 */
export const sealStoredKeys = async (store: KeyStore, kek: KeyEncryptionKey): Promise<number> => {
  let sealed = 0;
  for (const k of await store.listKeys()) {
    if (isSealed(k.privateJwk)) openJwk(kek, k.kid, k.privateJwk);
    else if (await store.updateKeyPrivateJwk(k.kid, sealJwk(kek, k.kid, k.privateJwk) as unknown as Record<string, unknown>)) sealed++;
  }
  return sealed;
};

/**
 * Creates a current key for every algorithm that has none (first start). Instances starting
 * together on an empty store may each generate keys, but the store keeps the first set only
 * (issue 11 §2 "Signing keys are shared").
 */
export const ensureSigningKeys = async (store: KeyStore, clock: Clock, kek: KeyEncryptionKey): Promise<void> => {
  const keys = await store.listKeys();
  const missing = ALGS.filter((alg) => !keys.some((k) => k.alg === alg && k.retiredAt === undefined));
  if (missing.length > 0) await store.insertFirstKeys(await Promise.all(missing.map((alg) => generateSigningKey(alg, nowSeconds(clock), kek))));
};

/**
 * Rotates every algorithm to a new key that is published at once and signs from `now + lead`,
 * when the keys it replaces stop signing; those stay published for `publishFor` seconds more.
 */
export const rotateSigningKeys = async (
  store: KeyStore,
  clock: Clock,
  kek: KeyEncryptionKey,
  publishFor: number,
  lead = ROTATION_LEAD_SECONDS,
): Promise<SigningKey[]> => {
  const now = nowSeconds(clock);
  const created: SigningKey[] = [];
  for (const alg of ALGS) {
    const key = await generateSigningKey(alg, now, kek, now + lead);
    await store.retireKeys(alg, now + lead, now + lead + publishFor);
    await store.insertKey(key);
    created.push(key);
  }
  return created;
};

/** A revocation that cannot be done: no such key, or already revoked. */
export class KeyRevocationError extends Error {}

/**
 * Revokes a (leaked) key at once: it leaves the JWKS and nothing it signed verifies any more.
 * When it was the key signing for its algorithm, a replacement signs from now on — without the
 * usual lead, since the revoked key must not sign again; relying parties fetch the JWKS anew
 * when they meet its unknown `kid` (OIDC Core §10.1.1). When it was the next key of a rotation,
 * a new next key takes over its time, so the algorithm is never left without a signer.
 */
export const revokeSigningKey = async (
  store: KeyStore,
  clock: Clock,
  kek: KeyEncryptionKey,
  kid: string,
  publishFor: number,
): Promise<{ revoked: SigningKey; replacement?: SigningKey }> => {
  const now = nowSeconds(clock);
  const key = await store.keyByKid(kid);
  if (!key) throw new KeyRevocationError(`no signing key with kid "${kid}"`);
  if (!(await store.revokeKey(kid, now))) throw new KeyRevocationError(`signing key "${kid}" is already revoked`);
  const keys = await store.listKeys();
  const signer = signerOf(keys, key.alg, now);
  const nextBy = (at: number) => keys.some((k) => k.alg === key.alg && keyStatus(k, now) === 'next' && (k.activatesAt ?? k.createdAt) <= at);
  if (signer) {
    if (signer.retiredAt === undefined || nextBy(signer.retiredAt)) return { revoked: key };
    // The revoked key was the next one: a new next key takes its place at its time.
    const replacement = await generateSigningKey(key.alg, now, kek, signer.retiredAt);
    await store.insertKey(replacement);
    return { revoked: key, replacement };
  }
  // A next key already scheduled takes over at its time; the replacement steps aside then.
  const next = keys.find((k) => k.alg === key.alg && keyStatus(k, now) === 'next');
  const replacement = await generateSigningKey(key.alg, now, kek);
  const nextAt = next?.activatesAt;
  await store.insertKey(nextAt === undefined ? replacement : { ...replacement, retiredAt: nextAt, publishUntil: nextAt + publishFor });
  return { revoked: key, replacement };
};

/**
 * The provider's keys, derived from the store (DESIGN.md "Storage"), so a rotation or revocation
 * by `signoff keys` in another process needs no restart. The list the signing key is chosen from
 * is reread at most every `reloadAfterMs` and whenever the store's `keysVersion` has moved since
 * it was read; which key signs is decided from the keys' times at each call, so every process
 * switches to a rotated-in key at the moment it activates. While the store cannot vouch for its
 * version (PostgreSQL before its LISTEN is confirmed, or after it is lost) the chosen key is read
 * again before each signature, as every signature did before issue 18. Verification and the
 * JWKS read the store at each use, so a revocation takes effect at once.
 */
export class KeyRing {
  private loaded: Loaded | undefined;
  private loading: Promise<Loaded> | undefined;
  private readonly publicKeys = new Map<string, KeyLike>();
  private readonly privateKeys = new Map<string, KeyLike>();
  private sealing: Promise<AccessTokenKey> | undefined;

  constructor(
    private readonly store: KeyStore,
    private readonly clock: Clock,
    private readonly kek: KeyEncryptionKey,
    private readonly reloadAfterMs = KEY_RELOAD_SECONDS * 1000,
  ) {}

  private async current(version: number | undefined): Promise<Loaded> {
    const loaded = this.loaded;
    if (loaded && this.clock.nowMs() - loaded.loadedAt < this.reloadAfterMs && (version === undefined || loaded.version === version)) return loaded;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  async reload(): Promise<void> {
    await this.load();
  }

  private async load(): Promise<Loaded> {
    // The version is taken before the read: a change committed in between moves it again, and the next call rereads.
    const version = this.store.keysVersion();
    this.loaded = { keys: await this.store.listKeys(), loadedAt: this.clock.nowMs(), version };
    return this.loaded;
  }

  async signingKey(alg: Alg): Promise<{ kid: string; key: KeyLike }> {
    const now = nowSeconds(this.clock);
    const version = this.store.keysVersion();
    let loaded = await this.current(version);
    // A load shared with a concurrent caller may predate a change this caller's version saw.
    if (version !== undefined && loaded.version !== undefined && loaded.version < version) loaded = await this.load();
    let signer = signerOf(loaded.keys, alg, now);
    if (version === undefined || loaded.version === undefined) {
      // The store cannot say whether another process revoked the key since the load: ask it.
      const fresh = signer && (await this.store.keyByKid(signer.kid));
      if (!fresh || keyStatus(fresh, now) !== 'current') signer = signerOf((await this.load()).keys, alg, now);
    }
    if (!signer) throw new Error(`no current ${alg} signing key in the store`);
    let key = this.privateKeys.get(signer.kid);
    if (!key) {
      key = await importJWK(openJwk(this.kek, signer.kid, signer.privateJwk) as JWK, alg);
      this.privateKeys.set(signer.kid, key);
    }
    return { kid: signer.kid, key };
  }

  /** The key that seals and opens opaque access tokens (tokens/opaque-access-token.ts), derived from the KEK once. */
  accessTokenKey(): Promise<AccessTokenKey> {
    this.sealing ??= deriveAccessTokenKey(this.kek);
    return this.sealing;
  }

  /**
   * The key to verify one of this provider's own tokens with: only a key still published
   * (current, next, or retired within its publication window) and never a revoked one.
   */
  async verificationKey(kid: string | undefined): Promise<{ alg: Alg; key: KeyLike } | undefined> {
    if (kid === undefined) return undefined;
    const k = await this.store.keyByKid(kid);
    if (!k || !isTrusted(k, nowSeconds(this.clock))) return undefined;
    let key = this.publicKeys.get(kid);
    if (!key) {
      key = await importJWK(k.publicJwk as JWK, k.alg);
      this.publicKeys.set(kid, key);
    }
    return { alg: k.alg, key };
  }

  /**
   * The JWKS (RFC 7517 §5): the next, current and still-published public keys, read from the
   * store at each request so that a rotation or revocation by another process shows at once.
   */
  async jwks(): Promise<{ keys: JWK[] }> {
    const now = nowSeconds(this.clock);
    return { keys: (await this.store.listKeys()).filter((k) => isTrusted(k, now)).map((k) => k.publicJwk as JWK) };
  }
}
