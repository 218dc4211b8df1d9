/**
 * Issue 15 §2 "Inbound" on the PostgreSQL store: the upstream selector (Back-Channel Logout §2.7)
 * is SQL of its own per store, so an upstream's logout token must end the session there too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FederationWorld, federationBrowser, signInThrough, startFederation } from './helpers/federation.js';
import { type TestDatabase, freshDatabase, usePostgres } from './helpers/postgres.js';
import { eventually, verifiedLogoutTokens } from './helpers/receiver.js';

const server = usePostgres();

describe('issue 15 §2 on PostgreSQL: an inbound back-channel logout ends the session', () => {
  let w: FederationWorld;
  let db: TestDatabase;
  before(async () => {
    db = await freshDatabase(await server());
    w = await startFederation({ store: { postgres: db.url, poolSize: 4 } });
  });
  after(async () => {
    await w?.close();
    await db?.drop();
  });

  it('Back-Channel Logout §2.7: oidc-provider ends its session → the PostgreSQL-stored downstream session ends with upstream_logout and web is notified', async () => {
    const browser = federationBrowser(w);
    const { tokens } = await signInThrough(w, browser, 'op');
    const sid = tokens.claims()?.sid as string;
    const participant = await w.downstream.provider.store.participantBySid(sid);
    assert.ok(participant);
    const before = w.receiver.received.length;
    assert.ok((await w.op.endSession(browser)).length > 0);
    const ended = await eventually(async () => {
      const s = await w.downstream.provider.store.sessionById(participant.sessionId);
      return s?.endedAt !== undefined ? s : undefined;
    }, 'the session to end');
    assert.equal(ended.endReason, 'upstream_logout');
    const [token] = await verifiedLogoutTokens(w.receiver, w.downstream.issuer, 'web', before, 1);
    assert.equal(token?.sid, sid);
  });
});
