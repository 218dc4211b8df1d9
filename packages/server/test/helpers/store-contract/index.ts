/**
 * The Store contract (DESIGN.md "Layout": one contract suite per port, which every store passes).
 * Call `runStoreContract(name, makeStore)` from a test file with a factory that returns a fresh,
 * empty, migrated store; every test gets its own store and closes it.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { accountChangeContract } from './account-changes.js';
import { accountStoreContract } from './accounts.js';
import { clientStoreContract } from './clients.js';
import { eventStoreContract } from './events.js';
import { factorStoreContract } from './factors.js';
import { grantStoreContract } from './grants.js';
import { interactionStoreContract } from './interactions.js';
import { keyStoreContract } from './keys.js';
import { deliveryStoreContract } from './outbox.js';
import { type MakeStore, storeTest } from './samples.js';
import { sessionEndingContract } from './session-ending.js';
import { sessionStoreContract } from './sessions.js';
import { signInContract } from './sign-in.js';
import { streamStoreContract } from './streams.js';
import { resetTokenStoreContract } from './reset-tokens.js';
import { throttleStoreContract } from './throttle.js';
import { tokenStoreContract } from './tokens.js';
import { upstreamStoreContract } from './upstreams.js';

/** Runs every port's contract against fresh stores from `makeStore`. */
export const runStoreContract = (name: string, makeStore: MakeStore): void => {
  describe(`Store contract: ${name}`, () => {
    storeTest(makeStore)('answers ping while open', async (store) => {
      assert.equal(await store.ping(), true);
    });
    accountStoreContract(makeStore);
    accountChangeContract(makeStore);
    factorStoreContract(makeStore);
    clientStoreContract(makeStore);
    keyStoreContract(makeStore);
    sessionStoreContract(makeStore);
    sessionEndingContract(makeStore);
    signInContract(makeStore);
    interactionStoreContract(makeStore);
    grantStoreContract(makeStore);
    tokenStoreContract(makeStore);
    eventStoreContract(makeStore);
    deliveryStoreContract(makeStore);
    throttleStoreContract(makeStore);
    resetTokenStoreContract(makeStore);
    upstreamStoreContract(makeStore);
    streamStoreContract(makeStore);
  });
};
