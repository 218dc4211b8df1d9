/** The ClientStore contract (clients/store.ts). */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { SignoffError } from '../../../src/errors.js';
import { type MakeStore, same, sampleClient, storeTest } from './samples.js';

export const clientStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

  describe('clients', () => {
    test('a NUL byte in a looked-up id finds nothing or is the caller\'s invalid_request, never an unexpected error (a 500)', async (store) => {
      for (const find of [() => store.clientById('a\u0000b'), () => store.accountByUsername('a\u0000b'), () => store.sessionById('a\u0000b')]) {
        try {
          assert.equal(await find(), undefined);
        } catch (err) {
          assert.ok(err instanceof SignoffError && err.code === 'invalid_request', String(err));
        }
      }
    });

    test('round-trips a client with its metadata, secret hash and source', async (store) => {
      const c = sampleClient();
      await store.upsertClient(c);
      const got = await store.clientById(c.client_id);
      assert.ok(got);
      same(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(c)));
      assert.equal(got.client_secret_hash, c.client_secret_hash);
      assert.equal(await store.clientById('nobody'), undefined);
    });

    test('clientsById returns the clients among the ids that exist, in one call (issue 18 P4)', async (store) => {
      const [a, b] = [sampleClient(), sampleClient()];
      await store.upsertClient(a);
      await store.upsertClient(b);
      same(await store.clientsById([]), []);
      const got = await store.clientsById([b.client_id, 'nobody', a.client_id, "x' OR '1'='1"]);
      same(got.map((c) => c.client_id).sort(), [a.client_id, b.client_id].sort());
      assert.equal(got.find((c) => c.client_id === a.client_id)?.client_secret_hash, a.client_secret_hash);
    });

    test('a public client has no secret hash', async (store) => {
      const c = sampleClient({ token_endpoint_auth_method: 'none', client_secret_hash: undefined, source: 'config' });
      await store.upsertClient(c);
      const got = await store.clientById(c.client_id);
      assert.equal(got?.client_secret_hash, undefined);
      assert.equal(got?.source, 'config');
    });

    test('upsert replaces an existing client', async (store) => {
      const c = sampleClient();
      await store.upsertClient(c);
      await store.upsertClient({ ...c, redirect_uris: ['https://new.example.test/cb'], client_secret_hash: 'other', source: 'config' });
      const got = await store.clientById(c.client_id);
      same(got?.redirect_uris, ['https://new.example.test/cb']);
      assert.equal(got?.client_secret_hash, 'other');
      assert.equal(got?.source, 'config');
      assert.equal((await store.listClients()).length, 1);
    });

    test('lists clients by id and removes one once', async (store) => {
      await store.upsertClient(sampleClient({ client_id: 'b' }));
      await store.upsertClient(sampleClient({ client_id: 'a' }));
      same((await store.listClients()).map((c) => c.client_id), ['a', 'b']);
      assert.equal(await store.removeClient('a'), true);
      assert.equal(await store.removeClient('a'), false);
      same((await store.listClients()).map((c) => c.client_id), ['b']);
    });
  });
};
