/**
 * The `upstreams` configuration (issue 15 §1; DESIGN.md habit 4: bad configuration fails at
 * start-up with a message naming the key). Inputs are parsed from JSON text, as the file is, so
 * `__proto__` arrives as an own key the way an attacker-controlled file would carry it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../src/config/schema.js';
import { ConfigError } from '../src/config/validate.js';
import { failsNaming } from './helpers/config-errors.js';
import { MAPPABLE_CLAIMS } from '../src/upstreams/config.js';

const upstream = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'corp',
  issuer: 'https://login.corp.example',
  client_id: 'signoff',
  ...over,
});

/** A whole configuration as the file's JSON text: own `__proto__` keys survive. */
const configText = (upstreams: string): unknown =>
  JSON.parse(`{"issuer":"https://id.example.com","store":{"sqlite":":memory:"},"upstreams":${upstreams}}`);

const withUpstreams = (...list: Record<string, unknown>[]): unknown => configText(JSON.stringify(list));


describe('upstreams: defaults (issue 15 §1)', () => {
  it('scope "openid email profile", logout.federated on_request, display_name = id, the standard claims under their own names, no link_by, no domains', () => {
    const [u] = parseConfig(withUpstreams(upstream())).upstreams;
    assert.ok(u);
    assert.equal(u.scope, 'openid email profile');
    assert.deepEqual(u.logout, { federated: 'on_request' });
    assert.equal(u.display_name, 'corp');
    assert.deepEqual({ ...u.claims }, Object.fromEntries(MAPPABLE_CLAIMS.map((c) => [c, c])));
    assert.equal(u.link_by, undefined);
    assert.deepEqual(u.domains, []);
    assert.equal(u.client_secret, undefined, 'no secret: a public client');
  });

  it('no upstreams at all by default', () => {
    assert.deepEqual(parseConfig(JSON.parse('{"issuer":"https://id.example.com"}')).upstreams, []);
  });

  it('keeps what is given: secret, scope, display name, federated always, a claim mapping, link_by and domains', () => {
    const [u] = parseConfig(withUpstreams(upstream({
      client_secret: 's', scope: 'openid email', display_name: 'Corp SSO', logout: { federated: 'always' },
      claims: { email: 'mail', name: 'displayName' }, link_by: 'email', domains: ['corp.example'],
    }))).upstreams;
    assert.ok(u);
    assert.equal(u.scope, 'openid email');
    assert.equal(u.display_name, 'Corp SSO');
    assert.equal(u.logout.federated, 'always');
    assert.deepEqual({ ...u.claims }, { email: 'mail', name: 'displayName' }, 'a mapping replaces the identity mapping');
    assert.equal(u.link_by, 'email');
    assert.deepEqual(u.domains, ['corp.example']);
  });
});

describe('upstreams: each bad configuration fails at start-up naming the key (DESIGN.md habit 4)', () => {
  it('an unknown key inside an upstream, or inside its logout, even one named like an Object.prototype member', () => {
    failsNaming(withUpstreams(upstream({ client_secrt: 'x' })), 'upstreams[0].client_secrt', /unknown key/);
    failsNaming(withUpstreams(upstream({ constructor: 'x' })), 'upstreams[0].constructor', /unknown key/);
    failsNaming(configText('[{"id":"corp","issuer":"https://login.corp.example","client_id":"c","__proto__":{"scope":"x"}}]'), 'upstreams[0].__proto__', /unknown key/);
    failsNaming(withUpstreams(upstream({ logout: { federated: 'always', toString: 'x' } })), 'upstreams[0].logout.toString', /unknown key/);
  });

  it('missing id, issuer or client_id', () => {
    failsNaming(withUpstreams({ issuer: 'https://a.example', client_id: 'c' }), 'upstreams[0].id');
    failsNaming(withUpstreams({ id: 'a', client_id: 'c' }), 'upstreams[0].issuer');
    failsNaming(withUpstreams({ id: 'a', issuer: 'https://a.example' }), 'upstreams[0].client_id');
  });

  it('a duplicate id names the second', () => {
    failsNaming(withUpstreams(upstream(), upstream({ issuer: 'https://other.example' })), 'upstreams[1].id', /duplicate upstream id "corp"/);
  });

  it('an id that is not one safe path segment: "/", "..", uppercase, empty, 40 characters, __proto__', () => {
    for (const id of ['a/b', '..', '.', 'Corp', '', 'a'.repeat(40), '__proto__', 'corp ', '-corp', 'corp%2f', 'cörp']) {
      failsNaming(withUpstreams(upstream({ id })), 'upstreams[0].id', /path segment/);
    }
    // The longest accepted: 32 characters.
    assert.equal(parseConfig(withUpstreams(upstream({ id: 'a'.repeat(32) }))).upstreams[0]?.id, 'a'.repeat(32));
    failsNaming(withUpstreams(upstream({ id: 'a'.repeat(33) })), 'upstreams[0].id');
  });

  it('an http issuer on a non-loopback host (OIDC Discovery §3: https); http on loopback is accepted', () => {
    failsNaming(withUpstreams(upstream({ issuer: 'http://login.corp.example' })), 'upstreams[0].issuer', /https/);
    failsNaming(withUpstreams(upstream({ issuer: 'http://127.0.0.1.nip.io:4000' })), 'upstreams[0].issuer', /https/);
    failsNaming(withUpstreams(upstream({ issuer: 'http://10.0.0.1' })), 'upstreams[0].issuer', /https/);
    failsNaming(withUpstreams(upstream({ issuer: 'ftp://login.corp.example' })), 'upstreams[0].issuer', /https/);
    failsNaming(withUpstreams(upstream({ issuer: 'login.corp.example' })), 'upstreams[0].issuer', /absolute URL/);
    for (const issuer of ['http://127.0.0.1:4001', 'http://localhost:4001', 'http://[::1]:4001']) {
      assert.equal(parseConfig(withUpstreams(upstream({ issuer }))).upstreams[0]?.issuer, issuer);
    }
  });

  it('an issuer with a query or a fragment, even an empty one (OIDC Core §2: iss has none)', () => {
    for (const issuer of ['https://login.corp.example?tenant=1', 'https://login.corp.example#x', 'https://login.corp.example?', 'https://login.corp.example#']) {
      failsNaming(withUpstreams(upstream({ issuer })), 'upstreams[0].issuer', /query or fragment/);
    }
  });

  it('a scope without openid (OIDC Core §3.1.2.1), or not a scope string', () => {
    failsNaming(withUpstreams(upstream({ scope: 'email profile' })), 'upstreams[0].scope', /openid/);
    failsNaming(withUpstreams(upstream({ scope: 'openidx email' })), 'upstreams[0].scope', /openid/);
    failsNaming(withUpstreams(upstream({ scope: 'openid  email' })), 'upstreams[0].scope');
    failsNaming(withUpstreams(upstream({ scope: '' })), 'upstreams[0].scope');
  });

  it('claims mapping to an unknown local claim, __proto__ as a claims key, or a non-string upstream claim', () => {
    failsNaming(withUpstreams(upstream({ claims: { sub: 'oid' } })), 'upstreams[0].claims.sub', /not a claim an account may take/);
    failsNaming(withUpstreams(upstream({ claims: { role: 'groups' } })), 'upstreams[0].claims.role', /not a claim an account may take/);
    failsNaming(configText('[{"id":"corp","issuer":"https://login.corp.example","client_id":"c","claims":{"__proto__":"email"}}]'), 'upstreams[0].claims.__proto__', /not a claim/);
    failsNaming(withUpstreams(upstream({ claims: { constructor: 'email' } })), 'upstreams[0].claims.constructor', /not a claim/);
    failsNaming(withUpstreams(upstream({ claims: { email: 42 } })), 'upstreams[0].claims.email');
    failsNaming(withUpstreams(upstream({ claims: ['email'] })), 'upstreams[0].claims');
  });

  it('link_by other than email or phone_number', () => {
    for (const link_by of ['sub', 'preferred_username', 'EMAIL', '']) {
      failsNaming(withUpstreams(upstream({ link_by })), 'upstreams[0].link_by', /"email", "phone_number"/);
    }
  });

  it('a login_hint domain given to two upstreams names the second, and a malformed domain', () => {
    failsNaming(
      withUpstreams(upstream({ domains: ['corp.example'] }), upstream({ id: 'other', issuer: 'https://other.example', domains: ['x.example', 'corp.example'] })),
      'upstreams[1].domains[1]',
      /"corp.example" already goes to upstream "corp"/,
    );
    failsNaming(withUpstreams(upstream({ domains: ['Corp.Example'] })), 'upstreams[0].domains[0]');
    failsNaming(withUpstreams(upstream({ domains: ['@corp.example'] })), 'upstreams[0].domains[0]');
  });

  it('an unknown logout.federated value', () => {
    for (const federated of ['sometimes', 'ALWAYS', true]) {
      failsNaming(withUpstreams(upstream({ logout: { federated } })), 'upstreams[0].logout.federated', /"never", "on_request", "always"/);
    }
  });

  it('upstreams that is not a list, or an entry that is not an object', () => {
    failsNaming(configText('{"id":"corp"}'), 'upstreams');
    failsNaming(configText('["corp"]'), 'upstreams[0]');
  });
});
