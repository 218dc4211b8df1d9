/**
 * Pages people trust (issue 13 §2): the pages speak the language the request asks for
 * (`ui_locales`, OIDC Core §3.1.2.1), else the browser's (Accept-Language, RFC 9110 §12.5.4),
 * else English, and a message a catalogue lacks is shown in English, never as its key; the
 * operator's branding and the client's RFC 7591 §2 logo, policy and terms appear where people
 * decide, with exactly the logos' origins in img-src; a bad branding value stops start-up naming
 * its key. Black-box over real HTTP on loopback.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../src/config/schema.js';
import { ConfigError } from '../src/config/validate.js';
import { de } from '../src/http/pages/i18n/de.js';
import { en } from '../src/http/pages/i18n/en.js';
import { fr } from '../src/http/pages/i18n/fr.js';
import { pagesEn } from '../src/http/pages/i18n/pages-en.js';
import { type Hop, TestBrowser, isConsentPage, isLoginPage, parseForm } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, defaultClients, freePort, startProvider } from './helpers/provider.js';
import { runSignoff } from './helpers/signoff-process.js';
import { WEB, authorizeUrl } from './helpers/session-flows.js';

const CONSENT = CLIENTS.consent;
const BRANDING = {
  productName: 'Acme Identity',
  logoUrl: 'https://cdn.acme.example/brand/logo.svg',
  primaryColor: '#1a4d2e',
  supportUrl: 'https://help.acme.example/',
  passwordResetUrl: 'https://acme.example/reset-password',
};
const CLIENT_LOGO = 'https://static.needs-consent.example/img/logo.png';

/** The consent client with RFC 7591 §2 logo_uri, policy_uri and tos_uri. */
const clients = (): Record<string, unknown>[] =>
  defaultClients().map((c) =>
    c.client_id === CONSENT.client_id
      ? { ...c, logo_uri: CLIENT_LOGO, policy_uri: 'https://needs-consent.example/privacy', tos_uri: 'https://needs-consent.example/terms' }
      : c,
  );

const langOf = (hop: Hop): string | undefined => /<html lang="([^"]*)"/.exec(hop.body)?.[1];
const h1Of = (hop: Hop): string | undefined => /<h1>(.*?)<\/h1>/s.exec(hop.body)?.[1];
const imgSrc = (hop: Hop): string[] => {
  const csp = hop.headers.get('content-security-policy') ?? '';
  return (/img-src ([^;]*)/.exec(csp)?.[1] ?? '').trim().split(/\s+/);
};

describe('Pages people trust (issue 13 §2)', () => {
  let op: TestProvider;
  let plain: TestProvider;
  /** "Where am I signed in?" links to ISSUER/account/sessions, once that page is served (issue 13 §1). */
  const assertSessionsLink = (hop: Hop, text: string): void => {
    const link = `<a href="${op.issuer}/account/sessions">${text}</a>`;
    if (op.app.hasRoute({ method: 'GET', url: '/account/sessions' })) assert.ok(hop.body.includes(link), `the devices page link: ${link}`);
    else assert.doesNotMatch(hop.body, /account\/sessions/, 'no link to a page that is not served');
  };
  before(async () => {
    [op, plain] = await Promise.all([startProvider({ clients: clients(), branding: BRANDING }), startProvider()]);
  });
  after(async () => {
    await op?.close();
    await plain?.close();
  });

  describe('the language: ui_locales, then Accept-Language, then English (OIDC Core §3.1.2.1)', () => {
    it('ui_locales=de renders the sign-in page in German with lang="de" (OIDC Core §3.1.2.1)', async () => {
      const hop = await new TestBrowser(op.issuer).navigate(authorizeUrl(op.issuer, WEB, { ui_locales: 'de' }));
      assert.ok(isLoginPage(hop.body));
      assert.equal(langOf(hop), 'de');
      assert.equal(h1Of(hop), 'Anmelden');
      assert.match(hop.body, /<label for="password">Passwort<\/label>/);
      assert.match(hop.body, /<title>Anmelden – Acme Identity<\/title>/);
      assert.match(hop.body, />Angemeldet bleiben<\/label>/);
    });

    it('ui_locales is a preference list: the first supported tag wins, regional tags match their language (OIDC Core §3.1.2.1)', async () => {
      const hop = await new TestBrowser(op.issuer).navigate(authorizeUrl(op.issuer, WEB, { ui_locales: 'tlh fr-CA de' }));
      assert.equal(langOf(hop), 'fr');
      assert.equal(h1Of(hop), 'Se connecter');
    });

    it('ui_locales=xx and no Accept-Language render English (OIDC Core §3.1.2.1: an unsupported locale is not an error)', async () => {
      const hop = await new TestBrowser(op.issuer).navigate(authorizeUrl(op.issuer, WEB, { ui_locales: 'xx' }));
      assert.equal(hop.status, 200);
      assert.equal(langOf(hop), 'en');
      assert.equal(h1Of(hop), 'Sign in');
    });

    it('Accept-Language "fr;q=0.9, de;q=0.8" renders French (RFC 9110 §12.5.4, by q-value)', async () => {
      const hop = await new TestBrowser(op.issuer, { 'accept-language': 'fr;q=0.9, de;q=0.8' }).navigate(authorizeUrl(op.issuer, WEB));
      assert.equal(langOf(hop), 'fr');
      assert.equal(h1Of(hop), 'Se connecter');
      assert.match(hop.body, /Nom d’utilisateur/);
    });

    it('ui_locales comes before Accept-Language (OIDC Core §3.1.2.1)', async () => {
      const hop = await new TestBrowser(op.issuer, { 'accept-language': 'fr' }).navigate(authorizeUrl(op.issuer, WEB, { ui_locales: 'de' }));
      assert.equal(langOf(hop), 'de');
    });

    it('the generic sign-in error is in the page language and tied to both fields (aria-invalid, aria-describedby)', async () => {
      const browser = new TestBrowser(op.issuer);
      const first = await browser.navigate(authorizeUrl(op.issuer, WEB, { ui_locales: 'de' }));
      const form = parseForm(first.body);
      const wrong = await browser.navigate(new URL(form.action, first.url).toString(), { form: { ...form.fields, username: 'nobody', password: 'x' } });
      assert.equal(wrong.status, 401);
      assert.equal(langOf(wrong), 'de');
      assert.match(wrong.body, /<p class="error" id="login-error" role="alert">Benutzername oder Passwort ist falsch\.<\/p>/);
      for (const field of ['username', 'password']) {
        assert.match(wrong.body, new RegExp(`<input [^>]*id="${field}"[^>]*aria-invalid="true" aria-describedby="login-error"`), field);
      }
    });

    it('a message missing in the German catalogue is shown in English, never as its key (issue 13 §2)', async () => {
      const saved = de['login.username'];
      delete de['login.username'];
      try {
        const hop = await new TestBrowser(op.issuer).navigate(authorizeUrl(op.issuer, WEB, { ui_locales: 'de' }));
        assert.equal(langOf(hop), 'de');
        assert.match(hop.body, /<label for="username">Username<\/label>/, 'the English message');
        assert.doesNotMatch(hop.body, /login\.username/, 'not the key');
        assert.equal(h1Of(hop), 'Anmelden', 'the rest stays German');
      } finally {
        de['login.username'] = saved;
      }
    });

    it('German and French have every page message, and keep every {parameter} of the English one (issue 13 §2)', () => {
      for (const [name, catalogue] of [['de', de], ['fr', fr]] as const) {
        for (const key of Object.keys(pagesEn) as (keyof typeof pagesEn)[]) {
          const text = catalogue[key];
          assert.ok(text, `${name} lacks ${key}`);
          const params = (s: string) => [...s.matchAll(/\{[a-z_]+\}/g)].map((m) => m[0]).sort();
          assert.deepEqual(params(text), params(en[key]), `${name} ${key}`);
        }
      }
    });

    it('discovery advertises ui_locales_supported ["en", "de", "fr"] (OIDC Discovery §3)', async () => {
      const doc = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      assert.deepEqual(doc.ui_locales_supported, ['en', 'de', 'fr']);
    });

    it('the logout confirmation and the signed-out page follow the logout request\'s ui_locales (RP-Initiated Logout 1.0 §2)', async () => {
      const browser = new TestBrowser(op.issuer);
      const signedIn = await browser.signIn(authorizeUrl(op.issuer, WEB), USERS.alice);
      assert.ok(signedIn.location?.startsWith(WEB.redirect_uri));
      const page = await browser.request(`${op.issuer}/logout?ui_locales=fr`);
      assert.equal(langOf(page), 'fr');
      assert.equal(h1Of(page), 'Se déconnecter ?');
      assert.match(page.body, /Déconnecter <strong>Alice<\/strong> de ce navigateur/);
      const form = parseForm(page.body);
      const done = await browser.request(new URL(form.action, op.issuer).toString(), { form: { ...form.fields, logout_scope: 'session' } });
      assert.equal(langOf(done), 'fr');
      assert.equal(h1Of(done), 'Vous êtes déconnecté');
      assertSessionsLink(done, 'Où suis-je connecté ?');
    });

    it('the error page is in the browser\'s language; the OAuth error code stays as it is', async () => {
      const hop = await new TestBrowser(op.issuer, { 'accept-language': 'de-DE,de;q=0.9' }).navigate(
        authorizeUrl(op.issuer, { client_id: 'nobody', redirect_uri: 'https://evil.example/cb' }),
      );
      assert.equal(hop.status, 400);
      assert.equal(langOf(hop), 'de');
      assert.equal(h1Of(hop), 'Etwas ist schiefgelaufen');
      assert.match(hop.body, /Fehler: <code>[a-z_]+<\/code>/);
    });
  });

  describe('branding by configuration (issue 13 §2)', () => {
    it('the product name, logo, colour and support link appear on the sign-in page; img-src allows exactly the logo\'s origin', async () => {
      const hop = await new TestBrowser(op.issuer).navigate(authorizeUrl(op.issuer, WEB));
      assert.match(hop.body, /<header class="brand"><img src="https:\/\/cdn\.acme\.example\/brand\/logo\.svg" alt=""><span>Acme Identity<\/span><\/header>/);
      assert.match(hop.body, /--primary:#1a4d2e/);
      assert.ok(hop.body.includes('<a href="https://help.acme.example/">Help and support</a>'));
      assertSessionsLink(hop, 'Where am I signed in?');
      assert.deepEqual(imgSrc(hop), ['https://cdn.acme.example']);
    });

    it('the password reset link appears only when branding.passwordResetUrl is set', async () => {
      const branded = await new TestBrowser(op.issuer).navigate(authorizeUrl(op.issuer, WEB));
      assert.ok(branded.body.includes('<a href="https://acme.example/reset-password" id="forgot-password">Forgot password?</a>'));
      const unbranded = await new TestBrowser(plain.issuer).navigate(authorizeUrl(plain.issuer, WEB));
      assert.ok(isLoginPage(unbranded.body));
      assert.doesNotMatch(unbranded.body, /forgot-password|Forgot password/);
      assert.match(unbranded.body, /<span>Signoff<\/span>/, 'the default product name');
      assert.deepEqual(imgSrc(unbranded), ["'none'"], 'no logo: no image source at all');
    });

    it('the sign-in page: autocomplete username / current-password, the show-password toggle (hidden until script), the hint of "Keep me signed in"', async () => {
      const hop = await new TestBrowser(op.issuer).navigate(authorizeUrl(op.issuer, WEB));
      assert.match(hop.body, /<input type="text" id="username" name="username" autocomplete="username"/);
      assert.match(hop.body, /<input type="password" id="password" name="password" autocomplete="current-password"/);
      assert.match(hop.body, /<button type="button" id="show-password" class="toggle" aria-controls="password" aria-pressed="false" hidden>Show password<\/button>/);
      assert.match(hop.body, /<input type="checkbox" id="remember" name="remember" value="1" aria-describedby="remember-hint"><label for="remember">Keep me signed in<\/label>/);
      assert.match(hop.body, /<p class="muted hint" id="remember-hint">/);
      assert.equal([...hop.body.matchAll(/<h1>/g)].length, 1, 'one h1');
      assert.equal([...hop.body.matchAll(/<main>/g)].length, 1, 'one main');
    });

    it('the consent page shows the client\'s logo_uri, policy_uri and tos_uri; img-src is exactly the logos\' origins (RFC 7591 §2)', async () => {
      const hop = await new TestBrowser(op.issuer).signIn(authorizeUrl(op.issuer, CONSENT), USERS.alice);
      assert.ok(isConsentPage(hop.body), `the consent page: ${hop.status} ${hop.location ?? ''}`);
      assert.ok(hop.body.includes(`<img src="${CLIENT_LOGO}" alt=""><h1>Allow Needs Consent?</h1>`));
      assert.ok(hop.body.includes('<a href="https://needs-consent.example/privacy" rel="noopener">Privacy policy of Needs Consent</a>'));
      assert.ok(hop.body.includes('<a href="https://needs-consent.example/terms" rel="noopener">Terms of service of Needs Consent</a>'));
      assert.deepEqual(imgSrc(hop).sort(), ['https://cdn.acme.example', 'https://static.needs-consent.example']);
    });

    it('the sign-in page names the client with its logo ("to continue to …"), its origin added to img-src (RFC 7591 §2)', async () => {
      const hop = await new TestBrowser(op.issuer).navigate(authorizeUrl(op.issuer, CONSENT));
      assert.ok(hop.body.includes(`<img src="${CLIENT_LOGO}" alt=""><span>to continue to <strong>Needs Consent</strong></span>`));
      assert.deepEqual(imgSrc(hop).sort(), ['https://cdn.acme.example', 'https://static.needs-consent.example']);
    });
  });

  describe('bad branding or client metadata stops start-up naming the key (issue 13 §2; RFC 7591 §2)', () => {
    const base = { issuer: 'https://id.example.test' };
    const failsNaming = (input: unknown, key: string, detail?: RegExp): void => {
      assert.throws(() => parseConfig(input), (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.key, key, err.message);
        if (detail) assert.match(err.message, detail);
        return true;
      });
    };

    for (const [what, branding, key, detail] of [
      ['an unknown key', { productname: 'x' }, 'branding.productname', /unknown key/],
      ['an http logo on a public host', { logoUrl: 'http://cdn.example/logo.png' }, 'branding.logoUrl', /https/],
      ['a relative support URL', { supportUrl: '/help' }, 'branding.supportUrl', /absolute/],
      ['a javascript: password reset URL', { passwordResetUrl: 'javascript:alert(1)' }, 'branding.passwordResetUrl', /https/],
      ['a colour name', { primaryColor: 'blue' }, 'branding.primaryColor', /hex colour/],
      ['a colour too light for white text (WCAG 1.4.3)', { primaryColor: '#7fb3ff' }, 'branding.primaryColor', /contrast/],
      ['an empty product name', { productName: '   ' }, 'branding.productName'],
    ] as const) {
      it(`${what}: ${key}`, () => failsNaming({ ...base, branding }, key, detail));
    }

    it('http on a loopback host is accepted in development only', () => {
      const logo = { logoUrl: 'http://127.0.0.1:8080/logo.png' };
      assert.equal(parseConfig({ issuer: 'http://127.0.0.1:4000', branding: logo }).branding.logoUrl, logo.logoUrl);
      failsNaming({ ...base, branding: logo }, 'branding.logoUrl', /https/);
    });

    it('client logo_uri, policy_uri, tos_uri must be https URIs (RFC 7591 §2)', () => {
      const client = { client_id: 'c', redirect_uris: ['https://app.example.test/cb'] };
      for (const field of ['logo_uri', 'policy_uri', 'tos_uri']) {
        failsNaming({ ...base, clients: [{ ...client, [field]: 'http://app.example.test/x' }] }, `clients[0].${field}`, /https/);
        failsNaming({ ...base, clients: [{ ...client, [field]: 'not a uri' }] }, `clients[0].${field}`);
      }
    });

    it('signoff start refuses a bad branding value, naming the key, and does not listen', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'signoff-branding-'));
      try {
        const port = await freePort();
        const cfg = join(dir, 'bad.json');
        writeFileSync(cfg, JSON.stringify({ issuer: `http://127.0.0.1:${port}`, port, store: { sqlite: ':memory:' }, branding: { primaryColor: '#ffff00' } }));
        const r = await runSignoff(['start', '--config', cfg], { cwd: dir, timeoutMs: 20_000 });
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /configuration key "branding\.primaryColor"/);
        assert.doesNotMatch(r.stderr, /listening on/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
