/**
 * The housekeeping timer of a running provider (issue 10 §9): `signoff start` sweeps expired
 * sessions every `session.sweepInterval` on its own, ending them through the one ending path
 * (reason `expired_idle`, actor `system`, DESIGN.md "One way to end a session"). Other tests call
 * the sweep as a function; this one only waits — no request reaches the provider after the
 * sign-in, so nothing but the timer can end the session.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { SqliteStore } from '../src/store/sqlite/store.js';
import { USERS, defaultClients, freePort } from './helpers/provider.js';
import { WEB, signInFresh } from './helpers/session-flows.js';
import { type RunningSignoff, startSignoff } from './helpers/signoff-process.js';

describe('signoff start runs the housekeeping timer (session.sweepInterval; issue 10 §9)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-housekeeping-'));
  const storePath = join(dir, 'signoff.sqlite');
  let server: RunningSignoff;
  let issuer: string;

  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const cfg = join(dir, 'signoff.json');
    writeFileSync(cfg, JSON.stringify({
      issuer, port, store: { sqlite: storePath }, logging: { level: 'silent' }, clients: defaultClients(), users: [USERS.alice],
      session: { idleTimeout: '2s', absoluteLifetime: '1h', sweepInterval: '1s' },
    }));
    server = await startSignoff(cfg, port, dir);
  });
  after(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('an idle session ends by itself with reason expired_idle, actor system, and a session.ended event', async () => {
    await signInFresh(issuer, WEB, USERS.alice);
    const store = new SqliteStore(storePath); // the provider's own file, read alongside it
    try {
      // Ended ones too: on a loaded machine the timer may already have ended it.
      const [session] = await store.listSessions({ includeEnded: true, limit: 10 });
      assert.ok(session, 'the sign-in made a session');
      // Only waiting from here on: the session is idle after 2 s and the sweep runs every second.
      let ended = session;
      for (let i = 0; i < 150 && ended.endedAt === undefined; i++) {
        await sleep(200);
        ended = (await store.sessionById(session.id)) ?? ended;
      }
      assert.notEqual(ended.endedAt, undefined, 'the session was ended without any request (30 s waited)');
      assert.equal(ended.endReason, 'expired_idle');
      assert.equal(ended.endedBy, 'system');
      const events = await store.listEvents({ sessionId: session.id, limit: 10 });
      assert.deepEqual(events.filter((e) => e.type === 'session.ended').map((e) => [e.reason, e.actor]), [['expired_idle', 'system']]);
    } finally {
      await store.close();
    }
  });
});
