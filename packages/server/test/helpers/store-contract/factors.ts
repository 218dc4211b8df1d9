/**
 * The FactorStore contract (accounts/factors/store.ts): an account's second factors, recovery
 * codes and WebAuthn challenges (issue 14 §2). The conditional uses are checked concurrently: a
 * TOTP step, a passkey counter, a recovery code and a challenge are each good once (RFC 6238 §5.2,
 * WebAuthn Level 3 §7.2 step 22 and §13.4.3).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import type { PasskeyFactor, TotpFactor, WebAuthnChallenge } from '../../../src/accounts/factors/store.js';
import { type MakeStore, NOW, same, sampleAccount, storeTest } from './samples.js';

export const samplePasskey = (accountId: string, over: Partial<PasskeyFactor> = {}): PasskeyFactor => ({
  id: randomUUID(),
  accountId,
  kind: 'passkey',
  label: 'Laptop',
  credentialId: randomUUID().replaceAll('-', ''),
  publicKey: 'pQECAyYgASFYIB',
  counter: 0,
  transports: ['internal', 'hybrid'],
  deviceType: 'multiDevice',
  backedUp: true,
  createdAt: NOW,
  confirmedAt: NOW,
  ...over,
});

export const sampleTotp = (accountId: string, over: Partial<TotpFactor> = {}): TotpFactor => ({
  id: randomUUID(),
  accountId,
  kind: 'totp',
  label: 'Phone',
  secret: { enc: 'A256GCM', kek: 'kek-id', iv: 'aXY', tag: 'dGFn', ct: 'Y3Q' },
  createdAt: NOW,
  ...over,
});

const challenge = (over: Partial<WebAuthnChallenge> = {}): WebAuthnChallenge => ({
  id: randomUUID(),
  challenge: 'Y2hhbGxlbmdl',
  accountId: 'acct',
  purpose: 'register',
  expiresAt: NOW + 300,
  ...over,
});

export const factorStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

  describe('second factors (issue 14 §2)', () => {
    test('factors: stored as given, listed by account oldest first, found by credential id', async (store) => {
      const passkey = samplePasskey('acct-1', { createdAt: NOW + 1 });
      const totp = sampleTotp('acct-1', { label: '__proto__' });
      const other = samplePasskey('acct-2');
      for (const f of [passkey, totp, other]) await store.insertFactor(f);
      same(await store.factorsOf('acct-1'), [totp, passkey]);
      same(await store.factorOf('acct-1', passkey.id), passkey);
      assert.equal(await store.factorOf('acct-2', passkey.id), undefined, 'another account\'s factor is not found');
      same(await store.factorByCredentialId(other.credentialId), other);
      assert.equal(await store.factorByCredentialId('unknown'), undefined);
    });

    test('WebAuthn §6.1: a credential id belongs to one factor only', async (store) => {
      const passkey = samplePasskey('acct-1');
      await store.insertFactor(passkey);
      await assert.rejects(store.insertFactor(samplePasskey('acct-2', { credentialId: passkey.credentialId })));
    });

    test('a factor is confirmed once', async (store) => {
      const totp = sampleTotp('acct-1');
      await store.insertFactor(totp);
      assert.equal(await store.confirmFactor('acct-2', totp.id, NOW + 5), false, 'not by another account');
      assert.equal(await store.confirmFactor('acct-1', totp.id, NOW + 5), true);
      assert.equal(await store.confirmFactor('acct-1', totp.id, NOW + 6), false);
      assert.equal((await store.factorOf('acct-1', totp.id))?.confirmedAt, NOW + 5);
    });

    test('RFC 6238 §5.2: a TOTP step is accepted only when later than the last one used', async (store) => {
      const totp = sampleTotp('acct-1');
      await store.insertFactor(totp);
      assert.equal(await store.useTotpStep(totp.id, 100, NOW), true);
      assert.equal(await store.useTotpStep(totp.id, 100, NOW + 1), false, 'the same step again');
      assert.equal(await store.useTotpStep(totp.id, 99, NOW + 1), false, 'an earlier step');
      assert.equal(await store.useTotpStep(totp.id, 101, NOW + 2), true);
      const stored = await store.factorOf('acct-1', totp.id);
      assert.equal(stored?.kind === 'totp' && stored.lastUsedStep, 101);
      assert.equal(stored?.lastUsedAt, NOW + 2);
    });

    test('RFC 6238 §5.2: of concurrent uses of one step, exactly one succeeds', async (store) => {
      const totp = sampleTotp('acct-1');
      await store.insertFactor(totp);
      const results = await Promise.all(Array.from({ length: 8 }, () => store.useTotpStep(totp.id, 500, NOW)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    test('WebAuthn §7.2 step 22: a passkey counter must go forward, unless the authenticator keeps none (0)', async (store) => {
      const zero = samplePasskey('acct-1');
      await store.insertFactor(zero);
      assert.equal(await store.usePasskey(zero.id, 0, NOW + 1), true, 'no counter: 0 and 0');
      const counting = samplePasskey('acct-1', { counter: 5 });
      await store.insertFactor(counting);
      assert.equal(await store.usePasskey(counting.id, 5, NOW + 1), false, 'the same counter');
      assert.equal(await store.usePasskey(counting.id, 4, NOW + 1), false, 'backwards');
      assert.equal(await store.usePasskey(counting.id, 0, NOW + 1), false, 'reset to 0');
      assert.equal(await store.usePasskey(counting.id, 6, NOW + 2), true);
      same(await store.factorOf('acct-1', counting.id), { ...counting, counter: 6, lastUsedAt: NOW + 2 });
      const results = await Promise.all(Array.from({ length: 6 }, () => store.usePasskey(counting.id, 7, NOW + 3)));
      assert.equal(results.filter(Boolean).length, 1, 'one counter value is accepted once');
    });

    test('a factor is deleted by its account only; abandoned TOTP enrolments are removed', async (store) => {
      const passkey = samplePasskey('acct-1');
      const abandoned = sampleTotp('acct-1', { createdAt: NOW - 100 });
      const pending = sampleTotp('acct-1', { createdAt: NOW });
      const confirmed = sampleTotp('acct-1', { createdAt: NOW - 100, confirmedAt: NOW - 90 });
      for (const f of [passkey, abandoned, pending, confirmed]) await store.insertFactor(f);
      assert.equal(await store.deleteFactor('acct-2', passkey.id, NOW), false);
      assert.equal(await store.deleteFactor('acct-1', passkey.id, NOW), true);
      assert.equal(await store.deleteFactor('acct-1', passkey.id, NOW), false);
      assert.equal(await store.deleteUnconfirmedFactors(NOW - 10), 1);
      same((await store.factorsOf('acct-1')).map((f) => f.id).sort(), [pending.id, confirmed.id].sort());
    });

    test('recovery codes: replaced as a set, each used once, counted while unused', async (store) => {
      await store.replaceRecoveryCodes('acct-1', ['h1', 'h2', 'h3'], NOW);
      await store.replaceRecoveryCodes('acct-2', ['h1'], NOW);
      assert.equal(await store.recoveryCodesLeft('acct-1'), 3);
      assert.equal(await store.useRecoveryCode('acct-1', 'h2', NOW + 1), true);
      assert.equal(await store.useRecoveryCode('acct-1', 'h2', NOW + 2), false, 'used already');
      assert.equal(await store.useRecoveryCode('acct-1', 'nope', NOW + 2), false);
      assert.equal(await store.recoveryCodesLeft('acct-1'), 2);
      await store.replaceRecoveryCodes('acct-1', ['h4', 'h5'], NOW + 3);
      assert.equal(await store.useRecoveryCode('acct-1', 'h1', NOW + 4), false, 'the previous set is gone');
      assert.equal(await store.recoveryCodesLeft('acct-1'), 2);
      await store.replaceRecoveryCodes('acct-1', [], NOW + 5);
      assert.equal(await store.recoveryCodesLeft('acct-1'), 0);
      assert.equal(await store.recoveryCodesLeft('acct-2'), 1, 'another account\'s codes are its own');
    });

    test('a recovery code used concurrently is accepted once', async (store) => {
      await store.replaceRecoveryCodes('acct-1', ['h1'], NOW);
      const results = await Promise.all(Array.from({ length: 8 }, () => store.useRecoveryCode('acct-1', 'h1', NOW)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    test('WebAuthn §13.4.3: a challenge is taken once, and never after it expired', async (store) => {
      const c = challenge();
      const discoverable = challenge({ accountId: undefined, purpose: 'authenticate' });
      await store.insertChallenge(c);
      await store.insertChallenge(discoverable);
      same(await store.takeChallenge(c.id, NOW), c);
      assert.equal(await store.takeChallenge(c.id, NOW), undefined, 'taken already');
      assert.equal(await store.takeChallenge(discoverable.id, NOW + 300), undefined, 'expired');
      assert.equal(await store.takeChallenge(discoverable.id, NOW), undefined, 'an expired challenge taken is gone too');
      const raced = challenge();
      await store.insertChallenge(raced);
      const results = await Promise.all(Array.from({ length: 6 }, () => store.takeChallenge(raced.id, NOW)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    test('a ceremony shown again replaces its challenge: one row per id, and only the newest is good', async (store) => {
      const first = challenge({ id: 'login-ceremony', accountId: undefined, purpose: 'authenticate', challenge: 'first' });
      await store.insertChallenge(first);
      await store.insertChallenge({ ...first, challenge: 'second', expiresAt: first.expiresAt + 10 });
      same(await store.takeChallenge('login-ceremony', NOW), { ...first, challenge: 'second', expiresAt: first.expiresAt + 10 });
      assert.equal(await store.takeChallenge('login-ceremony', NOW), undefined);
    });

    test('a deleted account\'s factors, recovery codes and challenges go with it; another account\'s stay', async (store) => {
      const gone = sampleAccount();
      const kept = sampleAccount();
      for (const a of [gone, kept]) {
        await store.insertAccount(a);
        await store.insertFactor(samplePasskey(a.id));
        await store.insertFactor(sampleTotp(a.id));
        await store.replaceRecoveryCodes(a.id, ['h1', 'h2'], NOW);
        await store.insertChallenge(challenge({ id: `c-${a.id}`, accountId: a.id }));
      }
      const { found } = await store.changeAccount(gone.id, { deletedAt: NOW + 1, disabled: true });
      assert.equal(found, true);
      same(await store.factorsOf(gone.id), []);
      assert.equal(await store.recoveryCodesLeft(gone.id), 0);
      assert.equal(await store.takeChallenge(`c-${gone.id}`, NOW), undefined);
      assert.equal((await store.factorsOf(kept.id)).length, 2);
      assert.equal(await store.recoveryCodesLeft(kept.id), 2);
      assert.ok(await store.takeChallenge(`c-${kept.id}`, NOW));
      await store.changeAccount(kept.id, { disabled: true });
      assert.equal((await store.factorsOf(kept.id)).length, 2, 'a change that does not delete keeps them');
    });

    test('expired challenges are swept', async (store) => {
      const old = challenge({ expiresAt: NOW - 1 });
      const live = challenge();
      await store.insertChallenge(old);
      await store.insertChallenge(live);
      assert.equal(await store.deleteExpiredChallenges(NOW), 1);
      same(await store.takeChallenge(live.id, NOW), live);
    });
  });
};
