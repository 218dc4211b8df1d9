/** argon2id hashing with a configured cost (issue 18 P5; OWASP Password Storage Cheat Sheet). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { seedAccounts } from '../src/accounts/accounts.js';
import { DEFAULT_HASHING, NO_PASSWORD, hashPassword, needsRehash, prepareDummyHash, verifyPassword } from '../src/accounts/passwords.js';
import { attemptPassword } from '../src/accounts/sign-in-attempt.js';
import { systemClock } from '../src/clock.js';
import { parseConfig } from '../src/config/schema.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/types.js';
import { limitConcurrency } from '../src/util/concurrency.js';

/** Runs `fn` with a fresh SQLite store in a temporary directory, closed and removed afterwards. */
const withStore = async (fn: (store: Store) => Promise<void>): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-hashing-'));
  const store = await openStore({ sqlite: join(dir, 'signoff.db') });
  try {
    await fn(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

const CHEAP = { memory: 7168, iterations: 5, parallelism: 1 };

describe('password hashing with a configured argon2id cost (issue 18 P5)', () => {
  it('a hash records its cost in its PHC string, and hashes made with another cost still verify', async () => {
    const old = await hashPassword('correct horse battery staple');
    assert.match(old, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const other = await hashPassword('correct horse battery staple', CHEAP);
    assert.match(other, /^\$argon2id\$v=19\$m=7168,t=5,p=1\$/);
    for (const cost of [DEFAULT_HASHING, CHEAP]) {
      assert.equal(await verifyPassword(old, 'correct horse battery staple', cost), true);
      assert.equal(await verifyPassword(other, 'correct horse battery staple', cost), true);
      assert.equal(await verifyPassword(other, 'wrong horse battery staple', cost), false);
    }
  });

  it('needsRehash says when a stored hash was made with another cost or algorithm, never for an account without a password', async () => {
    const h = await hashPassword('correct horse battery staple', CHEAP);
    assert.equal(needsRehash(h, CHEAP), false);
    assert.equal(needsRehash(h, DEFAULT_HASHING), true);
    assert.equal(needsRehash(h, { ...CHEAP, parallelism: 2 }), true);
    assert.equal(needsRehash(h.replace('$argon2id$', '$argon2i$'), CHEAP), true);
    assert.equal(needsRehash('not a hash', CHEAP), true);
    assert.equal(needsRehash(NO_PASSWORD, CHEAP), false);
  });

  it('an unknown username is verified against a dummy hash of the configured cost, so it takes as long (issue 10 §6)', async () => {
    assert.match(await prepareDummyHash(CHEAP), /^\$argon2id\$v=19\$m=7168,t=5,p=1\$/);
    assert.match(await prepareDummyHash(), /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(undefined, 'signoff-dummy-password', CHEAP), false, 'the dummy password itself never signs in');
    assert.equal(await verifyPassword(NO_PASSWORD, 'signoff-dummy-password', CHEAP), false);
  });
});

describe('configured users follow passwords.hashing (issue 18 P5)', () => {
  it('a configured user keeps its hash while password and cost are unchanged, and is hashed again at the next start when the cost changed', async () => {
    await withStore(async (store) => {
      const policy = { minLength: 15, minLengthWithSecondFactor: 8, maxLength: 256, rejectCommon: false };
      const user = { username: 'alice', password: 'correct horse battery staple', claims: {} };
      await seedAccounts(store, systemClock, policy, [user]);
      const first = (await store.accountByUsername('alice'))?.passwordHash ?? '';
      assert.match(first, /m=19456,t=2,p=1/);
      await seedAccounts(store, systemClock, policy, [user]);
      assert.equal((await store.accountByUsername('alice'))?.passwordHash, first, 'unchanged: not hashed again');
      await seedAccounts(store, systemClock, { ...policy, hashing: CHEAP }, [user]);
      const second = (await store.accountByUsername('alice'))?.passwordHash ?? '';
      assert.match(second, /m=7168,t=5,p=1/);
      assert.equal(await verifyPassword(second, user.password, CHEAP), true);
    });
  });
});

describe('a sign-in hashes the password again under the configured cost (issue 18 P5)', () => {
  it('after passwords.hashing changed, the next successful sign-in stores a hash of the new cost that still verifies; a wrong password changes nothing', async () => {
    await withStore(async (store) => {
      const password = 'correct horse battery staple';
      const id = 'acct-rehash';
      const old = await hashPassword(password);
      await store.insertAccount({ id, username: 'rehash', passwordHash: old, claims: {}, disabled: false, createdAt: 1, updatedAt: 1 });
      const throttle = parseConfig({ issuer: 'http://127.0.0.1:1' }).signIn.throttle;
      for (const enabled of [true, false]) {
        const deps = {
          accounts: store,
          throttle: store,
          events: store,
          clock: systemClock,
          config: { ...throttle, enabled },
          hashing: enabled ? CHEAP : DEFAULT_HASHING,
          observe: { failed: () => {}, locked: () => {} },
        };
        const before = (await store.accountById(id))?.passwordHash ?? '';
        assert.equal(await attemptPassword(deps, { username: 'rehash', password: 'wrong horse battery staple', ip: '127.0.0.1' }), undefined);
        assert.equal((await store.accountById(id))?.passwordHash, before, 'a wrong password rehashes nothing');
        assert.ok(await attemptPassword(deps, { username: 'rehash', password, ip: '127.0.0.1' }));
        const after = (await store.accountById(id))?.passwordHash ?? '';
        assert.match(after, enabled ? /^\$argon2id\$v=19\$m=7168,t=5,p=1\$/ : /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, `throttle ${enabled ? 'on' : 'off'}`);
        assert.equal(await verifyPassword(after, password), true);
        assert.ok(await attemptPassword(deps, { username: 'rehash', password, ip: '127.0.0.1' }));
        assert.equal((await store.accountById(id))?.passwordHash, after, 'made once: the next sign-in keeps it');
      }
      assert.equal(old === (await store.accountById(id))?.passwordHash, false);
    });
  });
});

describe('argon2id computations take turns, one per core (issue 18 P5)', () => {
  it('limitConcurrency runs at most its slots at once, starts the waiting in arrival order, and frees a slot when a task fails', async () => {
    const inTurn = limitConcurrency(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = (n: number, fail = false) => async () => {
      started.push(n);
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (fail) throw new Error(`task ${n} failed`);
      return n;
    };
    const results = await Promise.allSettled(Array.from({ length: 9 }, (_, n) => inTurn(task(n, n % 3 === 0))));
    assert.equal(most, 2, 'never more than two at once');
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8], 'in arrival order');
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.equal(await inTurn(async () => 'after'), 'after', 'the failures gave their slots back');
  });

  it('many sign-in verifications at once all finish with the right answers through the limit', async () => {
    const stored = await hashPassword('correct horse battery staple', CHEAP);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => verifyPassword(i % 2 ? stored : undefined, i % 4 === 1 ? 'wrong horse battery staple' : 'correct horse battery staple', CHEAP)));
    assert.deepEqual(answers, Array.from({ length: 12 }, (_, i) => i % 2 === 1 && i % 4 !== 1));
  });
});
