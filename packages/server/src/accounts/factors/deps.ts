/** What the second-factor use cases need, and the WebAuthn relying party the issuer makes. */
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/schema.js';
import type { EventStore } from '../../sessions/events.js';
import type { KeyEncryptionKey } from '../../tokens/key-encryption.js';
import type { FactorStore } from './store.js';

/** The WebAuthn Relying Party (WebAuthn Level 3 §5.1.3 "rp"), and the TOTP apps' issuer name. */
export interface RelyingParty {
  /** The RP ID: the issuer's host name (WebAuthn §5.1.3 rpId, an effective domain). */
  id: string;
  /** The origin the browser reports in clientDataJSON (WebAuthn §7.1 step 9). */
  origin: string;
  /** Shown by authenticators and authenticator apps: the pages' product name. */
  name: string;
}

/**
 * The issuer's host is the RP ID, so passkeys are scoped to it; the issuer URL's path plays no
 * part. An issuer on an IP address (127.0.0.1) makes no valid RP ID for browsers (WebAuthn §5.1.3
 * needs a domain): passkeys then work on `localhost` only, TOTP anywhere.
 */
export const relyingParty = (config: Pick<Readonly<Config>, 'issuer' | 'branding'>): RelyingParty => {
  const url = new URL(config.issuer);
  return { id: url.hostname, origin: url.origin, name: config.branding.productName };
};

export interface FactorDeps {
  factors: FactorStore;
  events: Pick<EventStore, 'appendEvent'>;
  clock: Clock;
  /** Seals TOTP secrets at rest, as it seals the private signing keys. */
  kek: KeyEncryptionKey;
  rp: RelyingParty;
}

/** A rule of the factor use cases broken by the caller's input. */
export class FactorError extends Error {
  override name = 'FactorError';
}

/** 1-64 characters, none a control character, after trimming: a name the account page can show. */
export const factorLabel = (label: string): string => {
  const trimmed = label.trim();
  if (!/^[^\p{Cc}\p{Cf}]{1,64}$/u.test(trimmed)) throw new FactorError('a factor\'s name is 1-64 characters without control characters');
  return trimmed;
};
