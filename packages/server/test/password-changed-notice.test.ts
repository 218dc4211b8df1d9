/**
 * The password-changed notice (issue 17 §4, `email.notices.passwordChanged`) for every password
 * change made through the account use cases, not only the reset by email: the admin API's
 * PATCH /admin/v1/users/{id} and `signoff users passwd`. Over real SMTP on loopback to an in-test
 * server: exactly one mail per change, to the account's address as it is after the change, only
 * once the change committed — none for a change that sets no password or is refused, none for an
 * account without a usable address, none with the notice off. (The reset's own notice:
 * password-reset.test.ts.)
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Mailbox, type ReceivedMail, startMailbox } from './helpers/mailbox.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { basicAuth, postForm } from './helpers/rp.js';
import { WEB, accountIdOf, cliConfigFor, clientsWith, runCli, signInFresh } from './helpers/session-flows.js';

const ADMIN = { client_id: 'admin', client_secret: 'admin-secret-0123456789-0123456789-abc' } as const;
const CLIENTS = clientsWith({ ...ADMIN, grant_types: ['client_credentials'], scope: 'signoff.users.read signoff.users.manage' });
const PASSWORD = 'notice-test-battery-staple';
const user = (username: string, claims: Record<string, unknown>) => ({ username, password: PASSWORD, claims });
const USERS_HERE = [
  ...Object.values(USERS),
  user('carol', { name: 'Carol' }),
  user('dora', { email: 'dora@example.test', locale: 'de-CH' }),
  user('erin', { email: 'erin@example.test', locale: '__proto__' }),
  user('frank', { email: 'frank@example.test' }),
  user('gina', { email: 'gina@example.test' }),
  user('hal', { email: 'hal-old@example.test' }),
  user('ivan', { email: 'ivan@example.test' }),
];

let mailbox: Mailbox;
let on: TestProvider;
let off: TestProvider;

before(async () => {
  mailbox = await startMailbox();
  on = await startProvider({ clients: CLIENTS, users: USERS_HERE, email: mailbox.config({ notices: { passwordChanged: true } }) });
  // Email configured, the notice left at its default (off).
  off = await startProvider({ clients: CLIENTS, users: USERS_HERE, email: mailbox.config() });
});
after(async () => {
  await on?.close();
  await off?.close();
  await mailbox?.close();
});

/** Long enough for a mail handed to the relay to arrive: for "no (further) mail was sent". */
const settle = () => new Promise((r) => setTimeout(r, 500));
const summary = (mails: ReceivedMail[]) => mails.map((m) => `${m.envelopeTo.join(',')}: ${m.headers.get('subject')}`);

const adminToken = async (op: TestProvider): Promise<string> => {
  const res = await postForm(`${op.issuer}/token`, { grant_type: 'client_credentials', scope: 'signoff.users.manage' }, { authorization: basicAuth(ADMIN.client_id, ADMIN.client_secret) });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
};

/** PATCH /admin/v1/users/{id of username}; the status and body. */
const patchUser = async (op: TestProvider, username: string, body: unknown): Promise<{ status: number; body: { ended_sessions?: number } }> => {
  const res = await fetch(`${op.issuer}/admin/v1/users/${await accountIdOf(op, username)}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${await adminToken(op)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { ended_sessions?: number } };
};

describe('the password-changed notice for a change through the admin API (issue 17 §4)', () => {
  it('a new password by PATCH /admin/v1/users/{id} sends exactly one notice, to the account\'s address, once the change (its sessions ended) committed', async () => {
    await signInFresh(on.issuer, WEB, { username: 'frank', password: PASSWORD });
    const from = mailbox.mails.length;
    const changed = await patchUser(on, 'frank', { password: 'franks-new-battery-staple' });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.ended_sessions, 1);
    const [mail] = (await mailbox.waitFor(from + 1)).slice(from);
    assert.deepEqual(mail?.envelopeTo, ['frank@example.test']);
    assert.equal(mail?.headers.get('to'), 'frank@example.test');
    assert.equal(mail?.headers.get('subject'), 'Your Signoff password was changed');
    assert.match(mail?.text ?? '', /The password of your account frank was changed/);
    assert.match(mail?.text ?? '', new RegExp(`${on.issuer}/account/forgot`), 'it says where to reset the password');
    await settle();
    assert.equal(mailbox.mails.length, from + 1, 'one change, one mail');
  });

  it('no notice for a change that sets no password or is refused: claims only, disable and enable, a password the policy refuses, an unknown user', async () => {
    const from = mailbox.mails.length;
    assert.equal((await patchUser(on, 'gina', { claims: { email: 'gina@example.test', name: 'Gina' } })).status, 200);
    assert.equal((await patchUser(on, 'gina', { disabled: true })).status, 200);
    assert.equal((await patchUser(on, 'gina', { disabled: false })).status, 200);
    assert.equal((await patchUser(on, 'gina', { password: 'short' })).status, 400, 'refused by the policy: nothing changed, nothing sent');
    assert.equal((await patchUser(on, 'gina', { password: 'gina-new-battery-staple', extra: 1 })).status, 400, 'an unknown field: refused before any change');
    const unknown = await fetch(`${on.issuer}/admin/v1/users/00000000-0000-4000-8000-000000000000`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${await adminToken(on)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'nobodys-new-battery-staple' }),
    });
    assert.equal(unknown.status, 404);
    await settle();
    assert.deepEqual(summary(mailbox.mails.slice(from)), []);
  });

  it('no notice for an account without an email claim, or with one no mail can go to (a header injection)', async () => {
    const from = mailbox.mails.length;
    assert.equal((await patchUser(on, 'carol', { password: 'carols-new-battery-staple' })).status, 200);
    const injected = await patchUser(on, 'ivan', { claims: { email: 'ivan@example.test\r\nBcc: evil@example.test' }, password: 'ivans-new-battery-staple' });
    assert.equal(injected.status, 200);
    await settle();
    assert.deepEqual(summary(mailbox.mails.slice(from)), []);
  });

  it('a patch that changes the address and the password at once notifies the address as changed, not the old one', async () => {
    const from = mailbox.mails.length;
    assert.equal((await patchUser(on, 'hal', { claims: { email: 'hal-new@example.test' }, password: 'hals-new-battery-staple' })).status, 200);
    await mailbox.waitFor(from + 1);
    await settle();
    assert.deepEqual(summary(mailbox.mails.slice(from)), ['hal-new@example.test: Your Signoff password was changed']);
  });

  it("the notice is in the account's language (its locale claim, OIDC Core §5.1); a locale Signoff does not speak, or a hostile one, gets English", async () => {
    const from = mailbox.mails.length;
    assert.equal((await patchUser(on, 'dora', { password: 'doras-new-battery-staple' })).status, 200);
    await mailbox.waitFor(from + 1);
    assert.equal((await patchUser(on, 'erin', { password: 'erins-new-battery-staple' })).status, 200);
    await mailbox.waitFor(from + 2);
    assert.deepEqual(summary(mailbox.mails.slice(from)).sort(), ['dora@example.test: Ihr Signoff-Passwort wurde geändert', 'erin@example.test: Your Signoff password was changed']);
  });

  it('with email.notices.passwordChanged off, a new password by the admin API sends no mail', async () => {
    const from = mailbox.mails.length;
    assert.equal((await patchUser(off, 'alice', { password: 'alices-new-battery-staple' })).status, 200);
    await settle();
    assert.deepEqual(summary(mailbox.mails.slice(from)), []);
  });
});

describe('the password-changed notice for `signoff users passwd` (issue 17 §4)', () => {
  const usual = (name: string, ended: number) => `changed the password of ${name}; ended ${ended} session(s)\n`;
  /** A configuration for the command on `on`'s store, with `email` as given. */
  const configWith = (email: Record<string, unknown>): string => {
    const file = join(on.dir, `cli-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ issuer: on.issuer, store: { sqlite: join(on.dir, 'signoff.sqlite') }, logging: { level: 'silent' }, clients: CLIENTS, users: [], email }));
    return file;
  };

  it('with email configured and the notice on, the command mails exactly one notice before it exits', async () => {
    const from = mailbox.mails.length;
    const r = await runCli(['users', 'passwd', 'bob', '--password-stdin', '--config', configWith(mailbox.config({ notices: { passwordChanged: true } }))], { cwd: on.dir, input: 'bobs-cli-battery-staple\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, usual('bob', 0));
    // The command waited for the relay: the mail is there as soon as it exited.
    assert.deepEqual(summary(mailbox.mails.slice(from)), ['bob@example.test: Your Signoff password was changed']);
    await settle();
    assert.equal(mailbox.mails.length, from + 1, 'one change, one mail');
  });

  it('without email the command prints nothing extra and sends nothing; with the notice off, nothing either', async () => {
    const from = mailbox.mails.length;
    const plain = await runCli(['users', 'passwd', 'alice', '--password', 'alices-cli-battery-staple', '--config', cliConfigFor(on, CLIENTS)], { cwd: on.dir });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, usual('alice', 0));
    assert.doesNotMatch(plain.stderr, /mail/i);
    const quiet = await runCli(['users', 'passwd', 'alice', '--password', 'alices-cli2-battery-staple', '--config', configWith(mailbox.config())], { cwd: on.dir });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stdout, usual('alice', 0));
    await settle();
    assert.deepEqual(summary(mailbox.mails.slice(from)), []);
  });

  it('a relay that refuses the mail: the password is changed (exit 0) and stderr warns that the notice could not be sent', async () => {
    const refusing = await startMailbox({ failWith: 550 });
    try {
      const r = await runCli(['users', 'passwd', 'bob', '--password', 'bobs-cli2-battery-staple', '--config', configWith(refusing.config({ notices: { passwordChanged: true } }))], { cwd: on.dir });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, usual('bob', 0));
      assert.match(r.stderr, /signoff: warning: mail could not be sent/);
    } finally {
      await refusing.close();
    }
  });
});
