/**
 * The Store contract run against the embedded SQLite store, and a check of the data at rest:
 * bearer secrets are kept only as SHA-256 hashes (DESIGN.md "Domain model", "Style": ory/fosite
 * "tokens stored by hash, never raw"; "Habits to avoid": plaintext session tokens).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Session } from '../src/sessions/store.js';
import { MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import { sha256 } from '../src/util/secrets.js';
import { TestBrowser } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { runStoreContract } from './helpers/store-contract/index.js';

const dir = mkdtempSync(join(tmpdir(), 'signoff-store-contract-'));
let n = 0;
after(() => rmSync(dir, { recursive: true, force: true }));

runStoreContract('SqliteStore (file)', async () => new SqliteStore(join(dir, `store-${++n}.sqlite`)));

describe('SqliteStore specifics', () => {
  it('applies its migrations once: reopening an existing file keeps its data', async () => {
    const file = join(dir, 'reopen.sqlite');
    const first = new SqliteStore(file);
    await first.upsertGrant({ accountId: 'a', clientId: 'c', scope: ['openid'], createdAt: 1 });
    await first.close();
    const second = new SqliteStore(file);
    try {
      assert.deepEqual((await second.grantFor('a', 'c'))?.scope, ['openid']);
    } finally {
      await second.close();
    }
  });

  it('migration 6 ends all but the newest open session of a (browser, account) before the unique index (issue 11 §1)', async () => {
    // Before it, a sign-in next to an expired but unswept session opened a second one.
    const file = join(dir, 'duplicates.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    MIGRATIONS.slice(0, 5).forEach((m, i) => {
      db.exec(m);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 1)').run(i + 1);
    });
    db.exec(`
      INSERT INTO accounts VALUES ('a', 'alice', 'x', '{}', 0, 1, 1);
      INSERT INTO browsers VALUES ('b', 'h', 1);
      INSERT INTO sessions (id, browser_id, account_id, created_at, auth_time, last_seen, idle_expires_at, absolute_expires_at,
        amr, acr, remember_me, created_ip, created_user_agent, last_ip, last_user_agent)
      VALUES ('stale', 'b', 'a', 1, 1, 1, 100, 1000, '[]', '0', 0, '', '', '', ''),
             ('live', 'b', 'a', 200, 200, 200, 9999999999, 9999999999, '[]', '0', 0, '', '', '', '');`);
    db.close();
    const store = new SqliteStore(file);
    try {
      assert.deepEqual((await store.openSessionsOfBrowser('b')).map((s) => s.id), ['live']);
      const stale = await store.sessionById('stale');
      assert.equal(stale?.endReason, 'expired_idle');
      assert.equal(stale?.endedBy, 'system');
      assert.deepEqual((await store.listEvents({ sessionId: 'stale', limit: 5 })).map((e) => e.type), ['session.ended']);
      await assert.rejects(store.insertSession({ ...(stale as Session), id: 'second', endedAt: undefined, endReason: undefined, endedBy: undefined }));
    } finally {
      await store.close();
    }
  });

  it('reports where it is and whether opening created it, so a mistyped path is noticed (issue 10 §8)', async () => {
    const file = join(dir, 'origin', 'new.sqlite');
    const first = new SqliteStore(file);
    assert.deepEqual(first.origin, { kind: 'sqlite', location: file, created: true });
    await first.close();
    const second = new SqliteStore(file);
    assert.deepEqual(second.origin, { kind: 'sqlite', location: file, created: false });
    await second.close();
  });
});

const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

const tokenRequest = async (issuer: string, form: Record<string, string>): Promise<Record<string, string>> => {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(CLIENTS.web.client_id, CLIENTS.web.client_secret) },
    body: new URLSearchParams(form).toString(),
  });
  const body = (await res.json()) as Record<string, string>;
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
};

describe('secrets at rest in the SQLite file (DESIGN.md: codes, refresh tokens, cookies and client secrets only as SHA-256)', () => {
  let op: TestProvider;
  /** Plaintext bearer secrets seen on the wire during a real sign-in and token exchange. */
  const secrets: Record<string, string> = {};

  before(async () => {
    op = await startProvider();
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${op.issuer}/authorize`);
    url.search = new URLSearchParams({
      client_id: CLIENTS.web.client_id,
      redirect_uri: CLIENTS.web.redirect_uri,
      response_type: 'code',
      scope: 'openid profile email offline_access',
      state: 'state-at-rest',
      nonce: 'nonce-at-rest',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const browser = new TestBrowser(op.issuer);
    // Capture the interaction binding cookie too: it is a bearer secret while the sign-in lasts.
    const first = await browser.request(url.toString());
    const binding = [...browser.cookies].find(([k]) => k === 'signoff-ia');
    assert.ok(binding, 'the interaction cookie is set');
    secrets.interactionCookie = binding[1];
    const hop = await browser.signIn(url.toString(), { ...USERS.alice, remember: true });
    assert.equal(hop.status, 303, hop.body.slice(0, 300));
    assert.ok(first.location);
    const code = new URL(hop.location ?? '').searchParams.get('code');
    assert.ok(code);
    secrets.code = code;
    const cookie = browser.cookies.get('signoff');
    assert.ok(cookie);
    secrets.browserCookie = cookie;
    secrets.browserCookieSecret = cookie.split('.')[1] ?? '';
    const tokens = await tokenRequest(op.issuer, { grant_type: 'authorization_code', code, redirect_uri: CLIENTS.web.redirect_uri, code_verifier: verifier });
    assert.ok(tokens.refresh_token);
    secrets.refreshToken = tokens.refresh_token;
    secrets.accessToken = tokens.access_token ?? '';
    const refreshed = await tokenRequest(op.issuer, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.ok(refreshed.refresh_token);
    secrets.rotatedRefreshToken = refreshed.refresh_token;
    secrets.clientSecret = CLIENTS.web.client_secret;
    secrets.postClientSecret = CLIENTS.post.client_secret;
    secrets.password = USERS.alice.password;
    secrets.codeVerifier = verifier;
  });
  after(() => op?.close());

  /** Every text or blob value of every column of every table. */
  const allValues = (): { where: string; value: string }[] => {
    const db = new Database(join(op.dir, 'signoff.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const out: { where: string; value: string }[] = [];
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
          for (const [column, v] of Object.entries(row)) {
            if (typeof v === 'string') out.push({ where: `${name}.${column}`, value: v });
            else if (Buffer.isBuffer(v)) out.push({ where: `${name}.${column}`, value: v.toString('latin1') });
          }
        }
      }
      return out;
    } finally {
      db.close();
    }
  };

  it('the scan sees the stored data (its hashes are there), so an empty result means something', () => {
    const values = allValues();
    assert.ok(values.some((v) => v.value === sha256(secrets.code ?? '')), 'the code is stored as its SHA-256');
    assert.ok(values.some((v) => v.value === sha256(secrets.rotatedRefreshToken ?? '')), 'the refresh token is stored as its SHA-256');
    assert.ok(values.some((v) => v.value === sha256(secrets.browserCookieSecret ?? '')), 'the cookie secret is stored as its SHA-256');
  });

  it('no column holds a plaintext code, refresh token, cookie value or secret, client secret, password or verifier', () => {
    const values = allValues();
    for (const [what, secret] of Object.entries(secrets)) {
      assert.ok(secret.length >= 12, `${what} was captured`);
      const hit = values.find((v) => v.value.includes(secret));
      assert.equal(hit, undefined, `plaintext ${what} found in ${hit?.where}`);
    }
  });
});
