/**
 * The tests of several provider instances on one store behind a round-robin proxy, run by
 * test/instances.test.ts (SQLite) and test/instances-postgres.test.ts (issue 11 §3; DESIGN.md
 * "Storage": "a request may land on any instance"). Each cluster is two `signoff start` processes
 * with one configuration — one issuer, the proxy's URL — and one store; every request through the
 * proxy goes to the next instance, and the proxy records which one served it.
 *
 * Every test runs on both backends: one SQLite file (WAL) shared by the processes, and one
 * PostgreSQL database of its own (`instanceStore` is the only place that tells them apart).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type JSONWebKeySet, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { TestBrowser } from './browser.js';
import { freshDatabase, usePostgres } from './postgres.js';
import { CLIENTS, USERS, defaultClients } from './provider.js';
import { type Received, type Receiver, eventually, startReceiver } from './receiver.js';
import { type RoundRobin, type Routed, startRoundRobin } from './round-robin.js';
import {
  EXTRA,
  PKCE_S256,
  PKCE_VERIFIER,
  type Tokens,
  WEB,
  authorizeUrl,
  clientsWith,
  codeOf,
  exchange,
  extraClient,
  introspect,
  post,
  refresh,
  silent,
  userinfo,
} from './session-flows.js';

const OPAQUE = EXTRA.opaque;
import { type RunningSignoff, runSignoff, startSignoff } from './signoff-process.js';

const dir = mkdtempSync(join(tmpdir(), 'signoff-instances-'));
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

type Backend = 'sqlite' | 'postgres';
const postgres = usePostgres();

/** The store configuration every instance of the cluster `name` shares: a fresh, empty store. */
const instanceStore = async (backend: Backend, name: string): Promise<Record<string, unknown>> => {
  if (backend === 'sqlite') return { sqlite: join(dir, `${name}.sqlite`) };
  const db = await freshDatabase(await postgres());
  cleanups.push(() => db.drop());
  return { postgres: db.url, poolSize: 4 };
};

interface Cluster {
  issuer: string;
  proxy: RoundRobin;
  config: string;
  /** Base URL of each instance (not the issuer: for requests that must reach one instance). */
  bases: string[];
  instances: RunningSignoff[];
  /** SIGTERM to every instance, waiting until each has exited. */
  stop(): Promise<void>;
  /** Starts every instance again (all at once, each on a port of its own choosing). */
  restart(): Promise<void>;
}

/**
 * Two instances of one configuration on one fresh store behind a round-robin proxy. `together`
 * starts them at the same moment (an empty store met by both at once); otherwise one after the other.
 */
const startCluster = async (
  name: string,
  opts: { backend: Backend; clients?: Record<string, unknown>[]; extra?: Record<string, unknown>; together?: boolean },
): Promise<Cluster> => {
  // Every listener takes a port of its own choosing (0): a port picked beforehand and bound later
  // can be taken meanwhile by another test file's process (EADDRINUSE). The proxy comes first, as
  // its URL is the issuer; the instances' bases are filled in once each listens.
  const bases: string[] = [];
  const proxy = await startRoundRobin(0, bases);
  // Closed even when an instance fails to start: an open listener would keep the test file's process alive.
  cleanups.push(() => proxy.close());
  const issuer = proxy.url;
  const config = join(dir, `${name}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      issuer,
      store: await instanceStore(opts.backend, name),
      clients: opts.clients ?? defaultClients(),
      users: [USERS.alice, USERS.bob],
      logging: { level: 'warn' },
      ...opts.extra,
    }),
  );
  const startAll = async (together: boolean): Promise<RunningSignoff[]> => {
    const started: RunningSignoff[] = [];
    if (together) started.push(...(await Promise.all([0, 1].map(() => startSignoff(config, 0, dir)))));
    else for (let i = 0; i < 2; i++) started.push(await startSignoff(config, 0, dir));
    bases.splice(0, bases.length, ...started.map((s) => s.base));
    return started;
  };
  const cluster: Cluster = {
    issuer,
    proxy,
    config,
    bases,
    instances: await startAll(opts.together ?? false),
    stop: async () => {
      for (const i of cluster.instances) i.child.kill('SIGTERM');
      await Promise.all(cluster.instances.map((i) => i.exited));
    },
    restart: async () => {
      cluster.instances = await startAll(true);
    },
  };
  cleanups.push(() => cluster.stop());
  return cluster;
};

/** Sends harmless requests until the proxy's next request goes to instance `i` (at most one round). */
const aim = async (c: Cluster, i: number): Promise<void> => {
  for (let n = 0; n < c.bases.length && c.proxy.next !== i; n++) await (await fetch(`${c.issuer}/.well-known/openid-configuration`)).arrayBuffer();
  assert.equal(c.proxy.next, i, 'the proxy takes the instances in turn');
};

/** The latest request the proxy routed that matches. */
const lastRouted = (c: Cluster, match: (r: Routed) => boolean): Routed => {
  const r = [...c.proxy.log].reverse().find(match);
  assert.ok(r, 'no such request went through the proxy');
  return r;
};

/** The instance whose redirect carried `code` to the client. */
const issuerOfCode = (c: Cluster, code: string): number => lastRouted(c, (r) => r.location?.includes(`code=${encodeURIComponent(code)}`) === true).target;

/** The JWKS one instance serves (its own answer, not the proxy's choice). */
const jwksOf = async (c: Cluster, i: number): Promise<JSONWebKeySet> => {
  const res = await fetch(`${c.bases[i]}/.well-known/openid-configuration`);
  const jwksUri = new URL(((await res.json()) as { jwks_uri: string }).jwks_uri);
  assert.equal(jwksUri.origin, c.issuer, 'every instance names the one issuer');
  return (await (await fetch(`${c.bases[i]}${jwksUri.pathname}`)).json()) as JSONWebKeySet;
};

/** Signs alice in on a fresh browser through the proxy; returns the browser and the code. */
const signIn = async (c: Cluster, client = WEB): Promise<{ browser: TestBrowser; code: string }> => {
  const browser = new TestBrowser(c.issuer);
  const hop = await browser.signIn(authorizeUrl(c.issuer, client), USERS.alice);
  return { browser, code: codeOf(hop, client) };
};

/** Every audit event in the cluster's store, read by `signoff events tail --json` (any store). */
const events = async (c: Cluster): Promise<{ type: string; sessionId?: string; reason?: string }[]> => {
  const r = await runSignoff(['events', 'tail', '-n', '100000', '--json', '--config', c.config], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; sessionId?: string; reason?: string });
};

/** Fails if any instance of the cluster logged an error (pino level 50 and up): a busy store, a lost race. */
const assertNoErrorsLogged = (c: Cluster): void => {
  const errors = c.instances.flatMap((i) => i.stdout().split('\n').filter((l) => /"level":[5-9]\d/.test(l)));
  assert.deepEqual(errors, [], 'no instance logged an error');
};

const verifiesWith = async (token: string, jwks: JSONWebKeySet, issuer: string, audience: string): Promise<void> => {
  await jwtVerify(token, createLocalJWKSet(jwks), { issuer, audience });
};

/** The cluster tests on one backend: two instances on one fresh store each, behind the proxy. */
export const clusterSuite = (backend: Backend): void => {
  describe(`issue 11 §3: two instances on one ${backend} store behind a round-robin proxy`, () => {
    it('SSO across instances: after one sign-in, prompt=none requests on either instance each return a code (OIDC Core §3.1.2.1, DESIGN.md "Storage")', async () => {
      const c = await startCluster(`${backend}-sso`, { backend });
      const { browser } = await signIn(c);
      const served = new Set<number>();
      for (let i = 0; i < 4; i++) {
        const { code, error } = await silent(browser, c.issuer, WEB);
        assert.equal(error, null, `prompt=none #${i} on instance ${c.proxy.log.at(-1)?.target}`);
        assert.ok(code);
        served.add(lastRouted(c, (r) => r.path.startsWith('/authorize')).target);
      }
      assert.deepEqual([...served].sort(), [0, 1], 'the silent requests landed on both instances');
    });

    it('a code issued by one instance is redeemed at the other, and the refresh token is rotated on the other again (RFC 6749 §4.1.3, §6); an opaque access token sealed by one instance opens at the other and its revocation holds for both (issue 18)', async () => {
      const c = await startCluster(`${backend}-tokens`, { backend, clients: clientsWith(extraClient(OPAQUE, { access_token_format: 'opaque' })) });
      const { code, browser } = await signIn(c);
      const issuedBy = issuerOfCode(c, code);
      await aim(c, 1 - issuedBy);
      const tokens = await exchange(c.issuer, WEB, code);
      assert.equal(lastRouted(c, (r) => r.path === '/token').target, 1 - issuedBy, 'the code was exchanged at the other instance');
      assert.ok(tokens.refresh_token);
      await aim(c, issuedBy);
      const rotated = await refresh(c.issuer, WEB, tokens.refresh_token);
      assert.equal(lastRouted(c, (r) => r.path === '/token').target, issuedBy, 'the refresh ran on the instance that did not redeem the code');
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      assert.notEqual(rotated.body.refresh_token, tokens.refresh_token, 'rotated');
      // The replaced token is spent for every instance, not just the one that rotated it.
      await aim(c, 1 - issuedBy);
      const replay = await refresh(c.issuer, WEB, tokens.refresh_token);
      assert.equal(lastRouted(c, (r) => r.path === '/token').target, 1 - issuedBy);
      assert.equal(replay.body.error, 'invalid_grant');
      // A code is single use across instances too (RFC 6749 §4.1.2).
      await aim(c, issuedBy);
      const again = await (await fetch(`${c.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${WEB.client_id}:${WEB.client_secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: WEB.redirect_uri }).toString(),
      })).json() as { error?: string };
      assert.equal(again.error, 'invalid_grant');

      // Opaque access tokens: sealed under a key each instance derives from the shared KEK.
      const silentCode = await silent(browser, c.issuer, OPAQUE);
      assert.ok(silentCode.code, `SSO code for the opaque client: ${silentCode.error}`);
      const sealedBy = issuerOfCode(c, silentCode.code);
      await aim(c, sealedBy);
      const opaque = await exchange(c.issuer, OPAQUE, silentCode.code);
      assert.equal(opaque.access_token.split('.').length, 5, 'a compact JWE, not a JWT');
      const opener = lastRouted(c, (r) => r.path === '/token').target;
      for (const i of [0, 1]) {
        await aim(c, i);
        assert.equal((await introspect(c.issuer, OPAQUE, opaque.access_token)).active, true, `instance ${i} opens the token instance ${opener} sealed`);
        await aim(c, i);
        assert.equal((await userinfo(c.issuer, opaque.access_token)).status, 200, `instance ${i} serves userinfo for it`);
      }
      await aim(c, opener);
      assert.equal((await post(`${c.issuer}/revoke`, { token: opaque.access_token }, OPAQUE)).status, 200);
      await aim(c, 1 - opener);
      assert.equal((await introspect(c.issuer, OPAQUE, opaque.access_token)).active, false, 'revoked at one instance, inactive at the other');
    });

    it('ID tokens signed by either instance verify with the JWKS served by either instance (OIDC Core §10.1, RFC 7517)', async () => {
      const c = await startCluster(`${backend}-jwks`, { backend });
      const tokensBy: Tokens[] = [];
      for (const target of [0, 1]) {
        const { browser } = await signIn(c);
        const { code } = await silent(browser, c.issuer, WEB);
        assert.ok(code);
        await aim(c, target);
        tokensBy[target] = await exchange(c.issuer, WEB, code);
        assert.equal(lastRouted(c, (r) => r.path === '/token').target, target);
      }
      const jwks = [await jwksOf(c, 0), await jwksOf(c, 1)];
      for (const signer of [0, 1]) {
        for (const verifier of [0, 1]) {
          await verifiesWith((tokensBy[signer] as Tokens).id_token, jwks[verifier] as JSONWebKeySet, c.issuer, WEB.client_id).catch((err: unknown) => {
            assert.fail(`an ID token signed by instance ${signer} does not verify with the JWKS of instance ${verifier}: ${String(err)}`);
          });
        }
      }
    });

    it('issue 11 §2 "Signing keys are shared": two instances started at the same moment on one empty store end with one key per algorithm, served by both', async () => {
      const c = await startCluster(`${backend}-empty-store`, { backend, together: true });
      const [a, b] = [await jwksOf(c, 0), await jwksOf(c, 1)];
      assert.deepEqual(a, b, 'both instances serve the same JWKS');
      assert.deepEqual(a.keys.map((k) => k.alg).sort(), ['ES256', 'RS256'], `one key per algorithm, got ${a.keys.map((k) => `${k.alg} ${k.kid}`).join(', ')}`);
      // And each instance signs with it, from its first token on.
      const kids = new Set<string>();
      for (const target of [0, 1]) {
        const { browser } = await signIn(c);
        const { code } = await silent(browser, c.issuer, WEB);
        assert.ok(code);
        await aim(c, target);
        kids.add(decodeProtectedHeader((await exchange(c.issuer, WEB, code)).id_token).kid as string);
      }
      assert.deepEqual([...kids], a.keys.filter((k) => k.alg === 'RS256').map((k) => k.kid));
    });

    it('issue 11 §2: three instances started at the same moment on an empty store all start — each migration applied once, each configured user created once', async () => {
      // The window is a few milliseconds wide (a migration, a password hash): several rounds to meet it.
      // PostgreSQL serialises the migrations with an advisory lock: fewer rounds meet that window.
      for (let round = 0; round < (backend === 'sqlite' ? 5 : 2); round++) {
        const config = join(dir, `together-${round}.json`);
        writeFileSync(config, JSON.stringify({ issuer: 'http://127.0.0.1:9', store: await instanceStore(backend, `${backend}-together-${round}`), users: [USERS.alice, USERS.bob], logging: { level: 'warn' } }));
        const started = await Promise.allSettled([0, 1, 2].map(() => startSignoff(config, 0, dir)));
        for (const s of started) if (s.status === 'fulfilled') s.value.child.kill('SIGTERM');
        await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.exited : undefined)));
        const failed = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
        assert.deepEqual(failed, [], `round ${round}: every instance starts`);
      }
    });

    it('an RP-initiated logout through either instance gives each participating application exactly one back-channel notification; logout tokens verify with either JWKS (Back-Channel Logout §2.4-2.6, RP-Initiated Logout §2)', async () => {
      const rx: Record<'web' | 'spa', Receiver> = { web: await startReceiver(), spa: await startReceiver() };
      cleanups.push(async () => {
        await rx.web.close();
        await rx.spa.close();
      });
      const clients = defaultClients().map((m) => (m.client_id === 'web' || m.client_id === 'spa' ? { ...m, backchannel_logout_uri: rx[m.client_id].url } : m));
      const c = await startCluster(`${backend}-logout`, { backend, clients });
      const spa = CLIENTS.spa;
      const sessions = 4;
      const sids = { web: new Set<string>(), spa: new Set<string>() };
      for (let i = 0; i < sessions; i++) {
        const { browser, code } = await signIn(c);
        const web = await exchange(c.issuer, WEB, code);
        sids.web.add(decodeJwt(web.id_token).sid as string);
        // The second application joins the session silently, wherever that request lands.
        const joined = await silent(browser, c.issuer, spa, PKCE_S256);
        assert.ok(joined.code);
        const r = await fetch(`${c.issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', code: joined.code, redirect_uri: spa.redirect_uri, client_id: spa.client_id, code_verifier: PKCE_VERIFIER }),
        });
        const spaTokens = (await r.json()) as Tokens;
        assert.equal(r.status, 200, JSON.stringify(spaTokens));
        sids.spa.add(decodeJwt(spaTokens.id_token).sid as string);
        const out = await browser.request(`${c.issuer}/logout?${new URLSearchParams({ id_token_hint: web.id_token, post_logout_redirect_uri: 'http://127.0.0.1:5001/' })}`);
        assert.equal(out.location, 'http://127.0.0.1:5001/', `logout #${i} on instance ${c.proxy.log.at(-1)?.target}: ${out.status} ${out.body.slice(0, 200)}`);
      }
      const logouts = new Set(c.proxy.log.filter((r) => r.path.startsWith('/logout')).map((r) => r.target));
      assert.deepEqual([...logouts].sort(), [0, 1], 'logouts were served by both instances');
      await rx.web.waitFor(sessions, 5000);
      await rx.spa.waitFor(sessions, 5000);
      // Room for a duplicate: longer than backchannel.pollInterval (1 s), so both workers looked again.
      await new Promise((r) => setTimeout(r, 2500));
      const jwks = [await jwksOf(c, 0), await jwksOf(c, 1)];
      for (const app of ['web', 'spa'] as const) {
        const got = rx[app].received.map((r: Received) => decodeJwt(r.logoutToken).sid as string);
        assert.deepEqual(got.slice().sort(), [...sids[app]].sort(), `${app}: exactly one notification per session`);
        for (const r of rx[app].received) {
          for (const j of jwks) await verifiesWith(r.logoutToken, j, c.issuer, app);
        }
      }
      assertNoErrorsLogged(c);
    });

    it('issue 11 §2 "Signing keys are shared": `signoff keys rotate` run beside the cluster is published by every instance within seconds, and tokens signed with the new key verify with either JWKS; a client `signoff clients remove` removes beside the cluster is refused by every instance from then on, though each held it in its copy (issue 18 P1, RFC 6749 §4.1.2.1)', async () => {
      const c = await startCluster(`${backend}-rotate`, { backend });
      const before = new Set((await jwksOf(c, 0)).keys.map((k) => k.kid));
      const rotated = await runSignoff(['keys', 'rotate', '--config', c.config], { cwd: dir });
      assert.equal(rotated.code, 0, rotated.stderr);
      for (const i of [0, 1]) {
        await eventually(async () => ((await jwksOf(c, i)).keys.filter((k) => !before.has(k.kid as string)).length === 2 ? true : undefined), `instance ${i} publishes the two new keys`, 5000);
      }
      assert.deepEqual(await jwksOf(c, 0), await jwksOf(c, 1), 'both instances serve the same JWKS');

      const app = { client_id: 'cli-app', redirect_uri: 'http://127.0.0.1:7002/cb' };
      const added = await runSignoff(['clients', 'add', app.client_id, '--public', '--redirect-uri', app.redirect_uri, '--config', c.config], { cwd: dir });
      assert.equal(added.code, 0, added.stderr);
      const ask = async (i: number): Promise<number> => {
        await aim(c, i);
        return (await fetch(authorizeUrl(c.issuer, app, PKCE_S256), { redirect: 'manual' })).status;
      };
      // Each instance reads the new client (a miss is never held) and keeps it: on to the sign-in.
      for (const i of [0, 1]) {
        await eventually(async () => ((await ask(i)) < 400 ? true : undefined), `instance ${i} knows the added client`, 5000);
        assert.ok((await ask(i)) < 400);
      }
      const removed = await runSignoff(['clients', 'remove', app.client_id, '--config', c.config], { cwd: dir });
      assert.equal(removed.code, 0, removed.stderr);
      for (const i of [0, 1]) {
        await eventually(async () => ((await ask(i)) === 400 ? true : undefined), `instance ${i} refuses the removed client`, 5000);
        for (let n = 0; n < 5; n++) assert.equal(await ask(i), 400, 'and never honours it again');
      }
    });

    if (backend === 'postgres') {
      it('issue 11 §2: an ending written elsewhere (the CLI) wakes the workers of every instance at once (LISTEN/NOTIFY): the notification leaves long before backchannel.pollInterval', async () => {
        const rx = await startReceiver();
        cleanups.push(() => rx.close());
        const clients = defaultClients().map((m) => (m.client_id === 'web' ? { ...m, backchannel_logout_uri: rx.url } : m));
        // A poll this slow would make the test time out: only the notification can wake the workers in time.
        const c = await startCluster(`${backend}-notify`, { backend, clients, extra: { backchannel: { pollInterval: '60s' } } });
        await signIn(c);
        const t0 = Date.now();
        const ended = await runSignoff(['sessions', 'end', '--user', 'alice', '--config', c.config], { cwd: dir });
        assert.equal(ended.code, 0, ended.stderr);
        await rx.waitFor(1, 10_000);
        assert.ok(Date.now() - t0 < 10_000);
      });
    }

    it('SIGKILL of one instance in the middle of a fan-out of 30 sessions × 3 applications, while the applications answer 503 at first, loses no notification (issue 11 §3, DESIGN.md "Back-channel delivery")', async () => {
      const apps = ['web', 'spa', 'post'] as const;
      type App = (typeof apps)[number];
      const sessions = 30;
      // Each (application, sid): 503 the first time, 204 from then on.
      const attempts = new Map<string, number>();
      const delivered: Record<App, Set<string>> = { web: new Set(), spa: new Set(), post: new Set() };
      const rx = {} as Record<App, Receiver>;
      for (const app of apps) {
        rx[app] = await startReceiver((n) => {
          const sid = decodeJwt((rx[app].received[n - 1] as Received).logoutToken).sid as string;
          const count = (attempts.get(`${app} ${sid}`) ?? 0) + 1;
          attempts.set(`${app} ${sid}`, count);
          if (count === 1) return 503;
          delivered[app].add(sid);
          return 204;
        });
      }
      cleanups.push(async () => {
        for (const app of apps) await rx[app].close();
      });
      const clients = defaultClients().map((m) => (apps.includes(m.client_id as App) ? { ...m, backchannel_logout_uri: rx[m.client_id as App].url } : m));
      // A killed instance's leases lapse after attemptTimeout + 5 s; a short attempt timeout keeps the test short.
      const c = await startCluster(`${backend}-sigkill`, { backend, clients, extra: { backchannel: { attemptTimeout: '1s' } } });
      for (let i = 0; i < sessions; i++) {
        const { browser } = await signIn(c);
        for (const app of [CLIENTS.spa, CLIENTS.post]) {
          const pkce: Record<string, string> = app === CLIENTS.spa ? { ...PKCE_S256 } : {};
          const joined = await silent(browser, c.issuer, app, pkce);
          assert.ok(joined.code, `session ${i}: ${app.client_id} joined`);
        }
      }
      const ended = await runSignoff(['sessions', 'end', '--user', 'alice', '--config', c.config], { cwd: dir });
      assert.equal(ended.code, 0, ended.stderr);
      const total = () => apps.reduce((n, app) => n + rx[app].received.length, 0);
      await eventually(async () => (total() >= 30 ? true : undefined), 'the fan-out under way', 10_000);
      const victim = c.instances[0] as RunningSignoff;
      victim.child.kill('SIGKILL');
      await victim.exited;
      const sentBeforeKill = total();
      assert.ok(sentBeforeKill < sessions * apps.length * 2, `the kill came in the middle of the fan-out (${sentBeforeKill} requests so far)`);
      await eventually(async () => (apps.every((app) => delivered[app].size === sessions) ? true : undefined), 'an acknowledged notification per session', 45_000).catch(
        (err: unknown) => assert.fail(`${String(err)}: ${apps.map((app) => `${app} ${delivered[app].size}/${sessions}`).join(', ')}`),
      );
      // The store agrees: nothing pending or failed once the survivor has recorded its answers.
      await eventually(async () => {
        const r = await runSignoff(['deliveries', 'list', '--json', '--limit', '1000', '--config', c.config], { cwd: dir });
        const rows = JSON.parse(r.stdout) as { status: string }[];
        if (rows.length === sessions * apps.length && rows.every((d) => d.status === 'delivered')) return true;
        await new Promise((res) => setTimeout(res, 300));
        return undefined;
      }, 'every outbox row recorded as delivered', 15_000);
    });

    it('a restart of every instance keeps every session: SSO on both instances after both were stopped and started again (DESIGN.md "Storage")', async () => {
      const c = await startCluster(`${backend}-restart`, { backend });
      const browsers = [(await signIn(c)).browser, (await signIn(c)).browser];
      await c.stop();
      await c.restart();
      for (const browser of browsers) {
        for (const target of [0, 1]) {
          await aim(c, target);
          const { code, error } = await silent(browser, c.issuer, WEB);
          assert.equal(lastRouted(c, (r) => r.path.startsWith('/authorize')).target, target);
          assert.equal(error, null, `the session survived the restart (instance ${target})`);
          await exchange(c.issuer, WEB, code as string);
        }
      }
      assertNoErrorsLogged(c);
    });

    it('two instances sweeping at once end each expired session once (issue 11 §2 "Housekeeping … safe with any number of instances")', async () => {
      const c = await startCluster(`${backend}-sweep`, { backend, extra: { session: { idleTimeout: '2s', sweepInterval: '1s' } } });
      const count = 4;
      for (let i = 0; i < count; i++) await signIn(c);
      const created = (await events(c)).filter((e) => e.type === 'session.created').map((e) => e.sessionId as string);
      assert.equal(new Set(created).size, count);
      await eventually(async () => {
        const ended = (await events(c)).filter((e) => e.type === 'session.ended');
        return new Set(ended.map((e) => e.sessionId)).size === count ? true : undefined;
      }, 'every session ended by a sweep', 8000);
      await new Promise((r) => setTimeout(r, 2500)); // a few more sweeps by each instance
      const ended = (await events(c)).filter((e) => e.type === 'session.ended');
      assert.deepEqual(ended.map((e) => e.sessionId).sort(), created.slice().sort(), 'one `session.ended` per session');
      assert.deepEqual(new Set(ended.map((e) => e.reason)), new Set(['expired_idle']));
      assertNoErrorsLogged(c);
    });
  });
};
