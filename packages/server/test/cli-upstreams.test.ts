/**
 * `signoff upstreams list|show` (issue 15 §1, DESIGN.md "Contracts"): an operator registers
 * Signoff at an upstream before Signoff starts, so the command prints the upstream's settings and
 * Signoff's four fixed URIs from the configuration file alone — no store, no key-encryption key,
 * no network — and never the client secret. Exit codes as every other command: 1 for an unknown
 * id, 2 for a usage error, 78 for a bad configuration.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { STACK, cleanEnv, runSignoff } from './helpers/signoff-process.js';

const SECRET = 'entra-client-secret-never-printed';

describe('signoff upstreams (issue 15 §1: the URIs to register at an upstream)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-cli-upstreams-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'signoff.json');
  const store = join(dir, 'store', 'signoff.sqlite');
  writeFileSync(cfg, JSON.stringify({
    issuer: 'https://id.example.com/tenant',
    store: { sqlite: store },
    logging: { level: 'silent' },
    upstreams: [
      {
        id: 'entra',
        issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
        client_id: 'entra-app-id',
        client_secret: SECRET,
        display_name: 'Contoso (Entra ID)',
        logout: { federated: 'always' },
        domains: ['contoso.com'],
      },
      { id: 'google', issuer: 'https://accounts.google.com', client_id: 'google-app.apps.googleusercontent.com' },
    ],
  }));
  // Without the tests' KEK: these commands must not need it.
  const env = Object.fromEntries(Object.entries(cleanEnv()).filter(([k]) => !k.startsWith('SIGNOFF_')));
  const signoff = (...args: string[]) => runSignoff(args, { cwd: dir, env });

  it('show prints id, issuer, display name, client_id, federated logout and the four fixed URIs, never the secret', async () => {
    const r = await signoff('upstreams', 'show', 'entra', '--config', cfg);
    assert.equal(r.code, 0, r.stderr);
    const line = (key: string): string | undefined => new RegExp(`^${key}\\s+(.+)$`, 'm').exec(r.stdout)?.[1];
    assert.equal(line('id'), 'entra');
    assert.equal(line('issuer'), 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0');
    assert.equal(line('display_name'), 'Contoso (Entra ID)');
    assert.equal(line('client_id'), 'entra-app-id');
    assert.equal(line('federated_logout'), 'always');
    assert.equal(line('redirect_uri'), 'https://id.example.com/tenant/upstreams/entra/callback');
    assert.equal(line('post_logout_redirect_uri'), 'https://id.example.com/tenant/upstreams/entra/signed-out');
    assert.equal(line('backchannel_logout_uri'), 'https://id.example.com/tenant/upstreams/entra/backchannel-logout');
    assert.equal(line('frontchannel_logout_uri'), 'https://id.example.com/tenant/upstreams/entra/frontchannel-logout');
    assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), 'the client secret is never printed');
  });

  it('show --json gives the same fields as JSON, with the defaults filled in, without the secret', async () => {
    const r = await signoff('upstreams', 'show', 'google', '--json', '--config', cfg);
    assert.equal(r.code, 0, r.stderr);
    const shown = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(shown.id, 'google');
    assert.equal(shown.issuer, 'https://accounts.google.com');
    assert.equal(shown.display_name, 'google', 'display_name defaults to the id');
    assert.equal(shown.client_id, 'google-app.apps.googleusercontent.com');
    assert.equal(shown.federated_logout, 'on_request', 'the default');
    assert.equal(shown.redirect_uri, 'https://id.example.com/tenant/upstreams/google/callback');
    assert.equal(shown.post_logout_redirect_uri, 'https://id.example.com/tenant/upstreams/google/signed-out');
    assert.equal(shown.backchannel_logout_uri, 'https://id.example.com/tenant/upstreams/google/backchannel-logout');
    assert.equal(shown.frontchannel_logout_uri, 'https://id.example.com/tenant/upstreams/google/frontchannel-logout');
    assert.ok(!('client_secret' in shown));
    const entra = await signoff('upstreams', 'show', 'entra', '--json', '--config', cfg);
    assert.ok(!entra.stdout.includes(SECRET));
  });

  it('list names every configured upstream (plain and --json), without secrets', async () => {
    const [plain, json] = await Promise.all([
      signoff('upstreams', 'list', '--config', cfg),
      signoff('upstreams', 'list', '--json', '--config', cfg),
    ]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^ID\s+ISSUER/m);
    assert.match(plain.stdout, /^entra\s+https:\/\/login\.microsoftonline\.com\S+\s+entra-app-id\s+always\s+Contoso \(Entra ID\)$/m);
    assert.match(plain.stdout, /^google\s+https:\/\/accounts\.google\.com\s+\S+\s+on_request\s+google$/m);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual((JSON.parse(json.stdout) as { id: string }[]).map((u) => u.id), ['entra', 'google']);
    assert.ok(!plain.stdout.includes(SECRET) && !json.stdout.includes(SECRET));
  });

  it('reads only the configuration: no store is created, and no key-encryption key is needed', () => {
    assert.ok(!existsSync(store), 'no store was opened or created');
  });

  it('an unknown id exits 1 naming it, without usage text or stack trace', async () => {
    const r = await signoff('upstreams', 'show', 'okta', '--config', cfg);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /no upstream "okta"/);
    assert.doesNotMatch(r.stdout + r.stderr, /Usage/);
    assert.doesNotMatch(r.stderr, STACK);
  });

  it('--help exits 0; a missing ID, an unknown action or flag exit 2', async () => {
    const help = await signoff('upstreams', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /signoff upstreams show ID/);
    const cases: [string[], RegExp][] = [
      [['upstreams', 'show', '--config', cfg], /needs an ID/],
      [['upstreams', 'frobnicate', '--config', cfg], /unknown action "upstreams frobnicate"/],
      [['upstreams', 'list', '--bogus', '--config', cfg], /bogus/],
      [['upstreams'], /Usage/],
    ];
    for (const [args, message] of cases) {
      const r = await signoff(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout + r.stderr, message);
      assert.doesNotMatch(r.stderr, STACK);
    }
    const top = await signoff('--help');
    assert.match(top.stdout, /upstreams/, 'the program usage lists the command');
  });

  it('a bad upstream configuration exits 78 naming the key', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ issuer: 'https://id.example.com', upstreams: [{ id: 'x', issuer: 'http://idp.example.com', client_id: 'c' }] }));
    const r = await signoff('upstreams', 'list', '--config', bad);
    assert.equal(r.code, 78, r.stderr);
    assert.match(r.stderr, /upstreams\[0\]\.issuer/);
  });
});
