/**
 * Durable delivery across real processes (DESIGN.md "Back-channel delivery"; issue 5): the
 * provider runs as `node bin/signoff.js start --config FILE`, the CLI ends sessions from another
 * process, the application's endpoint is a node:http server on 127.0.0.1, the store one SQLite file.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { systemClock } from '../src/clock.js';
import { endSessions } from '../src/sessions/end.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import type { LogoutDelivery } from '../src/logout/back-channel/outbox.js';
import { TestBrowser } from './helpers/browser.js';
import { CLIENTS, USERS, defaultClients, freePort } from './helpers/provider.js';
import { type Received, type Receiver, eventually, startReceiver } from './helpers/receiver.js';
import { signoff, startSignoff } from './helpers/signoff-process.js';
import { sampleSession } from './helpers/store-contract/samples.js';

const dir = mkdtempSync(join(tmpdir(), 'signoff-bcl-processes-'));
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

interface Setup {
  base: string;
  port: number;
  config: string;
  store: SqliteStore;
}

/** A configuration file and store of its own; `uris` gives clients their backchannel_logout_uri. */
const setUp = async (name: string, uris: Partial<Record<keyof typeof CLIENTS, string>>, extra: Record<string, unknown> = {}): Promise<Setup> => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const storePath = join(dir, `${name}.sqlite`);
  const config = join(dir, `${name}.json`);
  const clients = defaultClients().map((c) => {
    const uri = uris[c.client_id as keyof typeof CLIENTS];
    return uri ? { ...c, backchannel_logout_uri: uri } : c;
  });
  writeFileSync(config, JSON.stringify({ issuer: base, store: { sqlite: storePath }, clients, users: [USERS.alice], logging: { level: 'warn' }, ...extra }));
  const store = new SqliteStore(storePath); // the test reads and writes the provider's store alongside it
  cleanups.push(() => store.close());
  return { base, port, config, store };
};

const receiver = async (...args: Parameters<typeof startReceiver>): Promise<Receiver> => {
  const r = await startReceiver(...args);
  cleanups.push(r.close);
  return r;
};

const authorizeUrl = (base: string): string =>
  `${base}/authorize?${new URLSearchParams({ client_id: CLIENTS.web.client_id, redirect_uri: CLIENTS.web.redirect_uri, response_type: 'code', scope: 'openid', state: 's' })}`;

/** Signs alice in to `web` through a fresh browser against the running provider. */
const signInAlice = async (base: string): Promise<void> => {
  const hop = await new TestBrowser(base).signIn(authorizeUrl(base), USERS.alice);
  assert.ok(hop.location?.startsWith(CLIENTS.web.redirect_uri), `sign-in did not reach the client: ${hop.status} ${hop.body.slice(0, 200)}`);
};

const rows = (s: Setup): Promise<LogoutDelivery[]> => s.store.listDeliveries({ limit: 1000 });
const sidOf = (r: Received): string => JSON.parse(Buffer.from(r.logoutToken.split('.')[1] ?? '', 'base64url').toString()).sid as string;

describe('DESIGN.md "Back-channel delivery": rows survive a crash', () => {
  it('the provider killed with SIGKILL while deliveries are pending and the application down, then both back: every notification is delivered', async () => {
    const rxPort = await freePort();
    const s = await setUp('sigkill', { web: `http://127.0.0.1:${rxPort}/backchannel-logout` }, { backchannel: { attemptTimeout: '1s' } });
    const op = await startSignoff(s.config, s.port, dir);
    for (let i = 0; i < 3; i++) await signInAlice(s.base);
    const ended = await signoff(['sessions', 'end', '--user', 'alice', '--config', s.config], dir);
    assert.equal(ended.code, 0, ended.stderr);
    // The running provider finds the CLI's rows by polling and fails against the closed port. A
    // row it holds when killed waits for its lease to lapse (attempt timeout + 5 s), then goes too.
    await eventually(async () => ((await rows(s)).filter((d) => d.status === 'pending' && d.lastError !== undefined).length === 3 ? true : undefined), 'three failed first attempts');
    op.child.kill('SIGKILL');
    await op.exited;
    const owed = await rows(s);
    assert.deepEqual(owed.map((d) => d.status), ['pending', 'pending', 'pending']);
    assert.match(owed[0]?.lastError ?? '', /ECONNREFUSED/);
    const rx = await receiver(() => 204, rxPort);
    const again = await startSignoff(s.config, s.port, dir);
    const received = await rx.waitFor(3, 15_000);
    assert.deepEqual(new Set(received.map(sidOf)), new Set(owed.map((d) => d.sid)));
    await eventually(async () => ((await rows(s)).every((d) => d.status === 'delivered') ? true : undefined), 'all recorded as delivered');
    again.child.kill('SIGTERM');
    await again.exited;
  });
});

describe('DESIGN.md "Back-channel delivery": several providers drain one store', () => {
  it('two worker processes on one store never send the same attempt twice or concurrently', async () => {
    const seen = new Map<string, number>();
    // Each sid: 503 the first time (so the retry may go to either process), 204 after 30 ms the second.
    const script = await receiver((n, _req, res) => {
      const r = script.received[n - 1] as Received;
      const count = (seen.get(sidOf(r)) ?? 0) + 1;
      seen.set(sidOf(r), count);
      if (count === 1) return 503;
      setTimeout(() => res.writeHead(204).end(), 30);
      return 'custom';
    });
    const s = await setUp('two-workers', { web: script.url }, { backchannel: { concurrency: 4 } });
    const a = await startSignoff(s.config, s.port, dir);
    const b = await startSignoff(s.config, await freePort(), dir);
    const alice = await s.store.accountByUsername('alice');
    assert.ok(alice);
    for (let i = 0; i < 20; i++) {
      const browserId = randomUUID();
      await s.store.insertBrowser({ id: browserId, secretHash: randomUUID(), createdAt: 1 });
      const session = sampleSession(browserId, alice.id, { createdAt: Math.floor(Date.now() / 1000), idleExpiresAt: 2e9, absoluteExpiresAt: 2e9 });
      await s.store.insertSession(session);
      await s.store.upsertParticipant({ sessionId: session.id, clientId: 'web', sid: randomUUID(), firstAuthAt: 1, lastAuthAt: 1, lastSeenAt: 1 });
    }
    await endSessions({ sessions: s.store, clock: systemClock }, { accountId: alice.id }, 'admin', 'admin:test');
    const received = await script.waitFor(40, 15_000);
    await eventually(async () => ((await rows(s)).every((d) => d.status === 'delivered') ? true : undefined), 'all delivered');
    await new Promise((r) => setTimeout(r, 300)); // room for any duplicate to show up
    assert.equal(script.received.length, 40, 'exactly one 503 and one 204 per notification');
    const bySid = new Map<string, Received[]>();
    for (const r of received) bySid.set(sidOf(r), [...(bySid.get(sidOf(r)) ?? []), r]);
    assert.equal(bySid.size, 20);
    for (const [sid, attempts] of bySid) {
      assert.equal(attempts.length, 2, sid);
      const [first, second] = attempts as [Received, Received];
      assert.ok(first.endedAt !== undefined && second.at >= first.endedAt, `attempts for ${sid} overlapped`);
    }
    assert.deepEqual(new Set((await rows(s)).map((d) => d.attempts)), new Set([2]));
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);
  });
});

describe('Every ending reason delivers (issue 5): `signoff users disable`, and failed deliveries are listed and retried', () => {
  it('users disable notifies every application; a 400 is listed by `deliveries list --status failed`, counted, and `deliveries retry` sends it again', async () => {
    const ok = await receiver(() => 204);
    const refusing = await receiver(() => 400);
    const s = await setUp('disable', { web: ok.url, spa: refusing.url });
    const op = await startSignoff(s.config, s.port, dir);
    await signInAlice(s.base);
    const [session] = await s.store.listSessions({ limit: 1 });
    assert.ok(session);
    await s.store.upsertParticipant({ sessionId: session.id, clientId: 'spa', sid: randomUUID(), firstAuthAt: 1, lastAuthAt: 1, lastSeenAt: 1 });
    const disabled = await signoff(['users', 'disable', 'alice', '--config', s.config], dir);
    assert.equal(disabled.code, 0, disabled.stderr);
    await ok.waitFor(1, 5000);
    await refusing.waitFor(1, 5000);
    await eventually(async () => ((await s.store.listDeliveries({ status: 'failed', limit: 10 })).length ? true : undefined), 'the failed row');
    const listed = await signoff(['deliveries', 'list', '--status', 'failed', '--json', '--config', s.config], dir);
    const failed = JSON.parse(listed.stdout) as LogoutDelivery[];
    assert.equal(failed.length, 1);
    assert.deepEqual([failed[0]?.clientId, failed[0]?.reason, failed[0]?.lastError], ['spa', 'account_disabled', 'HTTP 400']);
    const table = await signoff(['deliveries', 'list', '--config', s.config], dir);
    assert.match(table.stdout, /web\s+delivered\s+account_disabled/);
    assert.match(table.stdout, /spa\s+failed\s+account_disabled.*HTTP 400/);
    assert.match(await (await fetch(`${op.management}/metrics`)).text(), /^signoff_backchannel_failed 1$/m);
    const retried = await signoff(['deliveries', 'retry', failed[0]?.id as string, '--config', s.config], dir);
    assert.equal(retried.code, 0, retried.stderr);
    await refusing.waitFor(2, 5000);
    const unknown = await signoff(['deliveries', 'retry', 'no-such-id', '--config', s.config], dir);
    assert.equal(unknown.code, 1, 'an unknown id is a runtime failure, not a usage error (issue 10 §8)');
    assert.match(unknown.stderr, /no pending or failed delivery "no-such-id"/);
    assert.equal((await signoff(['deliveries', 'list', '--status', 'lost', '--config', s.config], dir)).code, 2);
    op.child.kill('SIGTERM');
    await op.exited;
  });
});

describe('issue 10 §7: SIGTERM waits for back-channel attempts at most backchannel.shutdownGrace', () => {
  it('an attempt to a hanging application is cut off after the grace, its row released (due now, the attempt not counted) and logged; the next start delivers it', async () => {
    let hanging = true;
    const rx = await receiver(() => (hanging ? 'hang' : 204));
    // An attempt timeout far past any container's grace period: only the shutdown grace can end the wait.
    const s = await setUp('shutdown-grace', { web: rx.url }, { backchannel: { attemptTimeout: '60s', shutdownGrace: '1s' } });
    const op = await startSignoff(s.config, s.port, dir);
    await signInAlice(s.base);
    const ended = await signoff(['sessions', 'end', '--user', 'alice', '--config', s.config], dir);
    assert.equal(ended.code, 0, ended.stderr);
    await rx.waitFor(1, 10_000);
    const [held] = await rows(s);
    assert.deepEqual([held?.status, held?.attempts, typeof held?.leaseOwner], ['pending', 1, 'string'], 'the attempt is in flight, leased');
    op.child.kill('SIGTERM');
    // Not a speed limit: without the grace the provider waits for the 60 s attempt timeout.
    const exited = await Promise.race([op.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000).unref())]);
    assert.ok(exited, 'the provider exited before the attempt timeout');
    assert.equal(op.child.exitCode, 0, op.stderr());
    const exitedAt = Date.now() / 1000;
    assert.equal(rx.received[0]?.aborted, true, 'the provider hung up on the hanging application');
    const [released] = await rows(s);
    assert.deepEqual(
      [released?.status, released?.leaseOwner, released?.leaseUntil, released?.attempts, released?.lastError],
      ['pending', undefined, undefined, 0, undefined],
      'the lease is released and the cut-off attempt is neither counted nor held against the application',
    );
    assert.ok((released?.nextAttemptAt ?? Infinity) <= exitedAt, 'the row is due at once');
    const log = op.stdout().split('\n').filter((l) => l.includes('shutdown grace ran out')).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(log.map((l) => l.released), [1], `one log line naming how many were released:\n${op.stdout()}`);
    hanging = false;
    const again = await startSignoff(s.config, s.port, dir);
    await rx.waitFor(2, 10_000);
    const [delivered] = await eventually(async () => {
      const r = await rows(s);
      return r[0]?.status === 'delivered' ? r : undefined;
    }, 'the released row delivered by the next start');
    assert.equal(delivered?.attempts, 1);
    again.child.kill('SIGTERM');
    await again.exited;
  });
});

describe('issue 10 §7, §8: `signoff deliveries retry` takes several ids, or --all --client ID', () => {
  it('retries several ids at once (all or none: an unknown id exits 1 naming it and changes nothing), every pending or failed row of a client with --all --client, and refuses malformed requests with exit 2', async () => {
    const s = await setUp('retry-cli', { web: 'http://127.0.0.1:9/bcl', spa: 'http://127.0.0.1:9/bcl' });
    assert.equal((await signoff(['deliveries', 'list', '--config', s.config], dir)).code, 0); // seeds the configured users and clients
    const alice = await s.store.accountByUsername('alice');
    assert.ok(alice);
    for (let i = 0; i < 3; i++) {
      const browserId = randomUUID();
      await s.store.insertBrowser({ id: browserId, secretHash: randomUUID(), createdAt: 1 });
      const session = sampleSession(browserId, alice.id, { createdAt: Math.floor(Date.now() / 1000), idleExpiresAt: 2e9, absoluteExpiresAt: 2e9 });
      await s.store.insertSession(session);
      for (const clientId of ['web', 'spa']) await s.store.upsertParticipant({ sessionId: session.id, clientId, sid: randomUUID(), firstAuthAt: 1, lastAuthAt: 1, lastSeenAt: 1 });
    }
    await endSessions({ sessions: s.store, clock: systemClock }, { accountId: alice.id }, 'admin', 'admin:test');
    // As a worker would leave them: one of each client failed, the rest waiting an hour for a retry.
    const now = Date.now() / 1000;
    const claimed = await s.store.claimDeliveries({ owner: 'w', now, leaseSeconds: 30, limit: 10 });
    assert.equal(claimed.length, 6);
    const [web1, web2, web3] = claimed.filter((d) => d.clientId === 'web').map((d) => d.id) as [string, string, string];
    const [spa1, spa2, spa3] = claimed.filter((d) => d.clientId === 'spa').map((d) => d.id) as [string, string, string];
    await s.store.markDeliveryFailed(web1, 'w', Math.floor(now), 'HTTP 400');
    await s.store.markDeliveryFailed(spa1, 'w', Math.floor(now), 'HTTP 400');
    for (const id of [web2, web3, spa2, spa3]) await s.store.rescheduleDelivery(id, 'w', now + 3600, 'HTTP 503');
    const byId = async () => new Map((await rows(s)).map((d) => [d.id, d]));
    const isDueNow = (d: LogoutDelivery | undefined, at: number) => d?.status === 'pending' && d.attempts === 0 && d.nextAttemptAt >= at - 1 && d.nextAttemptAt <= Date.now() / 1000;

    const before = Date.now() / 1000;
    const two = await signoff(['deliveries', 'retry', web1, web2, '--config', s.config], dir);
    assert.equal(two.code, 0, two.stderr);
    let r = await byId();
    assert.ok(isDueNow(r.get(web1), before) && isDueNow(r.get(web2), before), 'both named rows are due now, attempts restarted');
    assert.equal(r.get(web3)?.nextAttemptAt, now + 3600, 'a row not named is untouched');

    const mixed = await signoff(['deliveries', 'retry', spa1, 'no-such-id', '--config', s.config], dir);
    assert.equal(mixed.code, 1, 'an unknown id is a runtime failure (exit 1), not a usage error');
    assert.match(mixed.stderr, /no pending or failed delivery "no-such-id"; nothing was retried/);
    assert.equal((await byId()).get(spa1)?.status, 'failed', 'all or none: the known id was not retried either');

    const allSpa = await signoff(['deliveries', 'retry', '--all', '--client', 'spa', '--config', s.config], dir);
    assert.equal(allSpa.code, 0, allSpa.stderr);
    assert.match(allSpa.stdout, /3 deliveries of client spa due now/);
    r = await byId();
    for (const id of [spa1, spa2, spa3]) assert.ok(isDueNow(r.get(id), before), `spa row ${id} is due now`);
    assert.equal(r.get(web3)?.nextAttemptAt, now + 3600, "another client's rows are untouched");

    const nobody = await signoff(['deliveries', 'retry', '--all', '--client', 'nobody', '--config', s.config], dir);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no client "nobody"/);
    for (const args of [['retry'], ['retry', '--all'], ['retry', '--client', 'spa'], ['retry', web1, '--all', '--client', 'spa']]) {
      const bad = await signoff(['deliveries', ...args, '--config', s.config], dir);
      assert.equal(bad.code, 2, `deliveries ${args.join(' ')} is a usage error`);
    }
  });
});
