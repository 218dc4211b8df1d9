/**
 * Passkeys at the domain level (WebAuthn Level 3, issue 14 §2), registered and used by a software
 * authenticator built from node:crypto (test/helpers/authenticator.ts): registration, sign-in as
 * a second factor and passwordless, and every check that refuses a response.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { removeFactor } from '../src/accounts/factors/manage.js';
import { authenticationOptions, finishAuthentication, finishRegistration, registrationOptions } from '../src/accounts/factors/passkeys.js';
import { SoftAuthenticator } from './helpers/authenticator.js';
import { RP, type World, world } from './helpers/factor-world.js';
import { sampleAccount } from './helpers/store-contract/samples.js';

describe('passkeys (WebAuthn Level 3, issue 14 §2)', () => {
  /** A world whose account has one passkey of `key`. */
  const registered = async (counting = true): Promise<World & { key: SoftAuthenticator; factorId: string }> => {
    const w = await world();
    const key = new SoftAuthenticator(RP.origin, RP.id, counting);
    const { challengeId, options } = await registrationOptions(w.deps, w.account);
    const done = await finishRegistration(w.deps, w.account, challengeId, key.create(options), 'Laptop');
    assert.ok(done);
    return { ...w, key, factorId: done.factor.id };
  };

  it('registration asks for a discoverable credential with user verification, excludes the account\'s own, and stores the passkey', async () => {
    const w = await world();
    const first = await registrationOptions(w.deps, w.account);
    assert.equal(first.options.rp.id, RP.id);
    assert.equal(first.options.rp.name, RP.name);
    assert.equal(first.options.user.name, 'alice');
    assert.equal(Buffer.from(first.options.user.id, 'base64url').toString(), w.account.id, 'the user handle is the account id, no personal data');
    assert.deepEqual(first.options.authenticatorSelection, { residentKey: 'required', requireResidentKey: true, userVerification: 'required' });
    assert.deepEqual(first.options.excludeCredentials, []);
    const key = new SoftAuthenticator(RP.origin, RP.id);
    const done = await finishRegistration(w.deps, w.account, first.challengeId, key.create(first.options), 'Laptop');
    assert.ok(done);
    assert.equal(done.recoveryCodes?.length, 10, 'the first second factor brings the recovery codes');
    assert.equal(done.factor.credentialId, key.id);
    assert.equal(done.factor.deviceType, 'multiDevice');
    assert.deepEqual(done.factor.transports, ['internal', 'hybrid']);
    const second = await registrationOptions(w.deps, w.account);
    assert.deepEqual(second.options.excludeCredentials, [{ id: key.id, type: 'public-key', transports: ['internal', 'hybrid'] }]);
    assert.equal(await finishRegistration(w.deps, w.account, second.challengeId, key.create(second.options), 'Again'), undefined, 'a credential registered already');
  });

  it('WebAuthn §7.2: a passkey signs in as a second factor (its account expected) and passwordless (discoverable, no account given)', async () => {
    const w = await registered();
    const second = await authenticationOptions(w.deps, w.account.id);
    assert.deepEqual(second.options.allowCredentials, [{ id: w.key.id, type: 'public-key', transports: ['internal', 'hybrid'] }]);
    assert.equal(second.options.userVerification, 'required');
    assert.deepEqual(await finishAuthentication(w.deps, second.challengeId, w.key.get(second.options), w.account.id), {
      accountId: w.account.id, factorId: w.factorId, userVerified: true, deviceType: 'multiDevice',
    });
    const passwordless = await authenticationOptions(w.deps);
    assert.deepEqual(passwordless.options.allowCredentials, []);
    assert.equal(passwordless.options.rpId, RP.id);
    w.clock.advance(5);
    const result = await finishAuthentication(w.deps, passwordless.challengeId, w.key.get(passwordless.options));
    assert.equal(result?.accountId, w.account.id);
    assert.equal((await w.store.factorOf(w.account.id, w.factorId))?.lastUsedAt, Math.floor(w.clock.nowMs() / 1000));
  });

  it('WebAuthn §7.1 step 9, §7.2 step 12: a response for another origin is refused', async () => {
    const w = await registered();
    const evil = new SoftAuthenticator('https://id.example.test.evil.example', RP.id);
    const reg = await registrationOptions(w.deps, w.account);
    assert.equal(await finishRegistration(w.deps, w.account, reg.challengeId, evil.create(reg.options), 'Evil'), undefined);
    const auth = await authenticationOptions(w.deps, w.account.id);
    assert.equal(await finishAuthentication(w.deps, auth.challengeId, w.key.get(auth.options, { origin: 'http://id.example.test' }), w.account.id), undefined);
  });

  it('WebAuthn §7.1 step 13, §7.2 step 15: authenticator data for another RP ID is refused', async () => {
    const w = await registered();
    const reg = await registrationOptions(w.deps, w.account);
    const other = new SoftAuthenticator(RP.origin, 'example.test');
    assert.equal(await finishRegistration(w.deps, w.account, reg.challengeId, other.create(reg.options), 'Other'), undefined);
    const auth = await authenticationOptions(w.deps, w.account.id);
    assert.equal(await finishAuthentication(w.deps, auth.challengeId, w.key.get(auth.options, { rpId: 'example.test' }), w.account.id), undefined);
  });

  it('WebAuthn §13.4.3: a challenge is used once; a replayed response, a response to another challenge and an expired challenge are refused', async () => {
    const w = await registered();
    const auth = await authenticationOptions(w.deps, w.account.id);
    const response = w.key.get(auth.options);
    assert.ok(await finishAuthentication(w.deps, auth.challengeId, response, w.account.id));
    assert.equal(await finishAuthentication(w.deps, auth.challengeId, response, w.account.id), undefined, 'replayed');
    const next = await authenticationOptions(w.deps, w.account.id);
    assert.equal(await finishAuthentication(w.deps, next.challengeId, w.key.get(auth.options), w.account.id), undefined, 'signed the old challenge');
    const late = await authenticationOptions(w.deps, w.account.id);
    w.clock.advance(301);
    assert.equal(await finishAuthentication(w.deps, late.challengeId, w.key.get(late.options), w.account.id), undefined, 'expired');
    const reg = await registrationOptions(w.deps, w.account);
    assert.equal(await finishAuthentication(w.deps, reg.challengeId, w.key.get(reg.options), w.account.id), undefined, 'a registration challenge');
  });

  it('WebAuthn §7.2 step 22: a signature counter that does not go forward is refused; an authenticator without a counter (0) is accepted each time', async () => {
    const w = await registered();
    const use = async (counter?: number) => {
      const o = await authenticationOptions(w.deps, w.account.id);
      return finishAuthentication(w.deps, o.challengeId, w.key.get(o.options, counter === undefined ? {} : { counter }), w.account.id);
    };
    assert.ok(await use(10));
    assert.equal(await use(10), undefined, 'the same counter');
    assert.equal(await use(3), undefined, 'backwards (a cloned authenticator)');
    assert.equal(await use(0), undefined, 'reset to 0');
    assert.ok(await use(11));
    const uncounted = await registered(false);
    for (let i = 0; i < 3; i++) {
      const o = await authenticationOptions(uncounted.deps, uncounted.account.id);
      assert.ok(await finishAuthentication(uncounted.deps, o.challengeId, uncounted.key.get(o.options), uncounted.account.id), `use ${i}`);
    }
  });

  it('a credential of another account is refused, and a challenge issued to one account does not finish for another', async () => {
    const w = await registered();
    const other = sampleAccount();
    await w.store.insertAccount(other);
    const forOther = await authenticationOptions(w.deps, other.id);
    assert.equal(await finishAuthentication(w.deps, forOther.challengeId, w.key.get(forOther.options), other.id), undefined, 'alice\'s passkey for another account');
    const forAlice = await authenticationOptions(w.deps, w.account.id);
    assert.equal(await finishAuthentication(w.deps, forAlice.challengeId, w.key.get(forAlice.options), other.id), undefined, 'alice\'s challenge claimed for another');
    const passwordless = await authenticationOptions(w.deps);
    assert.equal(await finishAuthentication(w.deps, passwordless.challengeId, w.key.get(passwordless.options), w.account.id), undefined, 'a discoverable challenge for an expected account');
  });

  it('WebAuthn §7.2 step 6: a discoverable sign-in must return the user handle, and it must name the credential\'s account', async () => {
    const w = await registered();
    for (const userHandle of [null, Buffer.from('someone-else').toString('base64url')]) {
      const o = await authenticationOptions(w.deps);
      assert.equal(await finishAuthentication(w.deps, o.challengeId, w.key.get(o.options, { userHandle })), undefined, String(userHandle));
    }
  });

  it('user verification is required: a response without it is refused', async () => {
    const w = await world();
    const key = new SoftAuthenticator(RP.origin, RP.id);
    const reg = await registrationOptions(w.deps, w.account);
    assert.equal(await finishRegistration(w.deps, w.account, reg.challengeId, key.create(reg.options, { userVerified: false }), 'No UV'), undefined);
    const ok = await registered();
    const o = await authenticationOptions(ok.deps, ok.account.id);
    assert.equal(await finishAuthentication(ok.deps, o.challengeId, ok.key.get(o.options, { userVerified: false }), ok.account.id), undefined);
  });

  it('hostile input: a malformed response, a huge credential id or an unknown challenge id are refused without error', async () => {
    const w = await registered();
    const o = await authenticationOptions(w.deps, w.account.id);
    const good = w.key.get(o.options);
    const garbage = { ...good, response: { ...good.response, signature: 'AAAA', authenticatorData: '__proto__' } };
    assert.equal(await finishAuthentication(w.deps, o.challengeId, garbage, w.account.id), undefined);
    const o2 = await authenticationOptions(w.deps, w.account.id);
    assert.equal(await finishAuthentication(w.deps, o2.challengeId, { ...good, id: 'A'.repeat(100_000), rawId: 'A'.repeat(100_000) }, w.account.id), undefined);
    assert.equal(await finishAuthentication(w.deps, 'x'.repeat(10_000), good, w.account.id), undefined);
    const reg = await registrationOptions(w.deps, w.account);
    const bad = w.key.create(reg.options);
    assert.equal(await finishRegistration(w.deps, w.account, reg.challengeId, { ...bad, response: { ...bad.response, attestationObject: 'b25l' } }, 'Bad'), undefined);
  });

  it('a removed passkey no longer signs in', async () => {
    const w = await registered();
    assert.equal(await removeFactor(w.deps, w.account.id, w.factorId), true);
    const o = await authenticationOptions(w.deps);
    assert.equal(await finishAuthentication(w.deps, o.challengeId, w.key.get(o.options)), undefined);
  });
});

