/**
 * Issue 18 (P1): the registered clients are held in the process, and no copy outlives a change.
 * An authorization or a token request reads its client from the copy; a write by this process
 * is seen at once, a write by another process or instance (`signoff clients` on the SQLite file,
 * another instance on PostgreSQL) before this one can use the client again: at the next read on
 * SQLite (`PRAGMA data_version`), once the change's NOTIFY has arrived on PostgreSQL, and at the
 * very next read while this instance's LISTEN connection is down. RFC 6749 §4.1.2.1 and §10.15
 * are the stakes: a removed client or an unregistered redirect URI must never be honoured.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PostgresStore } from '../src/store/postgres/store.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import type { Store } from '../src/store/types.js';
import { type TestDatabase, killListeners, twoInstances, usePostgres } from './helpers/postgres.js';
import { eventually } from './helpers/receiver.js';
import { sampleClient } from './helpers/store-contract/samples.js';

const postgres = usePostgres();

/** The copy is trusted (PostgreSQL: once the LISTEN connection is confirmed). */
const trusted = (store: Store) => eventually(async () => (store.clientsVersion() !== undefined ? true : undefined), 'the clients version', 5000);

const suite = (name: string, open: () => Promise<{ mine: Store; other: Store; done: () => Promise<void> }>, settle: (mine: Store, check: () => Promise<boolean>) => Promise<void>) =>
  describe(`the clients copy (issue 18 P1) on ${name}, with a second process or instance on the same store`, () => {
    let mine: Store;
    let other: Store;
    let done: () => Promise<void>;
    before(async () => {
      ({ mine, other, done } = await open());
      await trusted(mine);
    });
    after(() => done?.());

    it('reads a client once: later reads share one frozen copy, which no caller can change', async () => {
      const c = sampleClient();
      await mine.upsertClient(c);
      // On PostgreSQL the write's own NOTIFY arrives a moment later and drops the copy once more.
      const first = await eventually(async () => {
        const a = await mine.clientById(c.client_id);
        return a && (await mine.clientById(c.client_id)) === a ? a : undefined;
      }, 'one copy for two reads', 3000);
      assert.ok(Object.isFrozen(first) && Object.isFrozen(first.redirect_uris));
      assert.throws(() => (first.redirect_uris as string[]).push('https://evil.example/cb'), TypeError);
      assert.deepEqual((await mine.clientById(c.client_id))?.redirect_uris, c.redirect_uris);
    });

    it("this process's own change and removal are seen by the very next read (RFC 6749 §10.15)", async () => {
      const c = sampleClient();
      await mine.upsertClient(c);
      await mine.clientById(c.client_id);
      await mine.upsertClient({ ...c, redirect_uris: ['https://moved.example/cb'] });
      assert.deepEqual((await mine.clientById(c.client_id))?.redirect_uris, ['https://moved.example/cb']);
      assert.equal(await mine.removeClient(c.client_id), true);
      assert.equal(await mine.clientById(c.client_id), undefined);
    });

    it("another process's removal and redirect-URI change: never served from the copy once they are seen, and never again after (RFC 6749 §4.1.2.1)", async () => {
      const [gone, moved] = [sampleClient(), sampleClient()];
      await other.upsertClient(gone);
      await other.upsertClient(moved);
      assert.ok(await mine.clientById(gone.client_id));
      assert.ok(await mine.clientById(moved.client_id));
      await other.removeClient(gone.client_id);
      await other.upsertClient({ ...moved, redirect_uris: ['https://moved.example/cb'] });
      await settle(mine, async () => (await mine.clientById(gone.client_id)) === undefined);
      for (let i = 0; i < 20; i++) {
        assert.equal(await mine.clientById(gone.client_id), undefined);
        assert.deepEqual((await mine.clientById(moved.client_id))?.redirect_uris, ['https://moved.example/cb']);
      }
    });

    it('unknown ids are not held: a client registered by another process after a miss is found', async () => {
      const c = sampleClient();
      assert.equal(await mine.clientById(c.client_id), undefined);
      await other.upsertClient(c);
      await settle(mine, async () => (await mine.clientById(c.client_id)) !== undefined);
    });

    it("hostile ids (__proto__, constructor, huge, unicode) find nothing and poison nothing", async () => {
      const c = sampleClient();
      await mine.upsertClient(c);
      await mine.clientById(c.client_id);
      for (const id of ['__proto__', 'constructor', 'toString', 'x'.repeat(100_000), 'ｗｅｂ\u202e', '']) {
        assert.equal(await mine.clientById(id), undefined, id.slice(0, 20));
      }
      assert.equal((await mine.clientById(c.client_id))?.client_id, c.client_id);
    });
  });

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// SQLite: the other connection's commit changes PRAGMA data_version, checked at every read — exact at once.
suite(
  'SQLite',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signoff-clients-cache-'));
    dirs.push(dir);
    const mine = new SqliteStore(join(dir, 'signoff.db'));
    const other = new SqliteStore(join(dir, 'signoff.db'));
    return { mine, other, done: async () => { await mine.close(); await other.close(); } };
  },
  async (_mine, check) => assert.ok(await check(), 'seen by the very next read'),
);

// PostgreSQL: seen once the NOTIFY sent in the writing statement has arrived.
suite(
  'PostgreSQL',
  async () => {
    const { mine, other, close } = await twoInstances(await postgres());
    return { mine, other, done: close };
  },
  async (_mine, check) => {
    await eventually(async () => ((await check()) ? true : undefined), 'the change to reach this instance', 3000);
  },
);

describe('the clients copy on PostgreSQL with its LISTEN connection lost (issue 18 P1)', () => {
  let db: TestDatabase;
  let mine: PostgresStore;
  let other: PostgresStore;
  let close: () => Promise<void>;
  before(async () => {
    ({ db, mine, other, close } = await twoInstances(await postgres()));
  });
  after(() => close?.());

  it('the very next read after another instance removes the client finds it gone, and the copy is trusted again once it listens again', async () => {
    const c = sampleClient();
    await other.upsertClient(c);
    await mine.clientById(c.client_id);
    await trusted(mine);
    assert.ok((await killListeners(db.url, 'signoff_clients')) >= 1, 'the listener was found');
    await eventually(async () => (mine.clientsVersion() === undefined ? true : undefined), 'the loss to be noticed', 5000);
    await other.removeClient(c.client_id);
    assert.equal(await mine.clientById(c.client_id), undefined, 'exact while the store cannot vouch for its copy');
    await trusted(mine);
    const back = sampleClient();
    await other.upsertClient(back);
    await eventually(async () => ((await mine.clientById(back.client_id)) ? true : undefined), 'the client', 3000);
    const held = await mine.clientById(back.client_id);
    assert.equal(await mine.clientById(back.client_id), held, 'held again');
  });
});
