/**
 * What `signoff start` tells the operator on stderr (issue 10 §8): which store it opened and
 * whether it just created it (a mistyped SQLite path otherwise silently starts an empty store),
 * and, in development, a banner naming only the users and clients the running configuration
 * defines. The real binary runs as a child process; its output is read after SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CLIENTS, USERS, defaultClients, freePort } from './helpers/provider.js';
import { BIN, cleanEnv, runSignoff } from './helpers/signoff-process.js';

interface Output {
  stdout: string;
  stderr: string;
}

/** Runs `signoff start ...args` until it listens, stops it with SIGTERM and returns all it printed. */
const startAndStop = (args: string[], cwd: string): Promise<Output> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', ...args], { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Output = { stdout: '', stderr: '' };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`signoff start did not listen in time:\n${out.stderr}`));
    }, 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      out.stderr += d;
      if (/listening on/.test(out.stderr)) child.kill('SIGTERM');
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (/listening on/.test(out.stderr)) resolve(out);
      else reject(new Error(`signoff start exited (${code}) before listening:\n${out.stderr}`));
    });
  });

describe('signoff start: the store it opened and the development banner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-cli-start-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names the store it opened: "(created)" with a warning in the log on first start, "(existing)" after (issue 10 §8)', async () => {
    const port = await freePort();
    const store = join(dir, 'named', 'signoff.sqlite');
    const cfg = join(dir, 'named.json');
    writeFileSync(cfg, JSON.stringify({ issuer: `http://127.0.0.1:${port}`, port, store: { sqlite: store }, logging: { level: 'warn' } }));
    const first = await startAndStop(['--config', cfg], dir);
    assert.ok(first.stderr.includes(`signoff: store: sqlite ${store} (created)\n`), first.stderr);
    const warnings = first.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; store?: string });
    const created = warnings.find((w) => w.level === 40 && w.store === store);
    assert.ok(created, `a warn line naming the store: ${first.stdout}`);
    assert.match(created.msg, /created a new, empty store/);

    const second = await startAndStop(['--config', cfg], dir);
    assert.ok(second.stderr.includes(`signoff: store: sqlite ${store} (existing)\n`), second.stderr);
    assert.doesNotMatch(second.stdout, /created a new/, 'no warning for an existing store');
  });

  it('a relative SQLite path is named as the absolute path it resolved to', async () => {
    const port = await freePort();
    const cwd = mkdtempSync(join(dir, 'relative-'));
    writeFileSync(join(cwd, 'signoff.json'), JSON.stringify({ issuer: `http://127.0.0.1:${port}`, port, store: { sqlite: './here/s.sqlite' }, logging: { level: 'silent' } }));
    const out = await startAndStop(['--config', 'signoff.json'], cwd);
    assert.ok(out.stderr.includes(`signoff: store: sqlite ${join(cwd, 'here', 's.sqlite')} (created)`), out.stderr);
  });

  it('development: true with its own users and clients: the banner names them, and neither the demo user nor the demo client (issue 10 §8)', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const cfg = join(dir, 'dev-own.json');
    const local = { client_id: 'local-app', client_secret: 'local-app-secret-0123456789-0123456789', redirect_uris: [`${issuer}/dev/callback`] };
    writeFileSync(cfg, JSON.stringify({
      development: true, issuer, port, store: { sqlite: join(dir, 'dev-own.sqlite') }, logging: { level: 'silent' },
      clients: [...defaultClients(), local], users: Object.values(USERS),
    }));
    const { stderr } = await startAndStop(['--config', cfg], dir);
    assert.match(stderr, /DEVELOPMENT CONFIGURATION/);
    assert.match(stderr, /Users: +alice, bob\b/);
    assert.match(stderr, /Clients: +web, spa, post, consent, local-app\n/);
    assert.doesNotMatch(stderr, /demo/i, 'no demo user or client that this configuration does not define');
    for (const secret of [USERS.alice.password, USERS.bob.password, CLIENTS.web.client_secret, local.client_secret]) {
      assert.ok(!stderr.includes(secret), 'a configured password or secret is not printed');
    }
    const tryUrl = new URL(/Try signing in: (\S+)/.exec(stderr)?.[1] ?? 'http://missing/');
    assert.equal(tryUrl.origin, issuer);
    assert.equal(tryUrl.searchParams.get('client_id'), 'local-app', 'the sign-in link uses a configured client that accepts the landing page');
    assert.equal(tryUrl.searchParams.get('redirect_uri'), `${issuer}/dev/callback`);
  });

  it('development: true without users or clients: the banner says there are none, and offers no sign-in link', async () => {
    const port = await freePort();
    const cfg = join(dir, 'dev-empty.json');
    writeFileSync(cfg, JSON.stringify({ development: true, issuer: `http://127.0.0.1:${port}`, port, store: { sqlite: join(dir, 'dev-empty.sqlite') }, logging: { level: 'silent' } }));
    const { stderr } = await startAndStop(['--config', cfg], dir);
    assert.match(stderr, /Users: +none in the configuration file/);
    assert.match(stderr, /Clients: +none in the configuration file/);
    assert.doesNotMatch(stderr, /demo|Try signing in/i);
  });

  it('the development configuration (no --config) still shows its demo user, demo client and a sign-in link', async () => {
    const port = await freePort();
    const cwd = mkdtempSync(join(dir, 'devcfg-'));
    const { stderr } = await startAndStop(['--port', String(port)], cwd);
    assert.match(stderr, /Demo user: +demo \/ demo-battery-staple-horse/);
    assert.match(stderr, /Demo client: demo-app \/ demo-app-secret-for-development-only/);
    assert.match(stderr, new RegExp(`Try signing in: http://localhost:${port}/authorize\\?client_id=demo-app&`));
    assert.ok(stderr.includes(`signoff: store: sqlite ${join(cwd, 'data', 'signoff.sqlite')} (created)`), stderr);
  });
});

describe('other commands on a store that did not exist', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-cli-newstore-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('warn on stderr, naming the path, that they created a new, empty store; not when it exists (issue 10 §8)', async () => {
    const store = join(dir, 'typo', 'signof.sqlite');
    const cfg = join(dir, 'signoff.json');
    writeFileSync(cfg, JSON.stringify({ issuer: 'http://127.0.0.1:3995', store: { sqlite: store }, logging: { level: 'silent' } }));
    const first = await runSignoff(['users', 'list', '--config', cfg], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.ok(first.stderr.includes(`warning: created a new, empty store at ${store}`), first.stderr);
    const second = await runSignoff(['users', 'list', '--config', cfg], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stderr, '', 'nothing to say about an existing store');
  });
});
