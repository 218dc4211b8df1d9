import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../config/validate.js';

/**
 * The key-encryption key (KEK) that seals the private signing keys at rest (issue 10 §5):
 * AES-256-GCM from node:crypto, the key's `kid` as additional authenticated data so a sealed key
 * cannot be moved to another row. Each sealed key names the KEK it was sealed under (`kek`, a
 * fingerprint), so starting with another KEK fails at once, naming where the KEK came from.
 */
export const KEK_ENV = 'SIGNOFF_KEY_ENCRYPTION_KEY';
export const KEK_FILE_KEY = 'keys.encryptionKeyFile';
/** The development KEK is written beside the SQLite file under this name. */
export const DEV_KEK_FILE = 'signoff.kek';

export interface KeyEncryptionKey {
  /** A fingerprint of the key (HMAC of a fixed label): stored with every sealed key. */
  id: string;
  key: Buffer;
  /** Where it came from, for error messages: the variable, the file, or the generated file. */
  source: string;
  /** Set when development generated it on this start. */
  generatedFile?: string;
}

/** A private JWK sealed under a KEK, as the store keeps it. */
export interface SealedJwk {
  enc: 'A256GCM';
  kek: string;
  iv: string;
  tag: string;
  ct: string;
}

/** `openssl rand -base64 32`: standard base64 (padding optional) of exactly 32 bytes. */
export const parseKek = (text: string, source: string): KeyEncryptionKey => {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(trimmed) || key.length !== 32) {
    throw new ConfigError(source, 'expected the base64 encoding of 32 random bytes (make one with "openssl rand -base64 32")');
  }
  return { id: createHmac('sha256', key).update('signoff key-encryption key id').digest('base64url').slice(0, 16), key, source };
};

const readKekFile = (file: string, source: string): KeyEncryptionKey => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(source, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseKek(text, source);
};

/**
 * The KEK from SIGNOFF_KEY_ENCRYPTION_KEY, else from `keys.encryptionKeyFile`. A development
 * configuration without either uses (creating it on first start, mode 0600) `signoff.kek` beside
 * its SQLite file (in ./data for a PostgreSQL store), or an ephemeral key for `:memory:`. Anything else fails naming both options.
 */
export const resolveKeyEncryptionKey = (config: Pick<Readonly<Config>, 'keys' | 'store' | 'development'>, env: NodeJS.ProcessEnv): KeyEncryptionKey => {
  const fromEnv = env[KEK_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return parseKek(fromEnv, KEK_ENV);
  if (config.keys.encryptionKeyFile !== undefined) return readKekFile(config.keys.encryptionKeyFile, KEK_FILE_KEY);
  if (!config.development) {
    throw new ConfigError(
      KEK_FILE_KEY,
      `no key-encryption key for the private signing keys: set ${KEK_ENV} to the base64 of 32 random bytes ` +
        `(openssl rand -base64 32) or name a file holding it in ${KEK_FILE_KEY}`,
    );
  }
  if ('sqlite' in config.store && config.store.sqlite === ':memory:') {
    return { ...parseKek(randomBytes(32).toString('base64'), 'an ephemeral development key'), generatedFile: ':memory:' };
  }
  // Beside the SQLite file; for a development PostgreSQL store, in ./data as the SQLite file would be,
  // so that restarts (and instances started from the same directory) open the keys they sealed.
  const file = 'sqlite' in config.store ? join(dirname(config.store.sqlite), DEV_KEK_FILE) : resolve('data', DEV_KEK_FILE);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': never overwrite a key that seals existing keys; 0600: readable by the owner only.
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    return { ...readKekFile(file, file), generatedFile: file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readKekFile(file, file);
  }
};

export const isSealed = (value: Record<string, unknown>): boolean => value.enc === 'A256GCM' && typeof value.ct === 'string';

/**
 * Seals any secret text under the KEK: AES-256-GCM, `aad` binding it to its row (a key's kid, a
 * factor's id) so that a sealed value copied to another row does not open. The TOTP secrets of
 * second factors are sealed this way too (accounts/factors/totp.ts).
 */
export const sealText = (kek: KeyEncryptionKey, aad: string, text: string): SealedJwk => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv).setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return { enc: 'A256GCM', kek: kek.id, iv: iv.toString('base64url'), tag: cipher.getAuthTag().toString('base64url'), ct: ct.toString('base64url') };
};

/** The sealed text, or undefined when it was sealed under another KEK or for another `aad`. */
export const openText = (kek: KeyEncryptionKey, aad: string, sealed: SealedJwk): string | undefined => {
  if (sealed.kek !== kek.id) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek.key, Buffer.from(sealed.iv, 'base64url')).setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
};

export const sealJwk = (kek: KeyEncryptionKey, kid: string, jwk: Record<string, unknown>): SealedJwk => sealText(kek, kid, JSON.stringify(jwk));

/** Throws a ConfigError naming the KEK's source when the key was sealed under another KEK. */
export const openJwk = (kek: KeyEncryptionKey, kid: string, stored: Record<string, unknown>): Record<string, unknown> => {
  const sealed = stored as unknown as SealedJwk;
  const mismatch = (detail: string) =>
    new ConfigError(kek.source, `the private signing key ${kid} in the store was sealed under key-encryption key ${String(sealed.kek)}, ` +
      `but this one is ${kek.id} (${detail}); start with the key-encryption key the store was created with`);
  if (sealed.kek !== kek.id) throw mismatch('another key');
  const plain = openText(kek, kid, sealed);
  if (plain === undefined) throw mismatch('the sealed key does not authenticate');
  return JSON.parse(plain) as Record<string, unknown>;
};
