/**
 * The Shared Signals transmitter's stream management (issue 16 §2; SSF 1.0 §7.1, §8.1; RFC 8936
 * §2.4; RFC 8417), driven over real HTTP by receivers holding client credentials tokens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { SSF_EVENT_URIS } from '../src/signals/events.js';
import { POLL, PUSH } from '../src/signals/store.js';
import { type TestProvider, defaultClients, startProvider } from './helpers/provider.js';
import { basicAuth, postForm } from './helpers/rp.js';

const RECEIVER = { client_id: 'receiver', client_secret: 'receiver-secret-0123456789-0123456789' } as const;
const OTHER = { client_id: 'other-receiver', client_secret: 'other-secret-0123456789-0123456789-ab' } as const;
const READER = { client_id: 'reader', client_secret: 'reader-secret-0123456789-0123456789-ab' } as const;
const PUSH_URL = 'https://receiver.example/events';

let op: TestProvider;
let manage: string;
let other: string;
let readOnly: string;

const tokenFor = async (c: { client_id: string; client_secret: string }): Promise<string> => {
  const res = await postForm(`${op.issuer}/token`, { grant_type: 'client_credentials' }, { authorization: basicAuth(c.client_id, c.client_secret) });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
};

const call = (method: string, path: string, token: string | undefined, body?: unknown, raw?: string): Promise<Response> =>
  fetch(`${op.issuer}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

const json = async <T = Record<string, unknown>>(res: Response, status: number): Promise<T> => {
  const text = await res.text();
  assert.equal(res.status, status, text);
  return (text ? JSON.parse(text) : undefined) as T;
};

const createPoll = async (token = manage) => json<{ stream_id: string; delivery: { endpoint_url: string } }>(await call('POST', '/ssf/stream', token, { delivery: { method: POLL }, events_requested: [SSF_EVENT_URIS['session-revoked']] }), 201);

const pollOnce = async (streamId: string, body: Record<string, unknown> = {}) =>
  json<{ sets: Record<string, string>; moreAvailable: boolean }>(await call('POST', `/ssf/poll?stream_id=${streamId}`, manage, { returnImmediately: true, ...body }), 200);

before(async () => {
  op = await startProvider({
    outbound: { allowPrivateNetworks: false },
    clients: [
      ...defaultClients(),
      { ...RECEIVER, grant_types: ['client_credentials'], scope: 'ssf.manage ssf.read' },
      { ...OTHER, grant_types: ['client_credentials'], scope: 'ssf.manage' },
      { ...READER, grant_types: ['client_credentials'], scope: 'ssf.read signoff.sessions.read' },
    ],
  });
  [manage, other, readOnly] = await Promise.all([tokenFor(RECEIVER), tokenFor(OTHER), tokenFor(READER)]);
});
after(() => op.close());

describe('SSF configuration (SSF 1.0 §7.1)', () => {
  it('the transmitter configuration names the issuer, the JWKS, both delivery methods, every endpoint, OAuth and default_subjects NONE', async () => {
    const doc = await json(await fetch(`${op.issuer}/.well-known/ssf-configuration`), 200);
    assert.equal(doc.spec_version, '1_0');
    assert.equal(doc.issuer, op.issuer);
    assert.equal(doc.jwks_uri, `${op.issuer}/jwks`);
    assert.deepEqual(doc.delivery_methods_supported, [PUSH, POLL]);
    for (const k of ['configuration_endpoint', 'status_endpoint', 'add_subject_endpoint', 'remove_subject_endpoint', 'verification_endpoint']) {
      assert.ok(String(doc[k]).startsWith(`${op.issuer}/ssf/`), k);
    }
    assert.deepEqual(doc.authorization_schemes, [{ spec_urn: 'urn:ietf:rfc:6749' }]);
    assert.equal(doc.default_subjects, 'NONE');
  });
});

describe('Stream management (SSF 1.0 §8.1.1)', () => {
  it('a push stream is created, read, updated (PATCH), replaced (PUT) and deleted', async () => {
    const created = await json<Record<string, unknown> & { stream_id: string }>(
      await call('POST', '/ssf/stream', manage, { delivery: { method: PUSH, endpoint_url: PUSH_URL, authorization_header: 'Bearer rcv' }, events_requested: [SSF_EVENT_URIS['session-revoked'], 'urn:unknown'], description: 'd1' }),
      201,
    );
    assert.equal(created.iss, op.issuer);
    assert.equal(created.aud, RECEIVER.client_id);
    assert.deepEqual(created.events_delivered, [SSF_EVENT_URIS['session-revoked']], 'events_delivered = requested ∩ supported');
    assert.deepEqual(created.delivery, { method: PUSH, endpoint_url: PUSH_URL, authorization_header: 'Bearer rcv' });
    const id = created.stream_id;
    assert.deepEqual(await json(await call('GET', `/ssf/stream?stream_id=${id}`, manage), 200), created);
    const all = await json<{ stream_id: string }[]>(await call('GET', '/ssf/stream', manage), 200);
    assert.ok(all.some((s) => s.stream_id === id));

    const patched = await json<Record<string, unknown>>(await call('PATCH', '/ssf/stream', manage, { stream_id: id, description: 'd2', iss: 'https://evil.example' }), 200);
    assert.equal(patched.description, 'd2');
    assert.equal(patched.iss, op.issuer, 'transmitter-supplied members are not the receiver\'s to change');
    assert.deepEqual(patched.events_requested, created.events_requested, 'PATCH keeps what it does not name');
    assert.deepEqual(patched.delivery, created.delivery);

    const replaced = await json<Record<string, unknown>>(await call('PUT', '/ssf/stream', manage, { stream_id: id, delivery: { method: PUSH, endpoint_url: `${PUSH_URL}/2` } }), 200);
    assert.deepEqual(replaced.events_requested, [], 'PUT resets what it does not name');
    assert.equal(replaced.description, undefined);
    assert.deepEqual(replaced.delivery, { method: PUSH, endpoint_url: `${PUSH_URL}/2` });

    assert.equal((await call('DELETE', `/ssf/stream?stream_id=${id}`, manage)).status, 204);
    await json(await call('GET', `/ssf/stream?stream_id=${id}`, manage), 404);
  });

  it('a poll stream gets the transmitter\'s poll endpoint as its endpoint_url (RFC 8936)', async () => {
    const s = await createPoll();
    assert.equal(s.delivery.endpoint_url, `${op.issuer}/ssf/poll?stream_id=${s.stream_id}`);
    assert.deepEqual(await pollOnce(s.stream_id), { sets: {}, moreAvailable: false });
  });

  it('another receiver\'s stream id is 404 for every call, never 403 (SSF 1.0 §8.1.1.2)', async () => {
    const s = await createPoll();
    await json(await call('GET', `/ssf/stream?stream_id=${s.stream_id}`, other), 404);
    await json(await call('PATCH', '/ssf/stream', other, { stream_id: s.stream_id, description: 'x' }), 404);
    await json(await call('DELETE', `/ssf/stream?stream_id=${s.stream_id}`, other), 404);
    await json(await call('POST', '/ssf/status', other, { stream_id: s.stream_id, status: 'disabled' }), 404);
    await json(await call('POST', `/ssf/poll?stream_id=${s.stream_id}`, other, {}), 404);
    await json(await call('POST', '/ssf/verify', other, { stream_id: s.stream_id }), 404);
    const theirs = await json<unknown[]>(await call('GET', '/ssf/stream', other), 200);
    assert.deepEqual(theirs, []);
  });

  it('no token is 401 with a challenge, a foreign token 401 invalid_token, a read-only token 403 for changes (RFC 6750 §3.1)', async () => {
    const none = await call('POST', '/ssf/stream', undefined, { delivery: { method: POLL } });
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    await json(none, 401);
    await json(await call('GET', '/ssf/stream', 'not.a.token'), 401);
    const forbidden = await call('POST', '/ssf/stream', readOnly, { delivery: { method: POLL } });
    assert.match(forbidden.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    assert.equal((await json(forbidden, 403)).error, 'insufficient_scope');
    await json(await call('GET', '/ssf/stream', readOnly), 200);
  });

  it('an unsupported delivery method is 400 (SSF 1.0 §8.1.1.1)', async () => {
    const body = await json(await call('POST', '/ssf/stream', manage, { delivery: { method: 'urn:example:carrier-pigeon', endpoint_url: PUSH_URL } }), 400);
    assert.equal(body.error, 'invalid_request');
  });

  it('a push endpoint on a private or loopback network, or plain http, is 400 without outbound.allowPrivateNetworks (SSRF)', async () => {
    for (const url of ['http://127.0.0.1:9/x', 'https://10.0.0.5/x', 'https://[::1]/x', 'https://169.254.169.254/latest', 'https://localhost/x', 'http://receiver.example/x', 'file:///etc/passwd']) {
      await json(await call('POST', '/ssf/stream', manage, { delivery: { method: PUSH, endpoint_url: url } }), 400);
    }
  });

  it('hostile JSON is refused with 400: __proto__ keys, wrong types, broken JSON; a huge body is 413', async () => {
    await json(await call('POST', '/ssf/stream', manage, undefined, '{"__proto__":{"admin":true},"delivery":{"method":"urn:ietf:rfc:8936"}}'), 400);
    await json(await call('POST', '/ssf/stream', manage, undefined, '{"constructor":{"prototype":{"x":1}}}'), 400);
    await json(await call('POST', '/ssf/stream', manage, { delivery: 'push' }), 400);
    await json(await call('POST', '/ssf/stream', manage, { events_requested: [{}] }), 400);
    await json(await call('POST', '/ssf/stream', manage, undefined, '{"delivery":'), 400);
    const s = await createPoll();
    await json(await call('POST', `/ssf/poll?stream_id=${s.stream_id}`, manage, { maxEvents: -1 }), 400);
    await json(await call('POST', `/ssf/poll?stream_id=${s.stream_id}`, manage, { ack: { x: 1 } }), 400);
    await json(await call('POST', '/ssf/subjects/add', manage, { stream_id: s.stream_id, subject: { format: 'iss_sub', iss: 1, sub: 'x' } }), 400);
    const huge = await call('POST', '/ssf/stream', manage, undefined, JSON.stringify({ description: 'x'.repeat(200_000) }));
    assert.equal(huge.status, 413);
    assert.equal(({} as Record<string, unknown>).admin, undefined);
  });
});

describe('Subjects (SSF 1.0 §8.1.3, RFC 9493)', () => {
  it('email, iss_sub, opaque and complex subjects are added and removed; removing one not there is 404', async () => {
    const s = await createPoll();
    const subjects = [
      { format: 'email', email: 'Alice@Example.com' },
      { format: 'iss_sub', iss: op.issuer, sub: 'some-account' },
      { format: 'opaque', id: 'x-1' },
      { format: 'complex', user: { format: 'email', email: 'bob@example.com' }, session: { format: 'opaque', id: 's1' } },
    ];
    for (const subject of subjects) await json(await call('POST', '/ssf/subjects/add', manage, { stream_id: s.stream_id, subject }), 200);
    // RFC 9493 §3.2.2: the same address in another case is the same subject.
    assert.equal((await call('POST', '/ssf/subjects/remove', manage, { stream_id: s.stream_id, subject: { format: 'email', email: 'alice@example.com' } })).status, 204);
    for (const subject of subjects.slice(1)) assert.equal((await call('POST', '/ssf/subjects/remove', manage, { stream_id: s.stream_id, subject })).status, 204);
    await json(await call('POST', '/ssf/subjects/remove', manage, { stream_id: s.stream_id, subject: subjects[2] }), 404);
    await json(await call('POST', '/ssf/subjects/add', manage, { stream_id: s.stream_id, subject: { format: 'phone_number', phone_number: '+1' } }), 400);
  });
});

describe('Verification and status (SSF 1.0 §8.1.2, §8.1.4, §8.1.5; RFC 8936 §2.4; RFC 8417)', () => {
  it('a verification request on a poll stream yields a SET that verifies against the JWKS, echoing the state; ack removes it', async () => {
    const s = await createPoll();
    assert.equal((await call('POST', '/ssf/verify', manage, { stream_id: s.stream_id, state: 'st-42' })).status, 204);
    const { sets, moreAvailable } = await pollOnce(s.stream_id);
    assert.equal(moreAvailable, false);
    const [[jti, set]] = Object.entries(sets) as [[string, string]];
    const jwks = createRemoteJWKSet(new URL(`${op.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(set, jwks, { issuer: op.issuer, audience: RECEIVER.client_id, typ: 'secevent+jwt' });
    assert.equal(protectedHeader.typ, 'secevent+jwt');
    assert.equal(decodeProtectedHeader(set).alg, 'RS256');
    assert.equal(payload.jti, jti);
    assert.equal(typeof payload.iat, 'number');
    assert.deepEqual(payload.sub_id, { format: 'opaque', id: s.stream_id });
    assert.deepEqual(payload.events, { [SSF_EVENT_URIS.verification]: { state: 'st-42' } });
    // Not acknowledged: the same SET again (RFC 8936 §2.4: a SET stays until acknowledged).
    assert.deepEqual(Object.keys((await pollOnce(s.stream_id)).sets), [jti]);
    assert.deepEqual(await pollOnce(s.stream_id, { ack: [jti] }), { sets: {}, moreAvailable: false });
    // min_verification_interval: a second request at once is refused.
    await json(await call('POST', '/ssf/verify', manage, { stream_id: s.stream_id }), 429);
  });

  it('setErrs acknowledge the SETs they name (RFC 8936 §2.4.2)', async () => {
    const s = await createPoll();
    await call('POST', '/ssf/verify', manage, { stream_id: s.stream_id });
    const [jti] = Object.keys((await pollOnce(s.stream_id)).sets);
    assert.ok(jti);
    const after = await pollOnce(s.stream_id, { setErrs: { [jti]: { err: 'jwtAud', description: 'wrong audience' } } });
    assert.deepEqual(after.sets, {});
  });

  it('pausing queues stream-updated, polling returns nothing while paused, enabling releases the held events', async () => {
    const s = await createPoll();
    const paused = await json(await call('POST', '/ssf/status', manage, { stream_id: s.stream_id, status: 'paused', reason: 'maintenance' }), 200);
    assert.deepEqual(paused, { stream_id: s.stream_id, status: 'paused', reason: 'maintenance' });
    assert.deepEqual(await json(await call('GET', `/ssf/status?stream_id=${s.stream_id}`, manage), 200), paused);
    assert.deepEqual(await pollOnce(s.stream_id), { sets: {}, moreAvailable: false });
    await json(await call('POST', '/ssf/status', manage, { stream_id: s.stream_id, status: 'enabled' }), 200);
    const { sets } = await pollOnce(s.stream_id);
    const jwks = createRemoteJWKSet(new URL(`${op.issuer}/jwks`));
    const events = await Promise.all(Object.values(sets).map(async (set) => (await jwtVerify(set, jwks, { issuer: op.issuer, audience: RECEIVER.client_id })).payload.events));
    assert.deepEqual(events, [
      { [SSF_EVENT_URIS['stream-updated']]: { status: 'paused', reason: 'maintenance' } },
      { [SSF_EVENT_URIS['stream-updated']]: { status: 'enabled' } },
    ]);
  });

  it('a push stream\'s verification is an ssf_push row in the outbox, its jti the row id', async () => {
    const s = await json<{ stream_id: string }>(await call('POST', '/ssf/stream', manage, { delivery: { method: PUSH, endpoint_url: PUSH_URL } }), 201);
    assert.equal((await call('POST', '/ssf/verify', manage, { stream_id: s.stream_id, state: 'p' })).status, 204);
    const rows = (await op.provider.store.listDeliveries({ limit: 1000 })).filter((d) => d.streamId === s.stream_id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.kind, 'ssf_push');
    assert.equal(rows[0]?.status, 'pending');
    assert.equal(rows[0]?.clientId, RECEIVER.client_id);
    assert.deepEqual(JSON.parse(rows[0]?.payload ?? '{}').state, 'p');
  });
});
