/**
 * The one way a session ends (DESIGN.md "One way to end a session"): every reason — logout,
 * admin, idle and absolute expiry, password change, disabled account, concurrent-session limit —
 * has the same effects: the session is ended with its reason and actor, the refresh tokens bound
 * to it are refused and its access tokens inactive (offline_access ones survive, OIDC Core §11),
 * one back-channel outbox row is written per participant client with a backchannel_logout_uri
 * (DESIGN.md "Back-channel delivery"), and a `session.ended` audit event is recorded. Also the
 * sweeper, and the `signoff sessions` and `signoff events` commands an operator sees it through.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import { ManualClock, nowSeconds, systemClock } from '../src/clock.js';
import { endingDeps } from '../src/provider.js';
import { endSessions } from '../src/sessions/end.js';
import { END_REASONS, type EndReason } from '../src/sessions/store.js';
import { sweepExpiredSessions } from '../src/sessions/sweep.js';
import { openStore } from '../src/store/open.js';
import { TestBrowser } from './helpers/browser.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import {
  EXTRA, type TestClient, type Tokens, WEB, authorizeUrl, browserIdOf, cliConfigFor, clientsWith, codeOf, exchange, extraClient, idClaims,
  introspect, post, refresh, runCli, signInFresh, silent, userinfo,
} from './helpers/session-flows.js';

const BCL_URI = 'http://127.0.0.1:5999/bcl';
const CLIENTS = (): Record<string, unknown>[] => clientsWith(extraClient(EXTRA.bcl, { backchannel_logout_uri: BCL_URI }));

/** A session of `user` in which two clients signed in: `web` (no back-channel URI) and `bcl` (one). */
interface Signed {
  browser: TestBrowser;
  sessionId: string;
  /** web's tokens bound to the session, and its offline_access ones. */
  bound: Tokens;
  offline: Tokens;
  bcl: Tokens;
  bclSid: string;
}

const signInTwoClients = async (op: TestProvider, user: { username: string; password: string }): Promise<Signed> => {
  const { browser, code } = await signInFresh(op.issuer, WEB, user);
  const bound = await exchange(op.issuer, WEB, code);
  const off = await silent(browser, op.issuer, WEB, { scope: 'openid offline_access' });
  assert.ok(off.code, `${off.error}`);
  const offline = await exchange(op.issuer, WEB, off.code);
  assert.ok(offline.scope.split(' ').includes('offline_access') && offline.refresh_token, `offline_access granted: ${offline.scope}`);
  const b = await silent(browser, op.issuer, EXTRA.bcl);
  assert.ok(b.code, `${b.error}`);
  const bcl = await exchange(op.issuer, EXTRA.bcl, b.code);
  const participant = await op.provider.store.participantBySid(idClaims(bound).sid);
  assert.ok(participant);
  return { browser, sessionId: participant.sessionId, bound, offline, bcl, bclSid: idClaims(bcl).sid };
};

const endedEvents = async (op: TestProvider, sessionId: string): Promise<[string | undefined, string | undefined][]> =>
  (await op.provider.store.listEvents({ sessionId, limit: 100 })).filter((e) => e.type === 'session.ended').map((e) => [e.reason, e.actor]);

const deliveries = (op: TestProvider, sessionId: string) => op.provider.store.listDeliveries({ sessionId, limit: 100 });

const assertRefused = async (op: TestProvider, client: TestClient, rt: string | undefined, label: string): Promise<void> => {
  const r = await refresh(op.issuer, client, rt ?? '');
  assert.equal(r.status, 400, `${label}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.error, 'invalid_grant', label);
};

describe('the sweeper (DESIGN.md "One way to end a session": idle or absolute expiry; "Back-channel delivery": outbox)', () => {
  const clock = new ManualClock();
  let op: TestProvider;
  const alice = { username: 'alice', password: USERS.alice.password };
  const sweep = () => sweepExpiredSessions({ sessions: op.provider.store, clock });
  before(async () => {
    op = await startProvider({ clients: CLIENTS(), session: { idleTimeout: '5m', absoluteLifetime: '30m' } }, { clock });
  });
  after(() => op?.close());

  it('ends an idle-expired session with reason expired_idle (actor system) and writes one outbox row, for the client with a backchannel_logout_uri only; a live session is left alone', async () => {
    const s = await signInTwoClients(op, alice);
    clock.advance(5 * 60 + 1);
    const live = await signInTwoClients(op, alice);
    assert.ok((await sweep()) >= 1);
    const ended = await op.provider.store.sessionById(s.sessionId);
    assert.equal(ended?.endReason, 'expired_idle');
    assert.equal(ended?.endedBy, 'system');
    assert.equal(ended?.endedAt, nowSeconds(clock));
    const rows = await deliveries(op, s.sessionId);
    assert.deepEqual(rows.map((d) => [d.clientId, d.sid, d.reason, d.status]), [['bcl', s.bclSid, 'expired_idle', 'pending']]);
    assert.deepEqual(await endedEvents(op, s.sessionId), [['expired_idle', 'system']]);
    assert.equal((await op.provider.store.sessionById(live.sessionId))?.endedAt, undefined, 'the live session is not ended');
    assert.ok((await silent(live.browser, op.issuer, WEB)).code);
    assert.deepEqual(await deliveries(op, live.sessionId), []);
  });

  it('ends a session that stayed active until its absolute lifetime with reason expired_absolute', async () => {
    const s = await signInTwoClients(op, alice);
    for (let minute = 4; minute <= 28; minute += 4) {
      clock.advance(4 * 60);
      assert.ok((await silent(s.browser, op.issuer, WEB)).code, `active at minute ${minute}`);
    }
    clock.advance(2 * 60 + 1); // 30 min + 1 s after sign-in, 2 min after the last activity
    await sweep();
    const ended = await op.provider.store.sessionById(s.sessionId);
    assert.equal(ended?.endReason, 'expired_absolute');
    assert.equal(ended?.endedBy, 'system');
    assert.deepEqual((await deliveries(op, s.sessionId)).map((d) => [d.clientId, d.reason]), [['bcl', 'expired_absolute']]);
    assert.deepEqual(await endedEvents(op, s.sessionId), [['expired_absolute', 'system']]);
  });

  it('sweeping again ends nothing twice: one event, one outbox row per participant, the first ending time kept', async () => {
    const s = await signInTwoClients(op, alice);
    clock.advance(5 * 60 + 1);
    await sweep();
    const endedAt = (await op.provider.store.sessionById(s.sessionId))?.endedAt;
    clock.advance(10);
    assert.equal(await sweep(), 0, 'the second sweep ends nothing');
    assert.equal((await op.provider.store.sessionById(s.sessionId))?.endedAt, endedAt);
    assert.equal((await deliveries(op, s.sessionId)).length, 1);
    assert.deepEqual(await endedEvents(op, s.sessionId), [['expired_idle', 'system']]);
  });

  it('two instances sweeping one store at the same time end each session once', async () => {
    const other = await openStore({ sqlite: join(op.dir, 'signoff.sqlite') });
    try {
      const sessions = [await signInTwoClients(op, alice), await signInTwoClients(op, alice), await signInTwoClients(op, USERS.bob)];
      clock.advance(5 * 60 + 1);
      const counts = await Promise.all([sweep(), sweepExpiredSessions({ sessions: other, clock }), sweep(), sweepExpiredSessions({ sessions: other, clock })]);
      assert.equal(counts.reduce((a, b) => a + b, 0), sessions.length, `ended per sweeper: ${counts.join(', ')}`);
      for (const s of sessions) {
        assert.deepEqual(await endedEvents(op, s.sessionId), [['expired_idle', 'system']]);
        assert.deepEqual((await deliveries(op, s.sessionId)).map((d) => d.clientId), ['bcl']);
      }
    } finally {
      await other.close();
    }
  });
});

describe('a code whose session has ended is refused (OIDC Core §3.1.3.2; DESIGN.md "One way to end a session"; issue 10 §9)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider({}, { clock: systemClock });
  });
  after(() => op?.close());

  it('sign in, get a code, end the session through the ending path, redeem the code: invalid_grant, and no tokens', async () => {
    const { code } = await signInFresh(op.issuer, WEB, USERS.alice);
    const accountId = (await op.provider.store.accountByUsername(USERS.alice.username))?.id;
    const [session] = await op.provider.store.listSessions({ accountId, limit: 10 });
    assert.ok(session, 'the sign-in made a session');
    const ended = await endSessions(endingDeps(op.provider), { sessionId: session.id }, 'logout', 'user');
    assert.equal(ended.length, 1);
    const r = await post(`${op.issuer}/token`, { grant_type: 'authorization_code', code, redirect_uri: WEB.redirect_uri }, WEB);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error, 'invalid_grant');
    assert.equal(r.body.access_token, undefined);

    // The same steps without the ending: the code is redeemed (the refusal is the ending's doing).
    const live = await signInFresh(op.issuer, WEB, USERS.alice);
    assert.ok((await exchange(op.issuer, WEB, live.code)).access_token);
  });
});

interface Row {
  reason: EndReason;
  actor: string;
  /** Ends the session the real way this reason happens. */
  trigger: (s: Signed, username: string) => Promise<void>;
  /** The reason also revokes the account's offline_access tokens (session.revokeOfflineTokensOn's default, issue 12 §1). */
  revokesOffline?: true;
}

describe('every ending reason has the same effects (DESIGN.md "One way to end a session"; OIDC Core §11 offline_access)', () => {
  const clock = new ManualClock();
  const PASSWORD = 'reason-password';
  let op: TestProvider;
  let config: string;
  const cli = async (args: string[], input?: string): Promise<string> => {
    const r = await runCli([...args, '--config', config], { cwd: op.dir, input });
    assert.equal(r.code, 0, `signoff ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const user = (reason: EndReason): string => `u-${reason}`;
  before(async () => {
    const clients = CLIENTS();
    op = await startProvider(
      {
        clients,
        users: [...END_REASONS.map(user), 'u-retry'].map((username) => ({ username, password: PASSWORD, claims: {} })),
        // Access tokens outlive the test, so an inactive one is inactive because its session ended.
        tokens: { accessTokenTtl: '2h' },
        session: { idleTimeout: '10m', absoluteLifetime: '30m', maxSessionsPerAccount: 2 },
      },
      { clock },
    );
    config = cliConfigFor(op, clients);
  });
  after(() => op?.close());

  const rows: Row[] = [
    {
      reason: 'logout',
      actor: 'user',
      // The logout endpoint comes in a later issue; it will call this same function.
      trigger: async (s) => void (await endSessions({ sessions: op.provider.store, clock }, { sessionId: s.sessionId }, 'logout', 'user')),
    },
    {
      reason: 'admin',
      actor: 'admin:cli',
      trigger: async (s) => assert.match(await cli(['sessions', 'end', s.sessionId]), /ended 1 session/),
    },
    {
      reason: 'password_changed',
      actor: 'admin:cli',
      revokesOffline: true,
      trigger: async (_s, username) => assert.match(await cli(['users', 'passwd', username, '--password-stdin'], 'a-new-battery-staple-horse\n'), /ended 1 session/),
    },
    {
      reason: 'account_disabled',
      actor: 'admin:cli',
      revokesOffline: true,
      trigger: async (_s, username) => assert.match(await cli(['users', 'disable', username]), /ended 1 session/),
    },
    {
      reason: 'account_deleted',
      actor: 'admin:cli',
      revokesOffline: true,
      trigger: async (_s, username) => assert.match(await cli(['users', 'delete', username]), /^deleted user u-account_deleted \(sub [^)]+\); ended 1 session\(s\)$/m),
    },
    {
      reason: 'limit',
      actor: 'system',
      trigger: async (_s, username) => {
        for (let i = 0; i < 2; i++) {
          clock.advance(1);
          await signInFresh(op.issuer, WEB, { username, password: PASSWORD });
        }
      },
    },
    {
      reason: 'expired_idle',
      actor: 'system',
      trigger: async () => {
        clock.advance(10 * 60 + 1);
        await sweepExpiredSessions({ sessions: op.provider.store, clock });
      },
    },
    {
      reason: 'expired_absolute',
      actor: 'system',
      trigger: async (s) => {
        for (let i = 0; i < 3; i++) {
          clock.advance(9 * 60);
          assert.ok((await silent(s.browser, op.issuer, WEB)).code, 'kept active');
        }
        clock.advance(3 * 60 + 1);
        await sweepExpiredSessions({ sessions: op.provider.store, clock });
      },
    },
    {
      reason: 'upstream_logout',
      actor: 'upstream:corp',
      // The session came through an upstream (its record written as a sign-in through one does);
      // the upstream's logout token (test/federation-inbound-logout.test.ts) ends it through this selector.
      trigger: async (s) => {
        const db = new Database(join(op.dir, 'signoff.sqlite'));
        try {
          db.prepare("INSERT INTO session_upstreams (session_id, upstream_id, issuer, subject, sid, id_token, at) VALUES (?, 'corp', 'https://corp.example', 'corp-sub', 'corp-sid', '{}', 0)").run(s.sessionId);
        } finally {
          db.close();
        }
        const ended = await endSessions({ sessions: op.provider.store, clock }, { upstreamId: 'corp', sid: 'corp-sid' }, 'upstream_logout', 'upstream:corp');
        assert.equal(ended.length, 1);
      },
    },
  ];

  it('the table covers every reason there is', () => {
    assert.deepEqual(rows.map((r) => r.reason).sort(), [...END_REASONS].sort());
  });

  for (const row of rows) {
    it(`${row.reason}: session ended (reason, actor), bound refresh tokens refused, access tokens inactive, offline_access token ${row.revokesOffline ? 'revoked by default (issue 12 §1)' : 'survives'}, one outbox row per back-channel client, one session.ended event`, async () => {
      const username = user(row.reason);
      const s = await signInTwoClients(op, { username, password: PASSWORD });
      assert.equal((await introspect(op.issuer, WEB, s.bound.access_token)).active, true, 'active before the ending');
      await row.trigger(s, username);

      const session = await op.provider.store.sessionById(s.sessionId);
      assert.equal(session?.endReason, row.reason, 'end reason');
      assert.equal(session?.endedBy, row.actor, 'actor');
      assert.notEqual(session?.endedAt, undefined, 'ended at');
      assert.equal((await silent(s.browser, op.issuer, WEB)).error, 'login_required', 'the browser is signed out');

      await assertRefused(op, WEB, s.bound.refresh_token, 'web refresh token bound to the session');
      await assertRefused(op, EXTRA.bcl, s.bcl.refresh_token, 'bcl refresh token bound to the session');
      for (const [client, token] of [[WEB, s.bound.access_token], [EXTRA.bcl, s.bcl.access_token]] as const) {
        assert.deepEqual(await introspect(op.issuer, client, token), { active: false }, `${client.client_id} access token at /introspect`);
        assert.equal((await userinfo(op.issuer, token)).status, 401, `${client.client_id} access token at /userinfo`);
      }

      if (row.revokesOffline) {
        // Issue 12 §1: by default this change also revokes the account's offline_access tokens.
        if (row.reason === 'account_disabled') await cli(['users', 'enable', username]);
        await assertRefused(op, WEB, s.offline.refresh_token, 'offline_access refresh token (session.revokeOfflineTokensOn)');
        assert.deepEqual(await introspect(op.issuer, WEB, s.offline.access_token), { active: false }, 'its access token is inactive at once');
      } else {
        const survived = await refresh(op.issuer, WEB, s.offline.refresh_token ?? '');
        assert.equal(survived.status, 200, `the offline_access refresh token survives: ${JSON.stringify(survived.body)}`);
        assert.equal((await userinfo(op.issuer, survived.body.access_token as string)).status, 200, 'its new access token works at /userinfo');
        assert.equal((await introspect(op.issuer, WEB, s.offline.access_token)).active, true, 'the offline_access access token stays active');
      }

      const rows1 = await deliveries(op, s.sessionId);
      assert.deepEqual(
        rows1.map((d) => [d.clientId, d.sid, d.reason, d.status]),
        [['bcl', s.bclSid, row.reason, 'pending']],
        'exactly one outbox row, for bcl (web has no backchannel_logout_uri)',
      );
      assert.deepEqual(await endedEvents(op, s.sessionId), [[row.reason, row.actor]], 'one session.ended event');
    });
  }

  it('a refresh refused because the account is disabled does not spend the offline_access refresh token: once enabled again it still works (RFC 6749 §6; refresh-token.ts "a refused request leaves it usable")', async () => {
    const username = 'u-retry';
    const s = await signInTwoClients(op, { username, password: PASSWORD });
    // Disabled and enabled through the store directly: this is about the refresh grant, not the CLI.
    const account = await op.provider.store.accountByUsername(username);
    assert.ok(account);
    await op.provider.store.updateAccount(account.id, { disabled: true });
    await assertRefused(op, WEB, s.offline.refresh_token, 'offline_access refresh token while the account is disabled');
    await op.provider.store.updateAccount(account.id, { disabled: false });
    const r = await refresh(op.issuer, WEB, s.offline.refresh_token ?? '');
    assert.equal(r.status, 200, `the refused attempt must not have spent the token (nor made the retry look like a replay): ${JSON.stringify(r.body)}`);
  });
});

describe('signoff sessions list|show|end and events tail (issue 3 "Audit events"; DESIGN.md "Contracts other tools rely on")', () => {
  let op: TestProvider;
  let config: string;
  let s: Signed;
  let webSid: string;
  const cli = (args: string[]) => runCli([...args, '--config', config], { cwd: op.dir });
  const ok = async (args: string[]): Promise<string> => {
    const r = await cli(args);
    assert.equal(r.code, 0, `signoff ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  before(async () => {
    const clients = CLIENTS();
    op = await startProvider({ clients }, { clock: systemClock });
    config = cliConfigFor(op, clients);
    s = await signInTwoClients(op, USERS.alice);
    webSid = idClaims(s.bound).sid;
  });
  after(() => op?.close());

  it('sessions list shows the open session with its user and state (open)', async () => {
    const line = (await ok(['sessions', 'list'])).split('\n').find((l) => l.includes(s.sessionId));
    assert.ok(line, 'the session is listed');
    assert.match(line, /\balice\b/);
    assert.match(line, /\bopen\b/);
  });

  it('sessions end SESSION_ID ends it as an administrator: the running provider signs the browser out at once; list --all shows it ended (admin)', async () => {
    assert.match(await ok(['sessions', 'end', s.sessionId]), /ended 1 session\(s\); 2 application sign-in\(s\) notified/);
    assert.equal((await silent(s.browser, op.issuer, WEB)).error, 'login_required');
    const line = (await ok(['sessions', 'list', '--all', '--user', 'alice'])).split('\n').find((l) => l.includes(s.sessionId));
    assert.match(line ?? '', /\balice\b.*ended \(admin\)/);
  });

  it('sessions show prints the session, its participants with their sids, and its events with reason and actor (and sessions end without a selector exits 2)', async () => {
    const [text, usage] = await Promise.all([ok(['sessions', 'show', s.sessionId]), cli(['sessions', 'end'])]);
    assert.equal(usage.code, 2, `sessions end without a selector: ${usage.stdout}${usage.stderr}`);
    assert.doesNotMatch(usage.stderr, /\bat\s+\S+\.js:\d+/, 'no stack trace');
    for (const expected of [s.sessionId, 'alice', 'ended (admin) by admin:cli', webSid, s.bclSid]) {
      assert.ok(text.includes(expected), `"${expected}" in:\n${text}`);
    }
    const lines = text.split('\n');
    assert.match(lines.find((l) => /^web\s/.test(l)) ?? '', new RegExp(`^web\\s+${webSid}\\s`), 'participant web with its sid');
    assert.match(lines.find((l) => /^bcl\s/.test(l)) ?? '', new RegExp(`^bcl\\s+${s.bclSid}\\s`), 'participant bcl with its sid');
    assert.match(lines.find((l) => l.startsWith('session.created')) ?? '', /\buser$/);
    assert.match(lines.find((l) => l.startsWith('session.ended')) ?? '', /\badmin\s+admin:cli$/);
    assert.match(lines.find((l) => l.startsWith('factors')) ?? '', /^factors\s+password \d{4}-\d\d-\d\dT/, 'issue 14 §2: the factors with the time each was verified');
  });

  it('events tail --session -n 1 prints the latest event of the session: its ending, with reason and actor', async () => {
    const lines = (await ok(['events', 'tail', '--session', s.sessionId, '-n', '1'])).trim().split('\n');
    assert.equal(lines.length, 1, `-n 1 limits the output (the session has two events):\n${lines.join('\n')}`);
    assert.match(lines[0] ?? '', new RegExp(`session\\.ended session=${s.sessionId} .*reason=admin actor=admin:cli`));
  });

  it('sessions end --user ends the account\'s sessions on every device; --browser ends every account of one browser', async () => {
    const bob1 = await signInTwoClients(op, USERS.bob);
    const bob2 = await signInTwoClients(op, USERS.bob);
    assert.match(await ok(['sessions', 'end', '--user', 'bob']), /ended 2 session\(s\); 4 application sign-in\(s\) notified/);
    for (const b of [bob1, bob2]) assert.equal((await silent(b.browser, op.issuer, WEB)).error, 'login_required');

    const shared = await signInTwoClients(op, USERS.alice);
    codeOf(await shared.browser.signIn(authorizeUrl(op.issuer, WEB, { login_hint: 'bob' }), USERS.bob), WEB);
    const keep = await signInTwoClients(op, USERS.alice);
    assert.match(await ok(['sessions', 'end', '--browser', browserIdOf(shared.browser)]), /ended 2 session\(s\)/);
    for (const hint of ['alice', 'bob']) assert.equal((await silent(shared.browser, op.issuer, WEB, { login_hint: hint })).error, 'login_required', hint);
    assert.ok((await silent(keep.browser, op.issuer, WEB)).code, 'alice on another browser stays signed in');
  });

  it('issue 12 §1: sessions end --user keeps the offline_access refresh tokens by default; with --revoke-offline-tokens they are refused with invalid_grant', async () => {
    const kept = await signInTwoClients(op, USERS.bob);
    assert.match(await ok(['sessions', 'end', '--user', 'bob']), /ended 1 session\(s\)/);
    const again = await refresh(op.issuer, WEB, kept.offline.refresh_token ?? '');
    assert.equal(again.status, 200, `by default the offline_access token survives: ${JSON.stringify(again.body)}`);
    const revoked = await signInTwoClients(op, USERS.bob);
    assert.match(await ok(['sessions', 'end', '--user', 'bob', '--revoke-offline-tokens']), /ended 1 session\(s\)/);
    await assertRefused(op, WEB, revoked.offline.refresh_token, 'offline_access refresh token after --revoke-offline-tokens');
    await assertRefused(op, WEB, again.body.refresh_token as string, 'the earlier offline_access token, rotated, too: every family of the account');
    assert.equal((await cli(['sessions', 'end', '--browser', 'x', '--revoke-offline-tokens'])).code, 2, 'only with --user');
  });
});
