/**
 * Records and seeds shared by the store contract (one file per port beside this one). Every
 * test gets a fresh, empty, migrated store from a factory (`MakeStore`) and closes it, so the
 * same suite runs unchanged against every backend.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type { Account } from '../../../src/accounts/store.js';
import type { Client } from '../../../src/clients/store.js';
import type { Interaction } from '../../../src/oauth/authorize/interaction-store.js';
import type { Browser, Session } from '../../../src/sessions/store.js';
import type { Store } from '../../../src/store/types.js';
import type { SigningKey } from '../../../src/tokens/key-store.js';
import type { AuthorizationCode, RefreshToken } from '../../../src/tokens/token-store.js';

export const NOW = 1_750_000_000;

/**
 * Deep equality of plain data, where an absent optional field and one set to undefined are the
 * same (stores differ in which they return).
 */
const plain = (x: unknown): unknown => (x === undefined ? undefined : JSON.parse(JSON.stringify(x)));
export const same = (actual: unknown, expected: unknown, message?: string): void => assert.deepEqual(plain(actual), plain(expected), message);

export const sampleAccount = (over: Partial<Account> = {}): Account => ({
  id: randomUUID(),
  username: `user-${randomUUID().slice(0, 8)}`,
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
  claims: { name: 'Some One', email: 'some@example.test', email_verified: true, nested: { a: [1, 2] } },
  disabled: false,
  createdAt: NOW,
  updatedAt: NOW,
  ...over,
});

export const sampleClient = (over: Partial<Client> = {}): Client => ({
  client_id: `client-${randomUUID().slice(0, 8)}`,
  client_name: 'Sample',
  redirect_uris: ['https://app.example.test/cb', 'http://127.0.0.1:8080/cb'],
  post_logout_redirect_uris: ['https://app.example.test/'],
  backchannel_logout_uri: 'https://app.example.test/bcl',
  backchannel_logout_session_required: true,
  frontchannel_logout_uri: undefined,
  frontchannel_logout_session_required: false,
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  scope: 'openid profile email offline_access',
  id_token_signed_response_alg: 'ES256',
  require_consent: true,
  require_pkce: false,
  allowed_origins: ['https://spa.example.test'],
  client_secret_hash: 'c2hhMjU2LW9mLXRoZS1zZWNyZXQtYmFzZTY0dXJsLWVuYw',
  source: 'cli',
  ...over,
});

export const sampleKey = (over: Partial<SigningKey> = {}): SigningKey => {
  const kid = over.kid ?? randomUUID();
  return {
    kid,
    alg: 'RS256',
    privateJwk: { kty: 'RSA', kid, n: 'AQAB-n', e: 'AQAB', d: 'private-d' },
    publicJwk: { kty: 'RSA', kid, n: 'AQAB-n', e: 'AQAB', use: 'sig' },
    createdAt: NOW,
    ...over,
  };
};

export const sampleSession = (browserId: string, accountId: string, over: Partial<Session> = {}): Session => ({
  id: randomUUID(),
  browserId,
  accountId,
  createdAt: NOW,
  authTime: NOW,
  lastSeen: NOW,
  idleExpiresAt: NOW + 1800,
  absoluteExpiresAt: NOW + 36000,
  amr: ['pwd', 'otp'],
  acr: '0',
  factors: [{ method: 'password', at: NOW }, { method: 'totp', at: NOW }],
  rememberMe: false,
  createdIp: '127.0.0.1',
  createdUserAgent: 'agent/1',
  lastIp: '127.0.0.1',
  lastUserAgent: 'agent/1',
  ...over,
});

export const sampleCode = (sessionId: string, accountId: string, over: Partial<AuthorizationCode> = {}): AuthorizationCode => ({
  hash: `code-hash-${randomUUID()}`,
  clientId: 'web',
  accountId,
  sessionId,
  sid: `sid-${randomUUID()}`,
  redirectUri: 'https://app.example.test/cb',
  scope: ['openid', 'profile'],
  nonce: 'n-0S6_WzA2Mj',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  authTime: NOW - 5,
  acr: '0',
  amr: ['pwd'],
  expiresAt: NOW + 60,
  ...over,
});

/** The records a session needs to exist (foreign keys): an account and a browser. */
export const seedSession = async (store: Store, over: Partial<Session> = {}): Promise<{ account: Account; browser: Browser; session: Session }> => {
  const account = sampleAccount();
  await store.insertAccount(account);
  const browser: Browser = { id: randomUUID(), secretHash: `browser-hash-${randomUUID()}`, createdAt: NOW };
  await store.insertBrowser(browser);
  const session = sampleSession(browser.id, account.id, over);
  await store.insertSession(session);
  return { account, browser, session };
};

/**
 * Another open session of the account, on a browser of its own: one (browser, account) has at
 * most one open session (issue 11 §1, DESIGN.md "Domain model").
 */
export const insertOnNewBrowser = async (store: Store, accountId: string, over: Partial<Session> = {}): Promise<Session> => {
  const browser: Browser = { id: randomUUID(), secretHash: `browser-hash-${randomUUID()}`, createdAt: NOW };
  await store.insertBrowser(browser);
  const session = sampleSession(browser.id, accountId, over);
  await store.insertSession(session);
  return session;
};

/** A redeemed code's family, to hang refresh tokens on. */
export const seedFamily = async (store: Store, over: Partial<AuthorizationCode> = {}): Promise<{ familyId: string; code: AuthorizationCode }> => {
  const { account, session } = await seedSession(store);
  const code = sampleCode(session.id, account.id, over);
  await store.insertCode(code);
  const familyId = randomUUID();
  const redeemed = await store.redeemCode(code.hash, NOW, familyId);
  assert.equal(redeemed?.replayed, false);
  return { familyId, code };
};

export const sampleRefresh = (familyId: string, over: Partial<RefreshToken> = {}): RefreshToken => ({
  hash: `refresh-hash-${randomUUID()}`,
  familyId,
  clientId: 'web',
  scope: ['openid', 'offline_access'],
  createdAt: NOW,
  expiresAt: NOW + 86400,
  ...over,
});

export const sampleInteraction = (over: Partial<Interaction> = {}): Interaction => ({
  id: randomUUID(),
  bindingHash: `binding-${randomUUID()}`,
  csrfToken: `csrf-${randomUUID()}`,
  request: { clientId: 'web', scope: ['openid'], state: 'st', prompt: [], nested: { ok: true } },
  createdAt: NOW,
  expiresAt: NOW + 600,
  step: 'login',
  ...over,
});

/** A test-declaring function whose tests each get their own fresh store, always closed. */
export const storeTest =
  (makeStore: MakeStore) =>
  (title: string, fn: (store: Store) => Promise<void>): void => {
    it(title, async () => {
      const store = await makeStore();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    });
  };

export type MakeStore = () => Promise<Store>;

/** An ending by the user, after the seeded records. */
export const ENDING = { reason: 'logout', actor: 'user', at: NOW + 100 } as const;

/** A session with two participants — `bcl` has a back-channel URI, `plain` has none — and a family each. */
export const seedParticipants = async (store: Store, over: Parameters<typeof seedSession>[1] = {}) => {
  const seeded = await seedSession(store, over);
  await store.upsertClient(sampleClient({ client_id: 'bcl', backchannel_logout_uri: 'https://bcl.example.test/logout' }));
  await store.upsertClient(sampleClient({ client_id: 'plain', backchannel_logout_uri: undefined }));
  const families: Record<string, string> = {};
  for (const [clientId, scope] of [['bcl', ['openid']], ['plain', ['openid', 'offline_access']]] as const) {
    const sid = `sid-${clientId}-${randomUUID()}`;
    await store.upsertParticipant({ sessionId: seeded.session.id, clientId, sid, firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
    const code = sampleCode(seeded.session.id, seeded.account.id, { clientId, sid, scope: [...scope] });
    await store.insertCode(code);
    families[clientId] = randomUUID();
    await store.redeemCode(code.hash, NOW, families[clientId] as string);
  }
  return { ...seeded, families };
};
