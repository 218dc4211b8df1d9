/**
 * Issue 15 §1 on PostgreSQL: two first sign-ins of one upstream identity (issuer, sub) at the same
 * moment, from two browsers, make exactly one local account and one link (UpstreamStore.linkAccount
 * writes the account and the link in one transaction; the loser of the race gets the winner's
 * account). The downstream runs on a database of its own (test/helpers/postgres.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { type FederationWorld, OP_USER, federationBrowser, startFederation } from './helpers/federation.js';
import { type Hop, type TestBrowser, parseForm } from './helpers/browser.js';
import { freshDatabase, usePostgres } from './helpers/postgres.js';
import { type Started, callbackOf, startAuthorization } from './helpers/rp.js';

const server = usePostgres();

describe('issue 15 §1 on PostgreSQL: one upstream identity, one account, even when its first two sign-ins race', () => {
  let w: FederationWorld;
  let drop: () => Promise<void>;
  before(async () => {
    const db = await freshDatabase(await server());
    drop = () => db.drop();
    w = await startFederation({ store: { postgres: db.url, poolSize: 4 } });
  });
  after(async () => {
    await w?.close();
    await drop?.();
  });

  const walkAt = async (browser: TestBrowser, hop: Hop, origin: string): Promise<Hop> => {
    for (let n = 0; n < 10 && hop.location?.startsWith(origin); n++) hop = await browser.request(hop.location);
    return hop;
  };

  /** Signs in at op as OP_USER through upstream=op, stopping before Signoff's callback. */
  const upToCallback = async (browser: TestBrowser): Promise<{ started: Started; callback: string }> => {
    const started = await startAuthorization(w.web, 'web', { upstream: 'op' });
    const login = await walkAt(browser, await browser.request(started.url.toString()), w.op.issuer);
    const form = parseForm(login.body);
    const back = await walkAt(browser, await browser.request(new URL(form.action, login.url).toString(), { form: { ...form.fields, login: OP_USER.login, password: OP_USER.password } }), w.op.issuer);
    assert.ok(back.location?.startsWith(`${w.downstream.issuer}/upstreams/op/callback`), `${back.status} ${back.location ?? back.body.slice(0, 200)}`);
    return { started, callback: back.location as string };
  };

  it('two browsers deliver the first answers for one identity at once: one account, one link, one account.created, the same sub for both', async () => {
    const browsers = [federationBrowser(w), federationBrowser(w)];
    const pending = await Promise.all(browsers.map((b) => upToCallback(b)));
    const hops = await Promise.all(browsers.map(async (b, n) => walkAt(b, await b.request((pending[n] as { callback: string }).callback), w.downstream.issuer)));
    const subs = await Promise.all(
      hops.map(async (hop, n) => {
        const { started } = pending[n] as { started: Started };
        const tokens = await oidc.authorizationCodeGrant(w.web, callbackOf(hop, 'web'), { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce, idTokenExpected: true });
        return tokens.claims()?.sub;
      }),
    );
    assert.equal(subs[0], subs[1]);
    const store = w.downstream.provider.store;
    assert.equal(await store.linkedAccountId(w.op.issuer, OP_USER.sub), subs[0]);
    const jit = (await store.listAccounts()).filter((a) => a.username.startsWith('op/'));
    assert.deepEqual(jit.map((a) => a.id), [subs[0]]);
    const created = (await store.listEvents({ type: 'account.created', limit: 100 })).filter((e) => e.actor === 'upstream:op');
    assert.equal(created.length, 1);
  });
});
