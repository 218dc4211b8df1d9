/**
 * The session view (sessions/query.ts, issue 12 §1 and §3): what every adapter shows of a
 * session, built from a real sign-in, and its keyset paging and filters over a seeded store.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { type SessionQueryDeps, type SessionView, getSessionView, listSessionViews } from '../src/sessions/query.js';
import type { Browser, Session } from '../src/sessions/store.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import { describeUserAgent } from '../src/sessions/user-agent.js';
import { CLIENTS, USERS, startProvider } from './helpers/provider.js';
import { TestBrowser } from './helpers/browser.js';
import { PKCE_S256, accountIdOf, authorizeUrl, codeOf, exchange, idClaims, silent } from './helpers/session-flows.js';
import { sampleAccount, sampleSession } from './helpers/store-contract/samples.js';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

describe('issue 12 §3: the session view of a real sign-in', () => {
  it('shows the account, times, amr/acr, device and both clients with their sids; its id is neither the cookie nor a sid', async () => {
    const op = await startProvider();
    try {
      const browser = new TestBrowser(op.issuer, { 'user-agent': IPHONE });
      const code = codeOf(await browser.signIn(authorizeUrl(op.issuer, CLIENTS.web), USERS.alice), CLIENTS.web);
      const webClaims = idClaims(await exchange(op.issuer, CLIENTS.web, code));
      const spa = await silent(browser, op.issuer, CLIENTS.spa, PKCE_S256);
      assert.ok(spa.code, `spa signed in silently: ${spa.error}`);
      const deps = { store: op.provider.store, clock: op.provider.clock };
      const { sessions, next_cursor } = await listSessionViews(deps, {});
      assert.equal(sessions.length, 1);
      assert.equal(next_cursor, null);
      const v = sessions[0] as SessionView;
      assert.deepEqual(await getSessionView(deps, v.id), v, 'get-one shows what the list shows');
      assert.equal(v.user_id, await accountIdOf(op, 'alice'));
      assert.equal(v.user_id, webClaims.sub);
      assert.equal(v.username, 'alice');
      assert.equal(v.active, true);
      assert.equal(v.authenticated_at, webClaims.auth_time);
      assert.ok(Math.abs(v.created_at - Date.now() / 1000) < 60);
      assert.ok(v.last_active_at >= v.created_at);
      assert.ok(v.idle_expires_at > v.last_active_at && v.expires_at >= v.idle_expires_at);
      assert.deepEqual([v.ended_at, v.end_reason, v.ended_by, v.remember_me], [null, null, null, false]);
      assert.deepEqual(v.amr, ['pwd']);
      assert.equal(typeof v.acr, 'string');
      assert.deepEqual(v.device, {
        initial_ip: '127.0.0.1',
        initial_user_agent: IPHONE,
        last_ip: '127.0.0.1',
        last_user_agent: IPHONE,
        browser: 'Mobile Safari 17',
        os: 'iOS 17.4',
        device_type: 'mobile',
      });
      assert.deepEqual(v.clients.map((c) => [c.client_id, c.client_name]).sort(), [['spa', null], ['web', 'Web App']]);
      const web = v.clients.find((c) => c.client_id === 'web');
      const spaEntry = v.clients.find((c) => c.client_id === 'spa');
      assert.equal(web?.sid, webClaims.sid);
      assert.ok(spaEntry && spaEntry.sid !== web?.sid, 'each client its own sid');
      assert.ok(web && web.first_authenticated_at <= web.last_authenticated_at);
      const cookies = [...browser.cookies.values()].join(' ');
      assert.ok(!cookies.includes(v.id), 'the session id is not (part of) the cookie value');
      assert.ok(!v.clients.some((c) => c.sid === v.id), 'the session id is not a sid');
    } finally {
      await op.close();
    }
  });
});

describe('issue 12 §3: paging and filters over a seeded store', () => {
  const NOW = 1_750_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'signoff-session-view-'));
  let store: SqliteStore;
  let deps: SessionQueryDeps;
  let accountId: string;
  let n = 0;
  before(() => {
    store = new SqliteStore(join(dir, 'store.sqlite'));
    deps = { store, clock: new ManualClock(NOW * 1000) };
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A session on a browser of its own (one open session per browser and account). */
  const seed = async (over: Partial<Session>): Promise<Session> => {
    const browser: Browser = { id: randomUUID(), secretHash: `h-${randomUUID()}`, createdAt: NOW };
    await store.insertBrowser(browser);
    const session = sampleSession(browser.id, accountId, over);
    await store.insertSession(session);
    return session;
  };

  /** Every page of a query, following next_cursor; `between` runs after each page. */
  const allPages = async (q: Parameters<typeof listSessionViews>[1], between?: () => Promise<void>): Promise<SessionView[][]> => {
    const pages: SessionView[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await listSessionViews(deps, { ...q, cursor });
      pages.push(page.sessions);
      if (page.next_cursor === null) return pages;
      cursor = page.next_cursor;
      await between?.();
    }
  };

  let seeded: Session[] = [];
  it('seeds 250 sessions, three to a creation second (ties are broken by id)', async () => {
    const account = sampleAccount();
    await store.insertAccount(account);
    accountId = account.id;
    for (let i = 0; i < 250; i++) seeded.push(await seed({ createdAt: NOW - 1000 + Math.floor(i / 3), authTime: NOW - 1000 }));
    seeded = seeded.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  });

  it('limit 100 gives 100, 100, 50 and next_cursor null, newest first, without duplicates or gaps', async () => {
    const pages = await allPages({ accountId, limit: 100 });
    assert.deepEqual(pages.map((p) => p.length), [100, 100, 50]);
    assert.deepEqual(pages.flat().map((v) => v.id), seeded.map((s) => s.id));
  });

  it('sessions created between pages cause neither duplicates nor gaps', async () => {
    const added: Session[] = [];
    const pages = await allPages({ accountId, limit: 100 }, async () => {
      added.push(await seed({ createdAt: NOW + (n += 1) }));
    });
    assert.deepEqual(pages.map((p) => p.length), [100, 100, 50]);
    assert.deepEqual(pages.flat().map((v) => v.id), seeded.map((s) => s.id));
    assert.equal(added.length, 2);
    const fresh = await listSessionViews(deps, { accountId, limit: 2 });
    assert.deepEqual(fresh.sessions.map((v) => v.id), added.map((s) => s.id).reverse(), 'a new listing starts with them');
    seeded = [...added.reverse(), ...seeded];
  });

  it('limit defaults to 50 and is capped at 200; a cursor that was not issued is invalid_request', async () => {
    assert.equal((await listSessionViews(deps, { accountId })).sessions.length, 50);
    assert.equal((await listSessionViews(deps, { accountId, limit: 1000 })).sessions.length, 200);
    await assert.rejects(listSessionViews(deps, { accountId, cursor: 'not-a-cursor' }), { code: 'invalid_request' });
    await assert.rejects(listSessionViews(deps, { accountId, limit: 0 }), { code: 'invalid_request' });
  });

  it('active: true lists open sessions before both expiries; false the ended and expired ones', async () => {
    const idle = await seed({ createdAt: NOW + 100, idleExpiresAt: NOW });
    const absolute = await seed({ createdAt: NOW + 101, absoluteExpiresAt: NOW - 1, idleExpiresAt: NOW - 1 });
    const ended = await seed({ createdAt: NOW + 102 });
    await store.endSessions({ sessionId: ended.id }, { reason: 'logout', actor: 'user', at: NOW });
    const inactive = (await allPages({ accountId, active: false, limit: 100 })).flat();
    assert.deepEqual(inactive.map((v) => v.id), [ended.id, absolute.id, idle.id]);
    assert.ok(inactive.every((v) => !v.active));
    assert.deepEqual(inactive.map((v) => v.end_reason), ['logout', null, null]);
    const active = (await allPages({ accountId, active: true, limit: 100 })).flat();
    assert.deepEqual(active.map((v) => v.id), seeded.map((s) => s.id));
    assert.ok(active.every((v) => v.active));
    const everything = (await allPages({ accountId, limit: 200 })).flat();
    assert.equal(everything.length, seeded.length + 3);
  });

  it('client: only the sessions that client signed in through, each once, with its participation', async () => {
    const [a, b, c] = seeded as [Session, Session, Session];
    for (const [s, clientId] of [[a, 'web'], [a, 'spa'], [c, 'web'], [b, 'spa']] as const) {
      await store.upsertParticipant({ sessionId: s.id, clientId, sid: `sid-${randomUUID()}`, firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
    }
    const web = await listSessionViews(deps, { clientId: 'web', limit: 1 });
    assert.deepEqual(web.sessions.map((v) => v.id), [a.id]);
    assert.deepEqual(web.sessions[0]?.clients.map((x) => x.client_id), ['spa', 'web']);
    const rest = await listSessionViews(deps, { clientId: 'web', cursor: web.next_cursor ?? undefined });
    assert.deepEqual(rest.sessions.map((v) => v.id), [c.id]);
    assert.equal(rest.next_cursor, null);
    assert.deepEqual((await listSessionViews(deps, { clientId: 'nobody' })).sessions, []);
  });
});

describe('issue 12 §3: device fields from the user agent (ua-parser-js)', () => {
  it('names the browser with its major version, the OS with its version, and the device type only when the string says one', () => {
    assert.deepEqual(describeUserAgent(IPHONE), { browser: 'Mobile Safari 17', os: 'iOS 17.4', device_type: 'mobile' });
    const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
    assert.deepEqual(describeUserAgent(chrome), { browser: 'Chrome 124', os: 'Windows 10', device_type: null });
    assert.deepEqual(describeUserAgent('signoff-test-browser'), { browser: null, os: null, device_type: null });
    assert.deepEqual(describeUserAgent(''), { browser: null, os: null, device_type: null });
  });
});
