import { type JWK, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import type { KeyStore, SigningKey } from '../store/types.js';

export type Alg = SigningKey['alg'];
export const ALGS: readonly Alg[] = ['RS256', 'ES256'];
type KeyLike = Awaited<ReturnType<typeof importJWK>>;

export const generateSigningKey = async (alg: Alg, now: number): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'RS256' ? { modulusLength: 2048, extractable: true } : { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    alg,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg },
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
    createdAt: now,
  };
};

/** Creates a current key for every algorithm that has none (first start). */
export const ensureSigningKeys = async (store: KeyStore, clock: Clock): Promise<void> => {
  const keys = await store.listKeys();
  for (const alg of ALGS) {
    if (!keys.some((k) => k.alg === alg && k.retiredAt === undefined)) await store.insertKey(await generateSigningKey(alg, nowSeconds(clock)));
  }
};

/**
 * Starts signing with new keys; the old ones stay published for `publishFor` seconds, long
 * enough for every token they signed to expire (OIDC Core §10.1.1: signing key rotation).
 */
export const rotateSigningKeys = async (store: KeyStore, clock: Clock, publishFor: number): Promise<SigningKey[]> => {
  const now = nowSeconds(clock);
  const created: SigningKey[] = [];
  for (const alg of ALGS) {
    const key = await generateSigningKey(alg, now);
    await store.retireKeys(alg, now, now + publishFor);
    await store.insertKey(key);
    created.push(key);
  }
  return created;
};

interface Loaded {
  signing: Map<Alg, { kid: string; key: KeyLike }>;
  verifying: Map<string, { alg: Alg; key: KeyLike }>;
  published: JWK[];
  loadedAt: number;
}

/**
 * The provider's keys in memory. Reloaded from the store at most every `reloadAfterMs`, so a
 * rotation made by `signoff keys rotate` in another process is picked up without a restart.
 */
export class KeyRing {
  private loaded: Loaded | undefined;
  private loading: Promise<Loaded> | undefined;

  constructor(
    private readonly store: KeyStore,
    private readonly clock: Clock,
    private readonly reloadAfterMs = 10_000,
  ) {}

  private async current(): Promise<Loaded> {
    const loaded = this.loaded;
    if (loaded && this.clock.nowMs() - loaded.loadedAt < this.reloadAfterMs) return loaded;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    // Stale keys keep serving while the reload runs in the background.
    return loaded ?? this.loading;
  }

  async reload(): Promise<void> {
    this.loaded = await this.load();
  }

  private async load(): Promise<Loaded> {
    const keys = await this.store.listKeys();
    const now = nowSeconds(this.clock);
    const signing = new Map<Alg, { kid: string; key: KeyLike }>();
    const verifying = new Map<string, { alg: Alg; key: KeyLike }>();
    const published: JWK[] = [];
    for (const k of keys) {
      const key = await importJWK(k.publicJwk as JWK, k.alg);
      verifying.set(k.kid, { alg: k.alg, key });
      if (k.retiredAt === undefined) {
        if (!signing.has(k.alg)) signing.set(k.alg, { kid: k.kid, key: await importJWK(k.privateJwk as JWK, k.alg) });
        published.push(k.publicJwk as JWK);
      } else if ((k.publishUntil ?? 0) > now) {
        published.push(k.publicJwk as JWK);
      }
    }
    this.loaded = { signing, verifying, published, loadedAt: this.clock.nowMs() };
    return this.loaded;
  }

  async signingKey(alg: Alg): Promise<{ kid: string; key: KeyLike }> {
    const key = (await this.current()).signing.get(alg);
    if (!key) throw new Error(`no current ${alg} signing key in the store`);
    return key;
  }

  /** Any key this provider has held, published or retired (verifies its own tokens). */
  async verificationKey(kid: string | undefined): Promise<{ alg: Alg; key: KeyLike } | undefined> {
    if (kid === undefined) return undefined;
    const loaded = await this.current();
    const hit = loaded.verifying.get(kid);
    if (hit) return hit;
    // An unknown kid may be a key rotated in by another process since the last load.
    if (this.clock.nowMs() - loaded.loadedAt > 1000) return (await this.load()).verifying.get(kid);
    return undefined;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.current()).published };
  }
}
