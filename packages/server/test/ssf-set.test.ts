/**
 * SETs for queued events (RFC 8417; RFC 9493 subjects per SSF 1.0 §3; CAEP 1.0 §3.1) as the push
 * engine gets them from makeSetFor, verified with jose against the provider's JWKS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { LogoutDelivery } from '../src/logout/back-channel/outbox.js';
import { initiatingEntity } from '../src/signals/caep.js';
import { SSF_EVENT_URIS, type SignalEvent } from '../src/signals/events.js';
import { makeSetFor } from '../src/signals/set.js';
import { PUSH, type Stream } from '../src/signals/store.js';
import { type TestProvider, startProvider } from './helpers/provider.js';

let op: TestProvider;
const stream = (status: Stream['status']): Stream => ({
  id: `st-${status}`,
  clientId: 'web',
  config: {
    stream_id: `st-${status}`, iss: '', aud: 'https://rcv.example', events_supported: [], events_requested: [], events_delivered: [],
    delivery: { method: PUSH, endpoint_url: 'https://rcv.example/in', authorization_header: 'Bearer t' },
  },
  status, createdAt: 1, updatedAt: 1,
});
const row = (streamId: string, event: SignalEvent): LogoutDelivery => ({
  id: 'jti-1', kind: 'ssf_push', streamId, payload: JSON.stringify(event), clientId: 'web', sessionId: '', accountId: '', sid: '', reason: 'logout',
  createdAt: 1_750_000_000, status: 'pending', attempts: 0, nextAttemptAt: 0,
});

before(async () => {
  op = await startProvider();
  await op.provider.store.insertStream(stream('enabled'));
  await op.provider.store.insertStream(stream('disabled'));
});
after(() => op.close());

describe('makeSetFor (RFC 8417, RFC 8935 §2, CAEP 1.0 §3.1)', () => {
  it('a session-revoked SET: typ secevent+jwt, the stream\'s aud, the row\'s jti and iat, a complex user+session subject, CAEP members', async () => {
    const make = makeSetFor({ issuer: op.issuer, keys: op.provider.keys, streams: op.provider.store });
    const event: SignalEvent = { type: 'session-revoked', accountId: 'acc', sessionId: 'sess', reason: 'admin', actor: 'client:ops', at: 1_750_000_001 };
    const out = await make(row('st-enabled', event));
    assert.ok('set' in out);
    assert.equal(out.uri, 'https://rcv.example/in');
    assert.equal(out.authorization, 'Bearer t');
    const { payload } = await jwtVerify(out.set, createRemoteJWKSet(new URL(`${op.issuer}/jwks`)), { issuer: op.issuer, audience: 'https://rcv.example', typ: 'secevent+jwt' });
    assert.equal(payload.jti, 'jti-1');
    assert.equal(payload.iat, 1_750_000_000);
    assert.equal(payload.exp, undefined);
    assert.deepEqual(payload.sub_id, { format: 'complex', user: { format: 'iss_sub', iss: op.issuer, sub: 'acc' }, session: { format: 'opaque', id: 'sess' } });
    assert.deepEqual(payload.events, {
      [SSF_EVENT_URIS['session-revoked']]: { event_timestamp: 1_750_000_001, initiating_entity: 'admin', reason_admin: { en: 'An administrator ended the session.' } },
    });
  });

  it('a credential-change SET names the account by iss_sub', async () => {
    const make = makeSetFor({ issuer: op.issuer, keys: op.provider.keys, streams: op.provider.store });
    const out = await make(row('st-enabled', { type: 'credential-change', accountId: 'acc', credentialType: 'password', changeType: 'update', at: 5 }));
    assert.ok('set' in out);
    const { payload } = await jwtVerify(out.set, createRemoteJWKSet(new URL(`${op.issuer}/jwks`)), { issuer: op.issuer });
    assert.deepEqual(payload.sub_id, { format: 'iss_sub', iss: op.issuer, sub: 'acc' });
    assert.deepEqual(payload.events, { [SSF_EVENT_URIS['credential-change']]: { event_timestamp: 5, credential_type: 'password', change_type: 'update' } });
  });

  it('a row of a deleted or disabled stream can never be sent: failed', async () => {
    const make = makeSetFor({ issuer: op.issuer, keys: op.provider.keys, streams: op.provider.store });
    const event: SignalEvent = { type: 'verification', at: 1 };
    assert.ok('failed' in (await make(row('st-disabled', event))));
    assert.ok('failed' in (await make(row('st-gone', event))));
  });

  it('initiating_entity follows the table in signals/caep.ts (CAEP 1.0 §2)', () => {
    assert.equal(initiatingEntity('logout', 'user'), 'user');
    assert.equal(initiatingEntity('logout', 'client:web'), 'user');
    assert.equal(initiatingEntity('admin', 'client:ops'), 'admin');
    assert.equal(initiatingEntity('password_changed', 'admin:root'), 'admin');
    assert.equal(initiatingEntity('account_disabled', 'client:ops'), 'admin');
    assert.equal(initiatingEntity('expired_idle', 'system'), 'policy');
    assert.equal(initiatingEntity('limit', 'user'), 'policy');
    assert.equal(initiatingEntity('upstream_logout', 'system'), 'system');
  });
});
