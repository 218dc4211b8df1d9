/**
 * Issue 17 §1: `/` renders a small landing page instead of JSON — the operator's product name
 * (branding), a link to the discovery document (OpenID Connect Discovery 1.0 §4) and to the
 * devices page, in the browser's language (or ui_locales), without script, cacheable per
 * language, HEAD too — and it never shows the configuration: no client, user, secret, store or
 * key. Black-box over real HTTP on loopback.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_KEK, type TestProvider, USERS, defaultClients, startProvider } from './helpers/provider.js';

/** A product name an attacker-minded operator typo could make markup of: it must come out as text. */
const PRODUCT = 'Acme <b>"Identity"</b> & Co';
const PRODUCT_HTML = 'Acme &lt;b&gt;&quot;Identity&quot;&lt;/b&gt; &amp; Co';
const SECRET_CLIENT = {
  client_id: 'landing-secret-client-7f3a',
  client_name: 'Payroll Backoffice 7f3a',
  client_secret: 'landing-client-secret-0123456789-abcdefghij',
  redirect_uris: ['https://payroll-7f3a.internal.example/callback'],
  backchannel_logout_uri: 'https://payroll-7f3a.internal.example/bcl',
  grant_types: ['authorization_code'],
  token_endpoint_auth_method: 'client_secret_basic',
};

const SECRET_USER = { username: 'landing-user-7f3a', password: 'landing-user-password-battery-7f3a', claims: { name: 'Landing Person 7f3a' } };

const get = (url: string, headers: Record<string, string> = {}, method = 'GET') => fetch(url, { method, headers, redirect: 'manual' });

describe('issue 17 §1: the landing page at the issuer\'s root', () => {
  let op: TestProvider;

  before(async () => {
    op = await startProvider({
      branding: { productName: PRODUCT, supportUrl: 'https://help.acme.example/' },
      clients: [...defaultClients(), SECRET_CLIENT],
      users: [...Object.values(USERS), SECRET_USER],
      outbound: { allowPrivateNetworks: true },
    });
  });
  after(async () => op?.close());

  it('GET / answers 200 text/html (not JSON) with the product name escaped in the heading and the title', async () => {
    const res = await get(`${op.issuer}/`, { 'accept-language': 'en-GB' });
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
    assert.match(html, new RegExp(`<h1>${PRODUCT_HTML.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} sign-in</h1>`));
    assert.match(html, /<title>Sign-in service – Acme &lt;b&gt;/);
    assert.ok(!html.includes('<b>"Identity"</b>'), 'the product name is never markup');
    assert.match(html, /<html lang="en">/);
  });

  it('links to the discovery document and the devices page, and both links lead somewhere that answers', async () => {
    const html = await (await get(`${op.issuer}/`)).text();
    const hrefs = [...html.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
    const discovery = `${op.issuer}/.well-known/openid-configuration`;
    const account = `${op.issuer}/account/sessions`;
    assert.ok(hrefs.includes(discovery), hrefs.join(' '));
    assert.ok(hrefs.includes(account), hrefs.join(' '));
    assert.ok(hrefs.includes('https://help.acme.example/'), 'the support link of the branding is in the footer');
    const doc = await get(discovery);
    assert.equal(doc.status, 200);
    assert.equal(((await doc.json()) as { issuer: string }).issuer, op.issuer);
    const devices = await get(account);
    await devices.body?.cancel();
    assert.notEqual(devices.status, 404, 'the devices page exists');
    assert.ok(devices.status < 500);
  });

  it('is in the browser\'s language (Accept-Language) or ui_locales, German and French differing from English', async () => {
    const heading = async (headers: Record<string, string>, query = '') => {
      const html = await (await get(`${op.issuer}/${query}`, headers)).text();
      return { lang: /<html lang="([a-z]+)"/.exec(html)?.[1], h1: /<h1>(.*?)<\/h1>/.exec(html)?.[1], html };
    };
    const en = await heading({ 'accept-language': 'en' });
    const de = await heading({ 'accept-language': 'de-DE,de;q=0.9' });
    const fr = await heading({ 'accept-language': 'en' }, '?ui_locales=fr');
    assert.equal(de.lang, 'de');
    assert.equal(fr.lang, 'fr');
    assert.match(de.h1 ?? '', /^Anmeldung bei Acme/);
    assert.match(fr.h1 ?? '', /^Connexion à Acme/);
    assert.notEqual(de.html, en.html);
    const odd = await heading({}, '?ui_locales=%3Cscript%3E&ui_locales=de');
    assert.equal(odd.lang, 'en', 'a repeated or odd ui_locales falls back rather than failing');
  });

  it('needs no script and may be framed by nobody: CSP script-src \'none\', frame-ancestors \'none\', no <script>, no form', async () => {
    const res = await get(`${op.issuer}/`);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.doesNotMatch(html, /<script|<form|<iframe/i);
  });

  it('is cacheable for a few minutes, one copy per language (Cache-Control public, max-age; Vary: Accept-Language), and sets no cookie', async () => {
    const res = await get(`${op.issuer}/`, { cookie: 'whatever=1' });
    await res.body?.cancel();
    assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
    assert.match(res.headers.get('vary') ?? '', /accept-language/i);
    assert.equal(res.headers.get('set-cookie'), null);
  });

  it('HEAD / answers 200 with the same headers and no body', async () => {
    const head = await get(`${op.issuer}/`, {}, 'HEAD');
    const body = await head.text();
    assert.equal(head.status, 200);
    assert.equal(body, '');
    assert.match(head.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(head.headers.get('cache-control'), 'public, max-age=300');
    assert.ok(Number(head.headers.get('content-length')) > 200, 'HEAD names the length of the GET body');
  });

  it('never shows the configuration: no client id, name, secret or URI, no user, no store path, no key-encryption key', async () => {
    const pages = await Promise.all(
      ['en', 'de', 'fr'].map(async (l) => (await get(`${op.issuer}/?ui_locales=${l}`)).text()),
    );
    const config = op.provider.config;
    const forbidden = [
      SECRET_CLIENT.client_id, SECRET_CLIENT.client_name, SECRET_CLIENT.client_secret, 'payroll-7f3a',
      SECRET_USER.username, SECRET_USER.password, SECRET_USER.claims.name,
      // Every secret, and every client id and name long enough not to be a word of the page ("spa" is in "espace").
      ...config.clients.flatMap((c) => [c.metadata.client_id, c.metadata.client_name ?? '', c.secret ?? '']).filter((s) => s.length >= 8),
      ...Object.values(USERS).map((u) => u.password),
      op.dir, 'signoff.sqlite', TEST_KEK, 'allowPrivateNetworks', 'management',
    ];
    for (const html of pages) {
      for (const needle of forbidden) assert.ok(!html.includes(needle), `the landing page shows "${needle}"`);
    }
  });

  it('other methods and paths under / are not the page: POST / is a 404 JSON error, /index.html too', async () => {
    const post = await fetch(`${op.issuer}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    assert.equal(post.status, 404);
    assert.equal(((await post.json()) as { error: string }).error, 'not_found');
    const other = await get(`${op.issuer}/index.html`);
    assert.equal(other.status, 404);
    await other.body?.cancel();
  });
});
