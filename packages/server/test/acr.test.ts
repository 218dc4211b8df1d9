/**
 * Authentication levels (issue 14 §2-3): RFC 8176 amr values of the factors a session verified,
 * the acr they earn from the configured list, what a request asks (acr_values, an essential acr
 * claim, default_acr_values, require_acr, max_factor_age) and what the session must still do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '../src/clients/store.js';
import { parseConfig } from '../src/config/schema.js';
import { SignoffError } from '../src/errors.js';
import { DEFAULT_ACR_VALUES, acrOf, levelOf, requirementOf } from '../src/oauth/authorize/acr.js';
import { type AuthorizationRequest, RedirectableError, validateAuthorizationRequest } from '../src/oauth/authorize/request.js';
import type { Enrolled } from '../src/oauth/authorize/steps/deps.js';
import { planFor } from '../src/oauth/authorize/steps/plan.js';
import { paramsFrom } from '../src/oauth/params.js';
import { type VerifiedFactor, amrOf, storedFactors, withFactors } from '../src/sessions/factors.js';
import { sampleClient } from './helpers/store-contract/samples.js';

const NOW = 1_800_000_000;
const PASSWORD: VerifiedFactor = { method: 'password', at: NOW - 100 };
const TOTP: VerifiedFactor = { method: 'totp', at: NOW - 50 };
const PASSKEY_UV: VerifiedFactor = { method: 'passkey', at: NOW - 10, userVerified: true, deviceBound: false };
const KEY_UP: VerifiedFactor = { method: 'passkey', at: NOW - 10, userVerified: false, deviceBound: true };
const [PWD_ACR, MFA_ACR, PHR_ACR] = DEFAULT_ACR_VALUES.map((v) => v.value) as [string, string, string];

/** The client of the requests below (only its id, redirect URI and acr settings matter here). */
const client = (over: Partial<Client> = {}): Client => sampleClient({ client_id: 'web', ...over });

const request = (query: string, c = client()): AuthorizationRequest =>
  validateAuthorizationRequest(paramsFrom(new URLSearchParams(`client_id=web&redirect_uri=${encodeURIComponent('https://app.example.test/cb')}&response_type=code&scope=openid&${query}`)), c, 'https://app.example.test/cb');

const NONE: Enrolled = { totp: false, passkey: false, recoveryCodes: false };
const TOTP_ONLY: Enrolled = { totp: true, passkey: false, recoveryCodes: true };
const BOTH: Enrolled = { totp: true, passkey: true, recoveryCodes: true };

describe('RFC 8176 amr of the verified factors (issue 14 §2)', () => {
  it('a password is pwd; a TOTP or recovery code is otp; password + code adds mfa', () => {
    assert.deepEqual(amrOf([PASSWORD]), ['pwd']);
    assert.deepEqual(amrOf([PASSWORD, TOTP]), ['pwd', 'otp', 'mfa']);
    assert.deepEqual(amrOf([PASSWORD, { method: 'recovery_code', at: NOW }]), ['pwd', 'otp', 'mfa']);
  });

  it('a passkey is proof of possession (pop) of a synced (swk) or device-bound (hwk) key; user verification adds user and makes it mfa alone', () => {
    assert.deepEqual(amrOf([PASSKEY_UV]), ['swk', 'pop', 'user', 'mfa']);
    assert.deepEqual(amrOf([KEY_UP]), ['hwk', 'pop']);
    assert.deepEqual(amrOf([PASSWORD, KEY_UP]), ['pwd', 'hwk', 'pop', 'mfa']);
  });

  it('a method verified again replaces its older entry, so each appears once with its latest time', () => {
    assert.deepEqual(withFactors([PASSWORD, TOTP], [{ method: 'totp', at: NOW }]), [PASSWORD, { method: 'totp', at: NOW }]);
  });

  it('a session stored before factors were recorded counts its pwd as a password verified at its auth_time', () => {
    assert.deepEqual(storedFactors('[]', ['pwd'], NOW - 5), [{ method: 'password', at: NOW - 5 }]);
    assert.deepEqual(storedFactors('[{"method":"totp","at":1},{"method":"__proto__","at":2},{"at":3},7]', ['pwd'], NOW), [{ method: 'totp', at: 1 }]);
  });
});

describe('acr from the configured, ordered list (issue 14 §2; OIDC Core §2)', () => {
  it('password < mfa < phishing-resistant, each earned by its factors', () => {
    assert.equal(acrOf(DEFAULT_ACR_VALUES, [PASSWORD]), PWD_ACR);
    assert.equal(acrOf(DEFAULT_ACR_VALUES, [PASSWORD, TOTP]), MFA_ACR);
    assert.equal(acrOf(DEFAULT_ACR_VALUES, [PASSKEY_UV]), PHR_ACR);
    assert.equal(acrOf(DEFAULT_ACR_VALUES, [PASSWORD, KEY_UP]), PHR_ACR);
    assert.equal(levelOf([KEY_UP]), 'password', 'one possession factor is one factor');
  });

  it('a list without the level reached answers the highest value below it, or "0" when none is (OIDC Core §2)', () => {
    const custom = [{ value: 'silver', level: 'mfa' as const }];
    assert.equal(acrOf(custom, [PASSWORD, TOTP]), 'silver');
    assert.equal(acrOf(custom, [PASSWORD]), '0');
  });

  it('configuration: acr_values_supported is the list; levels must rise; values are unique; clients may only name listed values', () => {
    const base = { issuer: 'http://127.0.0.1:4000' };
    assert.deepEqual(parseConfig(base).acrValues.map((v) => v.value), [PWD_ACR, MFA_ACR, PHR_ACR]);
    const refused = (over: object, key: string) => assert.throws(() => parseConfig({ ...base, ...over }), (err: Error) => err.message.includes(`"${key}"`), key);
    refused({ acrValues: [{ value: 'a', level: 'mfa' }, { value: 'b', level: 'password' }] }, 'acrValues[1].level');
    refused({ acrValues: [{ value: 'a', level: 'password' }, { value: 'a', level: 'mfa' }] }, 'acrValues[1].value');
    refused({ acrValues: [] }, 'acrValues');
    refused({ acrValues: [{ value: 'a', level: 'gold' }] }, 'acrValues[0].level');
    refused({ acrValues: [{ value: 'a b', level: 'mfa' }] }, 'acrValues[0].value');
    refused({ clients: [{ client_id: 'x', redirect_uris: ['https://x.test/cb'], require_acr: 'urn:unknown' }] }, 'clients[0].require_acr');
    refused({ clients: [{ client_id: 'x', redirect_uris: ['https://x.test/cb'], default_acr_values: [MFA_ACR, 'nope'] }] }, 'clients[0].default_acr_values');
  });
});

describe('what a request asks (OIDC Core §3.1.2.1 acr_values, §5.5.1.1 the acr claim; issue 14 §3)', () => {
  it('acr_values is voluntary; an acr claim request with essential:true is essential; the claim wins over acr_values', () => {
    assert.deepEqual(requirementOf(DEFAULT_ACR_VALUES, request(`acr_values=${MFA_ACR}`), client()), { must: undefined, want: 'mfa', maxFactorAge: undefined, impossible: undefined });
    const claims = encodeURIComponent(JSON.stringify({ id_token: { acr: { essential: true, values: [PHR_ACR] } } }));
    const r = request(`acr_values=${PWD_ACR}&claims=${claims}`);
    assert.deepEqual([r.acrValues, r.acrEssential], [[PHR_ACR], true]);
    assert.equal(requirementOf(DEFAULT_ACR_VALUES, r, client()).must, 'phishing-resistant');
  });

  it('several values are met by the lowest one listed (any of them satisfies the request)', () => {
    assert.equal(requirementOf(DEFAULT_ACR_VALUES, request(`acr_values=${encodeURIComponent(`${PHR_ACR} ${MFA_ACR}`)}`), client()).want, 'mfa');
  });

  it('default_acr_values applies only when the request names none; require_acr is a floor a request cannot lower', () => {
    const c = client({ default_acr_values: [MFA_ACR], require_acr: MFA_ACR });
    assert.deepEqual(requirementOf(DEFAULT_ACR_VALUES, request(''), client({ default_acr_values: [MFA_ACR] })).want, 'mfa');
    const lowered = requirementOf(DEFAULT_ACR_VALUES, request(`acr_values=${PWD_ACR}`), c);
    assert.deepEqual([lowered.must, lowered.want], ['mfa', 'mfa']);
  });

  it('an essential request whose values are all unknown cannot be met; unknown voluntary values are ignored', () => {
    const claims = encodeURIComponent(JSON.stringify({ id_token: { acr: { essential: true, value: 'urn:other:gold' } } }));
    assert.match(requirementOf(DEFAULT_ACR_VALUES, request(`claims=${claims}`), client()).impossible ?? '', /essential/);
    assert.equal(requirementOf(DEFAULT_ACR_VALUES, request('acr_values=urn:other:gold'), client()).want, undefined);
  });

  it('a claims parameter that is not a JSON object is invalid_request (OIDC Core §5.5); hostile members are ignored', () => {
    for (const bad of ['{', '[]', '"x"', 'null']) {
      assert.throws(() => request(`claims=${encodeURIComponent(bad)}`), (err: unknown) => err instanceof RedirectableError && err.code === 'invalid_request', bad);
    }
    const hostile = request(`claims=${encodeURIComponent('{"__proto__":{"acr":{"essential":true,"value":"x"}},"id_token":{"acr":{"values":[1,null,"' + MFA_ACR + '"]}}}')}`);
    assert.deepEqual([hostile.acrValues, hostile.acrEssential], [[MFA_ACR], false]);
  });
});

describe('what the session must still do (issue 14 §3)', () => {
  const want = (query: string, c = client()) => requirementOf(DEFAULT_ACR_VALUES, request(query, c), c);

  it('a password session asked for mfa is asked only for a second factor it has: passkey, TOTP, recovery code', () => {
    assert.deepEqual(planFor(want(`acr_values=${MFA_ACR}`), [PASSWORD], BOTH, NOW), { kind: 'ask', target: 'mfa', methods: ['passkey', 'totp', 'recovery_code'] });
    assert.deepEqual(planFor(want(`acr_values=${PHR_ACR}`), [PASSWORD], BOTH, NOW), { kind: 'ask', target: 'phishing-resistant', methods: ['passkey'] });
  });

  it('met factors ask nothing; a voluntary level the account cannot reach is answered with what it has', () => {
    assert.deepEqual(planFor(want(`acr_values=${MFA_ACR}`), [PASSWORD, TOTP], BOTH, NOW), { kind: 'met' });
    assert.deepEqual(planFor(want(`acr_values=${MFA_ACR}`), [PASSWORD], NONE, NOW), { kind: 'met' });
    assert.deepEqual(planFor(want(`acr_values=${PHR_ACR}`), [PASSWORD], TOTP_ONLY, NOW), { kind: 'met' });
  });

  it('an essential acr (or require_acr) that no enrolled factor can reach is denied, never a silent lower acr (OIDC Core §5.5.1.1)', () => {
    const essential = encodeURIComponent(JSON.stringify({ id_token: { acr: { essential: true, value: MFA_ACR } } }));
    assert.equal(planFor(want(`claims=${essential}`), [PASSWORD], NONE, NOW).kind, 'denied');
    assert.equal(planFor(want('', client({ require_acr: PHR_ACR })), [PASSWORD], TOTP_ONLY, NOW).kind, 'denied');
    // Voluntarily phishing-resistant, essentially mfa: with TOTP only, mfa is asked for.
    const c = client({ require_acr: MFA_ACR });
    assert.deepEqual(planFor(want(`acr_values=${PHR_ACR}`, c), [PASSWORD], TOTP_ONLY, NOW), { kind: 'ask', target: 'mfa', methods: ['totp', 'recovery_code'] });
  });

  it('max_factor_age: a second factor older than it no longer counts, so the session is asked again; the password is governed by max_age', () => {
    const c = client({ max_factor_age: 30, default_acr_values: [MFA_ACR] });
    assert.deepEqual(planFor(want('', c), [PASSWORD, TOTP], BOTH, NOW).kind, 'ask', 'TOTP verified 50 s ago');
    assert.deepEqual(planFor(want('', c), [PASSWORD, { method: 'totp', at: NOW - 29 }], BOTH, NOW), { kind: 'met' });
  });

  it('a passwordless session whose passkey aged out is offered only the passkey: a code alone would be one factor, never mfa', () => {
    const c = client({ max_factor_age: 5, default_acr_values: [MFA_ACR] });
    assert.deepEqual(planFor(want('', c), [PASSKEY_UV], BOTH, NOW), { kind: 'ask', target: 'mfa', methods: ['passkey'] });
    assert.deepEqual(planFor(want('', c), [PASSKEY_UV], TOTP_ONLY, NOW), { kind: 'met' }, 'voluntary, and nothing can reach it');
  });

  it('the unknown require_acr of a client registered through the API is denied with a clear description', () => {
    const plan = planFor(want('', client({ require_acr: 'urn:gone' })), [PASSWORD], BOTH, NOW);
    assert.equal(plan.kind, 'denied');
    assert.match(plan.kind === 'denied' ? plan.description : '', /urn:gone/);
    assert.ok(!(plan instanceof SignoffError));
  });
});
