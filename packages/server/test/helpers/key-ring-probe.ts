/**
 * A KeyRing over a store whose key reads are counted, for the tests of issue 18's key cache: a
 * ring that trusts its copy reads nothing per signature; one that cannot must read before each.
 */
import { randomBytes } from 'node:crypto';
import { systemClock } from '../../src/clock.js';
import { parseKek } from '../../src/tokens/key-encryption.js';
import type { KeyStore } from '../../src/tokens/key-store.js';
import { KeyRing } from '../../src/tokens/keys.js';

export const TEST_KEK = parseKek(randomBytes(32).toString('base64'), 'a test key');

export interface CountedRing {
  ring: KeyRing;
  reads: { keyByKid: number; listKeys: number };
}

export const countedRing = (store: KeyStore): CountedRing => {
  const reads = { keyByKid: 0, listKeys: 0 };
  const counted: KeyStore = {
    ...bind(store),
    keyByKid: (kid) => {
      reads.keyByKid++;
      return store.keyByKid(kid);
    },
    listKeys: () => {
      reads.listKeys++;
      return store.listKeys();
    },
  };
  return { ring: new KeyRing(counted, systemClock, TEST_KEK), reads };
};

/** The KeyStore methods of a store object, bound to it (the store classes carry them as own properties or methods). */
const bind = (store: KeyStore): KeyStore => ({
  listKeys: () => store.listKeys(),
  keyByKid: (kid) => store.keyByKid(kid),
  insertKey: (k) => store.insertKey(k),
  insertFirstKeys: (k) => store.insertFirstKeys(k),
  retireKeys: (a, r, p) => store.retireKeys(a, r, p),
  updateKeyPrivateJwk: (kid, j) => store.updateKeyPrivateJwk(kid, j),
  revokeKey: (kid, at) => store.revokeKey(kid, at),
  keysVersion: () => store.keysVersion(),
});
