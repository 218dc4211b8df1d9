/**
 * Second factors at the domain level (issue 14 §2): TOTP apps (RFC 6238) with codes computed here
 * by otpauth at times the test sets, recovery codes, and the account's list of factors. The rules
 * that must hold across instances (a code used once) are checked concurrently on the PostgreSQL
 * store. Passkeys: factors-passkeys.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { FactorError } from '../src/accounts/factors/deps.js';
import { hasSecondFactor, listFactors, removeFactor } from '../src/accounts/factors/manage.js';
import { finishRegistration, registrationOptions } from '../src/accounts/factors/passkeys.js';
import { RECOVERY_CODE_COUNT, newRecoveryCodes, normaliseRecoveryCode, useRecoveryCode } from '../src/accounts/factors/recovery-codes.js';
import { confirmTotp, startTotpEnrolment, verifyTotp } from '../src/accounts/factors/totp.js';
import { SignoffError } from '../src/errors.js';
import { PostgresStore } from '../src/store/postgres/store.js';
import type { Store } from '../src/store/types.js';
import { SoftAuthenticator } from './helpers/authenticator.js';
import { RP, STEP_MS, T0, type World, world } from './helpers/factor-world.js';
import { freshDatabase, usePostgres } from './helpers/postgres.js';
import { sampleAccount } from './helpers/store-contract/samples.js';

/** The code an authenticator app shows at `ms` for this base32 secret. */
const codeAt = (secret: string, ms: number): string => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: ms });

/** A confirmed TOTP factor of the world's account, and its secret; the confirming code used a step before T0. */
const confirmedTotp = async (w: World, label = 'Phone'): Promise<{ factorId: string; secret: string }> => {
  const enrolment = await startTotpEnrolment(w.deps, w.account, label);
  w.clock.advance(-30);
  assert.ok(await confirmTotp(w.deps, w.account.id, enrolment.factorId, codeAt(enrolment.secret, w.clock.nowMs())));
  w.clock.advance(30);
  return { factorId: enrolment.factorId, secret: enrolment.secret };
};

const eventsOf = async (w: World): Promise<string[]> =>
  (await w.store.listEvents({ afterId: 0, accountId: w.account.id, limit: 50 })).map((e) => `${e.type}:${e.reason}`);

const postgres = usePostgres();
const postgresStore = async (): Promise<Store> => {
  const db = await freshDatabase(await postgres());
  const store = await PostgresStore.open(db.url, 8);
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await db.drop();
  };
  return store;
};


describe('TOTP (RFC 6238, issue 14 §2)', () => {
  it('an enrolment gives the secret in base32, an otpauth:// URI naming the issuer and the account, and an SVG QR code; it counts only once confirmed', async () => {
    const w = await world();
    const e = await startTotpEnrolment(w.deps, w.account, 'Phone');
    assert.match(e.secret, /^[A-Z2-7]{32}$/, '160 bits of base32 (RFC 4226 §4 R6)');
    const uri = new URL(e.uri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Example ID:alice');
    assert.equal(uri.searchParams.get('issuer'), 'Example ID');
    assert.equal(uri.searchParams.get('secret'), e.secret);
    assert.equal(uri.searchParams.get('period'), '30');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.match(e.qrSvg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal(await hasSecondFactor(w.deps, w.account.id), false);
    assert.deepEqual((await listFactors(w.deps, w.account.id)).factors, []);
    assert.equal(await verifyTotp(w.deps, w.account.id, codeAt(e.secret, T0)), undefined, 'an unconfirmed enrolment signs nothing in');
  });

  it('the first code confirms the enrolment, issues ten recovery codes once, and is itself used', async () => {
    const w = await world();
    const e = await startTotpEnrolment(w.deps, w.account, 'Phone');
    assert.equal(await confirmTotp(w.deps, w.account.id, e.factorId, codeAt(e.secret, T0 + 3 * STEP_MS)), undefined, 'a wrong code');
    const other = await world();
    assert.equal(await confirmTotp(w.deps, other.account.id, e.factorId, codeAt(e.secret, T0)), undefined, 'another account');
    const confirmed = await confirmTotp(w.deps, w.account.id, e.factorId, codeAt(e.secret, T0));
    assert.ok(confirmed);
    assert.equal(confirmed.recoveryCodes?.length, RECOVERY_CODE_COUNT);
    assert.equal(await hasSecondFactor(w.deps, w.account.id), true);
    assert.equal(await confirmTotp(w.deps, w.account.id, e.factorId, codeAt(e.secret, T0 + STEP_MS)), undefined, 'confirmed once');
    assert.equal(await verifyTotp(w.deps, w.account.id, codeAt(e.secret, T0)), undefined, 'the confirming code cannot sign in');
    const second = await startTotpEnrolment(w.deps, w.account, 'Tablet');
    const again = await confirmTotp(w.deps, w.account.id, second.factorId, codeAt(second.secret, T0));
    assert.ok(again);
    assert.equal(again.recoveryCodes, undefined, 'recovery codes come with the first factor only');
    assert.deepEqual(await eventsOf(w), ['factor.enrolled:totp', 'factor.enrolled:recovery_codes', 'factor.enrolled:totp']);
  });

  it('RFC 6238 §5.2: a code is accepted once; the same code again within its window is refused', async () => {
    const w = await world();
    const { factorId, secret } = await confirmedTotp(w);
    const code = codeAt(secret, T0);
    assert.equal((await verifyTotp(w.deps, w.account.id, code))?.id, factorId);
    assert.equal(await verifyTotp(w.deps, w.account.id, code), undefined, 'replayed in the same step');
    w.clock.advance(30);
    assert.equal(await verifyTotp(w.deps, w.account.id, code), undefined, 'replayed in the next step, still within the window');
    assert.equal((await verifyTotp(w.deps, w.account.id, codeAt(secret, T0 + STEP_MS)))?.id, factorId, 'the next step\'s code');
  });

  it('RFC 6238 §5.2: one step of clock drift either way is accepted, two are not', async () => {
    const w = await world();
    const { secret } = await confirmedTotp(w);
    w.clock.advance(300);
    const now = w.clock.nowMs();
    assert.equal(await verifyTotp(w.deps, w.account.id, codeAt(secret, now - 2 * STEP_MS)), undefined, 'two steps behind');
    assert.equal(await verifyTotp(w.deps, w.account.id, codeAt(secret, now + 2 * STEP_MS)), undefined, 'two steps ahead');
    assert.ok(await verifyTotp(w.deps, w.account.id, codeAt(secret, now - STEP_MS)), 'one step behind');
    assert.ok(await verifyTotp(w.deps, w.account.id, codeAt(secret, now + STEP_MS)), 'one step ahead');
    assert.equal(await verifyTotp(w.deps, w.account.id, codeAt(secret, now)), undefined, 'a step before one already used');
  });

  it('a code from any of the account\'s confirmed apps is accepted, never one from another account\'s', async () => {
    const w = await world();
    const phone = await confirmedTotp(w, 'Phone');
    const tablet = await confirmedTotp(w, 'Tablet');
    assert.equal((await verifyTotp(w.deps, w.account.id, codeAt(tablet.secret, T0)))?.id, tablet.factorId);
    assert.equal((await verifyTotp(w.deps, w.account.id, codeAt(phone.secret, T0)))?.id, phone.factorId);
    const other = sampleAccount();
    await w.store.insertAccount(other);
    assert.equal(await verifyTotp(w.deps, other.id, codeAt(phone.secret, T0 + STEP_MS)), undefined);
  });

  it('the secret is sealed at rest under the key-encryption key, and a sealed secret copied to another factor does not open', async () => {
    const w = await world();
    const { factorId, secret } = await confirmedTotp(w);
    const stored = await w.store.factorOf(w.account.id, factorId);
    assert.equal(stored?.kind, 'totp');
    assert.ok(stored?.kind === 'totp');
    assert.equal(stored.secret.enc, 'A256GCM');
    assert.equal(stored.secret.kek, w.deps.kek.id);
    assert.ok(!JSON.stringify(stored).includes(secret) && !JSON.stringify(stored).includes(Buffer.from(Secret.fromBase32(secret).buffer).toString('base64url')));
    await w.store.insertFactor({ ...stored, id: randomUUID(), lastUsedStep: undefined });
    await w.store.deleteFactor(w.account.id, factorId, Math.floor(Date.now() / 1000));
    await assert.rejects(verifyTotp(w.deps, w.account.id, codeAt(secret, T0)), (err: unknown) => err instanceof SignoffError && err.code === 'server_error');
  });

  it('hostile input: huge codes, Unicode digits and letters are refused without error; spaces between the groups are allowed', async () => {
    const w = await world();
    const { secret } = await confirmedTotp(w);
    const code = codeAt(secret, T0);
    const arabicIndic = [...code].map((d) => String.fromCharCode(0x0660 + Number(d))).join('');
    const fullWidth = [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    for (const bad of ['1'.repeat(1_000_000), `${code}${' '.repeat(100)}`, arabicIndic, fullWidth, 'abcdef', '', `${code}0`, code.slice(1), '12345\u0000']) {
      assert.equal(await verifyTotp(w.deps, w.account.id, bad), undefined, JSON.stringify(bad.slice(0, 20)));
    }
    assert.ok(await verifyTotp(w.deps, w.account.id, `${code.slice(0, 3)} ${code.slice(3)}`));
  });

  it('a factor\'s name is stored as given, even "__proto__"; an empty, overlong or control-character name is refused', async () => {
    const w = await world();
    const e = await startTotpEnrolment(w.deps, w.account, '  __proto__ ');
    await confirmTotp(w.deps, w.account.id, e.factorId, codeAt(e.secret, T0));
    const [listed] = (await listFactors(w.deps, w.account.id)).factors;
    assert.equal(listed?.label, '__proto__');
    assert.equal(Object.getPrototypeOf(listed), Object.prototype);
    for (const bad of ['', '   ', 'x'.repeat(65), 'a\u0000b', 'line\nbreak', 'rtl\u202eoverride']) {
      await assert.rejects(startTotpEnrolment(w.deps, w.account, bad), FactorError, JSON.stringify(bad));
    }
  });

  it('RFC 6238 §5.2 across instances: of one code used concurrently on PostgreSQL, exactly one use is accepted', async () => {
    const store = await postgresStore();
    try {
      const w = await world(store);
      const { secret } = await confirmedTotp(w);
      const code = codeAt(secret, T0);
      const results = await Promise.all(Array.from({ length: 8 }, () => verifyTotp(w.deps, w.account.id, code)));
      assert.equal(results.filter(Boolean).length, 1);
    } finally {
      await store.close();
    }
  });
});

describe('recovery codes (issue 14 §2)', () => {
  it('ten codes, each accepted once; a new set replaces the old one', async () => {
    const w = await world();
    const codes = await newRecoveryCodes(w.deps, w.account.id);
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const c of codes) assert.match(c, /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    assert.equal(await useRecoveryCode(w.deps, w.account.id, codes[0] ?? ''), true);
    assert.equal(await useRecoveryCode(w.deps, w.account.id, codes[0] ?? ''), false, 'used already');
    assert.equal((await listFactors(w.deps, w.account.id)).recoveryCodesLeft, 9);
    const other = sampleAccount();
    await w.store.insertAccount(other);
    assert.equal(await useRecoveryCode(w.deps, other.id, codes[1] ?? ''), false, 'another account\'s code');
    const fresh = await newRecoveryCodes(w.deps, w.account.id);
    assert.equal(await useRecoveryCode(w.deps, w.account.id, codes[1] ?? ''), false, 'the replaced set');
    assert.equal(await useRecoveryCode(w.deps, w.account.id, fresh[1] ?? ''), true);
  });

  it('a code is typed back in any case, with or without spaces and dashes, O, I and L read as 0, 1 and 1', async () => {
    const w = await world();
    const [code = ''] = await newRecoveryCodes(w.deps, w.account.id);
    const bare = code.replaceAll('-', '');
    assert.equal(normaliseRecoveryCode(` ${bare.toUpperCase().slice(0, 8)} - ${bare.slice(8)} `), bare);
    assert.equal(normaliseRecoveryCode('OIL0-0000-0000-0000'), '0110000000000000');
    assert.equal(await useRecoveryCode(w.deps, w.account.id, code.toUpperCase().replaceAll('-', ' ')), true);
  });

  it('hostile input: huge, Unicode, short or unknown codes are refused without error', async () => {
    const w = await world();
    const [code = ''] = await newRecoveryCodes(w.deps, w.account.id);
    const fullWidth = [...code].map((c) => (c === '-' ? c : String.fromCharCode(c.charCodeAt(0) + 0xfee0))).join('');
    for (const bad of ['a'.repeat(1_000_000), fullWidth, code.slice(0, -1), `${code}x`, 'uuuu-uuuu-uuuu-uuuu', '__proto__', '']) {
      assert.equal(await useRecoveryCode(w.deps, w.account.id, bad), false, JSON.stringify(bad.slice(0, 20)));
    }
    assert.equal(await useRecoveryCode(w.deps, w.account.id, code), true, 'the refusals used nothing');
  });

  it('across instances: one recovery code used concurrently on PostgreSQL is accepted once', async () => {
    const store = await postgresStore();
    try {
      const w = await world(store);
      const [code = ''] = await newRecoveryCodes(w.deps, w.account.id);
      const results = await Promise.all(Array.from({ length: 8 }, () => useRecoveryCode(w.deps, w.account.id, code)));
      assert.equal(results.filter(Boolean).length, 1);
    } finally {
      await store.close();
    }
  });
});


describe('managing factors (issue 14 §2)', () => {
  it('the list shows kind, name and dates, never a secret; removing one writes factor.removed with its kind; removing the last revokes the recovery codes', async () => {
    const w = await world();
    const totp = await confirmedTotp(w);
    await startTotpEnrolment(w.deps, w.account, 'Abandoned');
    w.clock.advance(5);
    const key = new SoftAuthenticator(RP.origin, RP.id);
    const reg = await registrationOptions(w.deps, w.account);
    const passkey = await finishRegistration(w.deps, w.account, reg.challengeId, key.create(reg.options), 'Laptop');
    assert.ok(passkey);
    w.clock.advance(55);
    await verifyTotp(w.deps, w.account.id, codeAt(totp.secret, w.clock.nowMs()));
    const listed = await listFactors(w.deps, w.account.id);
    assert.deepEqual(listed, {
      factors: [
        { id: totp.factorId, kind: 'totp', label: 'Phone', createdAt: Math.floor(T0 / 1000), lastUsedAt: Math.floor(T0 / 1000) + 60 },
        { id: passkey.factor.id, kind: 'passkey', label: 'Laptop', createdAt: Math.floor(T0 / 1000) + 5, lastUsedAt: undefined, synced: true },
      ],
      recoveryCodesLeft: 10,
    });
    assert.doesNotMatch(JSON.stringify(listed), /secret|publicKey|counter|A256GCM/);
    assert.equal(await removeFactor(w.deps, 'someone-else', totp.factorId), false);
    assert.equal(await removeFactor(w.deps, w.account.id, totp.factorId), true);
    assert.equal(await hasSecondFactor(w.deps, w.account.id), true);
    assert.equal((await listFactors(w.deps, w.account.id)).recoveryCodesLeft, 10, 'a passkey is left');
    assert.equal(await removeFactor(w.deps, w.account.id, passkey.factor.id), true);
    assert.equal(await hasSecondFactor(w.deps, w.account.id), false);
    assert.equal((await listFactors(w.deps, w.account.id)).recoveryCodesLeft, 0, 'no factor left: the codes go');
    assert.deepEqual(await eventsOf(w), ['factor.enrolled:totp', 'factor.enrolled:recovery_codes', 'factor.enrolled:passkey', 'factor.removed:totp', 'factor.removed:passkey']);
  });
});

