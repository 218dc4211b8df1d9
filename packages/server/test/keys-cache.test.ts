/**
 * Issue 18 (P2, P6): the KeyRing keeps its signing keys between signatures instead of reading the
 * key before each, and still signs nothing more with a key another process revoked or retired.
 * On SQLite the other process is another connection to the file (`signoff keys` is one): SQLite's
 * `PRAGMA data_version` changes exactly when another connection commits, and the ring rereads then.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { systemClock } from '../src/clock.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import { ensureSigningKeys, revokeSigningKey, rotateSigningKeys } from '../src/tokens/keys.js';
import { TEST_KEK, countedRing } from './helpers/key-ring-probe.js';

const dir = mkdtempSync(join(tmpdir(), 'signoff-keys-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const twoConnections = async (name: string) => {
  const file = join(dir, `${name}.sqlite`);
  const mine = new SqliteStore(file);
  const other = new SqliteStore(file);
  await ensureSigningKeys(mine, systemClock, TEST_KEK);
  return { mine, other, close: async () => Promise.all([mine.close(), other.close()]) };
};

describe('the KeyRing signs without a store read per signature (issue 18 P2/P6), on SQLite', () => {
  it('a hundred signatures read the keys once and no key by kid', async () => {
    const s = await twoConnections('reads');
    const { ring, reads } = countedRing(s.mine);
    for (let i = 0; i < 100; i++) await ring.signingKey('RS256');
    assert.deepEqual(reads, { keyByKid: 0, listKeys: 1 });
    await s.close();
  });

  it('a key revoked through another connection signs not one more token: the next signature uses its replacement', async () => {
    const s = await twoConnections('revoke');
    const { ring } = countedRing(s.mine);
    const before = (await ring.signingKey('RS256')).kid;
    const { revoked, replacement } = await revokeSigningKey(s.other, systemClock, TEST_KEK, before, 60);
    assert.equal(revoked.kid, before);
    assert.ok(replacement);
    assert.equal((await ring.signingKey('RS256')).kid, replacement.kid, 'the very next signature after the commit');
    await s.close();
  });

  it('a key revoked through this connection (the admin API, a start-up) is dropped at once', async () => {
    const s = await twoConnections('own');
    const { ring } = countedRing(s.mine);
    const before = (await ring.signingKey('ES256')).kid;
    const { replacement } = await revokeSigningKey(s.mine, systemClock, TEST_KEK, before, 60);
    assert.equal((await ring.signingKey('ES256')).kid, replacement?.kid);
    await s.close();
  });

  it('writes of other rows by another connection only make the ring reread the keys; it keeps signing with the current key', async () => {
    const s = await twoConnections('churn');
    const { ring, reads } = countedRing(s.mine);
    const kid = (await ring.signingKey('RS256')).kid;
    await s.other.revokeAccessToken('some-jti', Math.floor(Date.now() / 1000) + 60);
    assert.equal((await ring.signingKey('RS256')).kid, kid);
    assert.equal(reads.keyByKid, 0);
    assert.equal(reads.listKeys, 2, 'one reread after the other connection committed');
    await s.close();
  });

  it('a rotation by another connection: the rotated-in key signs from its activation, read without a restart', async () => {
    const s = await twoConnections('rotate');
    const { ring } = countedRing(s.mine);
    const old = (await ring.signingKey('RS256')).kid;
    const [next] = await rotateSigningKeys(s.other, systemClock, TEST_KEK, 60, 0);
    assert.ok(next);
    assert.notEqual(next.kid, old);
    assert.equal((await ring.signingKey('RS256')).kid, next.kid);
    await s.close();
  });
});
