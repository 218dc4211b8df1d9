/** Signing keys and their storage port (tokens/keys.ts rotates them; times in seconds since the epoch). */

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  /**
   * The private JWK sealed under the key-encryption key (tokens/key-encryption.ts). Stores
   * written before issue 10 hold it in plain; it is sealed when the provider next opens them.
   */
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  createdAt: number;
  /**
   * When it starts signing; undefined means at createdAt. A rotation publishes the next key one
   * JWKS cache lifetime before this, so relying parties hold it before the first token it signs.
   */
  activatesAt?: number | undefined;
  /** When it stops (or stopped) signing; undefined while nothing has replaced it. */
  retiredAt?: number | undefined;
  /** Published and trusted for verification until then: after its last token has expired. */
  publishUntil?: number | undefined;
  /** Revoked (leaked): from then on neither published, nor trusted, nor used. */
  revokedAt?: number | undefined;
}

export interface KeyStore {
  listKeys(): Promise<SigningKey[]>;
  keyByKid(kid: string): Promise<SigningKey | undefined>;
  insertKey(key: SigningKey): Promise<void>;
  /**
   * Inserts each key whose algorithm has no key that nothing has replaced yet, re-checking
   * inside one transaction, so instances starting together on an empty store create one key
   * per algorithm between them (issue 11 §2); returns the keys it inserted.
   */
  insertFirstKeys(keys: SigningKey[]): Promise<SigningKey[]>;
  /** Stops the keys of `alg` that nothing has replaced yet from signing at `retiredAt`. */
  retireKeys(alg: SigningKey['alg'], retiredAt: number, publishUntil: number): Promise<number>;
  /** Replaces the stored private key (sealing a key stored in plain). */
  updateKeyPrivateJwk(kid: string, privateJwk: Record<string, unknown>): Promise<boolean>;
  /** Marks a key revoked (and retired, if it was not); false when there is no such key or it already was. */
  revokeKey(kid: string, at: number): Promise<boolean>;
  /**
   * A number that changes whenever a key may have changed — by this process or any other —,
   * known without a round trip to the database; undefined while the store cannot vouch for that.
   * The KeyRing trusts its copy of the keys while the number stays the same, and reads the signing
   * key before each signature while it is undefined (issue 18 P2/P6: no store read per signature).
   */
  keysVersion(): number | undefined;
}
