/**
 * The security page, ISSUER/account/security (issue 14 §2), through the real HTTP server: an
 * authenticator app enrolled with the QR code and key the page shows and confirmed with a code
 * computed here, the recovery codes shown once, a passkey added through the options the page's
 * script fetches (a software authenticator stands in for the browser's), a factor removed, and
 * the forms refusing a missing or foreign CSRF token.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { SoftAuthenticator } from './helpers/authenticator.js';
import { type Hop, TestBrowser, parseForm } from './helpers/browser.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { WEB, authorizeUrl } from './helpers/session-flows.js';
import { de } from '../src/http/pages/i18n/de.js';
import { en } from '../src/http/pages/i18n/en.js';
import { fr } from '../src/http/pages/i18n/fr.js';

let op: TestProvider;
let page: string;

/** Every text value of every column of every table of the provider's SQLite file. */
const storedText = (): string[] => {
  const db = new Database(join(op.dir, 'signoff.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    return tables.flatMap(({ name }) =>
      (db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]).flatMap((row) => Object.values(row).filter((v): v is string => typeof v === 'string')),
    );
  } finally {
    db.close();
  }
};

before(async () => {
  op = await startProvider();
  page = `${op.issuer}/account/security`;
});
after(() => op?.close());

const signedIn = async (user: { username: string; password: string }): Promise<TestBrowser> => {
  const browser = new TestBrowser(op.issuer);
  await browser.signIn(authorizeUrl(op.issuer, WEB), user);
  return browser;
};

/** Posts the page's form with its hidden fields, `extra` on top. */
const submit = (browser: TestBrowser, hop: Hop, extra: Record<string, string>): Promise<Hop> => {
  const form = parseForm(hop.body);
  return browser.request(new URL(form.action, hop.url).toString(), { form: { ...form.fields, ...extra } });
};

const secretOf = (html: string): string => (/<code>([A-Z2-7 ]+)<\/code>/.exec(html)?.[1] ?? '').replaceAll(' ', '');
const recoveryCodesOf = (html: string): string[] => [...html.matchAll(/<li><code>([0-9a-z-]{19})<\/code><\/li>/g)].map((m) => m[1] as string);
const factorIdsOf = (html: string): string[] => [...html.matchAll(/name="remove" value="([^"]+)"/g)].map((m) => m[1] as string);

describe('the security page (issue 14 §2)', () => {
  it('without a session it goes through the normal sign-in and comes back to this page; the devices page links here', async () => {
    const browser = new TestBrowser(op.issuer);
    const hop = await browser.request(page);
    assert.equal(hop.status, 303);
    assert.equal(new URL(hop.location ?? '').pathname, '/authorize');
    const back = await browser.signIn(page, USERS.alice);
    assert.equal(back.status, 200, back.body.slice(0, 300));
    assert.equal(back.url, page);
    assert.match(back.body, /<h1>Sign-in security<\/h1>/);
    assert.match((await browser.request(`${op.issuer}/account/sessions`)).body, /<a href="\/account\/security">Sign-in security/);
  });

  it('an authenticator app is enrolled from the QR code and key on the page, confirmed by a code, and the recovery codes are shown once; neither is stored in plain', async () => {
    const browser = await signedIn(USERS.alice);
    const first = await browser.request(page);
    assert.equal(first.status, 200, first.body.slice(0, 300));
    assert.match(first.body, /No second step is set up yet/);
    assert.match(first.headers.get('content-security-policy') ?? '', /script-src 'nonce-[^']+'; .*connect-src 'self'/);
    const script = /<script nonce="[^"]+">([\s\S]*?)<\/script>/.exec(first.body)?.[1] ?? '';
    assert.doesNotThrow(() => new Function(script), 'the passkey script parses');
    const started = await submit(browser, first, { totp_start: '1', label: 'My phone' });
    assert.equal(started.status, 200);
    assert.match(started.body, /<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, 'the QR code inline');
    const secret = secretOf(started.body);
    assert.equal(secret.length, 32);
    const factorId = /name="totp_confirm" value="([^"]+)"/.exec(started.body)?.[1] ?? '';
    const wrong = await submit(browser, started, { totp_confirm: factorId, code: '000000' === TOTP.generate({ secret: Secret.fromBase32(secret) }) ? '111111' : '000000' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /That code is not right/);
    assert.equal(secretOf(wrong.body), secret, 'the same enrolment is shown again');
    const done = await submit(browser, wrong, { totp_confirm: factorId, code: TOTP.generate({ secret: Secret.fromBase32(secret) }) });
    assert.equal(done.status, 200, done.body.slice(0, 500));
    assert.match(done.body, /Your authenticator app is set up/);
    assert.equal(recoveryCodesOf(done.body).length, 10);
    assert.match(done.body, /My phone/);
    const stored = storedText().join('\n');
    assert.ok(!stored.includes(secret), 'the TOTP key is sealed at rest');
    for (const code of recoveryCodesOf(done.body)) assert.ok(!stored.includes(code) && !stored.includes(code.replaceAll('-', '')), 'recovery codes only as hashes');
    const again = await browser.request(page);
    assert.deepEqual(recoveryCodesOf(again.body), [], 'shown once');
    assert.match(again.body, /Recovery codes left: 10/);
    assert.deepEqual(factorIdsOf(again.body), [factorId]);
    const removed = await submit(browser, again, { remove: factorId });
    assert.match(removed.body, /It is removed/);
    assert.deepEqual(factorIdsOf(removed.body), []);
  });

  it('a passkey is added with the options the page\'s script fetches and the credential it posts', async () => {
    const browser = await signedIn(USERS.bob);
    const hop = await browser.request(page);
    const fields = parseForm(hop.body).fields;
    const res = await browser.request(`${op.issuer}/account/security/passkey-options`, { form: { csrf_token: fields.csrf_token ?? '', account: fields.account ?? '' } });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const { challengeId, options } = JSON.parse(res.body) as { challengeId: string; options: { challenge: string; user: { id: string }; rp: { id: string } } };
    const issuer = new URL(op.issuer);
    assert.equal(options.rp.id, issuer.hostname);
    const key = new SoftAuthenticator(issuer.origin, issuer.hostname);
    const added = await submit(browser, hop, { challenge_id: challengeId, credential: JSON.stringify(key.create(options)), label: 'Security key' });
    assert.equal(added.status, 200, added.body.slice(0, 500));
    assert.match(added.body, /Your passkey is added/);
    assert.equal(recoveryCodesOf(added.body).length, 10);
    assert.match(added.body, /Security key/);
    const replayed = await submit(browser, hop, { challenge_id: challengeId, credential: JSON.stringify(key.create(options)), label: 'Again' });
    assert.equal(replayed.status, 400, 'the challenge was used');
  });

  it('German and French have every message of the page, with the English one\'s {parameters} (issue 13 §2)', async () => {
    const keys = (Object.keys(en) as (keyof typeof en)[]).filter((k) => k.startsWith('security.'));
    const params = (s: string) => [...s.matchAll(/\{[a-z_]+\}/g)].map((m) => m[0]).sort();
    for (const [name, catalogue] of [['de', de], ['fr', fr]] as const) {
      for (const key of keys) {
        assert.ok(catalogue[key], `${name} lacks ${key}`);
        assert.deepEqual(params(catalogue[key] ?? ''), params(en[key]), `${name} ${key}`);
      }
    }
    const browser = await signedIn(USERS.alice);
    browser.headers['accept-language'] = 'de';
    assert.match((await browser.request(page)).body, /<h1>Anmeldesicherheit<\/h1>/);
  });

  it('the forms and the passkey options refuse a missing or foreign CSRF token, changing nothing', async () => {
    const alice = await signedIn(USERS.alice);
    const bob = await signedIn(USERS.bob);
    const alicePage = await alice.request(page);
    const bobsToken = parseForm((await bob.request(page)).body).fields.csrf_token ?? '';
    const refused = await submit(alice, alicePage, { csrf_token: bobsToken, totp_start: '1' });
    assert.equal(refused.status, 403);
    assert.doesNotMatch(refused.body, /<svg/);
    const options = await alice.request(`${op.issuer}/account/security/passkey-options`, { form: { account: parseForm(alicePage.body).fields.account ?? '' } });
    assert.equal(options.status, 403);
  });
});
