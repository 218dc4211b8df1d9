/**
 * The account use cases (accounts/lifecycle.ts, issue 12 §1): a password change and a disabled
 * account end every session of the account in the transaction of the change and, by default,
 * revoke its offline_access refresh tokens (`session.revokeOfflineTokensOn`); `[]` keeps them
 * (OIDC Core §11). Run on a provider over each store: SQLite, and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { changePassword, disableAccount, enableAccount } from '../src/accounts/lifecycle.js';
import { lifecycleDeps } from '../src/provider.js';
import { freshDatabase, usePostgres } from './helpers/postgres.js';
import { type TestProvider, startProvider } from './helpers/provider.js';
import { type Tokens, WEB, accountIdOf, cliConfigFor, clientsWith, exchange, refresh, runCli, signInFresh, silent } from './helpers/session-flows.js';

const PASSWORD = 'lifecycle-password';

/** Two sessions of `username` (two browsers), each with web's bound tokens, and an offline_access token from the first. */
const signIn = async (op: TestProvider, username: string): Promise<{ bound: Tokens[]; offline: Tokens }> => {
  const user = { username, password: PASSWORD };
  const first = await signInFresh(op.issuer, WEB, user);
  const second = await signInFresh(op.issuer, WEB, user);
  const bound = [await exchange(op.issuer, WEB, first.code), await exchange(op.issuer, WEB, second.code)];
  const off = await silent(first.browser, op.issuer, WEB, { scope: 'openid offline_access' });
  assert.ok(off.code, `${off.error}`);
  const offline = await exchange(op.issuer, WEB, off.code);
  assert.ok(offline.scope.split(' ').includes('offline_access') && offline.refresh_token, `offline_access granted: ${offline.scope}`);
  return { bound, offline };
};

const refused = async (op: TestProvider, token: string | undefined, label: string): Promise<void> => {
  const r = await refresh(op.issuer, WEB, token ?? '');
  assert.equal(r.status, 400, `${label}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.error, 'invalid_grant', label);
};

const works = async (op: TestProvider, token: string | undefined, label: string): Promise<void> => {
  const r = await refresh(op.issuer, WEB, token ?? '');
  assert.equal(r.status, 200, `${label}: ${JSON.stringify(r.body)}`);
};

const openSessions = async (op: TestProvider, username: string): Promise<number> =>
  (await op.provider.store.listSessions({ accountId: await accountIdOf(op, username), limit: 100 })).length;

const users = (names: string[]) => names.map((username) => ({ username, password: PASSWORD, claims: {} }));

type Start = (overrides: Record<string, unknown>) => Promise<TestProvider>;

const lifecycleSuite = (name: string, start: Start): void => {
  describe(`issue 12 §1 account lifecycle on ${name}: by default a password change or a disabled account revokes the offline_access refresh tokens`, () => {
    let op: TestProvider;
    before(async () => {
      op = await start({ users: users(['pw', 'off', 'bystander']) });
    });
    after(() => op?.close());

    it('issue 12 §1: a password change ends every session of the account and revokes its offline_access refresh token (a refresh with it fails with invalid_grant); other users are untouched', async () => {
      const s = await signIn(op, 'pw');
      const other = await signIn(op, 'bystander');
      const changed = await changePassword(lifecycleDeps(op.provider), { accountId: await accountIdOf(op, 'pw'), password: 'another-password', actor: 'admin:test' });
      assert.deepEqual(changed, { endedSessions: 2 });
      assert.equal(await openSessions(op, 'pw'), 0);
      for (const [i, t] of s.bound.entries()) await refused(op, t.refresh_token, `bound refresh token ${i} (its session ended)`);
      await refused(op, s.offline.refresh_token, 'the offline_access refresh token');
      assert.equal(await openSessions(op, 'bystander'), 2, 'another user keeps their sessions');
      await works(op, other.offline.refresh_token, 'another user keeps their offline_access token');
      await works(op, other.bound[0]?.refresh_token, 'another user keeps their bound token');
    });

    it('issue 12 §1: disabling an account ends every session of the account and revokes its offline_access refresh token: enabling it again does not bring the token back', async () => {
      const s = await signIn(op, 'off');
      const deps = lifecycleDeps(op.provider);
      const accountId = await accountIdOf(op, 'off');
      assert.deepEqual(await disableAccount(deps, { accountId, actor: 'admin:test' }), { endedSessions: 2 });
      assert.equal((await op.provider.store.listEvents({ limit: 100 })).filter((e) => e.type === 'session.ended' && e.accountId === accountId && e.reason === 'account_disabled').length, 2);
      assert.deepEqual(await enableAccount(deps, { accountId, actor: 'admin:test' }), { endedSessions: 0 });
      await refused(op, s.offline.refresh_token, 'the offline_access refresh token, after enable');
      await refused(op, s.bound[0]?.refresh_token, 'a bound refresh token, after enable');
    });

    it('issue 12 §1: an unknown account is reported as such and nothing changes', async () => {
      assert.equal(await disableAccount(lifecycleDeps(op.provider), { accountId: 'no-such-account', actor: 'admin:test' }), undefined);
    });
  });

  describe(`issue 12 §1 account lifecycle on ${name}: session.revokeOfflineTokensOn [] keeps offline_access refresh tokens (OIDC Core §11)`, () => {
    let op: TestProvider;
    before(async () => {
      op = await start({ users: users(['keep-pw', 'keep-off']), session: { revokeOfflineTokensOn: [] } });
    });
    after(() => op?.close());

    it('issue 12 §1: with [] a password change ends the sessions, the bound token dies with its session as before, the offline_access token keeps working', async () => {
      const s = await signIn(op, 'keep-pw');
      const changed = await changePassword(lifecycleDeps(op.provider), { accountId: await accountIdOf(op, 'keep-pw'), password: 'another-password', actor: 'admin:test' });
      assert.deepEqual(changed, { endedSessions: 2 });
      await refused(op, s.bound[1]?.refresh_token, 'a bound refresh token');
      await works(op, s.offline.refresh_token, 'the offline_access refresh token');
    });

    it('issue 12 §1: with [] a disabled account\'s offline_access token works again once it is enabled', async () => {
      const s = await signIn(op, 'keep-off');
      const deps = lifecycleDeps(op.provider);
      const accountId = await accountIdOf(op, 'keep-off');
      assert.deepEqual(await disableAccount(deps, { accountId, actor: 'admin:test' }), { endedSessions: 2 });
      await refused(op, s.bound[0]?.refresh_token, 'a bound refresh token');
      await enableAccount(deps, { accountId, actor: 'admin:test' });
      await works(op, s.offline.refresh_token, 'the offline_access refresh token');
    });
  });
};

lifecycleSuite('SQLite', (overrides) => startProvider(overrides));

const server = usePostgres();
lifecycleSuite('PostgreSQL', async (overrides) => {
  const db = await freshDatabase(await server());
  const op = await startProvider({ ...overrides, store: { postgres: db.url, poolSize: 4 } });
  return { ...op, close: async () => { await op.close(); await db.drop(); } };
});

describe('issue 12 §1: signoff users passwd, the CLI adapter, revokes the offline_access refresh token by default', () => {
  let op: TestProvider;
  let config: string;
  before(async () => {
    const clients = clientsWith();
    op = await startProvider({ clients, users: users(['cli-user']) });
    config = cliConfigFor(op, clients);
  });
  after(() => op?.close());

  it('issue 12 §1: users passwd prints the ended sessions and the offline_access token is refused with invalid_grant', async () => {
    const s = await signIn(op, 'cli-user');
    const r = await runCli(['users', 'passwd', 'cli-user', '--password-stdin', '--config', config], { cwd: op.dir, input: 'a-new-battery-staple-horse\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'changed the password of cli-user; ended 2 session(s)\n');
    await refused(op, s.offline.refresh_token, 'the offline_access refresh token');
  });
});
