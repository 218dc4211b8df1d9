/**
 * Security notices by email (issue 17 §4), over real SMTP on loopback: a sign-in from a browser
 * the account was not used with before, a new passkey — each sent only when `email.notices`
 * enables it and the account has an email claim, after the change; the same browser again, or
 * an account without an address, gets none. (The password-change notice: password-changed-notice.test.ts
 * and password-reset.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SoftAuthenticator } from './helpers/authenticator.js';
import { TestBrowser, parseForm } from './helpers/browser.js';
import { type Mailbox, type ReceivedMail, startMailbox } from './helpers/mailbox.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { WEB, authorizeUrl, codeOf } from './helpers/session-flows.js';

const CAROL = { username: 'carol', password: 'carol-battery-staple-horse', claims: { name: 'Carol' } };

let op: TestProvider;
let quiet: TestProvider;
let mailbox: Mailbox;

before(async () => {
  mailbox = await startMailbox();
  op = await startProvider({ users: [...Object.values(USERS), CAROL], email: mailbox.config({ notices: { newDevice: true, newPasskey: true } }) });
  // Email configured, notices left at their default (off).
  quiet = await startProvider({ email: mailbox.config() });
});
after(async () => {
  await op?.close();
  await quiet?.close();
  await mailbox?.close();
});

const settle = () => new Promise((r) => setTimeout(r, 400));
const subjects = (mails: ReceivedMail[]) => mails.map((m) => `${m.headers.get('to')}: ${m.headers.get('subject')}`);

describe('security notices (issue 17 §4)', () => {
  it('a sign-in from a new browser sends one notice naming the browser; the same browser signing in again sends none', async () => {
    const from = mailbox.mails.length;
    const browser = new TestBrowser(op.issuer, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36' });
    codeOf(await browser.signIn(authorizeUrl(op.issuer, WEB), USERS.bob), WEB);
    const [mail] = (await mailbox.waitFor(from + 1)).slice(from);
    assert.equal(mail?.headers.get('subject'), 'New sign-in to your Signoff account');
    assert.equal(mail?.headers.get('to'), 'bob@example.test');
    assert.match(mail?.text ?? '', /Chrome 126, Linux/);
    assert.match(mail?.text ?? '', /\/account\/forgot/, 'it says where to reset the password');
    // The same browser again, with a fresh sign-in (prompt=login): not a new device.
    codeOf(await browser.signIn(authorizeUrl(op.issuer, WEB, { prompt: 'login' }), USERS.bob), WEB);
    await settle();
    assert.deepEqual(subjects(mailbox.mails.slice(from + 1)), []);
  });

  it('an account without an email claim gets no notice; with notices off, no one does', async () => {
    const from = mailbox.mails.length;
    codeOf(await new TestBrowser(op.issuer).signIn(authorizeUrl(op.issuer, WEB), CAROL), WEB);
    codeOf(await new TestBrowser(quiet.issuer).signIn(authorizeUrl(quiet.issuer, WEB), USERS.bob), WEB);
    await settle();
    assert.deepEqual(subjects(mailbox.mails.slice(from)), []);
  });

  it('a new passkey sends a notice after it is stored', async () => {
    const browser = new TestBrowser(op.issuer);
    await browser.signIn(authorizeUrl(op.issuer, WEB), USERS.alice);
    await mailbox.waitFor(mailbox.mails.length); // the new-device notice of this sign-in may be on its way
    await settle();
    const from = mailbox.mails.length;
    const hop = await browser.request(`${op.issuer}/account/security`);
    const fields = parseForm(hop.body).fields;
    const res = await browser.request(`${op.issuer}/account/security/passkey-options`, { form: { csrf_token: fields.csrf_token ?? '', account: fields.account ?? '' } });
    const { challengeId, options } = JSON.parse(res.body) as { challengeId: string; options: Parameters<SoftAuthenticator['create']>[0] };
    const issuer = new URL(op.issuer);
    const key = new SoftAuthenticator(issuer.origin, issuer.hostname);
    const form = parseForm(hop.body);
    const added = await browser.request(new URL(form.action, hop.url).toString(), { form: { ...form.fields, challenge_id: challengeId, credential: JSON.stringify(key.create(options)), label: 'Key' } });
    assert.match(added.body, /Your passkey is added/);
    const [mail] = (await mailbox.waitFor(from + 1)).slice(from);
    assert.equal(mail?.headers.get('subject'), 'A passkey was added to your Signoff account');
    assert.equal(mail?.headers.get('to'), 'alice@example.test');
  });
});
