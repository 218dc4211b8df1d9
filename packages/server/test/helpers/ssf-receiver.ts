/**
 * A Shared Signals receiver for the tests (issue 16 §3), as a real one works: it discovers the
 * transmitter (SSF 1.0 §7.1), gets a client-credentials token, creates streams, adds subjects, and
 * verifies every SET it gets with jose — signature from the JWKS, `typ` secevent+jwt, `iss`,
 * `aud`, a `jti` never seen before on the stream (RFC 8417 §2.2), one event.
 */
import assert from 'node:assert/strict';
import { type JWTPayload, createRemoteJWKSet, jwtVerify } from 'jose';
import { basicAuth, postForm } from './rp.js';

export interface SsfConfiguration {
  issuer: string;
  jwks_uri: string;
  configuration_endpoint: string;
  status_endpoint: string;
  add_subject_endpoint: string;
  remove_subject_endpoint: string;
  verification_endpoint: string;
  delivery_methods_supported: string[];
}

export interface VerifiedSet {
  jti: string;
  payload: JWTPayload & { sub_id?: Record<string, unknown>; events?: Record<string, Record<string, unknown>> };
  /** The one event's type URI and its members. */
  type: string;
  event: Record<string, unknown>;
}

export class SsfReceiver {
  private token = '';
  readonly seen = new Set<string>();
  duplicates = 0;
  config!: SsfConfiguration;
  private jwks!: ReturnType<typeof createRemoteJWKSet>;

  constructor(readonly issuer: string, readonly client: { client_id: string; client_secret: string }) {}

  async discover(): Promise<this> {
    const res = await fetch(`${this.issuer}/.well-known/ssf-configuration`);
    assert.equal(res.status, 200);
    this.config = (await res.json()) as SsfConfiguration;
    assert.equal(this.config.issuer, this.issuer);
    this.jwks = createRemoteJWKSet(new URL(this.config.jwks_uri));
    const t = await postForm(`${this.issuer}/token`, { grant_type: 'client_credentials', scope: 'ssf.manage' }, { authorization: basicAuth(this.client.client_id, this.client.client_secret) });
    assert.equal(t.status, 200, await t.clone().text());
    this.token = ((await t.json()) as { access_token: string }).access_token;
    return this;
  }

  async call<T>(method: string, url: string, body?: unknown, expect = 200): Promise<T> {
    const res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    assert.equal(res.status, expect, `${method} ${url}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  createStream(delivery: Record<string, unknown>, eventsRequested: string[]): Promise<{ stream_id: string; delivery: { endpoint_url: string }; aud: string | string[] }> {
    return this.call('POST', this.config.configuration_endpoint, { delivery, events_requested: eventsRequested }, 201);
  }

  addSubject(streamId: string, subject: Record<string, unknown>): Promise<unknown> {
    return this.call('POST', this.config.add_subject_endpoint, { stream_id: streamId, subject });
  }

  /** Verifies one SET (RFC 8417 §2; SSF 1.0 §4) and counts a jti seen before as a duplicate. */
  async verify(set: string, audience: string): Promise<VerifiedSet> {
    const { payload, protectedHeader } = await jwtVerify(set, this.jwks, { issuer: this.issuer, audience, typ: 'secevent+jwt' });
    assert.equal(typeof payload.jti, 'string');
    assert.equal(typeof payload.iat, 'number');
    const events = payload.events as Record<string, Record<string, unknown>>;
    const types = Object.keys(events);
    assert.equal(types.length, 1, 'one event per SET');
    assert.ok(protectedHeader.alg);
    if (this.seen.has(payload.jti as string)) this.duplicates += 1;
    this.seen.add(payload.jti as string);
    return { jti: payload.jti as string, payload, type: types[0] as string, event: events[types[0] as string] as Record<string, unknown> };
  }

  /** Polls until `count` SETs have come (acknowledging each batch, RFC 8936 §2.4), within `timeoutMs`. */
  async pollUntil(endpoint: string, audience: string, count: number, timeoutMs = 5000, maxEvents = 10): Promise<VerifiedSet[]> {
    const got: VerifiedSet[] = [];
    let ack: string[] = [];
    const until = Date.now() + timeoutMs;
    while (got.length < count && Date.now() < until) {
      const r = await this.call<{ sets: Record<string, string>; moreAvailable: boolean }>('POST', endpoint, { maxEvents, returnImmediately: true, ack });
      ack = Object.keys(r.sets);
      for (const set of Object.values(r.sets)) got.push(await this.verify(set, audience));
      if (ack.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (ack.length > 0) await this.call('POST', endpoint, { maxEvents: 0, returnImmediately: true, ack });
    assert.equal(got.length, count, `expected ${count} SETs, got ${got.map((s) => s.type).join(', ')}`);
    return got;
  }
}
