/**
 * The `email` configuration (issue 17 §4): absent means no email features; present, every key is
 * checked at start-up and an error names it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../src/config/schema.js';
import { failsNaming } from './helpers/config-errors.js';

const base = { issuer: 'https://id.example.com' };
const smtp = { host: 'smtp.example.com', port: 587, secure: false };
const email = (over: Record<string, unknown> = {}) => ({ ...base, email: { smtp, from: 'Example ID <id@example.com>', ...over } });

describe('configuration key email (issue 17 §4)', () => {
  it('is absent by default: no email features', () => {
    assert.equal(parseConfig(base).email, undefined);
  });

  it('takes an SMTP relay and a sender, with defaults: 15-minute links, 3 per account, 10 per address, every notice off', () => {
    const c = parseConfig(email({ smtp: { ...smtp, auth: { user: 'u', pass: 'p' }, requireTLS: true } })).email;
    assert.deepEqual(c, {
      smtp: { host: 'smtp.example.com', port: 587, secure: false, auth: { user: 'u', pass: 'p' }, requireTLS: true },
      from: 'Example ID <id@example.com>',
      resetTokenTtl: 900,
      resetsPerAccount: 3,
      resetsPerAddress: 10,
      notices: { newDevice: false, passwordChanged: false, newPasskey: false },
    });
    assert.equal(parseConfig(email({ from: 'id@example.com', notices: { passwordChanged: true } })).email?.notices.passwordChanged, true);
  });

  it('names the bad key', () => {
    failsNaming({ ...base, email: { from: 'id@example.com' } }, 'email.smtp');
    failsNaming({ ...base, email: { smtp: { port: 25 }, from: 'id@example.com' } }, 'email.smtp.host');
    failsNaming(email({ smtp: { ...smtp, port: 70000 } }), 'email.smtp.port');
    failsNaming(email({ smtp: { ...smtp, secure: 'yes' } }), 'email.smtp.secure');
    failsNaming(email({ smtp: { ...smtp, auth: { user: 'u' } } }), 'email.smtp.auth.pass');
    failsNaming(email({ smtp: { ...smtp, tls: {} } }), 'email.smtp.tls');
    failsNaming({ ...base, email: { smtp } }, 'email.from');
    failsNaming(email({ from: 'Evil\r\nBcc: x@example.com <id@example.com>' }), 'email.from');
    failsNaming(email({ from: 'not an address' }), 'email.from');
    failsNaming(email({ resetTokenTtl: '2d' }), 'email.resetTokenTtl', /at most 24h/);
    failsNaming(email({ resetsPerAccount: 0 }), 'email.resetsPerAccount');
    failsNaming(email({ notices: { newDevice: 'on' } }), 'email.notices.newDevice');
    failsNaming(email({ notices: { weekly: true } }), 'email.notices.weekly');
    failsNaming({ ...base, email: 'smtp://x' }, 'email');
  });
});
