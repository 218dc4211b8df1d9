/**
 * Issue 18 (P2, P6) on PostgreSQL: the KeyRing keeps its signing keys between signatures, and a
 * key another instance (or `signoff keys`) revokes stops signing here as soon as the change's
 * NOTIFY arrives; while this instance's LISTEN connection is down, every signature reads its key
 * from the database again, so a change made then is seen by the very next signature.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../src/clock.js';
import { PostgresStore } from '../src/store/postgres/store.js';
import { ensureSigningKeys, revokeSigningKey } from '../src/tokens/keys.js';
import { TEST_KEK, countedRing } from './helpers/key-ring-probe.js';
import { type TestDatabase, killListeners, twoInstances, usePostgres } from './helpers/postgres.js';
import { eventually } from './helpers/receiver.js';

const postgres = usePostgres();

describe('the KeyRing signs without a store read per signature (issue 18 P2/P6), on PostgreSQL with two instances', () => {
  let db: TestDatabase;
  let mine: PostgresStore;
  let other: PostgresStore;
  let close: () => Promise<void>;
  before(async () => {
    ({ db, mine, other, close } = await twoInstances(await postgres()));
    await ensureSigningKeys(mine, systemClock, TEST_KEK);
  });
  after(() => close?.());

  const listening = () => eventually(async () => (mine.keysVersion() !== undefined ? true : undefined), 'the key LISTEN connection', 5000);

  it('once its LISTEN is confirmed, a hundred signatures read no key by kid and the list at most once more', async () => {
    const { ring, reads } = countedRing(mine);
    await ring.signingKey('RS256');
    await listening();
    const after1 = { ...reads };
    for (let i = 0; i < 100; i++) await ring.signingKey('RS256');
    assert.equal(reads.keyByKid, after1.keyByKid, 'no read by kid while listening');
    assert.ok(reads.listKeys - after1.listKeys <= 1, `list reads: ${reads.listKeys - after1.listKeys}`);
  });

  it('a key revoked by the other instance: no token signed with it once the NOTIFY has arrived, and never again after', async () => {
    const { ring } = countedRing(mine);
    const old = (await ring.signingKey('RS256')).kid;
    await listening();
    const { replacement } = await revokeSigningKey(other, systemClock, TEST_KEK, old, 60);
    assert.ok(replacement);
    const kids: string[] = [];
    await eventually(async () => {
      kids.push((await ring.signingKey('RS256')).kid);
      return kids.at(-1) === replacement.kid ? true : undefined;
    }, 'the revocation to reach this instance', 3000);
    for (let i = 0; i < 50; i++) kids.push((await ring.signingKey('RS256')).kid);
    const first = kids.indexOf(replacement.kid);
    assert.ok(kids.slice(first).every((k) => k === replacement.kid), 'the revoked key never signs again');
    assert.ok(kids.slice(0, first).every((k) => k === old));
  });

  it('with the LISTEN connection lost, the very next signature after another instance revokes the key uses its replacement', async () => {
    const { ring, reads } = countedRing(mine);
    const old = (await ring.signingKey('ES256')).kid;
    await listening();
    assert.ok((await killListeners(db.url, 'signoff_keys')) >= 1, 'the listener was found');
    await eventually(async () => (mine.keysVersion() === undefined ? true : undefined), 'the loss to be noticed', 5000);
    const byKid = reads.keyByKid;
    const { replacement } = await revokeSigningKey(other, systemClock, TEST_KEK, old, 60);
    assert.equal((await ring.signingKey('ES256')).kid, replacement?.kid, 'exact while the store cannot vouch for its copy');
    assert.ok(reads.keyByKid > byKid, 'the key was read before the signature');
    // It listens again by itself (backoff from 500 ms), and the copy is trusted again.
    await listening();
    const settled = { ...reads };
    for (let i = 0; i < 10; i++) await ring.signingKey('ES256');
    assert.equal(reads.keyByKid, settled.keyByKid);
  });
});
