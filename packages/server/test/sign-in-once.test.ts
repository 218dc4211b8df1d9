/**
 * Sign-in as one store operation seen from the browser (issue 11 §1; DESIGN.md "Domain model":
 * one SSO session per (browser, account); an interaction is consumed once).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestBrowser, parseForm } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { authorizeUrl } from './helpers/session-flows.js';

describe('sign-in form submitted twice at once (issue 11 §1)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op?.close());

  it('issues one code, answers the other submission with an error page (never a 500), and leaves one open session', async () => {
    const browser = new TestBrowser(op.issuer);
    const page = await browser.navigate(authorizeUrl(op.issuer, CLIENTS.web));
    const form = parseForm(page.body);
    const action = new URL(form.action, page.url).toString();
    const fields = { ...form.fields, username: USERS.alice.username, password: USERS.alice.password };
    const hops = await Promise.all([browser.request(action, { form: fields }), browser.request(action, { form: fields })]);
    const statuses = hops.map((h) => h.status).sort();
    assert.deepEqual(statuses, [303, 400], hops.map((h) => `${h.status} ${h.location ?? h.body.slice(0, 200)}`).join('\n'));
    const codes = hops.map((h) => (h.location ? new URL(h.location).searchParams.get('code') : null)).filter(Boolean);
    assert.equal(codes.length, 1);
    const sessions = await op.provider.store.listSessions({ limit: 10 });
    assert.equal(sessions.length, 1, 'one open session');
  });
});
