import { hkdfSync, webcrypto } from 'node:crypto';
import { EncryptJWT, type JWTPayload, decodeProtectedHeader, jwtDecrypt } from 'jose';
import type { KeyEncryptionKey } from './key-encryption.js';

/**
 * Opaque access tokens (issue 18, a client's `access_token_format: "opaque"`): the claims a JWT
 * access token would carry, encrypted (JWE compact, `dir` + A256GCM, RFC 7516) under a key only
 * the provider holds. The client and resource servers cannot read them and must introspect
 * (RFC 7662) or call userinfo; the provider opens them without a store read and without a
 * signature, so a token response carries one signature (the ID token's) instead of two.
 *
 * The key is derived (HKDF-SHA256, RFC 5869) from the key-encryption key, under a label of its
 * own: every instance that opens the store has it, nothing new is stored, and a key that seals
 * access tokens never seals signing keys. A token sealed under another KEK names another `kid`
 * and is simply inactive. Whether it is still active is decided as for a JWT access token
 * (tokens/access-token.ts): its family, its own revocation and its session.
 */
export interface AccessTokenKey {
  kid: string;
  /**
   * A WebCrypto key, imported once: jose 6 runs on WebCrypto and converts a KeyObject or raw
   * bytes on every call, which doubled the cost of a seal (172 against 92 µs) and of an open
   * (140 against 65 µs) on the bench machine (issue 18, P2 and P6).
   */
  key: CryptoKey;
}

const LABEL = 'signoff opaque access token v1';

export const deriveAccessTokenKey = async (kek: KeyEncryptionKey): Promise<AccessTokenKey> => ({
  kid: `at.${kek.id}`,
  key: await webcrypto.subtle.importKey('raw', hkdfSync('sha256', kek.key, Buffer.alloc(0), LABEL, 32), 'AES-GCM', false, ['encrypt', 'decrypt']),
});

export const sealAccessToken = (k: AccessTokenKey, claims: JWTPayload): Promise<string> =>
  new EncryptJWT(claims).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: k.kid }).encrypt(k.key);

/** A compact JWE has five parts where a JWS has three (RFC 7516 §7.1). */
export const isOpaqueAccessToken = (token: string): boolean => token.split('.', 6).length === 5;

/**
 * The claims of an opaque access token this provider sealed, checked for issuer and expiry; or
 * undefined for anything else (another key, a changed byte, an expired token, not a JWE).
 */
export const openAccessToken = async (
  k: AccessTokenKey,
  token: string,
  opts: { issuer: string; nowSeconds: number },
): Promise<JWTPayload | undefined> => {
  try {
    if (decodeProtectedHeader(token).kid !== k.kid) return undefined;
    const { payload } = await jwtDecrypt(token, k.key, {
      issuer: opts.issuer,
      currentDate: new Date(opts.nowSeconds * 1000),
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
      requiredClaims: ['exp'],
    });
    return payload;
  } catch {
    return undefined;
  }
};
