/**
 * Issue 16 §3, durability: SETs are written to the outbox with the change that causes them, so
 * they survive the provider's death. A real `signoff start` process with a push stream whose
 * receiver is down is SIGKILLed with SETs pending; once the receiver and a provider are back,
 * every SET is delivered (RFC 8935), none lost; a poll receiver acknowledging in small batches
 * (RFC 8936 §2.4) gets every event once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SSF_EVENT_URIS } from '../src/signals/events.js';
import { POLL, PUSH } from '../src/signals/store.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import { TestBrowser } from './helpers/browser.js';
import { CLIENTS, USERS, defaultClients, freePort } from './helpers/provider.js';
import { type Receiver, eventually, startReceiver } from './helpers/receiver.js';
import { SsfReceiver } from './helpers/ssf-receiver.js';
import { signoff, startSignoff } from './helpers/signoff-process.js';

const RECEIVER = { client_id: 'caep-receiver', client_secret: 'caep-receiver-secret-0123456789-01234' } as const;
const dir = mkdtempSync(join(tmpdir(), 'signoff-ssf-durability-'));
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

const authorizeUrl = (base: string): string =>
  `${base}/authorize?${new URLSearchParams({ client_id: CLIENTS.web.client_id, redirect_uri: CLIENTS.web.redirect_uri, response_type: 'code', scope: 'openid', state: 's' })}`;

describe('issue 16 §3: SETs survive the provider (RFC 8935 push, RFC 8936 poll)', () => {
  it('killed with SIGKILL while SETs are pending and the receiver down, then both back: every SET is delivered, none lost; the poll stream, acknowledged two at a time, has every event once', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const storePath = join(dir, 'ssf.sqlite');
    const config = join(dir, 'ssf.json');
    const clients = [...defaultClients(), { ...RECEIVER, grant_types: ['client_credentials'], scope: 'ssf.manage ssf.read' }];
    writeFileSync(config, JSON.stringify({ issuer: base, store: { sqlite: storePath }, clients, users: [USERS.alice], logging: { level: 'warn' }, backchannel: { attemptTimeout: '1s' } }));
    const store = new SqliteStore(storePath);
    cleanups.push(() => store.close());
    const op = await startSignoff(config, port, dir);

    const rxPort = await freePort();
    const ssf = await new SsfReceiver(base, RECEIVER).discover();
    const alice = (await store.accountByUsername(USERS.alice.username))?.id as string;
    const push = await ssf.createStream({ method: PUSH, endpoint_url: `http://127.0.0.1:${rxPort}/events` }, [SSF_EVENT_URIS['session-revoked']]);
    const poll = await ssf.createStream({ method: POLL }, [SSF_EVENT_URIS['session-revoked']]);
    for (const s of [push, poll]) await ssf.addSubject(s.stream_id, { format: 'iss_sub', iss: base, sub: alice });
    for (let i = 0; i < 5; i++) {
      const hop = await new TestBrowser(base).signIn(authorizeUrl(base), USERS.alice);
      assert.ok(hop.location?.startsWith(CLIENTS.web.redirect_uri));
    }
    // Another process (the CLI) ends the sessions: the SETs are rows of the store, not of a process.
    const ended = await signoff(['sessions', 'end', '--user', 'alice', '--config', config], dir);
    assert.equal(ended.code, 0, ended.stderr);
    const pushRows = async () => (await store.listDeliveries({ limit: 100 })).filter((d) => d.kind === 'ssf_push');
    await eventually(async () => ((await pushRows()).filter((d) => d.status === 'pending' && d.lastError !== undefined).length === 5 ? true : undefined), 'five failed first attempts', 10_000);
    op.child.kill('SIGKILL');
    await op.exited;
    const owed = await pushRows();
    assert.equal(owed.length, 5);

    const rx: Receiver = await startReceiver(() => 202, rxPort);
    cleanups.push(rx.close);
    const again = await startSignoff(config, port, dir);
    cleanups.push(async () => {
      again.child.kill('SIGTERM');
      await again.exited;
    });
    const received = await rx.waitFor(5, 20_000);
    const jtis = new Set<string>();
    for (const r of received) jtis.add((await ssf.verify(r.body, RECEIVER.client_id)).jti);
    assert.deepEqual(jtis, new Set(owed.map((d) => d.id)), 'every pending SET, by its jti');
    await eventually(async () => ((await pushRows()).every((d) => d.status === 'delivered') ? true : undefined), 'all recorded as delivered', 10_000);

    // The poll stream kept its five events through the crash; two per poll, each acknowledged in the next.
    const polled = await ssf.pollUntil(poll.delivery.endpoint_url, RECEIVER.client_id, 5, 5000, 2);
    assert.equal(new Set(polled.map((s) => s.jti)).size, 5);
    assert.equal(ssf.duplicates, 0);
  });
});
