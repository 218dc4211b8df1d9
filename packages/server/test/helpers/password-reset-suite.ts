/**
 * Self-service password reset by email (issue 17 §4; OWASP Forgot Password Cheat Sheet), through
 * the real HTTP server and real mail over SMTP on loopback to an in-test server, run by
 * test/password-reset.test.ts (SQLite) and test/password-reset-postgres.test.ts (PostgreSQL): the
 * request always gets the same page, a matching account gets a single-use, short-lived link (the
 * token only, no account id), the link sets a new password under the password policy — once, even
 * when two requests use it at the same moment — and setting it ends every session of the account
 * with reason password_changed — the applications told by back-channel logout, prompt=none
 * answering login_required — and drops the account's other links.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { ManualClock } from '../../src/clock.js';
import { type Hop, TestBrowser, isLoginPage, parseForm } from './browser.js';
import { type Mailbox, type ReceivedMail, resetLinkOf, startMailbox } from './mailbox.js';
import { type TestProvider, USERS, defaultClients, startProvider } from './provider.js';
import { type Receiver, startReceiver, verifiedLogoutTokens } from './receiver.js';
import { WEB, allSessions, authorizeUrl, codeOf, exchange, silent } from './session-flows.js';

const CAROL = { username: 'carol', password: 'carol-battery-staple-horse', claims: { name: 'Carol' } };
const NEW_PASSWORD = 'a-brand-new-long-passphrase-for-alice';

/** The store a suite runs on: its configuration (`store` of the config; none: startProvider's SQLite file) and what removes it. */
export interface ResetSuiteStore {
  config?: Record<string, unknown>;
  drop?: () => Promise<void>;
}

/** The password-reset tests on the store `store()` makes (called once, before the first test). */
export const passwordResetSuite = (storeName: string, store: () => Promise<ResetSuiteStore>): void => {
  describe(`password reset by email on ${storeName} (issue 17 §4)`, () => {
    let op: TestProvider;
    let rx: Receiver;
    let mailbox: Mailbox;
    let dropStore: (() => Promise<void>) | undefined;
    const clock = new ManualClock();

    before(async () => {
      const s = await store();
      dropStore = s.drop;
      rx = await startReceiver();
      mailbox = await startMailbox();
      op = await startProvider(
        {
          ...(s.config ? { store: s.config } : {}),
          clients: defaultClients().map((c) => (c.client_id === 'web' ? { ...c, backchannel_logout_uri: rx.url } : c)),
          users: [...Object.values(USERS), CAROL],
          email: mailbox.config({ resetsPerAddress: 8, notices: { passwordChanged: true } }),
        },
        { deliveries: true, clock },
      );
    });
    after(async () => {
      await op?.close();
      await mailbox?.close();
      await rx?.close();
      await dropStore?.();
    });
    // Each test starts past the last one's links and throttle windows (email.resetTokenTtl, 15 minutes).
    beforeEach(() => clock.advance(16 * 60));

    const forgotUrl = () => `${op.issuer}/account/forgot`;

    /** Opens the forgot page on `browser` and submits `identifier`; the answer. */
    const requestReset = async (browser: TestBrowser, identifier: string): Promise<Hop> => {
      const page = await browser.request(forgotUrl());
      assert.equal(page.status, 200);
      const form = parseForm(page.body);
      return browser.request(new URL(form.action, page.url).toString(), { form: { ...form.fields, identifier } });
    };

    const isReset = (m: ReceivedMail): boolean => m.text.includes('/account/reset?token=');

    /** The reset mails (notices left out) that arrive within a short while after `from` (for "no mail was sent"). */
    const mailsAfter = async (from: number, settleMs = 400): Promise<ReceivedMail[]> => {
      await new Promise((r) => setTimeout(r, settleMs));
      return mailbox.mails.slice(from).filter(isReset);
    };

    /** Waits for `count` reset mails after index `from` (notices, which arrive in between, left out). */
    const resetsAfter = async (from: number, count = 1, timeoutMs = 5000): Promise<ReceivedMail[]> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = mailbox.mails.slice(from).filter(isReset);
        if (got.length >= count) return got;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} reset mail(s), got ${got.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    /** Opens the link and submits the new password; the answer. */
    /** Asks for a reset of `identifier`'s password in `browser` and returns the link of the mail that follows. */
    const resetLinkFor = async (browser: TestBrowser, identifier: string): Promise<string> => {
      const from = mailbox.mails.length;
      await requestReset(browser, identifier);
      const [mail] = await resetsAfter(from, 1);
      assert.ok(mail);
      return resetLinkOf(mail);
    };

    const setPassword = async (browser: TestBrowser, link: string, password: string): Promise<Hop> => {
      const page = await browser.request(link);
      assert.equal(page.status, 200, page.body.slice(0, 300));
      const form = parseForm(page.body);
      return browser.request(new URL(form.action, page.url).toString(), { form: { ...form.fields, password } });
    };

    const passwordWorks = async (username: string, password: string): Promise<boolean> => {
      const hop = await new TestBrowser(op.issuer).signIn(authorizeUrl(op.issuer, WEB), { username, password });
      return hop.location?.startsWith(`${WEB.redirect_uri}?`) === true && new URL(hop.location).searchParams.has('code');
    };

    /** The answer page's words, without the per-browser CSRF and nonce values. */
    const visible = (html: string): string => html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/nonce-[^'"]+/g, '');

    it('the sign-in page offers "Forgot password?" linking to ISSUER/account/forgot when email is configured', async () => {
      const hop = await new TestBrowser(op.issuer).navigate(authorizeUrl(op.issuer, WEB));
      assert.ok(isLoginPage(hop.body));
      assert.match(hop.body, new RegExp(`<a href="${op.issuer}/account/forgot" id="forgot-password">Forgot password\\?</a>`));
    });

    it('the full flow: request, mail, link, new password; every session of the account ends (password_changed), its application is told, the new password works and the old does not', async () => {
      // Alice is signed in at the web application on one browser.
      const old = new TestBrowser(op.issuer);
      const tokens = await exchange(op.issuer, WEB, codeOf(await old.signIn(authorizeUrl(op.issuer, WEB), USERS.alice), WEB));
      const sid = decodeJwt(tokens.id_token).sid as string;
      const logoutsBefore = rx.received.length;
      const mailsBefore = mailbox.mails.length;

      const browser = new TestBrowser(op.issuer);
      const answer = await requestReset(browser, 'alice');
      assert.equal(answer.status, 200);
      assert.match(answer.body, /Check your email/);
      const [mail] = (await mailbox.waitFor(mailsBefore + 1)).slice(mailsBefore);
      assert.ok(mail);
      assert.deepEqual(mail.envelopeTo, ['alice@example.test']);
      assert.equal(mail.headers.get('to'), 'alice@example.test');
      assert.equal(mail.headers.get('from'), 'Signoff Test <signoff@example.test>');
      assert.equal(mail.headers.get('subject'), 'Reset your Signoff password');
      const link = resetLinkOf(mail);
      const url = new URL(link);
      assert.equal(`${url.origin}${url.pathname}`, `${op.issuer}/account/reset`);
      assert.deepEqual([...url.searchParams.keys()], ['token'], 'the link carries the token only');
      const account = await op.provider.store.accountByUsername('alice');
      assert.ok(account && !link.includes(account.id), 'no account id in the link');
      assert.match(url.searchParams.get('token') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.ok(mail.html.includes(`href="${link}"`), 'the HTML part links to the same URL');
      assert.match(mail.text, /15 minutes/);

      const done = await setPassword(browser, link, NEW_PASSWORD);
      assert.equal(done.status, 200, done.body.slice(0, 400));
      assert.match(done.body, /Your password is changed/);

      // Back-Channel Logout §2.4: the application of the ended session gets its logout token.
      const [logout] = await verifiedLogoutTokens(rx, op.issuer, 'web', logoutsBefore, 1);
      assert.equal(logout?.sid, sid);
      const ended = (await allSessions(op)).find((s) => s.id === sid || s.accountId === account.id && s.endReason !== undefined);
      assert.equal(ended?.endReason, 'password_changed');
      assert.equal((await silent(old, op.issuer, WEB)).error, 'login_required', 'the old browser is signed out');
      assert.equal(await passwordWorks('alice', NEW_PASSWORD), true, 'the new password signs in');
      assert.equal(await passwordWorks('alice', USERS.alice.password), false, 'the old one does not');

      // email.notices.passwordChanged: a notice after the change.
      const [notice] = (await mailbox.waitFor(mailsBefore + 2)).slice(mailsBefore + 1);
      assert.equal(notice?.headers.get('subject'), 'Your Signoff password was changed');
      assert.equal(notice?.headers.get('to'), 'alice@example.test');

      // Put alice's password back for the other tests (another reset, through the same path).
      const again = mailbox.mails.length;
      await requestReset(browser, 'alice');
      const [back] = (await mailbox.waitFor(again + 1)).slice(again);
      assert.ok(back);
      assert.equal((await setPassword(browser, resetLinkOf(back), USERS.alice.password)).status, 200);
      // …and its notice, so that the next test's mail is its own.
      const [second] = (await mailbox.waitFor(again + 2)).slice(again + 1);
      assert.equal(second?.headers.get('subject'), 'Your Signoff password was changed');
    });

    it('a link works once: replayed, it shows "This link does not work" and changes nothing', async () => {
      const browser = new TestBrowser(op.issuer);
      const link = await resetLinkFor(browser, 'bob');
      const page = await browser.request(link);
      const form = parseForm(page.body);
      assert.equal((await browser.request(new URL(form.action, page.url).toString(), { form: { ...form.fields, password: 'bobs-first-new-long-passphrase' } })).status, 200);
      const replay = await browser.request(new URL(form.action, page.url).toString(), { form: { ...form.fields, password: 'bobs-second-new-long-passphrase' } });
      assert.equal(replay.status, 400);
      assert.match(replay.body, /This link does not work/);
      assert.equal((await browser.request(link)).status, 400, 'the link itself is spent');
      assert.equal(await passwordWorks('bob', 'bobs-first-new-long-passphrase'), true);
      assert.equal(await passwordWorks('bob', 'bobs-second-new-long-passphrase'), false);
    });

    it('two concurrent uses of one link: exactly one sets the password, the other is told the link does not work, and one notice is sent', async () => {
      const browser = new TestBrowser(op.issuer);
      await new Promise((r) => setTimeout(r, 400)); // the last test's notice, still on its way, is not this one's
      const from = mailbox.mails.length;
      const page = await browser.request(await resetLinkFor(browser, 'bob'));
      const form = parseForm(page.body);
      const action = new URL(form.action, page.url).toString();
      const passwords = ['bob-race-first-long-passphrase', 'bob-race-second-long-passphrase'];
      // Both requests pass the link's check before either takes the token: each take waits (3 s at
      // most) until the other has arrived, then both run against the store at once.
      const store = op.provider.store;
      const take = store.takeResetToken;
      let arrived = 0;
      let release = (): void => undefined;
      const bothThere = new Promise<void>((r) => (release = r));
      store.takeResetToken = async (hash, at) => {
        if (++arrived === 2) release();
        await Promise.race([bothThere, new Promise((r) => setTimeout(r, 3000))]);
        return take.call(store, hash, at);
      };
      let answers: Hop[];
      try {
        answers = await Promise.all(passwords.map((password) => browser.request(action, { form: { ...form.fields, password } })));
      } finally {
        store.takeResetToken = take;
      }
      assert.equal(arrived, 2, 'both requests reached the take: a race, not a replay');
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400], 'one succeeds, one is refused');
      const winner = answers.findIndex((a) => a.status === 200);
      assert.match(answers[1 - winner]?.body ?? '', /This link does not work/);
      assert.equal(await passwordWorks('bob', passwords[winner] ?? ''), true, 'the winner\'s password is set');
      assert.equal(await passwordWorks('bob', passwords[1 - winner] ?? ''), false, 'the other one is not');
      await new Promise((r) => setTimeout(r, 400));
      assert.deepEqual(mailbox.mails.slice(from).filter((m) => !isReset(m)).map((m) => m.headers.get('subject')), ['Your Signoff password was changed'], 'one change, one notice');
    });

    it('a link expires after email.resetTokenTtl (15 minutes)', async () => {
      const browser = new TestBrowser(op.issuer);
      const link = await resetLinkFor(browser, 'bob');
      clock.advance(14 * 60);
      const page = await browser.request(link);
      assert.equal(page.status, 200, 'still valid at 14 minutes');
      clock.advance(61);
      const form = parseForm(page.body);
      const late = await browser.request(new URL(form.action, page.url).toString(), { form: { ...form.fields, password: 'too-late-long-passphrase-for-bob' } });
      assert.equal(late.status, 400);
      assert.match(late.body, /This link does not work/);
      assert.equal(await passwordWorks('bob', 'too-late-long-passphrase-for-bob'), false);
    });

    it('a link is bound to its account: bob\'s link names bob and changes bob\'s password only', async () => {
      const browser = new TestBrowser(op.issuer);
      const from = mailbox.mails.length;
      await requestReset(browser, 'bob@example.test');
      const [mail] = await resetsAfter(from, 1);
      assert.deepEqual(mail?.envelopeTo, ['bob@example.test'], 'an email address finds its account');
      const page = await browser.request(resetLinkOf(mail as ReceivedMail));
      assert.match(page.body, /<strong>bob<\/strong>/);
      const form = parseForm(page.body);
      // The form's account is the token's: a forged username field changes nothing.
      const done = await browser.request(new URL(form.action, page.url).toString(), { form: { ...form.fields, username: 'alice', password: 'bob-bound-long-passphrase-x' } });
      assert.equal(done.status, 200);
      assert.equal(await passwordWorks('bob', 'bob-bound-long-passphrase-x'), true);
      assert.equal(await passwordWorks('alice', USERS.alice.password), true, "alice's password is untouched");
    });

    it('using one link drops every other outstanding link of the account', async () => {
      const browser = new TestBrowser(op.issuer);
      const from = mailbox.mails.length;
      await requestReset(browser, 'bob');
      await resetsAfter(from, 1);
      await requestReset(browser, 'bob');
      const [first, second] = await resetsAfter(from, 2);
      assert.ok(first && second);
      assert.notEqual(resetLinkOf(first), resetLinkOf(second));
      assert.equal((await setPassword(browser, resetLinkOf(second), 'bob-second-link-long-passphrase')).status, 200);
      assert.equal((await browser.request(resetLinkOf(first))).status, 400, 'the first link no longer works');
    });

    it('a password the policy refuses is refused on the page, saying why, and the link still works', async () => {
      const browser = new TestBrowser(op.issuer);
      const link = await resetLinkFor(browser, 'bob');
      const short = await setPassword(browser, link, 'short');
      assert.equal(short.status, 400);
      assert.match(short.body, /role="alert">The password must be at least 15 characters long\./);
      assert.match(short.body, /aria-invalid="true"/);
      const named = await setPassword(browser, link, 'bobbobbobbobbob-bob');
      assert.equal(named.status, 400);
      assert.match(named.body, /Without your username in it, the password must still be at least 15 characters long\./);
      assert.equal((await setPassword(browser, link, 'bob-policy-ok-long-passphrase')).status, 200);
    });

    it('an unknown username, an account without an email claim and an address no account has get the same page and no mail', async () => {
      const browser = new TestBrowser(op.issuer);
      const from = mailbox.mails.length;
      const known = await requestReset(browser, 'bob');
      await resetsAfter(from, 1);
      clock.advance(16 * 60);
      const answers = [await requestReset(browser, 'nobody-here'), await requestReset(browser, 'carol'), await requestReset(browser, 'nobody@example.test')];
      for (const a of answers) {
        assert.equal(a.status, known.status);
        assert.equal(visible(a.body), visible(known.body), 'the same page');
      }
      assert.equal((await mailsAfter(from)).length, 1, 'no mail but the known account\'s');
    });

    it('throttled per account (3 links per 15 minutes) and per client address (8), with the same answer', async () => {
      const browser = new TestBrowser(op.issuer);
      const from = mailbox.mails.length;
      const answers: Hop[] = [];
      for (let i = 0; i < 5; i++) answers.push(await requestReset(browser, 'bob'));
      await resetsAfter(from, 3);
      assert.equal((await mailsAfter(from)).length, 3, 'three mails for five requests');
      for (const a of answers) assert.equal(visible(a.body), visible(answers[0]?.body ?? ''));
      // Three more requests use up the address's eight; the ninth, for another account, sends nothing.
      for (let i = 0; i < 3; i++) await requestReset(browser, 'nobody');
      const mid = mailbox.mails.length;
      const ninth = await requestReset(browser, 'alice');
      assert.equal(ninth.status, 200);
      assert.deepEqual(await mailsAfter(mid), [], 'the address is over its limit');
      clock.advance(16 * 60);
      await requestReset(browser, 'alice');
      await resetsAfter(mid, 1);
    });

    it('hostile input: huge, unicode, __proto__, a token of the wrong shape, a missing CSRF token', async () => {
      const browser = new TestBrowser(op.issuer);
      const from = mailbox.mails.length;
      const huge = await requestReset(browser, 'a'.repeat(100_000));
      assert.ok(huge.status === 400 || huge.status === 413, `huge identifier: ${huge.status}`);
      for (const id of ['ålice', 'alice\u0000', '__proto__', 'constructor', "alice' OR '1'='1", 'bob@example.test\r\nBcc: evil@example.test', '%']) {
        const a = await requestReset(browser, id);
        assert.equal(a.status, 200, id);
        assert.match(a.body, /Check your email/);
      }
      // A form with __proto__ fields and no CSRF token: refused, nothing sent.
      const page = await browser.request(forgotUrl());
      const form = parseForm(page.body);
      const csrfless = await browser.request(new URL(form.action, page.url).toString(), { form: JSON.parse('{"identifier":"bob","__proto__":"x","constructor":"y"}') as Record<string, string> });
      assert.equal(csrfless.status, 403);
      const foreign = await new TestBrowser(op.issuer).request(new URL(form.action, page.url).toString(), { form: { ...form.fields, identifier: 'bob' } });
      assert.equal(foreign.status, 403, 'a CSRF token of another browser');
      assert.deepEqual(await mailsAfter(from), [], 'no mail for any of them');
      for (const token of ['', 'x', '../../etc/passwd', 'A'.repeat(43), 'A'.repeat(44), '__proto__', '%00', 'ü'.repeat(43)]) {
        const get = await browser.request(`${op.issuer}/account/reset?token=${encodeURIComponent(token)}`);
        assert.equal(get.status, 400, `GET token ${token}`);
        assert.match(get.body, /This link does not work/);
        const post = await browser.request(`${op.issuer}/account/reset`, { form: { token, password: 'hostile-long-passphrase-xyz', csrf_token: 'x' } });
        assert.equal(post.status, 400, `POST token ${token}`);
      }
      const twice = await browser.request(`${op.issuer}/account/reset?token=a&token=b`);
      assert.equal(twice.status, 400);
    });

    it('the forgot page is localised (ui_locales=de) and the mail follows the requester\'s language (fr)', async () => {
      const de = await new TestBrowser(op.issuer).request(`${forgotUrl()}?ui_locales=de`);
      assert.match(de.body, /<html lang="de"/);
      assert.match(de.body, /Passwort zurücksetzen/);
      const browser = new TestBrowser(op.issuer, { 'accept-language': 'fr' });
      const from = mailbox.mails.length;
      await requestReset(browser, 'bob');
      const [mail] = await resetsAfter(from, 1);
      assert.equal(mail?.headers.get('subject'), 'Réinitialiser votre mot de passe Signoff');
      assert.match(mail?.text ?? '', /dans les 15 minutes/);
    });
  });
};
