/**
 * Issue 15 §1: sign-in through upstream OpenID providers — panva's oidc-provider and a second
 * Signoff, both real, on loopback — with Signoff as their relying party (openid-client).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FederationWorld, OP_USER, federationBrowser, signInThrough, startFederation } from './helpers/federation.js';

describe('issue 15 §1: sign-in through an upstream provider (OIDC Core §3.1 as a relying party)', () => {
  let w: FederationWorld;
  before(async () => {
    w = await startFederation();
  });
  after(async () => {
    await w?.close();
  });

  it('the sign-in page offers a button per upstream, and signing in through oidc-provider gives the client an ID token with amr fed and the upstream amr carried over', async () => {
    const browser = federationBrowser(w);
    const { tokens } = await signInThrough(w, browser, 'op');
    const claims = tokens.claims();
    assert.ok(claims);
    assert.ok((claims.amr as string[]).includes('fed'), `amr ${JSON.stringify(claims.amr)}`);
    assert.ok((claims.amr as string[]).includes('mfa'), `amr ${JSON.stringify(claims.amr)}`);
    assert.equal(claims.email, OP_USER.email);
    assert.equal(claims.name, OP_USER.name);
  });

  it('signing in through a second Signoff gives a just-in-time account; SSO on the downstream then answers prompt=none', async () => {
    const browser = federationBrowser(w);
    const first = await signInThrough(w, browser, 'corp');
    const again = await signInThrough(w, browser, 'corp', { prompt: 'none' });
    assert.equal(again.tokens.claims()?.sub, first.tokens.claims()?.sub);
    assert.equal(again.tokens.claims()?.sid, first.tokens.claims()?.sid);
  });
});

describe('issue 15 §1: the upstream\'s acr carried over where it names one of Signoff\'s levels (OIDC Core §2 acr)', () => {
  const stated = async (acr: string, amr: string[]) => {
    const w = await startFederation({}, {}, { opUser: { ...OP_USER, acr, amr } });
    try {
      return (await signInThrough(w, federationBrowser(w), 'op')).tokens.claims();
    } finally {
      await w.close();
    }
  };

  it('an upstream acr that is Signoff\'s phishing-resistant value gives the downstream client that acr (amr fed and the upstream\'s hwk)', async () => {
    const claims = await stated('urn:signoff:acr:phishing-resistant', ['hwk', 'user']);
    assert.equal(claims?.acr, 'urn:signoff:acr:phishing-resistant');
    assert.deepEqual([...(claims?.amr as string[])].sort(), ['fed', 'hwk', 'mfa', 'user']);
  });

  it('an acr Signoff does not know is not trusted: the level comes from the amr alone (pwd: password)', async () => {
    const claims = await stated('http://schemas.openid.net/pape/policies/2007/06/multi-factor', ['pwd']);
    assert.equal(claims?.acr, 'urn:signoff:acr:password');
  });
});
