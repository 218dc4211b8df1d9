import { type KeyEncryptionKey, openText, sealText } from '../tokens/key-encryption.js';
import type { SealedJwk } from '../tokens/key-encryption.js';
import type { UpstreamSession } from './store.js';

/**
 * The upstream ID token an SSO session keeps for a federated logout's id_token_hint (issue 15 §1:
 * "encrypted or at least never exposed"): sealed under the key-encryption key, bound to its
 * upstream identity so a sealed token copied to another row does not open.
 */
const aad = (upstreamId: string, subject: string): string => `upstream-id-token:${upstreamId}:${subject}`;

export const sealUpstreamIdToken = (kek: KeyEncryptionKey, upstreamId: string, subject: string, idToken: string): SealedJwk => sealText(kek, aad(upstreamId, subject), idToken);

/** The ID token, or undefined when it does not open (another KEK, another row). */
export const openUpstreamIdToken = (kek: KeyEncryptionKey, u: Pick<UpstreamSession, 'upstreamId' | 'subject' | 'idToken'>): string | undefined =>
  openText(kek, aad(u.upstreamId, u.subject), u.idToken);
